/**
 * The MCP server: the pack's specialists as tools, its agents as prompts, its
 * knowledge and plans as resources. Built on the SDK's low-level `Server`, so
 * that each request loads only what it needs: `tools/list` answers from the
 * build's tool index (tools.ts) without loading a specialist, the packs load on
 * the first prompt or resource request, and the runtime, store and scanner on
 * the first tool call.
 *
 * No tool approves a plan. `plan_apply` writes only plans that need no
 * approval (not production, no secrets) and only inside the root.
 */
import type { Stats } from "node:fs";
import { lstatSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { jsonSchemaValidator, JsonSchemaType, JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation";
import type { CallToolResult, GetPromptResult, ReadResourceResult, Resource, Tool } from "@modelcontextprotocol/sdk/types.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { DevopsPackError, refused } from "../../core/errors.js";
import type { PackSet } from "../../core/packs/loader.js";
import type { RuntimeOptions } from "../../agents/manager/runtime.js";
import type { Store } from "../../core/store/index.js";
import { packageVersion } from "../../core/package-root.js";
import { agentBrief } from "../agent-brief.js";
import { ALL_SPECIALISTS } from "../specialists.js";
import { CallPool, callWorkerUrl, isHeavy } from "./offload.js";
import type { IndexedTool } from "./tools.js";
import { buildToolIndex, readToolIndex } from "./tools.js";

export { toolName } from "./tools.js";

export interface McpContextOptions {
  /** The project: store, project packs. */
  projectDir: string;
  /** Every path a tool names must lie inside this directory (default: projectDir). */
  root?: string;
  /** Run heavy tool calls in worker threads (default true; a worker's own context says false). */
  offload?: boolean;
}

/** What every server instance shares: the tools, the packs and one store, each loaded on first use. */
export interface McpContext {
  projectDir: string;
  root: string;
  tools: () => Promise<IndexedTool[]>;
  packs: () => Promise<PackSet>;
  runtime: () => Promise<RuntimeOptions>;
  /** Worker threads for heavy tool calls; undefined where there is no worker script (tests on the sources) or offload is off. */
  offload: CallPool | undefined;
  close: () => Promise<void>;
}

/** Memoize an async loader; a failed load is retried on the next call rather than cached. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= load().catch((e: unknown) => {
      p = undefined;
      throw e;
    });
    return p;
  };
}

export async function createMcpContext(opts: McpContextOptions): Promise<McpContext> {
  const projectDir = resolve(opts.projectDir);
  const root = realOrResolved(resolve(opts.root ?? projectDir));
  const tools = once(async () => (readToolIndex() ?? (await buildToolIndex(ALL_SPECIALISTS))).tools);
  const packs = once(async () => (await import("../../core/packs/loader.js")).loadPacks({ projectDir }));
  let store: Promise<Store> | undefined;
  const base = once(async () => (await import("../wiring.js")).wired(projectDir));
  const workerUrl = opts.offload === false || process.env.DEVOPS_PACK_MCP_WORKERS === "0" ? undefined : callWorkerUrl();
  const offload = workerUrl ? new CallPool(workerUrl, { projectDir, root }) : undefined;
  return {
    projectDir,
    root,
    tools,
    packs,
    offload,
    runtime: async () => {
      store ??= import("../../core/store/index.js").then((s) => s.openStore(s.defaultStoreConfig(projectDir)));
      const [b, p, s] = await Promise.all([base(), packs(), store]);
      return { ...b, packs: p, store: s, actor: process.env.DEVOPS_PACK_ACTOR ?? "mcp" };
    },
    close: async () => {
      await offload?.close();
      if (store) await (await store).close();
      store = undefined;
    },
  };
}

export function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Resolve `p` against the root and refuse anything outside it. The longest
 * part of the path that exists is resolved with realpath (every symlink in it
 * followed, also one whose target lies outside), and that must be inside the
 * realpath'd root; the rest does not exist yet and is returned as is, to be
 * created without following links (apply creates the missing directories and
 * refuses symlinks below its target). A dangling symlink is refused: creating
 * under it would create its target, wherever that points. Every MCP tool that
 * takes a path goes through here.
 */
export function insideRoot(root: string, p: string): string {
  const realRoot = realOrResolved(root);
  const abs = isAbsolute(p) ? resolve(p) : resolve(realRoot, p);
  const outside = (): never => {
    throw refused(`Refused: ${p} is outside the server's root ${realRoot}. Name a path inside it (relative paths are taken from the root).`, { path: p, root: realRoot });
  };
  // Walk up to the longest prefix that exists (lstat: a dangling link exists too).
  const missing: string[] = [];
  let existing = abs;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = lstatSync(existing);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw refused(`Refused: ${p} cannot be checked (${(e as NodeJS.ErrnoException).code ?? "error"}).`, { path: p });
    }
    if (st !== undefined) break;
    const parent = dirname(existing);
    if (parent === existing) outside();
    missing.unshift(basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw refused(
      `Refused: ${p} goes through ${relative(realRoot, existing) || existing}, a symlink whose target does not exist (a dangling link); writing there would create its target wherever it points. Remove the link or name another path.`,
      { path: p, root: realRoot },
    );
  }
  if (!within(realRoot, real)) outside();
  return missing.length === 0 ? real : join(real, ...missing);
}

function within(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

export function errorResult(e: unknown): CallToolResult {
  const text = e instanceof DevopsPackError ? `${e.code}: ${e.message}` : `INTERNAL: ${(e as Error)?.message ?? String(e)}`;
  return { isError: true, content: [{ type: "text", text }] };
}

const KNOWLEDGE = "devops-pack://knowledge/";
const PLANS = "devops-pack://plans/";
const MIME: Record<string, string> = { md: "text/markdown", yaml: "application/yaml", yml: "application/yaml", json: "application/json" };

function mimeOf(name: string): string {
  return MIME[/\.([^./]+)$/.exec(name)?.[1] ?? ""] ?? "text/plain";
}

async function knowledgeResources(packs: PackSet): Promise<Resource[]> {
  const { DEPENDENCY_CATEGORIES } = await import("../../core/packs/schema.js");
  return DEPENDENCY_CATEGORIES.flatMap((category) =>
    packs.available(category).map((name) => ({ uri: `${KNOWLEDGE}${category}/${name}`, name: `${category}/${name}`, title: `${category}/${name}`, mimeType: mimeOf(name) })),
  );
}

/** The calls themselves live in calls.ts, loaded with the runtime on the first tool call. */
const calls = once(() => import("./calls.js"));

/**
 * The SDK validates elicitation answers with Ajv, and builds an Ajv instance
 * (all formats compiled) in every Server's constructor. devops-pack never
 * elicits, so the instance is built only if something asks for a validator.
 */
class LazyAjvValidator implements jsonSchemaValidator {
  private ajv: AjvJsonSchemaValidator | undefined;
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.ajv ??= new AjvJsonSchemaValidator();
    return this.ajv.getValidator<T>(schema);
  }
}

/** One server instance over the shared context (stdio uses one; stateless HTTP makes one per request). */
export function createMcpServer(ctx: McpContext): Server {
  const server = new Server(
    { name: "devops-pack", version: packageVersion() },
    {
      capabilities: { tools: {}, prompts: {}, resources: {} },
      jsonSchemaValidator: new LazyAjvValidator(),
      instructions: "DevOps agent pack: task tools make gated plans (stored, never applied to production); read-only tools scan and show plans.",
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await ctx.tools()).map((t): Tool => t.tool) }));

  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const { name } = req.params;
    const indexed = (await ctx.tools()).find((t) => t.tool.name === name);
    if (!indexed) {
      const known = (await ctx.tools()).map((t) => t.tool.name).join(", ");
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Tools: ${known}.`);
    }
    try {
      // A client that sends a progress token gets notifications/progress as the task plans and gates.
      const token = req.params._meta?.progressToken;
      const onProgress =
        token === undefined
          ? undefined
          : (progress: number, total: number, message: string): void => {
              void extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total, message } }).catch(() => undefined);
            };
      const args = req.params.arguments ?? {};
      // Heavy calls run in a worker thread, so that this thread keeps answering (tools/list, ping) meanwhile.
      if (ctx.offload && isHeavy(name, indexed.taskType)) return await ctx.offload.run(name, args, onProgress);
      return await (await calls()).callTool(ctx, indexed, args, onProgress);
    } catch (e) {
      return errorResult(e);
    }
  });

  // Prompts: one per agent, activation from its markdown.
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: (await ctx.packs()).allAgents().map((a) => {
      const s = a.doc.spec.agent;
      return { name: a.id, title: `${s.icon} ${s.name}, ${s.title}`, description: s.whenToUse };
    }),
  }));

  server.setRequestHandler(GetPromptRequestSchema, async (req): Promise<GetPromptResult> => {
    const packs = await ctx.packs();
    const a = packs.allAgents().find((x) => x.id === req.params.name);
    if (!a) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${req.params.name}. Prompts: ${packs.allAgents().map((x) => x.id).join(", ")}.`);
    const s = a.doc.spec;
    const text = [
      `Act as ${s.agent.name}, the ${s.agent.title} (${a.id}) of devops-pack.`,
      `When to use: ${s.agent.whenToUse}`,
      "",
      ...agentBrief(a, s.handles.join(", ") || "none (routes tasks to the specialists)"),
      `Knowledge (read the ${KNOWLEDGE} resources on demand): ${a.dependencies.map((d) => `${d.category}/${d.name}`).join(", ") || "none"}`,
    ].join("\n");
    return { description: s.agent.whenToUse, messages: [{ role: "user", content: { type: "text", text } }] };
  });

  // Resources: knowledge files (read on demand) and the most recent plans.
  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const knowledge = await knowledgeResources(await ctx.packs());
    const { store } = await ctx.runtime();
    const plans = await store!.listPlans({ limit: 50 });
    return {
      resources: [
        ...knowledge,
        ...plans.map((p) => ({ uri: `${PLANS}${p.id}`, name: `plan ${p.id}`, description: `${p.taskType} ${p.createdAt}`, mimeType: "application/json" })),
      ],
    };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      { uriTemplate: `${PLANS}{id}`, name: "plan", title: "Stored plan", description: "A plan with its artifacts, gates and approvals", mimeType: "application/json" },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (req): Promise<ReadResourceResult> => {
    const { uri } = req.params;
    if (uri.startsWith(KNOWLEDGE)) {
      const rest = uri.slice(KNOWLEDGE.length);
      const packs = await ctx.packs();
      const known = (await knowledgeResources(packs)).find((r) => r.uri === uri);
      const slash = rest.indexOf("/");
      const file = known ? packs.resolveDependency(rest.slice(0, slash) as Parameters<PackSet["resolveDependency"]>[0], rest.slice(slash + 1)) : undefined;
      if (!file) throw new McpError(-32002, `Resource not found: ${uri}. List the knowledge files with resources/list.`, { uri });
      const { readFileSync } = await import("node:fs");
      return { contents: [{ uri, mimeType: mimeOf(rest), text: readFileSync(file, "utf8") }] };
    }
    if (uri.startsWith(PLANS)) {
      const id = decodeURIComponent(uri.slice(PLANS.length));
      try {
        const { showPlan } = await import("../../agents/manager/runtime.js");
        const stored = await showPlan(id, await ctx.runtime());
        return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify({ plan: stored.plan, gates: stored.gates, approvals: stored.approvals }, null, 2) }] };
      } catch (e) {
        if (e instanceof DevopsPackError) throw new McpError(-32002, `Resource not found: ${uri}: ${e.message}`, { uri });
        throw e;
      }
    }
    throw new McpError(-32002, `Resource not found: ${uri}. devops-pack serves ${KNOWLEDGE}<category>/<file> and ${PLANS}<id>.`, { uri });
  });

  return server;
}

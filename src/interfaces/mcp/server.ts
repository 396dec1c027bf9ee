/**
 * The MCP server: the pack's specialists as tools, its agents as prompts, its
 * knowledge and plans as resources. Built on the SDK's high-level McpServer.
 *
 * No tool approves a plan. `plan_apply` writes only plans that need no
 * approval (not production, no secrets) and only inside the root.
 */
import { readFileSync, realpathSync } from "node:fs";
import { extname, isAbsolute, relative, resolve, sep } from "node:path";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { DevopsPackError, refused } from "../../core/errors.js";
import type { PackSet } from "../../core/packs/loader.js";
import { loadPacks } from "../../core/packs/loader.js";
import { DEPENDENCY_CATEGORIES } from "../../core/packs/schema.js";
import type { Specialist } from "../../core/specialist.js";
import type { Store } from "../../core/store/index.js";
import { defaultStoreConfig, openStore } from "../../core/store/index.js";
import { packageVersion } from "../../core/package-root.js";
import { applyStored, runTask, showPlan } from "../../agents/manager/runtime.js";
import type { RunOutcome, RuntimeOptions } from "../../agents/manager/runtime.js";
import { allRules, scanPaths } from "../../scanner/index.js";
import { runStory } from "../story.js";
import { wired } from "../wiring.js";

export interface McpContextOptions {
  /** The project: store, project packs. */
  projectDir: string;
  /** Every path a tool names must lie inside this directory (default: projectDir). */
  root?: string;
}

/** What every server instance shares: packs, loaded specialists and one store. */
export interface McpContext {
  projectDir: string;
  root: string;
  packs: PackSet;
  specialists: Specialist<unknown>[];
  runtime: () => Promise<RuntimeOptions>;
  close: () => Promise<void>;
}

export async function createMcpContext(opts: McpContextOptions): Promise<McpContext> {
  const projectDir = resolve(opts.projectDir);
  const root = realOrResolved(resolve(opts.root ?? projectDir));
  const base = wired(projectDir);
  const packs = loadPacks({ projectDir });
  const specialists = await Promise.all((base.specialists ?? []).map((s) => s.load()));
  let store: Promise<Store> | undefined;
  return {
    projectDir,
    root,
    packs,
    specialists,
    runtime: async () => {
      store ??= openStore(defaultStoreConfig(projectDir));
      return { ...base, packs, store: await store, actor: process.env.DEVOPS_PACK_ACTOR ?? "mcp" };
    },
    close: async () => {
      if (store) await (await store).close();
      store = undefined;
    },
  };
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Resolve `p` against the root; refuse anything outside it (symlinks followed where they exist). */
export function insideRoot(root: string, p: string): string {
  const abs = realOrResolved(isAbsolute(p) ? resolve(p) : resolve(root, p));
  const rel = relative(root, abs);
  if (rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel))) return abs;
  throw refused(`Refused: ${p} is outside the server's root ${root}. Name a path inside it (relative paths are taken from the root).`, { path: p, root });
}

function errorResult(e: unknown): CallToolResult {
  const text = e instanceof DevopsPackError ? `${e.code}: ${e.message}` : `INTERNAL: ${(e as Error)?.message ?? String(e)}`;
  return { isError: true, content: [{ type: "text", text }] };
}

function jsonResult(value: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: value };
}

async function guarded(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (e) {
    return errorResult(e);
  }
}

export function toolName(taskType: string): string {
  return taskType.replace(/^devops\./, "devops_");
}

function planResult(outcome: RunOutcome): CallToolResult {
  const { plan, gates } = outcome;
  const structured = {
    planId: plan.id,
    verdict: outcome.verdict,
    artifacts: plan.artifacts.map((a) => ({ path: a.path, kind: a.kind, sha256: a.sha256, content: a.content })),
    gates: gates.map((g) => ({ gate: g.gate, status: g.status, score: g.score, blocking: g.blocking })),
    notes: plan.notes.map((n) => ({ kind: n.kind, text: n.text })),
  };
  const lines = [
    `Plan ${plan.id} (${plan.task.type}, ${plan.agent}): ${outcome.verdict}`,
    `Environments: ${plan.environment.join(", ") || "none"}`,
    "Artifacts:",
    ...plan.artifacts.map((a) => `  ${a.path} (${a.kind})`),
    "Gates:",
    ...gates.map((g) => `  ${g.gate}: ${g.status} (${g.score}%)${g.blocking.length > 0 ? ` — ${g.blocking.join("; ")}` : ""}`),
    ...(plan.notes.length > 0 ? ["Notes:", ...plan.notes.map((n) => `  [${n.kind}] ${n.text}`)] : []),
    `Show it: devops-pack plan show ${plan.id}. Approval, where needed, is a person's: devops-pack approve ${plan.id} --by <name>.`,
  ];
  return jsonResult(structured, lines.join("\n"));
}

const MIME: Record<string, string> = { ".md": "text/markdown", ".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json" };

/** One server instance over the shared context (stdio uses one; stateless HTTP makes one per request). */
export function createMcpServer(ctx: McpContext): McpServer {
  const server = new McpServer(
    { name: "devops-pack", version: packageVersion() },
    { instructions: "DevOps agent pack: task tools make gated plans (stored, never applied to production); read-only tools scan and show plans." },
  );

  // Task tools: one per built specialist.
  for (const s of ctx.specialists) {
    server.registerTool(
      toolName(s.taskType),
      {
        title: `${s.taskType} task`,
        description: `${s.description} Makes a plan (${s.taskType}) and runs its gates; the plan is stored, not applied.`,
        inputSchema: s.schema as unknown as z.ZodObject,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      async (args: unknown) =>
        guarded(async () => {
          const text = JSON.stringify({ task: { type: s.taskType, input: args } });
          return planResult(await runTask(text, `mcp:${toolName(s.taskType)}`, await ctx.runtime()));
        }),
    );
  }

  const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

  server.registerTool(
    "devops_scan",
    {
      title: "Scan infrastructure code",
      description: "Scan Terraform, Kubernetes, Dockerfiles, GitHub workflows and secrets under the server's root. Returns the score and findings.",
      inputSchema: {
        paths: z.array(z.string().min(1)).min(1).describe("Files or directories to scan, relative to the server's root (or absolute inside it)"),
        threshold: z.number().min(0).max(100).optional().describe("Pass mark in percent (default 95)"),
      },
      annotations: readOnly,
    },
    async ({ paths, threshold }) =>
      guarded(async () => {
        const abs = paths.map((p) => insideRoot(ctx.root, p));
        const result = await scanPaths(abs);
        const min = threshold ?? 95;
        const critical = result.findings.some((f) => !f.suppressed && f.severity === "critical");
        const ok = result.score >= min && !critical && !result.controls.some((c) => c.status === "failed");
        const structured = { ok, score: result.score, threshold: min, evaluated: result.evaluated, passed: result.passed, files: result.files, findings: result.findings };
        const text = [
          `Score ${result.score}% (threshold ${min}%): ${ok ? "pass" : "fail"}; ${result.findings.length} finding(s)`,
          ...result.findings.slice(0, 50).map((f) => `  ${f.severity} ${f.ruleId} ${f.file}${f.line ? `:${f.line}` : ""} ${f.message}`),
        ].join("\n");
        return jsonResult(structured, text);
      }),
  );

  server.registerTool(
    "plan_list",
    {
      title: "List plans",
      description: "List stored plans, newest first, with their gate statuses and approval state.",
      inputSchema: { limit: z.number().int().min(1).max(200).optional().describe("How many plans (default 20)") },
      annotations: readOnly,
    },
    async ({ limit }) =>
      guarded(async () => {
        const { store } = await ctx.runtime();
        const plans = await store!.listPlans({ limit: limit ?? 20 });
        const text = plans.length === 0 ? "no plans yet" : plans.map((p) => `${p.id} ${p.createdAt} ${p.taskType} [${p.environment.join(",")}] ${p.approval}`).join("\n");
        return jsonResult({ plans }, text);
      }),
  );

  server.registerTool(
    "plan_show",
    {
      title: "Show a plan",
      description: "Show a stored plan by id or unique prefix: artifacts with contents, gates, approvals, notes.",
      inputSchema: { id: z.string().min(1).describe("Plan id or a unique prefix of it") },
      annotations: readOnly,
    },
    async ({ id }) =>
      guarded(async () => {
        const stored = await showPlan(id, await ctx.runtime());
        const text = [
          `Plan ${stored.plan.id} (${stored.plan.task.type}) environments: ${stored.plan.environment.join(", ") || "none"}`,
          ...stored.plan.artifacts.map((a) => `  ${a.path} (${a.kind})`),
          ...stored.gates.map((g) => `  ${g.gate}: ${g.status}`),
        ].join("\n");
        return jsonResult({ plan: stored.plan, gates: stored.gates, approvals: stored.approvals, applies: stored.applies }, text);
      }),
  );

  server.registerTool(
    "rules_list",
    {
      title: "List scanner rules",
      description: "The scanner's rules, with their aliases in Checkov, Trivy, kube-linter and zizmor.",
      inputSchema: { target: z.string().optional().describe("Only rules for this target, e.g. terraform") },
      annotations: readOnly,
    },
    async ({ target }) =>
      guarded(async () => {
        const rules = (await allRules()).filter((r) => target === undefined || r.target === target);
        return jsonResult({ rules }, rules.map((r) => `${r.id} ${r.severity} ${r.title}`).join("\n") + `\n${rules.length} rules`);
      }),
  );

  server.registerTool(
    "story_preview",
    {
      title: "Preview a story's DevOps task",
      description: "The story command's dry run: derive the DevOps task of a story without creating anything.",
      inputSchema: {
        id: z.string().min(1).describe("Story id, e.g. 6.1.14.3, KAN-15 or a GitHub issue number"),
        tracker: z.enum(["files", "jira", "github"]).optional().describe("Where the story lives (default files)"),
      },
      annotations: { ...readOnly, openWorldHint: true },
    },
    async ({ id, tracker }) =>
      guarded(async () => {
        const out = await runStory(id, { projectDir: ctx.projectDir, dryRun: true, ...(tracker ? { tracker } : {}) });
        const text = [`Story ${out.story.id}: ${out.story.title}`, `Task (not created): ${out.draft.title}`, ...out.warnings.map((w) => `warning: ${w}`)].join("\n");
        return jsonResult(out as unknown as Record<string, unknown>, text);
      }),
  );

  server.registerTool(
    "plan_apply",
    {
      title: "Apply a plan that needs no approval",
      description:
        "Write a stored plan's files into a directory inside the server's root. Only for plans whose production approval gate was skipped: never production, never secrets. Approval is a person's, outside MCP.",
      inputSchema: {
        id: z.string().min(1).describe("Plan id or a unique prefix of it"),
        dir: z.string().min(1).describe("Target directory, relative to the server's root (or absolute inside it)"),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ id, dir }) =>
      guarded(async () => {
        const target = insideRoot(ctx.root, dir);
        const opts = await ctx.runtime();
        const stored = await showPlan(id, opts);
        const approval = stored.gates.find((g) => g.gate.startsWith("gate.approval"));
        if (stored.plan.environment.includes("production") || stored.plan.touchesSecrets || (approval !== undefined && approval.status !== "skipped")) {
          throw refused(
            `Refused: plan ${stored.plan.id} needs a person's approval (production or secrets). Review it and run: devops-pack approve ${stored.plan.id} --by <name>, then devops-pack apply ${stored.plan.id}.`,
          );
        }
        const out = await applyStored(stored.plan.id, { dir: target }, opts);
        const text = `Applied plan ${out.planId} into ${target}: ${out.changes.map((c) => `${c.path}`).join(", ")}`;
        return jsonResult({ planId: out.planId, dir: target, changes: out.changes }, text);
      }),
  );

  // Prompts: one per agent, activation from its markdown.
  for (const a of ctx.packs.allAgents()) {
    const s = a.doc.spec;
    server.registerPrompt(a.id, { title: `${s.agent.icon} ${s.agent.name}, ${s.agent.title}`, description: s.agent.whenToUse }, () => ({
      description: s.agent.whenToUse,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: [
              `Act as ${s.agent.name}, the ${s.agent.title} (${a.id}) of devops-pack.`,
              `When to use: ${s.agent.whenToUse}`,
              "",
              a.doc.intro,
              "",
              `Role: ${s.persona.role}`,
              `Style: ${s.persona.style}`,
              `Focus: ${s.persona.focus}`,
              "Principles:",
              ...s.persona.core_principles.map((p) => `- ${p}`),
              "",
              "Commands:",
              ...s.commands.map((c) => `- *${c.name}${c.args ? ` ${c.args}` : ""}: ${c.description}`),
              "",
              `Task types: ${s.handles.join(", ") || "none (routes tasks to the specialists)"}`,
              `Knowledge (read the devops-pack://knowledge/ resources on demand): ${a.dependencies.map((d) => `${d.category}/${d.name}`).join(", ") || "none"}`,
            ].join("\n"),
          },
        },
      ],
    }));
  }

  // Resources: knowledge files, read on demand.
  for (const category of DEPENDENCY_CATEGORIES) {
    for (const name of ctx.packs.available(category)) {
      const uri = `devops-pack://knowledge/${category}/${name}`;
      const mimeType = MIME[extname(name)] ?? "text/plain";
      server.registerResource(`${category}/${name}`, uri, { title: `${category}/${name}`, mimeType }, () => {
        const file = ctx.packs.resolveDependency(category, name);
        if (!file) throw new DevopsPackError("NOT_FOUND", `Knowledge file ${category}/${name} is gone.`);
        return { contents: [{ uri, mimeType, text: readFileSync(file, "utf8") }] };
      });
    }
  }

  // Plans: a resource template listing recent plans.
  server.registerResource(
    "plan",
    new ResourceTemplate("devops-pack://plans/{id}", {
      list: async () => {
        const { store } = await ctx.runtime();
        const plans = await store!.listPlans({ limit: 50 });
        return { resources: plans.map((p) => ({ uri: `devops-pack://plans/${p.id}`, name: `plan ${p.id}`, description: `${p.taskType} ${p.createdAt}`, mimeType: "application/json" })) };
      },
    }),
    { title: "Stored plan", description: "A plan with its artifacts, gates and approvals", mimeType: "application/json" },
    async (uri, vars) => {
      const id = String(Array.isArray(vars.id) ? vars.id[0] : vars.id);
      const stored = await showPlan(id, await ctx.runtime());
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ plan: stored.plan, gates: stored.gates, approvals: stored.approvals }, null, 2) }] };
    },
  );

  return server;
}

/**
 * The MCP server's tools as data: names, titles, descriptions, annotations and
 * JSON input schemas. The task tools' schemas come from the specialists' zod
 * schemas, which means loading every specialist module; `npm run build` does
 * that once and writes `dist/mcp-tools.json`, so the server answers
 * `tools/list` without loading any specialist. A specialist loads on its
 * tool's first call, where the runtime validates the arguments with the very
 * zod schema the index was made from (test/mcp/tool-index.test.ts holds the
 * two equal).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { SpecialistEntry } from "../../agents/registry.js";
import { packageRoot, packageVersion } from "../../core/package-root.js";

export type ToolAnnotations = NonNullable<Tool["annotations"]>;

/** One tool as `tools/list` shows it, plus the task type it runs (task tools only). */
export interface IndexedTool {
  tool: Tool;
  taskType?: string;
}

export interface ToolIndex {
  version: 1;
  /** The devops-pack version the index was built for; another version's index is ignored. */
  packageVersion: string;
  tools: IndexedTool[];
}

export const TOOL_INDEX_PATH = ["dist", "mcp-tools.json"] as const;

export function toolName(taskType: string): string {
  return taskType.replace(/^devops\./, "devops_");
}

const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const TASK: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

/** The tools that are not task tools: their argument schemas (strict: unknown arguments are errors) and metadata. */
export const FIXED_TOOLS = {
  devops_scan: {
    title: "Scan infrastructure code",
    description: "Scan Terraform, Kubernetes, Dockerfiles, GitHub workflows and secrets under the server's root. Returns the score and findings.",
    schema: z.strictObject({
      paths: z.array(z.string().min(1)).min(1).describe("Files or directories to scan, relative to the server's root (or absolute inside it)"),
      threshold: z.number().min(0).max(100).optional().describe("Pass mark in percent (default 95)"),
    }),
    annotations: READ_ONLY,
  },
  plan_list: {
    title: "List plans",
    description: "List stored plans, newest first, with their gate statuses and approval state.",
    schema: z.strictObject({ limit: z.number().int().min(1).max(200).optional().describe("How many plans (default 20)") }),
    annotations: READ_ONLY,
  },
  plan_show: {
    title: "Show a plan",
    description: "Show a stored plan by id or unique prefix: artifacts with contents, gates, approvals, notes.",
    schema: z.strictObject({ id: z.string().min(1).describe("Plan id or a unique prefix of it") }),
    annotations: READ_ONLY,
  },
  rules_list: {
    title: "List scanner rules",
    description: "The scanner's rules, with their aliases in Checkov, Trivy, kube-linter and zizmor.",
    schema: z.strictObject({ target: z.string().optional().describe("Only rules for this target, e.g. terraform") }),
    annotations: READ_ONLY,
  },
  story_preview: {
    title: "Preview a story's DevOps task",
    description: "The story command's dry run: derive the DevOps task of a story without creating anything.",
    schema: z.strictObject({
      id: z.string().min(1).describe("Story id, e.g. 6.1.14.3, KAN-15 or a GitHub issue number"),
      tracker: z.enum(["files", "jira", "github"]).optional().describe("Where the story lives (default files)"),
    }),
    annotations: { ...READ_ONLY, openWorldHint: true },
  },
  plan_apply: {
    title: "Apply a plan that needs no approval",
    description:
      "Write a stored plan's files into a directory inside the server's root. Only for plans whose production approval gate was skipped: never production, never secrets. Approval is a person's, outside MCP.",
    schema: z.strictObject({
      id: z.string().min(1).describe("Plan id or a unique prefix of it"),
      dir: z.string().min(1).describe("Target directory, relative to the server's root (or absolute inside it)"),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
} as const;

export type FixedToolName = keyof typeof FIXED_TOOLS;

/** A zod schema as a tool's JSON input schema: draft-07, the input side of transforms (what a client sends). */
function inputJsonSchema(schema: z.ZodType): Tool["inputSchema"] {
  const json = z.toJSONSchema(schema, { target: "draft-7", io: "input" }) as Record<string, unknown>;
  if (json.type !== "object") throw new Error(`A tool's input schema must be an object schema, got ${JSON.stringify(json.type)}.`);
  return json as Tool["inputSchema"];
}

/** Every tool, computed from the code: loads each specialist. The build writes this as the index. */
export async function buildToolIndex(specialists: readonly SpecialistEntry[]): Promise<ToolIndex> {
  const loaded = await Promise.all(specialists.map((e) => e.load()));
  const task: IndexedTool[] = loaded.map((s) => ({
    taskType: s.taskType,
    tool: {
      name: toolName(s.taskType),
      title: `${s.taskType} task`,
      description: `${s.description} Makes a plan (${s.taskType}) and runs its gates; the plan is stored, not applied.`,
      inputSchema: inputJsonSchema(s.schema),
      annotations: TASK,
    },
  }));
  const fixed: IndexedTool[] = Object.entries(FIXED_TOOLS).map(([name, t]) => ({
    tool: { name, title: t.title, description: t.description, inputSchema: inputJsonSchema(t.schema), annotations: t.annotations },
  }));
  return { version: 1, packageVersion: packageVersion(), tools: [...task, ...fixed] };
}

/**
 * The index `npm run build` wrote, when it is there and belongs to this
 * version. Undefined otherwise, and the caller builds the tools from the code.
 */
export function readToolIndex(file: string = join(packageRoot(), ...TOOL_INDEX_PATH)): ToolIndex | undefined {
  if (process.env.DEVOPS_PACK_NO_TOOL_INDEX === "1" || !existsSync(file)) return undefined;
  try {
    const index = JSON.parse(readFileSync(file, "utf8")) as ToolIndex;
    if (index.version !== 1 || index.packageVersion !== packageVersion() || !Array.isArray(index.tools)) return undefined;
    return index;
  } catch {
    return undefined;
  }
}

/**
 * What each MCP tool does. Loaded on the first tool call, with the runtime,
 * the store and the scanner; `tools/list` never needs this module.
 *
 * Task tools hand their arguments to the runtime as a task envelope; it loads
 * the specialist and validates them with its zod schema, in the command line's
 * words but naming the fields as the client sent them. The other tools check their arguments
 * against FIXED_TOOLS' strict schemas.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { badInput, refused } from "../../core/errors.js";
import { loadProjectConfig } from "../../core/config.js";
import { assistantMayApply } from "../../core/policy.js";
import { MAX_INPUT_BYTES } from "../../core/limits.js";
import { describeZodError } from "../../core/zod-errors.js";
import { applyStored, runEnvelope, showPlan } from "../../agents/manager/runtime.js";
import type { RunOutcome } from "../../agents/manager/runtime.js";
import { allRules, scanProject } from "../../scanner/index.js";
import { runStory } from "../story.js";
import type { McpContext } from "./server.js";
import { insideRoot } from "./server.js";
import type { FixedToolName, IndexedTool } from "./tools.js";
import { FIXED_TOOLS } from "./tools.js";

function jsonResult(value: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: value };
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

/** Parse a tool's arguments with its zod schema, or throw BAD_INPUT naming each wrong field and the valid ones. */
function checked<T>(tool: string, schema: z.ZodType<T>, args: unknown): T {
  const parsed = schema.safeParse(args, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = describeZodError(parsed.error, schema, "arguments");
  throw badInput(`Invalid arguments for ${tool}:\n${issues.map((i) => `  ${i.message}`).join("\n")}`, { issues });
}

type ArgsOf<N extends FixedToolName> = ReturnType<(typeof FIXED_TOOLS)[N]["schema"]["parse"]>;

function argsOf<N extends FixedToolName>(name: N, args: unknown): ArgsOf<N> {
  return checked(name, FIXED_TOOLS[name].schema as unknown as z.ZodType<ArgsOf<N>>, args);
}

type Handler = (ctx: McpContext, args: unknown) => Promise<CallToolResult>;

const FIXED: Record<FixedToolName, Handler> = {
  devops_scan: async (ctx, raw) => {
    const { paths, threshold } = argsOf("devops_scan", raw);
    const abs = paths.map((p) => insideRoot(ctx.root, p));
    // The same scan and verdict as `devops-pack scan`: the project's suppressions, the one gate policy.
    // Files are named relative to the root, as the CLI names them relative to where it runs, so suppressions by path match alike.
    const { result, ok, threshold: min } = await scanProject(abs, { projectDir: ctx.projectDir, base: ctx.root, ...(threshold !== undefined ? { threshold } : {}) });
    const structured = { ok, score: result.score, threshold: min, evaluated: result.evaluated, passed: result.passed, files: result.files, findings: result.findings, controls: result.controls, workers: result.workers };
    const text = [
      `Score ${result.score}% (threshold ${min}%): ${ok ? "pass" : "fail"}; ${result.findings.length} finding(s)`,
      ...result.findings.slice(0, 50).map((f) => `  ${f.severity} ${f.ruleId} ${f.file}${f.line ? `:${f.line}` : ""} ${f.message}`),
    ].join("\n");
    return jsonResult(structured, text);
  },

  plan_list: async (ctx, raw) => {
    const { limit } = argsOf("plan_list", raw);
    const { store } = await ctx.runtime();
    const plans = await store!.listPlans({ limit: limit ?? 20 });
    const text = plans.length === 0 ? "no plans yet" : plans.map((p) => `${p.id} ${p.createdAt} ${p.taskType} [${p.environment.join(",")}] ${p.approval}`).join("\n");
    return jsonResult({ plans }, text);
  },

  plan_show: async (ctx, raw) => {
    const { id } = argsOf("plan_show", raw);
    const stored = await showPlan(id, await ctx.runtime());
    const text = [
      `Plan ${stored.plan.id} (${stored.plan.task.type}) environments: ${stored.plan.environment.join(", ") || "none"}`,
      ...stored.plan.artifacts.map((a) => `  ${a.path} (${a.kind})`),
      ...stored.gates.map((g) => `  ${g.gate}: ${g.status}`),
    ].join("\n");
    return jsonResult({ plan: stored.plan, gates: stored.gates, approvals: stored.approvals, applies: stored.applies }, text);
  },

  rules_list: async (_ctx, raw) => {
    const { target } = argsOf("rules_list", raw);
    const rules = (await allRules()).filter((r) => target === undefined || r.target === target);
    return jsonResult({ rules }, rules.map((r) => `${r.id} ${r.severity} ${r.title}`).join("\n") + `\n${rules.length} rules`);
  },

  story_preview: async (ctx, raw) => {
    const { id, tracker } = argsOf("story_preview", raw);
    const out = await runStory(id, { projectDir: ctx.projectDir, dryRun: true, ...(tracker ? { tracker } : {}) });
    const text = [`Story ${out.story.id}: ${out.story.title}`, `Task (not created): ${out.draft.title}`, ...out.warnings.map((w) => `warning: ${w}`)].join("\n");
    return jsonResult(out as unknown as Record<string, unknown>, text);
  },

  plan_apply: async (ctx, raw) => {
    const { id, dir } = argsOf("plan_apply", raw);
    const target = insideRoot(ctx.root, dir);
    const opts = await ctx.runtime();
    const stored = await showPlan(id, opts);
    // The approval rule of the one gate policy, under the project's config as apply reads it.
    const may = assistantMayApply(stored.plan, stored.gates, loadProjectConfig(ctx.projectDir).environments);
    if (!may.ok) {
      throw refused(
        `Refused: plan ${stored.plan.id} needs a person's approval (${may.reasons.join("; ")}). Review it and run: devops-pack approve ${stored.plan.id} --by <name>, then devops-pack apply ${stored.plan.id}.`,
      );
    }
    const out = await applyStored(stored.plan.id, { dir: target }, opts);
    const text = `Applied plan ${out.planId} into ${target}: ${out.changes.map((c) => c.path).join(", ")}`;
    return jsonResult({ planId: out.planId, dir: target, changes: out.changes }, text);
  },
};

/** Run one tool. Errors are thrown; the server turns them into `isError` results. */
export async function callTool(
  ctx: McpContext,
  indexed: IndexedTool,
  args: Record<string, unknown>,
  onProgress?: (done: number, total: number, message: string) => void,
): Promise<CallToolResult> {
  const { taskType, tool } = indexed;
  const bytes = Buffer.byteLength(JSON.stringify(args), "utf8");
  if (bytes > MAX_INPUT_BYTES) throw badInput(`The arguments of ${tool.name} are ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes, as for a task file.`);
  if (taskType !== undefined) {
    // A wrong field is named as the client sent it: arguments.platform.
    const inputLabel = { heading: `Invalid arguments for ${tool.name}:`, prefix: "arguments" };
    const opts = { ...(await ctx.runtime()), inputLabel, ...(onProgress ? { onProgress } : {}) };
    return planResult(await runEnvelope({ type: taskType, input: args }, `mcp:${tool.name}`, opts));
  }
  const handler = FIXED[tool.name as FixedToolName];
  if (!handler) throw new Error(`Tool ${tool.name} is listed but has no handler.`);
  return handler(ctx, args);
}

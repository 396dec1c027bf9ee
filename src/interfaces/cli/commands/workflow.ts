import { badInput } from "../../../core/errors.js";
import { listWorkflows, runWorkflowText } from "../../../agents/manager/workflow-runtime.js";
import { wired } from "../../wiring.js";
import { readInputFile } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";
import { planJson, renderPlan } from "../render.js";

export function runWorkflowList(ctx: CliContext): Promise<number> {
  const workflows = listWorkflows({ projectDir: ctx.projectDir });
  if (ctx.json) {
    printJson(ctx, { workflows });
    return Promise.resolve(0);
  }
  for (const w of workflows) {
    ctx.out(`${w.id}${w.runnable ? "" : " (knowledge only)"}: ${w.summary}`);
    if (w.steps.length > 0) ctx.out(`  steps: ${w.steps.join(" → ")}`);
  }
  ctx.out("");
  ctx.out("run one: devops-pack workflow run <id> <input.yaml>   (example: devops-pack workflow run lifecycle examples/lifecycle.yaml)");
  return Promise.resolve(0);
}

export async function runWorkflowRun(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const usage = "workflow run <id> <input.yaml>";
  if (positionals.length !== 2) throw badInput(`Usage: devops-pack ${usage}. Workflows: devops-pack workflow list.`);
  const [name, path] = positionals as [string, string];
  const text = readInputFile(path, "Workflow input");
  const outcome = await runWorkflowText(name, text, path, {
    ...wired(ctx.projectDir),
    fresh: values.fresh === true,
    onStep: (e) => {
      if (ctx.json) return;
      const n = `[${e.index + 1}/${e.total}]`;
      if (e.phase === "start") ctx.err(`${n} ${e.title}…`);
      else if (e.phase === "reused") ctx.err(`${n} ${e.title}: unchanged, reused from the failed run`);
      else if (e.phase === "failed") ctx.err(`${n} ${e.title}: failed`);
    },
  });
  const { plan, gates, verdict } = outcome;
  if (ctx.json) {
    printJson(ctx, { ok: verdict !== "failed", verdict, runId: outcome.runId, workflow: outcome.workflow, ...(outcome.resumedFrom ? { resumedFrom: outcome.resumedFrom } : {}), steps: outcome.steps, plan: planJson(plan), gates });
  } else {
    if (outcome.resumedFrom) ctx.out(`resumed failed run ${outcome.resumedFrom}`);
    for (const s of outcome.steps) ctx.out(`${s.status === "reused" ? "↺" : "✓"} ${s.title}: ${s.artifacts} file(s)${s.tasks.length ? ` from ${s.tasks.map((t) => t.agent).join(", ")}` : ""}`);
    ctx.out("");
    for (const line of renderPlan(plan, gates)) ctx.out(line);
    ctx.out("");
    if (verdict === "failed") ctx.out(`verdict: FAILED — bundle ${plan.id} cannot be approved or applied.`);
    else if (verdict === "awaiting_approval") ctx.out(`verdict: gates passed, awaiting approval.\nnext: devops-pack plan show ${plan.id} --files, then devops-pack approve ${plan.id} --by <name>, then devops-pack apply ${plan.id} --dir <dir>`);
    else ctx.out(`verdict: gates passed.\nnext: devops-pack apply ${plan.id} --dir <dir>`);
  }
  return verdict === "failed" ? 1 : 0;
}

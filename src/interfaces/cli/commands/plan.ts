import { badInput } from "../../../core/errors.js";
import { verdict } from "../../../core/gates/engine.js";
import { escapeLabel } from "../../../core/text.js";
import { defaultStoreConfig, openStore } from "../../../core/store/index.js";
import { showPlan } from "../../../agents/manager/runtime.js";
import { onePositional } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";
import { planJson, renderPlan } from "../render.js";

export async function runPlanList(ctx: CliContext, values: Record<string, unknown>): Promise<number> {
  const raw = values.limit;
  const limit = typeof raw === "string" ? Number.parseInt(raw, 10) : 20;
  if (!Number.isFinite(limit) || limit <= 0) throw badInput(`--limit must be a positive number, got '${String(raw)}'.`);
  const store = await openStore(defaultStoreConfig(ctx.projectDir));
  try {
    const plans = await store.listPlans({ limit });
    if (ctx.json) printJson(ctx, { plans });
    else if (plans.length === 0) ctx.out("no plans yet: devops-pack run <task-file>");
    else {
      ctx.out(["id".padEnd(12), "created".padEnd(20), "task type".padEnd(18), "environment".padEnd(22), "verdict".padEnd(18), "approval"].join("  "));
      for (const p of plans) {
        const v = verdict(p.gates);
        ctx.out([p.id.padEnd(12), p.createdAt.slice(0, 19).replace("T", " ").padEnd(20), p.taskType.padEnd(18), (p.environment.join(",") || "-").padEnd(22), v.padEnd(18), p.approval].join("  "));
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function runPlanShow(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const id = onePositional(positionals, "plan id (or a unique prefix)", "plan show <plan-id>");
  const stored = await showPlan(id, { projectDir: ctx.projectDir });
  const files = values.files === true;
  if (ctx.json) {
    printJson(ctx, { plan: planJson(stored.plan, files), gates: stored.gates, approvals: stored.approvals, applies: stored.applies });
    return 0;
  }
  for (const line of renderPlan(stored.plan, stored.gates)) ctx.out(line);
  ctx.out("");
  ctx.out(stored.approvals.length === 0 ? "approvals: none" : "approvals:");
  // Names and reasons are checked when recorded, but the store can be edited: print them escaped.
  for (const a of stored.approvals) ctx.out(`  ${a.decision} by ${escapeLabel(a.by, 100)} at ${a.decidedAt} for ${a.digest}${a.reason ? ` — ${escapeLabel(a.reason, 2000)}` : ""}`);
  if (files) {
    for (const a of stored.plan.artifacts) {
      ctx.out(`\n=== ${a.path} (${a.kind}) ===`);
      ctx.out(a.content);
    }
  }
  return 0;
}

import { decide } from "../../../agents/manager/runtime.js";
import { onePositional, optionalString, requiredString } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

async function record(ctx: CliContext, values: Record<string, unknown>, positionals: string[], decision: "approved" | "rejected"): Promise<number> {
  const verb = decision === "approved" ? "approve" : "reject";
  const usage = `${verb} <plan-id> --by <name> [--reason <text>]`;
  const id = onePositional(positionals, "plan id (or a unique prefix)", usage);
  const by = requiredString(values, "by", usage);
  const reason = optionalString(values, "reason");
  const outcome = await decide(id, { decision, by, ...(reason !== undefined ? { reason } : {}) }, { projectDir: ctx.projectDir, actor: by });
  if (ctx.json) printJson(ctx, { ok: true, ...outcome });
  else {
    ctx.out(`${decision} plan ${outcome.planId} (${outcome.digest}) by ${outcome.by}`);
    if (outcome.gate) ctx.out(`${outcome.gate.gate}: ${outcome.gate.status}`);
    if (decision === "approved") ctx.out(`next: devops-pack apply ${outcome.planId} --dir <dir>`);
  }
  return 0;
}

export const runApprove = (ctx: CliContext, values: Record<string, unknown>, positionals: string[]) => record(ctx, values, positionals, "approved");
export const runReject = (ctx: CliContext, values: Record<string, unknown>, positionals: string[]) => record(ctx, values, positionals, "rejected");

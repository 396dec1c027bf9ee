import { resolve } from "node:path";
import { applyStored } from "../../../agents/manager/runtime.js";
import { onePositional, optionalString } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

export async function runApply(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const id = onePositional(positionals, "plan id (or a unique prefix)", "apply <plan-id> [--dir <dir>]");
  const dir = resolve(optionalString(values, "dir") ?? ctx.projectDir);
  const dryRun = values["dry-run"] === true;
  const outcome = await applyStored(id, { dir, force: values.force === true, dryRun }, { projectDir: ctx.projectDir });
  if (ctx.json) {
    printJson(ctx, { ok: true, planId: outcome.planId, dryRun, dir, changes: outcome.changes, ...(outcome.report?.recovered ? { recovered: outcome.report.recovered } : {}) });
    return 0;
  }
  const rec = outcome.report?.recovered;
  if (rec?.outcome === "rolled-back") ctx.out(`rolled back an interrupted apply of plan ${rec.planId} first`);
  else if (rec?.outcome === "cleaned-up") ctx.out(`cleaned up after a finished apply of plan ${rec.planId} that had left its journal behind`);
  else if (rec?.outcome === "cleared-torn") ctx.out("cleared an empty or unparsable apply journal first (the staging area showed nothing had been committed)");
  if (values["no-diff"] !== true) for (const c of outcome.changes) if (c.diff) ctx.out(c.diff.trimEnd());
  for (const c of outcome.changes) ctx.out(`${c.action.padEnd(9)} ${c.path}`);
  const n = outcome.changes.filter((c) => c.action !== "unchanged").length;
  ctx.out(dryRun ? `dry run: ${n} file(s) would change in ${dir}` : `applied plan ${outcome.planId}: ${n} file(s) written in ${dir}`);
  return 0;
}

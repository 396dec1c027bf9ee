import { badInput } from "../../../core/errors.js";
import { lintPacks } from "../../../core/packs/lint.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

export async function runPackLint(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw badInput(`Unexpected argument(s): ${positionals.slice(1).join(" ")}.\nUsage: devops-pack pack lint [dir]`);
  const budgetRaw = values.budget;
  const budget = typeof budgetRaw === "string" ? Number.parseInt(budgetRaw, 10) : undefined;
  if (budget !== undefined && (!Number.isFinite(budget) || budget <= 0)) throw badInput(`--budget must be a positive number of lines, got '${String(budgetRaw)}'.`);
  const dir = positionals[0];
  const report = lintPacks({ projectDir: ctx.projectDir, ...(dir !== undefined ? { extraDirs: [dir] } : {}), ...(budget !== undefined ? { lineBudget: budget } : {}) });
  if (ctx.json) printJson(ctx, report);
  else {
    for (const p of report.packs) ctx.out(`pack ${p.id} (${p.origin}) ${p.dir}: ${p.agents} agents, ${p.files} knowledge files`);
    for (const e of report.errors) ctx.out(`error: ${e.message}`);
    for (const w of report.warnings) ctx.out(`warning: ${w.message}`);
    ctx.out(report.ok ? `ok: ${report.warnings.length} warning(s)` : `${report.errors.length} error(s), ${report.warnings.length} warning(s)`);
  }
  return report.ok ? 0 : 1;
}

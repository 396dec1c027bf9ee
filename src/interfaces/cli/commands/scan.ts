import { resolve } from "node:path";
import { badInput, refused } from "../../../core/errors.js";
import { lstatIfExists, writeFileAtomic } from "../../../core/fs-safe.js";
import { packageVersion } from "../../../core/package-root.js";
import { DEFAULT_SCAN_THRESHOLD } from "../../../core/policy.js";
import { allRules, parseFrameworks, scanProject } from "../../../scanner/index.js";
import { toSarif } from "../../../scanner/output/sarif.js";
import { toTable } from "../../../scanner/output/table.js";
import { optionalString } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

const FORMATS = ["table", "json", "sarif"] as const;

export async function runScan(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const format = optionalString(values, "format") ?? (ctx.json ? "json" : "table");
  if (!(FORMATS as readonly string[]).includes(format)) throw badInput(`Unknown --format '${format}'. Valid formats: ${FORMATS.join(", ")}.`);
  const thresholdRaw = optionalString(values, "threshold") ?? String(DEFAULT_SCAN_THRESHOLD);
  const threshold = Number(thresholdRaw);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100) throw badInput(`--threshold must be a percentage from 0 to 100, got '${thresholdRaw}'.`);
  const frameworks = parseFrameworks(((values.framework as string[] | undefined) ?? []).flatMap((f) => f.split(",")).filter(Boolean));
  const suppressionsFile = optionalString(values, "suppressions");
  const paths = positionals.length > 0 ? positionals : ["."];
  if (format === "table" && !ctx.json) ctx.err(`scanning ${paths.join(", ")}…`);
  // The verdict is the one gate policy's (core/policy.ts); nothing scanned is not a pass (exit 2, with what was skipped and why).
  const { result, ok: pass } = await scanProject(paths, { projectDir: ctx.projectDir, frameworks, threshold, ...(suppressionsFile !== undefined ? { suppressionsFile } : {}) });
  if (result.workers?.fellBack === true) ctx.err(`warning: scanned on one thread: ${result.workers.reason ?? "the worker did not run"}`);

  const output = optionalString(values, "output");
  let text: string;
  if (format === "sarif") text = JSON.stringify(toSarif(result, { version: packageVersion() }), null, 2);
  else if (format === "json") {
    text = JSON.stringify(
      { ok: pass, score: result.score, threshold, evaluated: result.evaluated, passed: result.passed, files: result.files, findings: result.findings, controls: result.controls, workers: result.workers },
      null,
      2,
    );
  } else text = toTable(result, { colour: output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR, threshold });
  if (output !== undefined) {
    writeOutput(output, text + "\n");
    ctx.err(`wrote ${format} to ${output}: ${result.findings.length} finding(s), score ${result.score}%`);
  } else ctx.out(text);
  return pass ? 0 : 1;
}

/** Writes the report to `--output`: a file path (replaced atomically), never a directory or through a symlink. */
function writeOutput(output: string, text: string): void {
  const file = resolve(output);
  const st = lstatIfExists(file);
  if (st?.isDirectory() === true) throw badInput(`--output ${output} is a directory; give a file path, such as ${output.replace(/\/+$/, "")}/scan.sarif.`, { path: output });
  if (st?.isSymbolicLink() === true) throw refused(`Refused: --output ${output} is a symlink; devops-pack never writes through symlinks. Give the real path.`, { path: output });
  if (st !== undefined && !st.isFile()) throw badInput(`--output ${output} exists and is not a regular file.`, { path: output });
  writeFileAtomic(file, text);
}

export async function runRules(ctx: CliContext, values: Record<string, unknown>): Promise<number> {
  const target = optionalString(values, "target");
  const rules = (await allRules()).filter((r) => target === undefined || r.target === target);
  if (ctx.json) {
    printJson(ctx, { rules });
    return 0;
  }
  for (const r of rules) {
    ctx.out(`${r.id.padEnd(20)} ${r.severity.padEnd(8)} ${r.title}`);
    if (r.aliases.length > 0) ctx.out(`${"".padEnd(30)}same as: ${r.aliases.join(", ")}`);
  }
  ctx.out(`${rules.length} rules`);
  return 0;
}

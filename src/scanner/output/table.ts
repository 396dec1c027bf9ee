import { scanVerdict } from "../../core/policy.js";
import type { Severity } from "../../core/findings.js";
import type { ScanResult } from "../engine.js";

const ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];
const COLOUR: Record<Severity, string> = { critical: "\u001b[1;31m", high: "\u001b[31m", medium: "\u001b[33m", low: "\u001b[36m", info: "\u001b[2m" };
const RESET = "\u001b[0m";

/** Findings grouped by file, worst first within each file, with a summary. Colour only when asked (a TTY). */
export function toTable(result: ScanResult, opts: { colour: boolean; threshold: number }): string {
  const paint = (sev: Severity, text: string) => (opts.colour ? `${COLOUR[sev]}${text}${RESET}` : text);
  const lines: string[] = [];
  const byFile = new Map<string, typeof result.findings>();
  for (const f of result.findings) {
    // Appended in place: copying the list for each finding was quadratic (20k Pods: minutes).
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, findings] of byFile) {
    lines.push(file);
    for (const f of findings) {
      const sev = paint(f.severity, f.severity.toUpperCase().padEnd(8));
      const sup = f.suppressed ? ` [suppressed: ${f.suppressed.reason}]` : "";
      lines.push(`  ${String(f.line).padStart(5)}:${String(f.column).padEnd(3)} ${sev} ${f.ruleId.padEnd(18)} ${f.resource}${sup}`);
      lines.push(`             ${f.title}: ${f.message}`);
      if (!f.suppressed) lines.push(`             fix: ${f.recommendation}`);
    }
    lines.push("");
  }
  const active = result.findings.filter((f) => !f.suppressed);
  const counts = ORDER.map((s) => `${active.filter((f) => f.severity === s).length} ${s}`).join(", ");
  const suppressed = result.findings.length - active.length;
  lines.push(
    `${result.files.scanned} file(s) scanned, ${result.evaluated} checks, ${result.passed} passed; findings: ${counts}${suppressed > 0 ? `; ${suppressed} suppressed` : ""}`,
  );
  if (result.files.skipped.length > 0) lines.push(`skipped: ${result.files.skipped.map((s) => `${s.path} (${s.reason})`).join(", ")}`);
  const critical = active.some((f) => f.severity === "critical");
  // The verdict of the one gate policy, as the exit code: failed controls fail too.
  lines.push(`score ${result.score}% (threshold ${opts.threshold}%)${critical ? ", with critical findings" : ""}: ${scanVerdict(result, opts.threshold).ok ? "PASS" : "FAIL"}`);
  for (const c of result.controls.filter((x) => x.status === "failed")) lines.push(`control ${c.framework} ${c.control} failed: ${c.failedRules.join(", ")}`);
  return lines.join("\n");
}

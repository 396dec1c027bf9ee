/** The fatigue report: monitoring/alert-review.md, one section per finding with its fix. */
import type { Finding } from "../../core/findings.js";
import { markerLine } from "../../core/plans/plan.js";
import type { FatigueResult } from "./analyze.js";
import { RULES } from "./analyze.js";
import { AGENT_ID } from "./config.js";

export const REPORT_PATH = "monitoring/alert-review.md";

function fence(fix: string): string {
  const lang = fix.startsWith("promtool ") ? "sh" : "yaml";
  return ["```" + lang, fix, "```"].join("\n");
}

function section(f: Finding, i: number): string[] {
  return [
    `### ${i + 1}. ${f.ruleId} ${f.title ?? ""}: ${f.resource}`,
    "",
    `\`${f.file}${f.line !== undefined ? `:${f.line}` : ""}\` · severity ${f.severity}`,
    "",
    f.message,
    "",
    `**Recommendation.** ${f.recommendation}`,
    "",
    "**Fix:**",
    "",
    fence(f.fix),
    "",
  ];
}

export function fatigueReport(root: string, r: FatigueResult, filesRead: number): string {
  const counts = new Map<string, number>();
  for (const f of r.findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  const lines = [
    `<!-- ${markerLine(AGENT_ID, "").trim()} -->`,
    `# Alert review: \`${root}\``,
    "",
    `Reviewed ${r.alerts.length} alerting rule(s) in ${r.ruleFiles.length} rule file(s) (${filesRead} file(s) read) against the alert-review checklist: ${r.findings.length === 0 ? "no findings" : `${r.findings.length} finding(s)`}.`,
    "Every finding is a quality finding (low or medium); each section ends with the change that resolves it.",
    "",
    "| rule | check | findings |",
    "|---|---|---|",
    ...Object.values(RULES).map((rule) => `| ${rule.id} | ${rule.title} | ${counts.get(rule.id) ?? 0} |`),
    "",
  ];
  if (r.findings.length > 0) {
    lines.push("## Findings", "");
    r.findings.forEach((f, i) => lines.push(...section(f, i)));
  }
  lines.push(
    "## Measure the load, not just the rules",
    "",
    "- Pages per 12-hour shift: aim for at most two incidents on average.",
    "- Share of pages that led to action: below about 70 %, rules page on noise.",
    "- Noisiest rules by time spent firing over a week:",
    "",
    "```promql",
    'topk(10, sum by (alertname) (count_over_time(ALERTS{alertstate="firing"}[7d])))',
    "```",
    "",
    "- Rules that have not fired for 90 days: prove with a `promtool test rules` case that they still can, or delete them.",
    "",
  );
  return lines.join("\n");
}

import type { Severity } from "../core/findings.js";
import type { Evaluation, Framework, RuleMeta } from "./types.js";

/**
 * Severity weights for the security score. The score is the severity-weighted
 * pass rate over every check evaluated (one rule on one subject):
 *
 *   score = 100 × Σ w(severity) over passed evaluations / Σ w(severity) over all evaluations
 *
 * Suppressed failures are accepted risks and are left out of both sums.
 * With nothing evaluated the score is 100. Info-level checks carry no weight.
 */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1, info: 0 };

export function securityScore(evaluations: readonly (Evaluation & { suppressed?: unknown })[], metaById: ReadonlyMap<string, RuleMeta>): number {
  let total = 0;
  let passed = 0;
  for (const e of evaluations) {
    if (e.suppressed) continue;
    const sev = metaById.get(e.ruleId)?.severity ?? "medium";
    const w = SEVERITY_WEIGHT[sev];
    total += w;
    if (e.passed) passed += w;
  }
  return total === 0 ? 100 : Math.floor((passed / total) * 10000) / 100;
}

export interface ControlResult {
  framework: Framework;
  control: string;
  status: "passed" | "failed" | "not_applicable";
  failedRules: string[];
}

/**
 * Mandatory controls of the selected frameworks: a control passes when every
 * (unsuppressed) evaluation of every rule mapped to it passed; it is not
 * applicable when none of its rules evaluated anything. A rule that threw
 * (a DP-SCAN-002 evaluation naming it) fails its controls.
 */
export function complianceControls(
  evaluations: readonly (Evaluation & { suppressed?: unknown })[],
  rules: readonly RuleMeta[],
  frameworks: readonly Framework[],
): ControlResult[] {
  const byControl = new Map<string, { framework: Framework; control: string; rules: Set<string> }>();
  for (const r of rules) {
    for (const c of r.compliance) {
      if (!c.mandatory || !frameworks.includes(c.framework)) continue;
      const key = `${c.framework}:${c.control}`;
      const entry = byControl.get(key) ?? { framework: c.framework, control: c.control, rules: new Set<string>() };
      entry.rules.add(r.id);
      byControl.set(key, entry);
    }
  }
  const evaluated = new Set<string>();
  const failed = new Set<string>();
  for (const e of evaluations) {
    evaluated.add(e.ruleId);
    if (!e.passed && !e.suppressed) failed.add(e.ruleId);
    // A rule that threw (DP-SCAN-002) is a failure of that rule, never not_applicable.
    if (e.crashedRule !== undefined) {
      evaluated.add(e.crashedRule);
      if (!e.suppressed) failed.add(e.crashedRule);
    }
  }
  const out: ControlResult[] = [];
  for (const { framework, control, rules: ids } of byControl.values()) {
    const failedRules = [...ids].filter((id) => failed.has(id)).sort();
    const applicable = [...ids].some((id) => evaluated.has(id));
    out.push({ framework, control, status: failedRules.length > 0 ? "failed" : applicable ? "passed" : "not_applicable", failedRules });
  }
  return out.sort((a, b) => a.framework.localeCompare(b.framework) || a.control.localeCompare(b.control, undefined, { numeric: true }));
}

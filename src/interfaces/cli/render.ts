import { approvalRequired } from "../../core/gates/engine.js";
import type { GateResult } from "../../core/gates/types.js";
import type { EnvironmentClass, Plan } from "../../core/plans/plan.js";
import { escapeLabel } from "../../core/text.js";

const STATUS_MARK: Record<GateResult["status"], string> = { passed: "PASS", failed: "FAIL", skipped: "SKIP", awaiting: "WAIT" };

/** The plan as `run --json` and `plan show --json` print it. */
export function planJson(plan: Plan, withContent = false) {
  return {
    id: plan.id,
    createdAt: plan.createdAt,
    digest: plan.digest,
    agent: plan.agent,
    taskType: plan.task.type,
    environment: plan.environment,
    environmentClasses: classesOf(plan),
    touchesSecrets: plan.touchesSecrets,
    approval: approvalOf(plan),
    artifacts: plan.artifacts.map((a) => ({ path: a.path, kind: a.kind, sha256: a.sha256, bytes: Buffer.byteLength(a.content, "utf8"), ...(withContent ? { content: a.content } : {}) })),
    findings: plan.findings,
    notes: plan.notes,
  };
}

/** How the plan classified its environments (plans of older versions have no record: undefined). */
function classesOf(plan: Plan): EnvironmentClass[] | undefined {
  return Array.isArray(plan.environmentClasses) ? plan.environmentClasses : undefined;
}

function approvalOf(plan: Plan): { required: boolean; reasons: string[] } {
  const { required, reasons } = approvalRequired(plan);
  return { required, reasons };
}

/** One line per environment: its class and the rule that decided it. */
export function renderEnvironments(plan: Plan): string[] {
  const classes = classesOf(plan);
  if (classes === undefined) return [`environment: ${plan.environment.map((e) => escapeLabel(e)).join(", ") || "none"}  (not classified: the plan was made by an older version; run the task again)`];
  const lines = [classes.length === 0 ? "environment: none" : "environment:"];
  for (const c of classes) lines.push(`  ${escapeLabel(c.environment)}: ${c.class}${c.approval ? ", approval required" : ""} (${c.source} ${c.pattern}: ${escapeLabel(c.reason)})`);
  if (plan.touchesSecrets) lines.push("secrets: the plan creates or changes secrets");
  const approval = approvalOf(plan);
  lines.push(`approval: ${approval.required ? `required (the plan ${approval.reasons.join(" and ")})` : "not required"}`);
  return lines;
}

export function renderPlan(plan: Plan, gates: GateResult[]): string[] {
  const lines = [
    `plan ${plan.id}  ${plan.agent}  ${plan.task.type}`,
    `digest ${plan.digest}`,
    ...renderEnvironments(plan),
    "",
    `artifacts (${plan.artifacts.length}):`,
    ...plan.artifacts.map((a) => `  ${a.path}  [${a.kind}]  sha256:${a.sha256.slice(0, 12)}`),
  ];
  if (plan.findings.length > 0) {
    lines.push("", `findings (${plan.findings.length}):`);
    for (const f of plan.findings) {
      lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.ruleId}  ${f.file}${f.line ? `:${f.line}` : ""}  ${f.resource}`);
      lines.push(`           ${f.message}`);
      lines.push(`           recommendation: ${f.recommendation}`);
      const fix = f.fix.trimEnd().split("\n");
      if (fix.length === 1) lines.push(`           fix: ${fix[0]}`);
      else lines.push("           fix:", ...fix.map((l) => `             ${l}`));
    }
  }
  lines.push("", "gates:", ...renderGates(gates));
  if (plan.notes.length > 0) {
    lines.push("", "notes:");
    for (const n of plan.notes) lines.push(`  [${n.kind}] ${n.text}`);
  }
  return lines;
}

export function renderGates(gates: GateResult[]): string[] {
  const w = Math.max(0, ...gates.map((g) => g.gate.length));
  const lines: string[] = [];
  for (const g of gates) {
    const detail =
      g.status === "skipped" ? (g.checks[0]?.message ?? "") : g.blocking.length > 0 ? g.blocking.slice(0, 5).join("; ") : `${g.gate.startsWith("gate.security") ? (g.checks[0]?.message ?? "") : `${g.checks.length} check(s)`}, score ${g.score}% ≥ ${g.threshold}%`;
    lines.push(`  ${STATUS_MARK[g.status]}  ${g.gate.padEnd(w)}  ${detail}  (${g.duration_ms} ms)`);
    if (g.status === "failed") for (const c of g.checks.filter((x) => !x.ok).slice(0, 20)) lines.push(`        ${c.name}${c.line ? `:${c.line}` : ""}${c.column ? `:${c.column}` : ""}  ${c.message ?? ""}`);
  }
  return lines;
}

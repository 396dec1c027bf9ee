import type { GateResult } from "../../core/gates/types.js";
import type { Plan } from "../../core/plans/plan.js";

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
    touchesSecrets: plan.touchesSecrets,
    artifacts: plan.artifacts.map((a) => ({ path: a.path, kind: a.kind, sha256: a.sha256, bytes: Buffer.byteLength(a.content, "utf8"), ...(withContent ? { content: a.content } : {}) })),
    findings: plan.findings,
    notes: plan.notes,
  };
}

export function renderPlan(plan: Plan, gates: GateResult[]): string[] {
  const lines = [
    `plan ${plan.id}  ${plan.agent}  ${plan.task.type}`,
    `digest ${plan.digest}`,
    `environment: ${plan.environment.length > 0 ? plan.environment.join(", ") : "none"}${plan.touchesSecrets ? "  (touches secrets)" : ""}`,
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

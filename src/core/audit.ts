/**
 * Checks of the store against its append-only audit log. Anyone who can write
 * the SQLite file can change any row; the audit log's triggers refuse UPDATE
 * and DELETE, so an edited or forged row shows up as a row that does not
 * match the log. These checks detect; they cannot prevent (a hash chain over
 * the log comes later and adds one more check to {@link AuditCheck}).
 *
 * Pure functions over data the store reads; they return problems, never throw.
 */
import type { AppendOnlyGuard, Approval, AuditEntry } from "./store/types.js";

export type AuditProblemKind =
  | "approval-without-audit" // an approvals row no plan.approved/plan.rejected entry records
  | "approval-mismatch" // an approvals row that differs from the entry that recorded it
  | "audit-without-approval" // a decision entry whose approvals row is gone
  | "plan-digest-mismatch" // a plan whose digest is not the one recorded when it was saved
  | "plan-without-audit" // a plan with no plan.saved entry
  | "gate-mismatch" // a gate result whose status differs from the gates.recorded entry that recorded it
  | "append-only-guard-missing"; // a trigger that keeps the audit log append-only was dropped or replaced

export interface AuditProblem {
  kind: AuditProblemKind;
  /** What the problem is about: `plan:<id>`, `approval:<id>`, `trigger:<name>`. */
  subject: string;
  message: string;
}

/** One named check of `audit verify`; more (the hash chain) can be added as entries. */
export interface AuditCheck {
  id: "decisions" | "plans" | "gates" | "append-only";
  title: string;
  ok: boolean;
  problems: AuditProblem[];
}

export const DECISION_ACTIONS = ["plan.approved", "plan.rejected"] as const;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Compare approvals rows with the decision entries of the audit log. */
export function checkDecisions(approvals: readonly Approval[], entries: readonly AuditEntry[]): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const byApproval = new Map<string, AuditEntry>();
  for (const e of entries) {
    const id = record(e.data).approvalId;
    if (typeof id === "string" && !byApproval.has(id)) byApproval.set(id, e);
  }
  const seen = new Set<string>();
  for (const a of approvals) {
    seen.add(a.id);
    const subject = `approval:${a.id}`;
    const e = byApproval.get(a.id);
    if (!e) {
      problems.push({ kind: "approval-without-audit", subject, message: `plan ${a.planId}: the ${a.decision} decision by ${a.by} (${a.id}) has no entry in the audit log; it was not recorded by devops-pack` });
      continue;
    }
    const data = record(e.data);
    const diffs: string[] = [];
    if (e.action !== `plan.${a.decision}`) diffs.push(`the decision is '${a.decision}' but the audit log recorded '${e.action.replace(/^plan\./, "")}'`);
    if (e.subject !== `plan:${a.planId}`) diffs.push(`the plan is ${a.planId} but the audit log recorded ${e.subject}`);
    if (e.actor !== a.by) diffs.push(`decided by '${a.by}' but the audit log recorded '${e.actor}'`);
    if (data.digest !== a.digest) diffs.push(`the digest is ${a.digest} but the audit log recorded ${String(data.digest)}`);
    if ((data.reason ?? undefined) !== a.reason) diffs.push("the reason differs from the audit log");
    if (e.at !== a.decidedAt) diffs.push(`decided at ${a.decidedAt} but the audit log recorded ${e.at}`);
    if (diffs.length > 0) problems.push({ kind: "approval-mismatch", subject, message: `plan ${a.planId}: decision ${a.id} was edited: ${diffs.join("; ")}` });
  }
  for (const [id, e] of byApproval) {
    if (!seen.has(id)) problems.push({ kind: "audit-without-approval", subject: `approval:${id}`, message: `${e.subject}: the audit log records a ${e.action.replace(/^plan\./, "")} decision by ${e.actor} (${id}) that is missing from the approvals table` });
  }
  return problems;
}

/** Compare each plan's digest with the digest its plan.saved entry recorded. */
export function checkPlans(plans: readonly { id: string; digest: string }[], saved: readonly AuditEntry[]): AuditProblem[] {
  const recorded = new Map<string, string>();
  for (const e of saved) {
    const digest = record(e.data).digest;
    if (e.subject.startsWith("plan:") && typeof digest === "string" && !recorded.has(e.subject)) recorded.set(e.subject, digest);
  }
  const problems: AuditProblem[] = [];
  for (const p of plans) {
    const subject = `plan:${p.id}`;
    const digest = recorded.get(subject);
    if (digest === undefined) problems.push({ kind: "plan-without-audit", subject, message: `plan ${p.id} has no plan.saved entry in the audit log; it was not saved by devops-pack` });
    else if (digest !== p.digest) problems.push({ kind: "plan-digest-mismatch", subject, message: `plan ${p.id} has digest ${p.digest}, but it was saved with ${digest}; the plan was rewritten` });
  }
  return problems;
}

/**
 * Compare a plan's latest gate results with the latest `gates.recorded` audit
 * entry of each gate: a gate row edited from failed to passed shows here.
 */
export function checkGates(planId: string, gates: readonly { gate: string; status: string; disabled?: { reason: string } | undefined }[], recorded: readonly AuditEntry[]): AuditProblem[] {
  const latest = new Map<string, string>();
  const disabledReason = new Map<string, string | undefined>();
  for (const e of recorded) {
    const list = record(e.data).gates;
    if (!Array.isArray(list)) continue;
    for (const g of list) {
      const r = record(g);
      if (typeof r.gate === "string" && typeof r.status === "string") {
        latest.set(r.gate, r.status);
        const reason = record(r.disabled).reason;
        disabledReason.set(r.gate, typeof reason === "string" ? reason : undefined);
      }
    }
  }
  const problems: AuditProblem[] = [];
  for (const g of gates) {
    const status = latest.get(g.gate);
    // A gate turned off on purpose must have been recorded so, with the same reason.
    if (g.disabled !== undefined && status === g.status && disabledReason.get(g.gate) !== g.disabled.reason) {
      problems.push({ kind: "gate-mismatch", subject: `plan:${planId}`, message: `plan ${planId}: gate ${g.gate} says it was turned off (${g.disabled.reason}), but the audit log does not record that` });
      continue;
    }
    if (status !== g.status) {
      problems.push({
        kind: "gate-mismatch",
        subject: `plan:${planId}`,
        message: status === undefined ? `plan ${planId}: gate ${g.gate} has no gates.recorded entry in the audit log` : `plan ${planId}: gate ${g.gate} is '${g.status}' but the audit log recorded '${status}'`,
      });
    }
  }
  return problems;
}

/** Every append-only trigger must exist and abort. */
export function checkGuards(guards: readonly AppendOnlyGuard[]): AuditProblem[] {
  return guards
    .filter((g) => !g.blocks)
    .map((g) => ({
      kind: "append-only-guard-missing" as const,
      subject: `trigger:${g.trigger}`,
      message: g.present
        ? `trigger ${g.trigger} on ${g.table} no longer refuses ${g.op.toUpperCase()}: it was replaced; ${g.table} is not append-only`
        : `trigger ${g.trigger} is missing: ${g.op.toUpperCase()} on ${g.table} is no longer refused; ${g.table} is not append-only`,
    }));
}

import type { AuditCheck } from "../../../core/audit.js";
import { DECISION_ACTIONS, checkDecisions, checkGates, checkGuards, checkPlans } from "../../../core/audit.js";
import type { AuditEntry } from "../../../core/store/index.js";
import { badInput } from "../../../core/errors.js";
import { defaultStoreConfig, openStore } from "../../../core/store/index.js";
import { escapeLabel } from "../../../core/text.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

/**
 * `audit verify`: compare the store with its append-only audit log. Exit 0
 * when everything matches, 1 when anything does not (like a failed lint).
 */
export async function runAuditVerify(ctx: CliContext, _values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length > 0) throw badInput(`Unexpected argument(s): ${positionals.join(" ")}.\nUsage: devops-pack audit verify`);
  const store = await openStore(defaultStoreConfig(ctx.projectDir));
  let checks: AuditCheck[];
  try {
    const decisions = checkDecisions(await store.allApprovals(), await store.auditEntries({ actions: DECISION_ACTIONS }));
    const plans = checkPlans(await store.planDigests(), await store.auditEntries({ actions: ["plan.saved"] }));
    const guards = checkGuards(await store.appendOnlyGuards());
    const gates = [];
    const recorded = new Map<string, AuditEntry[]>();
    for (const e of await store.auditEntries({ actions: ["gates.recorded"] })) {
      const same = recorded.get(e.subject);
      if (same) same.push(e);
      else recorded.set(e.subject, [e]);
    }
    const byPlan = new Map<string, { gate: string; status: string }[]>();
    for (const g of await store.latestGateStatuses()) {
      const same = byPlan.get(g.planId);
      if (same) same.push(g);
      else byPlan.set(g.planId, [g]);
    }
    for (const [planId, list] of byPlan) gates.push(...checkGates(planId, list, recorded.get(`plan:${planId}`) ?? []));
    checks = [
      { id: "append-only", title: "the audit log and workflow steps refuse UPDATE and DELETE", ok: guards.length === 0, problems: guards },
      { id: "decisions", title: "every approval or rejection matches its audit entry, and every decision entry has its row", ok: decisions.length === 0, problems: decisions },
      { id: "plans", title: "every plan has the digest it was saved with", ok: plans.length === 0, problems: plans },
      { id: "gates", title: "every gate result matches the audit log", ok: gates.length === 0, problems: gates },
    ];
  } finally {
    await store.close();
  }
  const ok = checks.every((c) => c.ok);
  if (ctx.json) printJson(ctx, { ok, store: store.location, checks });
  else {
    for (const c of checks) {
      ctx.out(`${c.ok ? "PASS" : "FAIL"}  ${c.id}: ${c.title}`);
      for (const p of c.problems) ctx.out(`        ${escapeLabel(p.message, 1000)}`);
    }
    ctx.out(ok ? `ok: the store at ${store.location} matches its audit log` : `${checks.reduce((n, c) => n + c.problems.length, 0)} problem(s): the store at ${store.location} was changed outside devops-pack`);
  }
  return ok ? 0 : 1;
}

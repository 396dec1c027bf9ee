import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Kysely, Selectable } from "kysely";
import { DevopsPackError, badInput } from "../errors.js";
import type { GateResult, GateStatus } from "../gates/types.js";
import { escapeLabel } from "../text.js";
import type { Plan } from "../plans/plan.js";
import type { Backend } from "./backend.js";
import { assertNever } from "./backend.js";
import { storeError } from "./errors.js";
import type { ApplyJournalsTable, ApprovalsTable, AppliesTable, AuditLogTable, Database, RunsTable } from "./schema.js";
import { auditSubject } from "./types.js";
import type {
  AppendOnlyGuard,
  ApplyJournalRecord,
  ApplyJournalStatus,
  ApplyRecord,
  Approval,
  ApprovalState,
  AuditEntry,
  Decision,
  PlanSummary,
  RunRecord,
  RunStatus,
  Store,
  StoredPlan,
  StepRecord,
  StepStatus,
} from "./types.js";

const DEFAULT_PLAN_LIMIT = 50;
const DEFAULT_AUDIT_LIMIT = 100;
/** How many candidates a prefix lookup reads, and how many an error lists. */
const PREFIX_SCAN = 50;
/** The fewest characters a plan id prefix may have: one or two characters would pick a plan almost at random. */
export const MIN_PREFIX = 4;
const AMBIGUOUS_SHOWN = 10;
const RECENT_SHOWN = 5;

type Tx = Kysely<Database>;

function now(): string {
  return new Date().toISOString();
}

function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw badInput(`${what} cannot be stored: it is not JSON-serialisable (${(e as Error).message}).`);
  }
  if (text === undefined) throw badInput(`${what} cannot be stored: it is not JSON-serialisable.`);
  return text;
}

function checkLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw badInput(`limit must be a positive integer, got ${String(limit)}.`);
  }
  return limit;
}

function checkText(value: unknown, what: string): void {
  if (typeof value !== "string" || value.trim() === "") throw badInput(`${what} must be a non-empty string.`);
}

/** Escapes `%`, `_` and the escape character itself for `like … escape '!'`. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

function runFromRow(row: RunsTable): RunRecord {
  return {
    id: row.id,
    taskType: row.task_type,
    agent: row.agent,
    source: row.source,
    actor: row.actor,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}

function approvalFromRow(row: Omit<ApprovalsTable, "seq">): Approval {
  return {
    id: row.id,
    planId: row.plan_id,
    digest: row.digest,
    decision: row.decision as Decision,
    by: row.decided_by,
    ...(row.reason === null ? {} : { reason: row.reason }),
    decidedAt: row.decided_at,
  };
}

function applyFromRow(row: Omit<AppliesTable, "seq">): ApplyRecord {
  return {
    id: row.id,
    planId: row.plan_id,
    dir: row.dir,
    files: JSON.parse(row.files_json) as string[],
    actor: row.applied_by,
    appliedAt: row.applied_at,
  };
}

function journalFromRow(row: ApplyJournalsTable): ApplyJournalRecord {
  return {
    id: row.id,
    planId: row.plan_id,
    dir: row.dir,
    journal: JSON.parse(row.journal_json) as unknown,
    status: row.status as ApplyJournalStatus,
    startedAt: row.started_at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
  };
}

/**
 * A stored plan's JSON, checked: a row that does not parse, or does not have
 * a plan's shape, is a corrupt store (never a crash further down).
 */
function planFromJson(id: string, text: string, location: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw corruptPlan(id, location, `plan_json is not JSON: ${(e as Error).message}`);
  }
  const problem = planShapeProblem(value);
  if (problem !== undefined) throw corruptPlan(id, location, problem);
  return value as Plan;
}

function corruptPlan(id: string, location: string, why: string): DevopsPackError {
  return new DevopsPackError("STORE", `Plan ${id} in the store at ${location} is corrupt (${why}). Run its task again to make a new plan.`, { planId: id, path: location });
}

function planShapeProblem(v: unknown): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "plan_json is not an object";
  const p = v as Record<string, unknown>;
  for (const key of ["id", "createdAt", "agent", "digest"] as const) if (typeof p[key] !== "string") return `${key} is not a string`;
  const task = p.task as Record<string, unknown> | null | undefined;
  if (task === null || typeof task !== "object" || typeof task.type !== "string" || task.input === null || typeof task.input !== "object") return "task is not {type, input}";
  if (!Array.isArray(p.environment) || !p.environment.every((e) => typeof e === "string")) return "environment is not a list of names";
  if (typeof p.touchesSecrets !== "boolean") return "touchesSecrets is not a boolean";
  if (!Array.isArray(p.findings) || !Array.isArray(p.notes)) return "findings or notes is not a list";
  if (!Array.isArray(p.artifacts)) return "artifacts is not a list";
  for (const [i, a] of p.artifacts.entries()) {
    const art = a as Record<string, unknown> | null;
    if (art === null || typeof art !== "object") return `artifacts[${i}] is not an object`;
    for (const key of ["path", "kind", "content", "sha256"] as const) if (typeof art[key] !== "string") return `artifacts[${i}].${key} is not a string`;
  }
  return undefined;
}

function auditFromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    // PostgreSQL returns bigint columns as strings.
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    ...(row.data_json === null ? {} : { data: JSON.parse(row.data_json) as unknown }),
  };
}

function approvalState(planDigest: string, latest: { digest: string; decision: string } | undefined): ApprovalState {
  if (latest === undefined) return "none";
  if (latest.digest !== planDigest) return "stale";
  return latest.decision === "approved" ? "approved" : "rejected";
}

/** The store's queries, shared by every dialect; see {@link Backend}. */
export class KyselyStore implements Store {
  #closed = false;

  constructor(private readonly backend: Backend) {}

  get location(): string {
    return this.backend.location;
  }

  startRun(r: { id: string; taskType: string; agent: string; source: string; actor: string }): Promise<void> {
    return this.#write("start run", async (tx) => {
      checkText(r.id, "A run id");
      checkText(r.actor, "A run's actor");
      const existing = await tx.selectFrom("runs").select("id").where("id", "=", r.id).executeTakeFirst();
      if (existing !== undefined) throw this.#duplicate("Run", r.id);
      const at = now();
      await tx
        .insertInto("runs")
        .values({
          id: r.id,
          task_type: r.taskType,
          agent: r.agent,
          source: r.source,
          actor: r.actor,
          status: "running",
          started_at: at,
          finished_at: null,
          error: null,
        })
        .execute();
      await this.#audit(tx, at, r.actor, "run.started", auditSubject.run(r.id), {
        taskType: r.taskType,
        agent: r.agent,
        source: r.source,
      });
    });
  }

  finishRun(id: string, status: "succeeded" | "failed", error?: string): Promise<void> {
    return this.#write("finish run", async (tx) => {
      if (status !== "succeeded" && status !== "failed") {
        throw badInput(`A run finishes as 'succeeded' or 'failed', not '${String(status)}'.`);
      }
      const run = await tx.selectFrom("runs").select(["status", "actor"]).where("id", "=", id).executeTakeFirst();
      if (run === undefined) throw this.#notFound("Run", id);
      if (run.status !== "running") {
        throw badInput(`Run '${id}' has already finished (${run.status}).`, { runId: id, status: run.status });
      }
      const at = now();
      await tx
        .updateTable("runs")
        .set({ status, finished_at: at, error: error ?? null })
        .where("id", "=", id)
        .execute();
      await this.#audit(tx, at, run.actor, "run.finished", auditSubject.run(id), {
        status,
        ...(error === undefined ? {} : { error }),
      });
    });
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.#read("read run", async (tx) => {
      const row = await tx.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : runFromRow(row);
    });
  }

  latestRun(f: { taskType: string; source: string }): Promise<RunRecord | undefined> {
    return this.#read("find latest run", async (tx) => {
      const row = await tx
        .selectFrom("runs")
        .selectAll()
        .where("task_type", "=", f.taskType)
        .where("source", "=", f.source)
        .orderBy("started_at", "desc")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : runFromRow(row);
    });
  }

  recordStep(st: Omit<StepRecord, "finishedAt">): Promise<void> {
    return this.#write("record workflow step", async (tx) => {
      checkText(st.step, "A step name");
      const run = await tx.selectFrom("runs").select(["status", "actor"]).where("id", "=", st.runId).executeTakeFirst();
      if (run === undefined) throw this.#notFound("Run", st.runId);
      if (run.status !== "running") throw badInput(`Run '${st.runId}' has already finished (${run.status}); its steps cannot change.`);
      const at = now();
      await tx
        .insertInto("workflow_steps")
        .values({
          run_id: st.runId,
          step: st.step,
          position: st.position,
          status: st.status,
          input_digest: st.inputDigest,
          output_json: st.output === undefined ? null : toJson(st.output, `The output of step '${st.step}'`),
          error: st.error ?? null,
          started_at: st.startedAt,
          finished_at: at,
        })
        .execute();
      await this.#audit(tx, at, run.actor, `step.${st.status}`, auditSubject.run(st.runId), { step: st.step, position: st.position, ...(st.error === undefined ? {} : { error: st.error }) });
    });
  }

  workflowSteps(runId: string): Promise<StepRecord[]> {
    return this.#read("read workflow steps", async (tx) => {
      const rows = await tx.selectFrom("workflow_steps").selectAll().where("run_id", "=", runId).orderBy("seq").execute();
      return rows.map((r) => ({
        runId: r.run_id,
        step: r.step,
        position: r.position,
        status: r.status as StepStatus,
        inputDigest: r.input_digest,
        ...(r.output_json === null ? {} : { output: JSON.parse(r.output_json) as unknown }),
        ...(r.error === null ? {} : { error: r.error }),
        startedAt: r.started_at,
        finishedAt: r.finished_at,
      }));
    });
  }

  savePlan(runId: string, plan: Plan, gates: GateResult[], actor: string): Promise<void> {
    return this.#write("save plan", async (tx) => {
      checkText(plan.id, "A plan id");
      checkText(actor, "A plan's actor");
      const planJson = toJson(plan, `Plan '${plan.id}'`);
      const run = await tx.selectFrom("runs").select("id").where("id", "=", runId).executeTakeFirst();
      if (run === undefined) throw this.#notFound("Run", runId);
      const existing = await tx.selectFrom("plans").select("id").where("id", "=", plan.id).executeTakeFirst();
      if (existing !== undefined) throw this.#duplicate("Plan", plan.id);
      const at = now();
      await tx
        .insertInto("plans")
        .values({
          id: plan.id,
          run_id: runId,
          created_at: plan.createdAt,
          task_type: plan.task.type,
          agent: plan.agent,
          environment: JSON.stringify(plan.environment),
          digest: plan.digest,
          touches_secrets: plan.touchesSecrets ? 1 : 0,
          plan_json: planJson,
        })
        .execute();
      await this.#audit(tx, at, actor, "plan.saved", auditSubject.plan(plan.id), {
        runId,
        digest: plan.digest,
        agent: plan.agent,
        taskType: plan.task.type,
        environment: plan.environment,
        artifacts: plan.artifacts.map((a) => a.path),
      });
      await this.#insertGates(tx, plan.id, gates, actor, at);
    });
  }

  recordGates(planId: string, gates: GateResult[], actor: string): Promise<void> {
    return this.#write("record gates", async (tx) => {
      checkText(actor, "A gate evaluation's actor");
      await this.#requirePlan(tx, planId);
      await this.#insertGates(tx, planId, gates, actor, now());
    });
  }

  getPlan(id: string): Promise<StoredPlan | undefined> {
    return this.#read("read plan", async (tx) => {
      const row = await tx
        .selectFrom("plans")
        .select(["run_id", "plan_json"])
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const gateRows = await tx
        .selectFrom("gate_results")
        .select(["gate", "result_json"])
        .where("plan_id", "=", id)
        .orderBy("seq")
        .execute();
      // Later rows replace earlier ones; a Map keeps the order gates first appeared in.
      const latest = new Map<string, GateResult>();
      for (const g of gateRows) latest.set(g.gate, JSON.parse(g.result_json) as GateResult);
      return {
        runId: row.run_id,
        plan: planFromJson(id, row.plan_json, this.location),
        gates: [...latest.values()],
        approvals: await this.#approvals(tx, id),
        applies: (
          await tx
            .selectFrom("applies")
            .select(["id", "plan_id", "dir", "files_json", "applied_by", "applied_at"])
            .where("plan_id", "=", id)
            .orderBy("seq")
            .execute()
        ).map(applyFromRow),
      };
    });
  }

  resolvePlanId(idOrPrefix: string): Promise<string> {
    return this.#read("resolve plan id", async (tx) => {
      const input = typeof idOrPrefix === "string" ? idOrPrefix.trim() : "";
      if (input === "") throw badInput("A plan id, or a unique prefix of one, is required.");
      const exact = await tx.selectFrom("plans").select("id").where("id", "=", input).executeTakeFirst();
      if (exact !== undefined) return exact.id;
      if ([...input].length < MIN_PREFIX) {
        throw badInput(`Plan id prefix '${escapeLabel(input, 100)}' is too short: give at least ${MIN_PREFIX} characters of the plan id, or the whole id (devops-pack plan list shows them).`, { input, minPrefix: MIN_PREFIX });
      }

      const rows = await tx
        .selectFrom("plans")
        .select("id")
        .where(sql<boolean>`id like ${likePrefix(input)} escape '!'`)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(PREFIX_SCAN + 1)
        .execute();
      // SQLite's LIKE ignores ASCII case; ids are compared exactly.
      const matches = rows.map((r) => r.id).filter((id) => id.startsWith(input));
      const [only] = matches;
      if (only !== undefined && matches.length === 1) return only;

      if (matches.length > 1) {
        const count = rows.length > PREFIX_SCAN ? `more than ${PREFIX_SCAN}` : String(matches.length);
        const shown = matches.slice(0, AMBIGUOUS_SHOWN);
        const more = matches.length > shown.length ? ", …" : "";
        throw new DevopsPackError(
          "AMBIGUOUS",
          `Plan id prefix '${escapeLabel(input, 100)}' matches ${count} plans: ${shown.join(", ")}${more}. Give more characters.`,
          { input, matches: shown },
        );
      }

      const recent = (
        await tx
          .selectFrom("plans")
          .select("id")
          .orderBy("created_at", "desc")
          .orderBy("id", "desc")
          .limit(RECENT_SHOWN)
          .execute()
      ).map((r) => r.id);
      throw new DevopsPackError(
        "NOT_FOUND",
        recent.length === 0
          ? `Plan '${escapeLabel(input, 100)}' not found: the store at ${this.location} has no plans yet.`
          : `Plan '${escapeLabel(input, 100)}' not found. Recent plans: ${recent.join(", ")}.`,
        { input, recent },
      );
    });
  }

  listPlans(opts: { limit?: number } = {}): Promise<PlanSummary[]> {
    return this.#read("list plans", async (tx) => {
      const limit = checkLimit(opts.limit, DEFAULT_PLAN_LIMIT);
      const plans = await tx
        .selectFrom("plans")
        .select(["id", "run_id", "created_at", "agent", "task_type", "environment", "digest", "touches_secrets"])
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      if (plans.length === 0) return [];
      const ids = plans.map((p) => p.id);

      const gateRows = await tx
        .selectFrom("gate_results")
        .select(["plan_id", "gate", "status"])
        .where("plan_id", "in", ids)
        .orderBy("seq")
        .execute();
      const gates = new Map<string, Map<string, GateStatus>>();
      for (const g of gateRows) {
        let perPlan = gates.get(g.plan_id);
        if (perPlan === undefined) gates.set(g.plan_id, (perPlan = new Map<string, GateStatus>()));
        perPlan.set(g.gate, g.status as GateStatus);
      }

      const decisionRows = await tx
        .selectFrom("approvals")
        .select(["plan_id", "digest", "decision"])
        .where("plan_id", "in", ids)
        .orderBy("seq")
        .execute();
      const latestDecision = new Map<string, { digest: string; decision: string }>();
      for (const d of decisionRows) latestDecision.set(d.plan_id, d);

      return plans.map((p) => ({
        id: p.id,
        runId: p.run_id,
        createdAt: p.created_at,
        agent: p.agent,
        taskType: p.task_type,
        environment: JSON.parse(p.environment) as string[],
        digest: p.digest,
        touchesSecrets: Number(p.touches_secrets) === 1,
        gates: [...(gates.get(p.id) ?? new Map<string, GateStatus>()).entries()].map(([gate, status]) => ({
          gate,
          status,
        })),
        approval: approvalState(p.digest, latestDecision.get(p.id)),
      }));
    });
  }

  recordDecision(d: {
    planId: string;
    digest: string;
    decision: Decision;
    by: string;
    reason?: string;
  }): Promise<Approval> {
    return this.#write("record decision", async (tx) => {
      if (d.decision !== "approved" && d.decision !== "rejected") {
        throw badInput(`A decision is 'approved' or 'rejected', not '${String(d.decision)}'.`);
      }
      checkText(d.by, "The name of who decides (--by)");
      checkText(d.digest, "The digest a decision is made on");
      const plan = await this.#requirePlan(tx, d.planId);
      const approval: Approval = {
        id: randomUUID(),
        planId: d.planId,
        digest: d.digest,
        decision: d.decision,
        by: d.by,
        ...(d.reason === undefined ? {} : { reason: d.reason }),
        decidedAt: now(),
      };
      await tx
        .insertInto("approvals")
        .values({
          id: approval.id,
          plan_id: approval.planId,
          digest: approval.digest,
          decision: approval.decision,
          decided_by: approval.by,
          reason: approval.reason ?? null,
          decided_at: approval.decidedAt,
        })
        .execute();
      await this.#audit(tx, approval.decidedAt, d.by, `plan.${d.decision}`, auditSubject.plan(d.planId), {
        approvalId: approval.id,
        digest: d.digest,
        planDigest: plan.digest,
        ...(d.reason === undefined ? {} : { reason: d.reason }),
      });
      return approval;
    });
  }

  approvals(planId: string): Promise<Approval[]> {
    return this.#read("read approvals", (tx) => this.#approvals(tx, planId));
  }

  recordApply(a: { planId: string; dir: string; files: string[]; actor: string; journalId?: string; hashes?: Record<string, string> }): Promise<void> {
    return this.#write("record apply", async (tx) => {
      checkText(a.actor, "An apply's actor");
      await this.#requirePlan(tx, a.planId);
      const id = a.journalId ?? randomUUID();
      const at = now();
      if (a.journalId !== undefined) {
        const done = await tx
          .updateTable("apply_journals")
          .set({ status: "applied", finished_at: at })
          .where("id", "=", a.journalId)
          .where("status", "=", "started")
          .where("plan_id", "=", a.planId)
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) {
          throw new DevopsPackError("STORE", `Apply journal ${a.journalId} of plan ${a.planId} is not open in the store at ${this.location}; the apply cannot be recorded.`, { journalId: a.journalId, path: this.location });
        }
      }
      await tx
        .insertInto("applies")
        .values({
          id,
          plan_id: a.planId,
          dir: a.dir,
          files_json: JSON.stringify(a.files),
          applied_by: a.actor,
          applied_at: at,
        })
        .execute();
      const hashes = Object.entries(a.hashes ?? {});
      if (hashes.length > 0) {
        await tx
          .insertInto("applied_files")
          .values(hashes.map(([path, sha]) => ({ apply_id: id, plan_id: a.planId, dir: a.dir, path, sha256: sha, applied_at: at })))
          .execute();
      }
      await this.#audit(tx, at, a.actor, "plan.applied", auditSubject.plan(a.planId), {
        applyId: id,
        dir: a.dir,
        files: a.files,
      });
    });
  }

  openApplyJournal(j: { id: string; planId: string; dir: string; journal: unknown; actor: string }): Promise<void> {
    return this.#write("open apply journal", async (tx) => {
      checkText(j.id, "An apply journal's id");
      checkText(j.actor, "An apply's actor");
      await this.#requirePlan(tx, j.planId);
      const at = now();
      await tx
        .insertInto("apply_journals")
        .values({ id: j.id, plan_id: j.planId, dir: j.dir, journal_json: toJson(j.journal, "An apply journal"), status: "started", started_at: at, finished_at: null })
        .execute();
      await this.#audit(tx, at, j.actor, "apply.started", auditSubject.plan(j.planId), { journalId: j.id, dir: j.dir });
    });
  }

  applyJournal(id: string): Promise<ApplyJournalRecord | undefined> {
    return this.#read("read apply journal", async (tx) => {
      const row = await tx.selectFrom("apply_journals").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : journalFromRow(row);
    });
  }

  settleApplyJournal(id: string, actor: string, reason: string): Promise<void> {
    return this.#write("settle apply journal", async (tx) => {
      checkText(actor, "An apply's actor");
      const row = await tx.selectFrom("apply_journals").select(["plan_id", "dir", "status"]).where("id", "=", id).executeTakeFirst();
      if (row === undefined) throw new DevopsPackError("NOT_FOUND", `Apply journal ${id} not found in the store at ${this.location}.`, { journalId: id, path: this.location });
      if (row.status !== "started") return;
      const at = now();
      await tx.updateTable("apply_journals").set({ status: "rolled_back", finished_at: at }).where("id", "=", id).execute();
      await this.#audit(tx, at, actor, "apply.rolled_back", auditSubject.plan(row.plan_id), { journalId: id, dir: row.dir, reason });
    });
  }

  openApplyJournals(dir: string): Promise<ApplyJournalRecord[]> {
    return this.#read("read open apply journals", async (tx) => {
      const rows = await tx.selectFrom("apply_journals").selectAll().where("dir", "=", dir).where("status", "=", "started").orderBy("started_at").execute();
      return rows.map(journalFromRow);
    });
  }

  lastWritten(dir: string, paths: readonly string[]): Promise<Map<string, string>> {
    return this.#read("read written-file hashes", async (tx) => {
      const out = new Map<string, string>();
      if (paths.length === 0) return out;
      const wanted = new Set(paths);
      const rows = await tx.selectFrom("applied_files").select(["path", "sha256"]).where("dir", "=", dir).orderBy("seq").execute();
      // Later rows replace earlier ones: the newest apply of a path wins.
      for (const r of rows) if (wanted.has(r.path)) out.set(r.path, r.sha256);
      return out;
    });
  }

  audit(entry: { actor: string; action: string; subject: string; data?: unknown }): Promise<void> {
    return this.#write("append to audit log", async (tx) => {
      checkText(entry.actor, "An audit entry's actor");
      checkText(entry.action, "An audit entry's action");
      checkText(entry.subject, "An audit entry's subject");
      await this.#audit(tx, now(), entry.actor, entry.action, entry.subject, entry.data);
    });
  }

  auditLog(opts: { subject?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.#read("read audit log", async (tx) => {
      const limit = checkLimit(opts.limit, DEFAULT_AUDIT_LIMIT);
      let query = tx.selectFrom("audit_log").selectAll();
      if (opts.subject !== undefined) query = query.where("subject", "=", opts.subject);
      const rows = await query.orderBy("seq", "desc").limit(limit).execute();
      return rows.reverse().map(auditFromRow);
    });
  }

  auditEntries(f: { actions: readonly string[]; subject?: string }): Promise<AuditEntry[]> {
    return this.#read("read audit entries", async (tx) => {
      if (f.actions.length === 0) return [];
      let query = tx.selectFrom("audit_log").selectAll().where("action", "in", [...f.actions]);
      if (f.subject !== undefined) query = query.where("subject", "=", f.subject);
      const rows = await query.orderBy("seq").execute();
      return rows.map(auditFromRow);
    });
  }

  allApprovals(): Promise<Approval[]> {
    return this.#read("read approvals", async (tx) => {
      const rows = await tx
        .selectFrom("approvals")
        .select(["id", "plan_id", "digest", "decision", "decided_by", "reason", "decided_at"])
        .orderBy("seq")
        .execute();
      return rows.map(approvalFromRow);
    });
  }

  latestGateStatuses(): Promise<{ planId: string; gate: string; status: GateStatus }[]> {
    return this.#read("read gate statuses", async (tx) => {
      const rows = await tx.selectFrom("gate_results").select(["plan_id", "gate", "status"]).orderBy("seq").execute();
      const latest = new Map<string, { planId: string; gate: string; status: GateStatus }>();
      for (const r of rows) latest.set(`${r.plan_id}\u0000${r.gate}`, { planId: r.plan_id, gate: r.gate, status: r.status as GateStatus });
      return [...latest.values()];
    });
  }

  planDigests(): Promise<{ id: string; digest: string }[]> {
    return this.#read("read plan digests", async (tx) => {
      const rows = await tx.selectFrom("plans").select(["id", "digest"]).orderBy("created_at").orderBy("id").execute();
      return rows.map((r) => ({ id: r.id, digest: r.digest }));
    });
  }

  appendOnlyGuards(): Promise<AppendOnlyGuard[]> {
    return this.#read("read append-only triggers", async (tx) => {
      switch (this.backend.kind) {
        case "sqlite": {
          const expected = ["audit_log", "workflow_steps"].flatMap((table) => (["update", "delete"] as const).map((op) => ({ table, op, trigger: `${table}_no_${op}` })));
          const rows = await sql<{ name: string; tbl_name: string; sql: string | null }>`select name, tbl_name, sql from sqlite_master where type = 'trigger'`.execute(tx);
          const byName = new Map(rows.rows.map((r) => [r.name, r]));
          return expected.map((e) => {
            const row = byName.get(e.trigger);
            const text = (row?.sql ?? "").toLowerCase().replace(/\s+/g, " ");
            const blocks = row !== undefined && row.tbl_name === e.table && text.includes(`before ${e.op} on ${e.table}`) && text.includes("raise(abort");
            return { ...e, present: row !== undefined, blocks };
          });
        }
        default:
          return assertNever(this.backend.kind, "dialect");
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.backend.close();
    } catch (e) {
      throw storeError(this.location, "close", e);
    }
  }

  // --- helpers -------------------------------------------------------------

  async #write<T>(op: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    this.#checkOpen(op);
    try {
      return await this.backend.writeTx(fn);
    } catch (e) {
      throw storeError(this.location, op, e);
    }
  }

  async #read<T>(op: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    this.#checkOpen(op);
    try {
      return await this.backend.readTx(fn);
    } catch (e) {
      throw storeError(this.location, op, e);
    }
  }

  #checkOpen(op: string): void {
    if (this.#closed) {
      throw new DevopsPackError("STORE", `The store at ${this.location} is closed (${op}).`, {
        path: this.location,
        op,
      });
    }
  }

  async #audit(tx: Tx, at: string, actor: string, action: string, subject: string, data: unknown): Promise<void> {
    await tx
      .insertInto("audit_log")
      .values({
        at,
        actor,
        action,
        subject,
        data_json: data === undefined ? null : toJson(data, `The data of audit entry '${action}'`),
      })
      .execute();
  }

  async #insertGates(tx: Tx, planId: string, gates: GateResult[], actor: string, at: string): Promise<void> {
    if (gates.length === 0) return;
    await tx
      .insertInto("gate_results")
      .values(
        gates.map((g) => ({
          plan_id: planId,
          gate: g.gate,
          status: g.status,
          score: g.score,
          threshold: g.threshold,
          result_json: toJson(g, `Gate result '${g.gate}'`),
          recorded_at: at,
        })),
      )
      .execute();
    await this.#audit(tx, at, actor, "gates.recorded", auditSubject.plan(planId), {
      // A gate turned off on purpose (the security gate, by the project's config) is recorded with its reason.
      gates: gates.map((g) => ({ gate: g.gate, status: g.status, score: g.score, threshold: g.threshold, ...(g.disabled ? { disabled: g.disabled } : {}) })),
    });
  }

  async #requirePlan(tx: Tx, planId: string): Promise<{ digest: string }> {
    const plan = await tx.selectFrom("plans").select("digest").where("id", "=", planId).executeTakeFirst();
    if (plan === undefined) throw this.#notFound("Plan", planId);
    return plan;
  }

  async #approvals(tx: Tx, planId: string): Promise<Approval[]> {
    const rows = await tx
      .selectFrom("approvals")
      .select(["id", "plan_id", "digest", "decision", "decided_by", "reason", "decided_at"])
      .where("plan_id", "=", planId)
      .orderBy("seq")
      .execute();
    return rows.map(approvalFromRow);
  }

  #notFound(what: "Run" | "Plan", id: string): DevopsPackError {
    return new DevopsPackError("NOT_FOUND", `${what} '${id}' not found in the store at ${this.location}.`, {
      [what === "Run" ? "runId" : "planId"]: id,
      path: this.location,
    });
  }

  #duplicate(what: "Run" | "Plan", id: string): DevopsPackError {
    return new DevopsPackError("BAD_INPUT", `${what} '${id}' already exists in the store at ${this.location}.`, {
      [what === "Run" ? "runId" : "planId"]: id,
      path: this.location,
    });
  }
}

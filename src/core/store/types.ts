import type { GateResult, GateStatus } from "../gates/types.js";
import type { Plan } from "../plans/plan.js";

/**
 * Where the store lives. A union so that team mode (`{ kind: "postgres"; url }`,
 * selected with `DEVOPS_PACK_DATABASE_URL`) can be added without changing callers.
 */
export type StoreConfig = SqliteStoreConfig;

export interface SqliteStoreConfig {
  kind: "sqlite";
  /** Path of the database file; its directory is created when missing. */
  path: string;
  /**
   * A directory above `path` (the project) below which no component may be a
   * symlink: the store is never created through a planted `.devops-pack` link.
   */
  noFollowBelow?: string;
}

export type RunStatus = "running" | "succeeded" | "failed";

export interface RunRecord {
  id: string;
  taskType: string;
  agent: string;
  /** Where the task came from: a file path, `-` for stdin, a workflow step. */
  source: string;
  actor: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

export type StepStatus = "succeeded" | "failed" | "reused";

/** One step of a workflow run, as recorded when it finished. */
export interface StepRecord {
  runId: string;
  step: string;
  position: number;
  status: StepStatus;
  inputDigest: string;
  /** What the step produced (JSON), for succeeded and reused steps. */
  output?: unknown;
  error?: string;
  startedAt: string;
  finishedAt: string;
}

export type Decision = "approved" | "rejected";

export interface Approval {
  id: string;
  planId: string;
  /** The plan digest the decision was made on; an approval binds to it. */
  digest: string;
  decision: Decision;
  by: string;
  reason?: string;
  decidedAt: string;
}

export interface ApplyRecord {
  id: string;
  planId: string;
  dir: string;
  files: string[];
  actor: string;
  appliedAt: string;
}

export type ApplyJournalStatus = "started" | "applied" | "rolled_back";

/** An apply's journal as the store recorded it before the journal file was written. */
export interface ApplyJournalRecord {
  id: string;
  planId: string;
  dir: string;
  /** The journal's content (`{ planId, entries, createdDirs }`), to compare with the file. */
  journal: unknown;
  status: ApplyJournalStatus;
  startedAt: string;
  finishedAt?: string;
}

export interface StoredPlan {
  runId: string;
  /** The plan exactly as it was saved; `planDigest(plan)` re-checks its digest. */
  plan: Plan;
  /** The latest result of each gate, in the order the gates were first recorded. */
  gates: GateResult[];
  /** Every decision on the plan, oldest first. */
  approvals: Approval[];
  /** Every apply of the plan, oldest first. */
  applies: ApplyRecord[];
}

/**
 * The plan's approval state, from its latest decision:
 * - `none`: no decision recorded;
 * - `approved` / `rejected`: the latest decision, made on the plan's digest;
 * - `stale`: the latest decision was made on another digest.
 */
export type ApprovalState = "none" | "approved" | "rejected" | "stale";

export interface PlanSummary {
  id: string;
  runId: string;
  createdAt: string;
  agent: string;
  taskType: string;
  environment: string[];
  digest: string;
  touchesSecrets: boolean;
  /** The latest status of each gate. */
  gates: { gate: string; status: GateStatus }[];
  approval: ApprovalState;
}

export interface AuditEntry {
  /** Position in the log: strictly increasing, never reused. */
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data?: unknown;
}

/**
 * The store: runs, plans, gate results, approvals, applies and an append-only
 * audit log. Every method that writes does so in one transaction together with
 * its audit entry. Failures of the database surface as `DevopsPackError("STORE")`.
 *
 * Audit subjects written by the store are `run:<id>` and `plan:<id>`
 * (see {@link auditSubject}); actions are `run.started`, `run.finished`,
 * `plan.saved`, `gates.recorded`, `plan.approved`, `plan.rejected`, `plan.applied`,
 * `apply.started`, `apply.rolled_back`.
 */
export interface Store {
  /** Where the store is, for messages: the database file path. */
  readonly location: string;

  startRun(r: { id: string; taskType: string; agent: string; source: string; actor: string }): Promise<void>;
  /** Finishes a running run; a run that is unknown or already finished is an error. */
  finishRun(id: string, status: "succeeded" | "failed", error?: string): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** The newest run of this task type from this source, if any. */
  latestRun(f: { taskType: string; source: string }): Promise<RunRecord | undefined>;

  /** Records a finished workflow step of a running run (append-only). */
  recordStep(s: Omit<StepRecord, "finishedAt">): Promise<void>;
  /** The steps recorded for a run, in the order they ran. */
  workflowSteps(runId: string): Promise<StepRecord[]>;

  /** Saves the plan and its gate results, with its audit entries, in one transaction. */
  savePlan(runId: string, plan: Plan, gates: GateResult[], actor: string): Promise<void>;
  /** Appends a new evaluation of gates; the latest result per gate wins in reads. */
  recordGates(planId: string, gates: GateResult[], actor: string): Promise<void>;
  /** The plan with this exact id. */
  getPlan(id: string): Promise<StoredPlan | undefined>;
  /**
   * The id of the plan whose id is `idOrPrefix`, or the only plan whose id starts
   * with it (a prefix needs at least 4 characters; a whole id of any length is exact). Throws `BAD_INPUT`
   * for a shorter prefix, `NOT_FOUND` (naming recent plans) or `AMBIGUOUS` (naming the matches).
   */
  resolvePlanId(idOrPrefix: string): Promise<string>;
  /** Newest first; `limit` defaults to 50. */
  listPlans(opts?: { limit?: number }): Promise<PlanSummary[]>;

  recordDecision(d: {
    planId: string;
    digest: string;
    decision: Decision;
    by: string;
    reason?: string;
  }): Promise<Approval>;
  /** Every decision on the plan, oldest first. */
  approvals(planId: string): Promise<Approval[]>;

  /**
   * Records a finished apply. With `journalId`, the journal opened by
   * {@link openApplyJournal} becomes `applied` in the same transaction (it must be
   * `started`). `hashes` (relative path → sha256) are what devops-pack left in
   * `dir`; {@link lastWritten} reads them back.
   */
  recordApply(a: { planId: string; dir: string; files: string[]; actor: string; journalId?: string; hashes?: Record<string, string> }): Promise<void>;

  /** Records, before the journal file is written, that an apply with this journal id starts writing into `dir`. */
  openApplyJournal(j: { id: string; planId: string; dir: string; journal: unknown; actor: string }): Promise<void>;
  /** The journal with this id, if this store recorded it. */
  applyJournal(id: string): Promise<ApplyJournalRecord | undefined>;
  /** Marks a started journal rolled back (its apply was undone or never committed). */
  settleApplyJournal(id: string, actor: string, reason: string): Promise<void>;
  /** Journals of `dir` that were started and never finished, oldest first. */
  openApplyJournals(dir: string): Promise<ApplyJournalRecord[]>;
  /** For each of `paths` in `dir`, the sha256 of what devops-pack last wrote there (paths it never wrote are absent). */
  lastWritten(dir: string, paths: readonly string[]): Promise<Map<string, string>>;

  /** Appends one entry to the audit log; `data` must be JSON-serialisable. */
  audit(entry: { actor: string; action: string; subject: string; data?: unknown }): Promise<void>;
  /**
   * The latest `limit` entries (default 100), optionally for one subject,
   * in the order they were written (oldest first).
   */
  auditLog(opts?: { subject?: string; limit?: number }): Promise<AuditEntry[]>;
  /** Every audit entry with one of these actions (optionally for one subject), oldest first. */
  auditEntries(f: { actions: readonly string[]; subject?: string }): Promise<AuditEntry[]>;
  /** Every decision in the store, oldest first (for `audit verify`). */
  allApprovals(): Promise<Approval[]>;
  /** The latest status of every gate of every plan, as the gate_results rows say (for `audit verify`). */
  latestGateStatuses(): Promise<{ planId: string; gate: string; status: GateStatus }[]>;
  /** Every plan's id and the digest in its row (for `audit verify`). */
  planDigests(): Promise<{ id: string; digest: string }[]>;
  /**
   * The triggers that make tables append-only, as the database has them now:
   * for each expected guard, whether it exists and still aborts the statement.
   */
  appendOnlyGuards(): Promise<AppendOnlyGuard[]>;

  close(): Promise<void>;
}

/** One trigger that refuses UPDATE or DELETE on an append-only table. */
export interface AppendOnlyGuard {
  table: string;
  op: "update" | "delete";
  trigger: string;
  present: boolean;
  /** The trigger exists and aborts the statement (not a trigger that was replaced by one that does nothing). */
  blocks: boolean;
}

/** The audit subjects the store writes. */
export const auditSubject = {
  run: (id: string): string => `run:${id}`,
  plan: (id: string): string => `plan:${id}`,
} as const;

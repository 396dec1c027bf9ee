import type { Generated } from "kysely";

/*
 * The tables, as Kysely sees them. Portable between SQLite and PostgreSQL:
 * ids are text, timestamps are ISO-8601 text (UTC, `Date#toISOString`),
 * JSON is text, booleans are integers 0/1, and the `seq` columns are
 * auto-increment integers that give the insertion order.
 */

export interface SchemaMigrationsTable {
  name: string;
  applied_at: string;
}

export interface RunsTable {
  id: string;
  task_type: string;
  agent: string;
  source: string;
  actor: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

export interface PlansTable {
  id: string;
  run_id: string;
  created_at: string;
  task_type: string;
  agent: string;
  /** JSON array of environment names. */
  environment: string;
  digest: string;
  touches_secrets: number;
  /** The full plan, as JSON. */
  plan_json: string;
}

export interface GateResultsTable {
  seq: Generated<number>;
  plan_id: string;
  gate: string;
  status: string;
  score: number;
  threshold: number;
  /** The full gate result, as JSON. */
  result_json: string;
  recorded_at: string;
}

export interface ApprovalsTable {
  seq: Generated<number>;
  id: string;
  plan_id: string;
  digest: string;
  decision: string;
  decided_by: string;
  reason: string | null;
  decided_at: string;
}

export interface AppliesTable {
  seq: Generated<number>;
  id: string;
  plan_id: string;
  dir: string;
  /** JSON array of the relative paths written. */
  files_json: string;
  applied_by: string;
  applied_at: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data_json: string | null;
}

export interface WorkflowStepsTable {
  seq: Generated<number>;
  run_id: string;
  step: string;
  position: number;
  status: string;
  /** Digest of what the step was given (its task inputs); equal digests give equal output. */
  input_digest: string;
  output_json: string | null;
  error: string | null;
  started_at: string;
  finished_at: string;
}

export interface ApplyJournalsTable {
  /** The journal's random id, written into the journal file too. */
  id: string;
  plan_id: string;
  /** The target directory, absolute. */
  dir: string;
  /** What the journal says to undo: `{ planId, entries, createdDirs }`, as JSON. */
  journal_json: string;
  status: string;
  started_at: string;
  finished_at: string | null;
}

export interface AppliedFilesTable {
  seq: Generated<number>;
  apply_id: string;
  plan_id: string;
  dir: string;
  /** Relative POSIX path inside `dir`. */
  path: string;
  /** sha256 (hex) of the content devops-pack left there. */
  sha256: string;
  applied_at: string;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  runs: RunsTable;
  plans: PlansTable;
  gate_results: GateResultsTable;
  approvals: ApprovalsTable;
  applies: AppliesTable;
  audit_log: AuditLogTable;
  workflow_steps: WorkflowStepsTable;
  apply_journals: ApplyJournalsTable;
  applied_files: AppliedFilesTable;
}

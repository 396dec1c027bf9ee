import { sql } from "kysely";
import type { CreateTableBuilder, Kysely } from "kysely";
import { DevopsPackError } from "../errors.js";
import { assertNever } from "./backend.js";
import type { Backend, DialectKind } from "./backend.js";
import type { Database } from "./schema.js";

/**
 * One schema change. Migrations are applied in list order, each once, and
 * recorded by name in `schema_migrations`. Never edit or reorder a migration
 * that has shipped: add a new one.
 */
export interface Migration {
  name: string;
  up(db: Kysely<Database>, kind: DialectKind): Promise<void>;
}

/** An auto-increment integer primary key named `seq`: the insertion order. */
function withSeq<TB extends string, C extends string>(
  table: CreateTableBuilder<TB, C>,
  kind: DialectKind,
): CreateTableBuilder<TB, C | "seq"> {
  switch (kind) {
    case "sqlite":
      // AUTOINCREMENT: a seq is never reused, even after the highest row is gone.
      // (PostgreSQL: `bigint generated always as identity primary key`.)
      return table.addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement());
    default:
      return assertNever(kind, "dialect");
  }
}

/** Makes a table append-only: the database itself rejects UPDATE and DELETE. */
async function appendOnly(db: Kysely<Database>, kind: DialectKind, table: string): Promise<void> {
  switch (kind) {
    case "sqlite":
      // (PostgreSQL: a plpgsql trigger function that raises, attached BEFORE UPDATE OR DELETE.)
      for (const op of ["update", "delete"] as const) {
        await sql
          .raw(
            `create trigger ${table}_no_${op} before ${op} on ${table} ` +
              `begin select raise(abort, '${table} is append-only: ${op} is not allowed'); end`,
          )
          .execute(db);
      }
      return;
    default:
      return assertNever(kind, "dialect");
  }
}

const init: Migration = {
  name: "0001_init",
  async up(db, kind) {
    await db.schema
      .createTable("runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("task_type", "text", (c) => c.notNull())
      .addColumn("agent", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed')`))
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .addColumn("error", "text")
      .execute();

    await db.schema
      .createTable("plans")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id"))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("task_type", "text", (c) => c.notNull())
      .addColumn("agent", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("digest", "text", (c) => c.notNull())
      .addColumn("touches_secrets", "integer", (c) => c.notNull().check(sql`touches_secrets in (0, 1)`))
      .addColumn("plan_json", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("plans_created_at").on("plans").columns(["created_at", "id"]).execute();
    await db.schema.createIndex("plans_run_id").on("plans").column("run_id").execute();

    await withSeq(db.schema.createTable("gate_results"), kind)
      .addColumn("plan_id", "text", (c) => c.notNull().references("plans.id"))
      .addColumn("gate", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) =>
        c.notNull().check(sql`status in ('passed', 'failed', 'skipped', 'awaiting')`),
      )
      .addColumn("score", "double precision", (c) => c.notNull())
      .addColumn("threshold", "double precision", (c) => c.notNull())
      .addColumn("result_json", "text", (c) => c.notNull())
      .addColumn("recorded_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("gate_results_plan").on("gate_results").columns(["plan_id", "gate"]).execute();

    await withSeq(db.schema.createTable("approvals"), kind)
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("plan_id", "text", (c) => c.notNull().references("plans.id"))
      .addColumn("digest", "text", (c) => c.notNull())
      .addColumn("decision", "text", (c) => c.notNull().check(sql`decision in ('approved', 'rejected')`))
      .addColumn("decided_by", "text", (c) => c.notNull())
      .addColumn("reason", "text")
      .addColumn("decided_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("approvals_plan").on("approvals").column("plan_id").execute();

    await withSeq(db.schema.createTable("applies"), kind)
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("plan_id", "text", (c) => c.notNull().references("plans.id"))
      .addColumn("dir", "text", (c) => c.notNull())
      .addColumn("files_json", "text", (c) => c.notNull())
      .addColumn("applied_by", "text", (c) => c.notNull())
      .addColumn("applied_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("applies_plan").on("applies").column("plan_id").execute();

    await withSeq(db.schema.createTable("audit_log"), kind)
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("data_json", "text")
      .execute();
    await db.schema.createIndex("audit_log_subject").on("audit_log").columns(["subject", "seq"]).execute();
    await appendOnly(db, kind, "audit_log");
  },
};

/** Workflow steps: what each step of a workflow run produced, so a failed run resumes. */
const workflowSteps: Migration = {
  name: "0002_workflow_steps",
  async up(db, kind) {
    await withSeq(db.schema.createTable("workflow_steps"), kind)
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id"))
      .addColumn("step", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('succeeded', 'failed', 'reused')`))
      .addColumn("input_digest", "text", (c) => c.notNull())
      .addColumn("output_json", "text")
      .addColumn("error", "text")
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("workflow_steps_run").on("workflow_steps").columns(["run_id", "position"]).execute();
    await db.schema.createIndex("runs_task_source").on("runs").columns(["task_type", "source", "started_at"]).execute();
    await appendOnly(db, kind, "workflow_steps");
  },
};

/**
 * Apply journals and written-file hashes. An apply records its journal here
 * before it writes the journal file, so recovery acts only on journals this
 * store knows (a journal planted in the target directory is refused). Each
 * apply records the sha256 of every file it wrote, so the next apply can tell
 * a hand edit from devops-pack's own output.
 */
const applyJournals: Migration = {
  name: "0003_apply_journals",
  async up(db, kind) {
    await db.schema
      .createTable("apply_journals")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("plan_id", "text", (c) => c.notNull().references("plans.id"))
      .addColumn("dir", "text", (c) => c.notNull())
      .addColumn("journal_json", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('started', 'applied', 'rolled_back')`))
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .execute();
    await db.schema.createIndex("apply_journals_dir").on("apply_journals").columns(["dir", "status"]).execute();

    await withSeq(db.schema.createTable("applied_files"), kind)
      .addColumn("apply_id", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull().references("plans.id"))
      .addColumn("dir", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("applied_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("applied_files_dir_path").on("applied_files").columns(["dir", "path", "seq"]).execute();
    await appendOnly(db, kind, "applied_files");
  },
};

/** Every migration this version knows, in the order they apply. */
export const MIGRATIONS: readonly Migration[] = [init, workflowSteps, applyJournals];

export interface MigrationState {
  applied: string[];
  pending: Migration[];
  /** Recorded in the database but unknown here: written by a newer version. */
  unknown: string[];
}

function compare(applied: string[], migrations: readonly Migration[]): MigrationState {
  const known = new Set(migrations.map((m) => m.name));
  const done = new Set(applied);
  return {
    applied,
    pending: migrations.filter((m) => !done.has(m.name)),
    unknown: applied.filter((name) => !known.has(name)).sort(),
  };
}

function refuseNewer(location: string, unknown: string[]): DevopsPackError {
  return new DevopsPackError(
    "STORE",
    `The store at ${location} was written by a newer devops-pack: it has migrations this version ` +
      `does not know (${unknown.join(", ")}). Upgrade devops-pack to open it.`,
    { path: location, unknownMigrations: unknown },
  );
}

/**
 * Brings the schema up to date. Safe to run from many processes at once: the
 * changes happen in one transaction under the migration lock, which re-reads
 * what is applied. Running it on an up-to-date database changes nothing.
 * A database with a migration this version does not know is refused.
 */
export async function migrate(backend: Backend, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  // Fast path, without the write lock: an up-to-date database needs only a read.
  try {
    const rows = await backend.db.selectFrom("schema_migrations").select("name").execute();
    const state = compare(
      rows.map((r) => r.name),
      migrations,
    );
    if (state.unknown.length > 0) throw refuseNewer(backend.location, state.unknown);
    if (state.pending.length === 0) return;
  } catch (e) {
    if (e instanceof DevopsPackError) throw e;
    // No schema_migrations table yet, most likely; the locked path below decides.
  }

  await backend.migrationTx(async (tx) => {
    await tx.schema
      .createTable("schema_migrations")
      .ifNotExists()
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("applied_at", "text", (c) => c.notNull())
      .execute();
    const rows = await tx.selectFrom("schema_migrations").select("name").execute();
    const state = compare(
      rows.map((r) => r.name),
      migrations,
    );
    if (state.unknown.length > 0) throw refuseNewer(backend.location, state.unknown);
    for (const m of state.pending) {
      await m.up(tx, backend.kind);
      await tx
        .insertInto("schema_migrations")
        .values({ name: m.name, applied_at: new Date().toISOString() })
        .execute();
    }
  });
}

/**
 * The store: runs, plans, gate results, approvals, applies and an append-only
 * audit log, in SQLite at `<project>/.devops-pack/state.db` by default.
 *
 * Only this module touches the database. The driver and the query builder are
 * loaded when a store is opened, so importing this module stays cheap.
 */
import { join, resolve } from "node:path";
import { DevopsPackError } from "../errors.js";
import { assertNever } from "./backend.js";
import type { Backend } from "./backend.js";
import { storeError } from "./errors.js";
import type { Store, StoreConfig } from "./types.js";

export type {
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
  SqliteStoreConfig,
  StepRecord,
  StepStatus,
  Store,
  StoreConfig,
  StoredPlan,
} from "./types.js";
export { auditSubject } from "./types.js";

/** The environment variable that selects PostgreSQL (team mode). */
export const DATABASE_URL_ENV = "DEVOPS_PACK_DATABASE_URL";

/** The store's file, relative to the project directory. */
export const STORE_FILE = join(".devops-pack", "state.db");

export interface OpenStoreOptions {
  /** The environment to read `DEVOPS_PACK_DATABASE_URL` from; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

function refuseDatabaseUrl(env: Readonly<Record<string, string | undefined>>): void {
  const url = env[DATABASE_URL_ENV];
  if (url !== undefined && url !== "") {
    // Never fall back to SQLite silently: the user asked for a shared store.
    throw new DevopsPackError(
      "BAD_INPUT",
      `${DATABASE_URL_ENV} is set, but PostgreSQL team mode is not available yet in this version ` +
        `of devops-pack. Unset ${DATABASE_URL_ENV} to use the SQLite store at ${STORE_FILE}.`,
      { env: DATABASE_URL_ENV },
    );
  }
}

/** The store of a project: `<projectDir>/.devops-pack/state.db`, unless `DEVOPS_PACK_DATABASE_URL` is set. */
export function defaultStoreConfig(projectDir: string, options: OpenStoreOptions = {}): StoreConfig {
  refuseDatabaseUrl(options.env ?? process.env);
  return { kind: "sqlite", path: join(projectDir, STORE_FILE), noFollowBelow: resolve(projectDir) };
}

/**
 * Opens the store and brings its schema up to date. Throws
 * `DevopsPackError("STORE")` naming the database when it cannot be opened
 * (not a database, corrupt, locked, written by a newer version), and
 * `BAD_INPUT` while `DEVOPS_PACK_DATABASE_URL` is set.
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  refuseDatabaseUrl(options.env ?? process.env);
  const [{ migrate }, { KyselyStore }] = await Promise.all([import("./migrations.js"), import("./store.js")]);
  const backend = await openBackend(config);
  try {
    await migrate(backend);
  } catch (e) {
    await backend.close().catch(() => undefined);
    throw storeError(backend.location, "migrate", e);
  }
  return new KyselyStore(backend);
}

async function openBackend(config: StoreConfig): Promise<Backend> {
  switch (config.kind) {
    case "sqlite": {
      const { openSqliteBackend } = await import("./sqlite.js");
      return openSqliteBackend(config);
    }
    default:
      return assertNever(config.kind, "store kind");
  }
}

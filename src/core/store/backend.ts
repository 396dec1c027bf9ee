import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import type { StoreConfig } from "./types.js";

export type DialectKind = StoreConfig["kind"];

/**
 * What the store needs from a database: a Kysely instance and the three kinds
 * of transaction. Everything dialect-specific (opening, connection settings,
 * locking) lives behind this interface; the queries in `store.ts` and the
 * migrations are shared.
 *
 * A PostgreSQL backend would take `writeTx` from `db.transaction()`,
 * `readTx` at `repeatable read`, and `migrationTx` with `pg_advisory_xact_lock`.
 */
export interface Backend {
  readonly kind: DialectKind;
  /** Where the database is, for messages (a file path; never a password). */
  readonly location: string;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in a transaction that holds the write lock from its first
   * statement, so two writers never deadlock upgrading a read lock.
   * Commits when `fn` resolves, rolls back when it throws.
   */
  writeTx<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction that reads one consistent snapshot. */
  readTx<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** A write transaction that also serialises migrations across processes. */
  migrationTx<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${String(value)}`);
}

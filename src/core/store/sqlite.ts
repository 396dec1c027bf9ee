import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, SqliteDialect, sql } from "kysely";
import { refused } from "../errors.js";
import { checkNoSymlinkBelow, mkdirNoFollow } from "../fs-safe.js";
import type { Backend } from "./backend.js";
import type { RawSqlite } from "./driver.js";
import { openRawSqlite } from "./driver.js";
import { BUSY_TIMEOUT_MS, storeError } from "./errors.js";
import type { Database } from "./schema.js";
import type { SqliteStoreConfig } from "./types.js";

/**
 * Opens the SQLite file, creating it and its directory when missing, with WAL,
 * a busy timeout, foreign keys and `synchronous=NORMAL`. Throws
 * `DevopsPackError("STORE")` naming the path when it cannot.
 */
export function openSqliteBackend(config: SqliteStoreConfig): Backend {
  const location = resolve(config.path);
  let raw: RawSqlite | undefined;
  if (config.noFollowBelow !== undefined) {
    // Refused (not a STORE error): a symlinked state directory or database file.
    const root = resolve(config.noFollowBelow);
    mkdirNoFollow(root, dirname(location), "store directory");
    for (const file of [location, `${location}-wal`, `${location}-shm`, `${location}-journal`]) {
      const st = checkNoSymlinkBelow(root, file, "store file");
      if (st !== undefined && !st.isFile()) throw refused(`Refused: the store file ${file} is not a regular file.`, { path: file });
    }
  }
  try {
    mkdirSync(dirname(location), { recursive: true });
    raw = openRawSqlite(location);
    raw.run(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // The first statement reads the header: a file that is not a database fails here.
    const mode: unknown = raw.value("pragma journal_mode = WAL");
    if (mode !== "wal") {
      throw new Error(`could not switch the journal to WAL (journal_mode is '${String(mode)}')`);
    }
    raw.run("pragma synchronous = NORMAL");
    raw.run("pragma foreign_keys = ON");
  } catch (e) {
    raw?.close();
    throw storeError(location, "open", e);
  }
  return new SqliteBackend(location, raw);
}

class SqliteBackend implements Backend {
  readonly kind = "sqlite" as const;
  readonly db: Kysely<Database>;
  #closed = false;

  constructor(
    readonly location: string,
    private readonly raw: RawSqlite,
  ) {
    this.db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw.kysely }) });
  }

  writeTx<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    // `begin immediate` takes the write lock up front (waiting up to the busy
    // timeout), so a transaction never has to upgrade a read lock, which is
    // where SQLITE_BUSY deadlocks between writers come from.
    return this.#transaction("begin immediate", fn);
  }

  readTx<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    // In WAL mode a deferred transaction reads one snapshot and blocks no writer.
    return this.#transaction("begin", fn);
  }

  migrationTx<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    // SQLite has one writer at a time: the write lock serialises migrations too.
    return this.writeTx(fn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Waits for the connection to be free, then closes the database.
    await this.db.destroy();
  }

  #transaction<T>(begin: "begin" | "begin immediate", fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    // The SQLite dialect has one connection behind a mutex: holding it for the
    // whole callback keeps other queries of this process out of the transaction.
    return this.db.connection().execute(async (conn) => {
      await sql.raw(begin).execute(conn);
      try {
        const result = await fn(conn);
        await sql.raw("commit").execute(conn);
        return result;
      } catch (e) {
        if (this.raw.inTransaction) {
          try {
            await sql.raw("rollback").execute(conn);
          } catch {
            // The error that made us roll back is the one to report.
          }
        }
        throw e;
      }
    });
  }
}

import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase } from "kysely";

/**
 * The SQLite driver behind the store, chosen by Node version:
 * - Node 20 and 22: better-sqlite3 (Node 20 has no `node:sqlite`).
 * - Node 24 and later: the built-in `node:sqlite`. better-sqlite3 12.x aborts
 *   the process there when its statements are finalised during garbage
 *   collection or exit (`RemoveEnvironmentCleanupHook` assertion), and 13.x,
 *   which fixes it, no longer supports Node 20.
 * Both serve the same Kysely dialect through `kysely`, and the same small API
 * for tools and tests.
 */
export type SqliteDriverName = "better-sqlite3" | "node:sqlite";

export const SQLITE_DRIVER: SqliteDriverName = Number(process.versions.node.split(".")[0]) >= 24 ? "node:sqlite" : "better-sqlite3";

export interface RawSqlite {
  readonly driver: SqliteDriverName;
  /** Every row of a query. */
  all(sql: string, ...params: unknown[]): Record<string, unknown>[];
  /** The first column of the first row, or undefined. */
  value(sql: string, ...params: unknown[]): unknown;
  run(sql: string, ...params: unknown[]): void;
  readonly inTransaction: boolean;
  close(): void;
  /** The connection as Kysely's SqliteDialect wants it. */
  readonly kysely: SqliteDatabase;
}

const require = createRequire(import.meta.url);

/** SQLite takes numbers, strings, bigints, buffers and null; map JS booleans and undefined. */
function bind(params: readonly unknown[]): (string | number | bigint | null | Uint8Array)[] {
  return params.map((p) => (p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : (p as string | number | bigint | null | Uint8Array)));
}

interface NodeStatement {
  all(...p: unknown[]): Record<string, unknown>[];
  get(...p: unknown[]): Record<string, unknown> | undefined;
  run(...p: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...p: unknown[]): IterableIterator<unknown>;
  columns(): unknown[];
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  close(): void;
  readonly isTransaction: boolean;
}

function openNodeSqlite(path: string, readonly: boolean): RawSqlite {
  const { DatabaseSync } = require("node:sqlite") as { DatabaseSync: new (path: string, opts: { readOnly: boolean }) => NodeDatabase };
  const db = new DatabaseSync(path, { readOnly: readonly });
  const kysely: SqliteDatabase = {
    close: () => db.close(),
    prepare(sql: string) {
      const st = db.prepare(sql);
      return {
        reader: st.columns().length > 0,
        all: (params: readonly unknown[]) => st.all(...bind(params)),
        run: (params: readonly unknown[]) => {
          const r = st.run(...bind(params));
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: (params: readonly unknown[]) => st.iterate(...bind(params)),
      };
    },
  };
  return {
    driver: "node:sqlite",
    all: (sql, ...p) => db.prepare(sql).all(...bind(p)),
    value: (sql, ...p) => {
      const row = db.prepare(sql).get(...bind(p));
      return row === undefined ? undefined : Object.values(row)[0];
    },
    run: (sql, ...p) => void db.prepare(sql).run(...bind(p)),
    get inTransaction() {
      return db.isTransaction;
    },
    close: () => db.close(),
    kysely,
  };
}

function openBetterSqlite(path: string, readonly: boolean): RawSqlite {
  const Driver = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Driver(path, { readonly });
  return {
    driver: "better-sqlite3",
    all: (sql, ...p) => db.prepare(sql).all(...bind(p)) as Record<string, unknown>[],
    value: (sql, ...p) => {
      const row = db.prepare(sql).raw().get(...bind(p)) as unknown[] | undefined;
      return row?.[0];
    },
    run: (sql, ...p) => {
      const st = db.prepare(sql);
      // better-sqlite3 refuses run() on statements that return rows (most pragmas).
      if (st.reader) st.all(...bind(p));
      else st.run(...bind(p));
    },
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => db.close(),
    kysely: db,
  };
}

/** Open a SQLite file with the driver for this Node version. Throws the driver's error. */
export function openRawSqlite(path: string, opts: { readonly?: boolean } = {}): RawSqlite {
  return SQLITE_DRIVER === "node:sqlite" ? openNodeSqlite(path, opts.readonly ?? false) : openBetterSqlite(path, opts.readonly ?? false);
}

import { DevopsPackError, isDevopsPackError } from "../errors.js";

/** The busy timeout: how long a writer waits for another process's lock. */
export const BUSY_TIMEOUT_MS = 10_000;

/** node:sqlite reports SQLite result codes as numbers (`errcode`); the primary code is the low byte. */
const NODE_SQLITE_CODES: Record<number, string> = { 5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 8: "SQLITE_READONLY", 11: "SQLITE_CORRUPT", 14: "SQLITE_CANTOPEN", 26: "SQLITE_NOTADB" };

function codeOf(e: unknown): string | undefined {
  if (e !== null && typeof e === "object" && "code" in e) {
    const code = e.code;
    if (code === "ERR_SQLITE_ERROR" && "errcode" in e && typeof e.errcode === "number") return NODE_SQLITE_CODES[e.errcode & 0xff] ?? code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Turns a database failure into `DevopsPackError("STORE")` whose message names
 * the database. Errors that are already typed pass through unchanged.
 */
export function storeError(location: string, op: string, e: unknown): DevopsPackError {
  if (isDevopsPackError(e)) return e;
  const code = codeOf(e);
  const detail = messageOf(e);
  let message: string;
  if (code === "SQLITE_NOTADB" || code?.startsWith("SQLITE_CORRUPT") === true) {
    message =
      `The store at ${location} is not a SQLite database or is corrupt (${detail}). ` +
      `Move the file away to start a new store, or restore it from a backup.`;
  } else if (code?.startsWith("SQLITE_BUSY") === true || code?.startsWith("SQLITE_LOCKED") === true) {
    message =
      `The store at ${location} stayed locked by another process for more than ` +
      `${BUSY_TIMEOUT_MS / 1000} s (${op}): ${detail}`;
  } else if (
    code === "SQLITE_CANTOPEN" ||
    code?.startsWith("SQLITE_READONLY") === true ||
    code === "EACCES" ||
    code === "EROFS" ||
    code === "ENOTDIR" ||
    code === "EISDIR"
  ) {
    message = `Cannot open the store at ${location} (${op}): ${detail}`;
  } else {
    message = `Store error at ${location} (${op}): ${detail}`;
  }
  const err = new DevopsPackError("STORE", message, {
    path: location,
    op,
    ...(code === undefined ? {} : { cause: code }),
  });
  err.cause = e;
  return err;
}

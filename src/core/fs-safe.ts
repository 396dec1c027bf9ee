/**
 * Writes that never follow symlinks. Every path devops-pack writes into a
 * user's tree (artifacts, the state directory, the apply journal, staging,
 * `story --tasks-out`) goes through these helpers: each component below a
 * trusted root must be a real directory, and files are opened with
 * `O_NOFOLLOW`, so a planted symlink cannot redirect a write outside the tree.
 *
 * File-system failures become `DevopsPackError("IO")` naming the path and the
 * cause (disk full, read-only, permission, name too long), never a stack trace.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { DevopsPackError, refused } from "./errors.js";

const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "the operation is not permitted",
  ENAMETOOLONG: "the file name is too long",
  EISDIR: "it is a directory",
  ENOTDIR: "a component of the path is not a directory",
  ELOOP: "it is a symlink",
  EMFILE: "too many open files",
  EIO: "an I/O error occurred",
};

/** The errno code of a Node file-system error, if any. */
export function errnoOf(e: unknown): string | undefined {
  if (e !== null && typeof e === "object" && "code" in e && typeof e.code === "string") return e.code;
  return undefined;
}

/**
 * Turns a file-system error into `DevopsPackError("IO")` that says what was
 * being done, to which path, and why. Typed errors pass through unchanged.
 */
export function ioError(e: unknown, doing: string, path: string): DevopsPackError {
  if (e instanceof DevopsPackError) return e;
  const code = errnoOf(e);
  const why = (code !== undefined ? CAUSES[code] : undefined) ?? (e instanceof Error ? e.message : String(e));
  const err = new DevopsPackError("IO", `Cannot ${doing} ${path}: ${why}${code !== undefined ? ` (${code})` : ""}.`, { path, ...(code !== undefined ? { cause: code } : {}) });
  err.cause = e;
  return err;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return undefined;
    throw ioError(e, "inspect", path);
  }
}

/** `lstat` that says "missing" instead of throwing; other failures are IO errors. */
export function lstatIfExists(path: string): Stats | undefined {
  return lstatOrUndefined(path);
}

function shown(root: string, path: string): string {
  return relative(root, path).split(sep).join("/") || ".";
}

/**
 * Refuses when any existing component of `path` below `root` is a symlink, or
 * an intermediate one is not a directory. Components that do not exist yet are
 * fine (they will be created as real directories). Returns the last
 * component's stats, when it exists.
 */
export function checkNoSymlinkBelow(root: string, path: string, what: string): Stats | undefined {
  const rel = relative(root, path);
  if (rel === "") return lstatOrUndefined(root);
  if (rel.startsWith("..") || rel.split(sep).includes("..")) throw refused(`Refused: ${what} ${path} is outside ${root}.`, { path });
  const parts = rel.split(sep);
  let cur = root;
  let st: Stats | undefined;
  for (let i = 0; i < parts.length; i++) {
    cur = join(cur, parts[i]!);
    st = lstatOrUndefined(cur);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) throw refused(`Refused: ${shown(root, cur)} is a symlink; devops-pack never writes through symlinks (${what} ${shown(root, path)}).`, { path: shown(root, path), symlink: shown(root, cur) });
    if (i < parts.length - 1 && !st.isDirectory()) throw refused(`Refused: ${shown(root, cur)} is not a directory, but ${what} ${shown(root, path)} needs it to be one.`, { path: shown(root, path) });
  }
  return st;
}

/**
 * Creates `dir` (below `root`) one component at a time, refusing symlinks and
 * non-directories on the way. Returns the components it created, outermost first.
 */
export function mkdirNoFollow(root: string, dir: string, what: string): string[] {
  const rel = relative(root, dir);
  if (rel === "") return [];
  if (rel.startsWith("..") || rel.split(sep).includes("..")) throw refused(`Refused: ${what} ${dir} is outside ${root}.`, { path: dir });
  const created: string[] = [];
  let cur = root;
  for (const part of rel.split(sep)) {
    cur = join(cur, part);
    let st = lstatOrUndefined(cur);
    if (st === undefined) {
      try {
        mkdirSync(cur, { mode: 0o755 });
        created.push(cur);
      } catch (e) {
        if (errnoOf(e) !== "EEXIST") throw ioError(e, "create the directory", cur);
      }
      st = lstatOrUndefined(cur);
    }
    if (st === undefined || st.isSymbolicLink() || !st.isDirectory()) {
      throw refused(`Refused: ${shown(root, cur)} is ${st?.isSymbolicLink() === true ? "a symlink" : "not a directory"}; devops-pack never writes through symlinks (${what} ${shown(root, dir)}).`, { path: shown(root, cur) });
    }
  }
  return created;
}

const NOFOLLOW = constants.O_NOFOLLOW;

/** Writes all of `content` to an open descriptor (one `write` may be short). */
function writeAll(fd: number, content: string | Buffer): void {
  const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Creates `file` exclusively (it must not exist; a symlink there is refused by
 * the kernel), writes `content`, and fsyncs it.
 */
export function createFileExclusive(file: string, content: string | Buffer, mode = 0o644): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, mode);
  } catch (e) {
    throw ioError(e, "create", file);
  }
  try {
    writeAll(fd, content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(file);
    } catch (cleanup) {
      // Reported with the write failure: the partial file could not be removed either.
      throw ioError(e, `write (and then remove: ${(cleanup as Error).message})`, file);
    }
    throw ioError(e, "write", file);
  }
  closeSync(fd);
}

/** Fsyncs a directory so that renames and unlinks in it are durable. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | NOFOLLOW);
  } catch (e) {
    throw ioError(e, "open the directory", dir);
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    // Some file systems do not support fsync on directories; that is not a failed write.
    if (errnoOf(e) !== "EINVAL" && errnoOf(e) !== "ENOTSUP") throw ioError(e, "sync the directory", dir);
  } finally {
    closeSync(fd);
  }
}

/** A temporary name next to `file`, unique to this call. */
export function tempNameFor(file: string): string {
  return join(dirname(file), `.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Replaces `file` atomically: write a temporary file next to it (exclusive,
 * no-follow), fsync it, rename it over `file`, fsync the directory. A crash
 * leaves either the old content or the new one, never a torn file. The rename
 * replaces a symlink at `file` rather than following it; callers refuse those first.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  const tmp = tempNameFor(file);
  createFileExclusive(tmp, content);
  try {
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // The rename failure is the error to report; the temp file name is in it.
    }
    throw ioError(e, `replace (temporary file ${tmp})`, file);
  }
  fsyncDir(dirname(file));
}

/**
 * Writes `file` below `root` without following symlinks: every directory on the
 * way is checked (and created when missing) as a real directory, and an
 * existing file there must be a regular file. The write itself is atomic.
 */
export function writeFileBelow(root: string, file: string, content: string, what: string): void {
  mkdirNoFollow(root, dirname(file), what);
  const st = checkNoSymlinkBelow(root, file, what);
  if (st !== undefined && !st.isFile()) throw refused(`Refused: ${shown(root, file)} exists and is not a regular file (${what}).`, { path: shown(root, file) });
  writeFileAtomic(file, content);
}

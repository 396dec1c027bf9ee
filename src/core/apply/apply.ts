import { randomBytes } from "node:crypto";
import { closeSync, constants, copyFileSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { z } from "zod";
import { DevopsPackError, refused } from "../errors.js";
import { checkNoSymlinkBelow, createFileExclusive, errnoOf, fsyncDir, ioError, lstatIfExists, mkdirNoFollow, tempNameFor, writeFileAtomic } from "../fs-safe.js";
import type { Plan } from "../plans/plan.js";
import { canonicalJson, hasMarker, sha256 } from "../plans/plan.js";
import { unifiedDiff } from "./diff.js";

export type ChangeAction = "create" | "update" | "unchanged";

export interface FileChange {
  path: string;
  action: ChangeAction;
  /** Unified diff from the current file to the planned one ("" when unchanged). */
  diff: string;
}

export interface PreviewOptions {
  /** Overwrite existing files that devops-pack did not write, or that were edited since it did. */
  force?: boolean;
  /**
   * sha256 of what devops-pack last wrote at each path of this directory (from
   * the store). A file whose content differs was edited by hand and is not
   * overwritten without `force`, marker or not.
   */
  lastWritten?: ReadonlyMap<string, string>;
}

export interface ApplyOptions {
  /** Overwrite existing files that devops-pack did not write, or that were edited since it did. */
  force?: boolean;
  /** Called after each file is renamed into place (tests use it to simulate a crash). */
  afterRename?: (count: number) => void;
  /** Called after each file is staged (tests use it to inject a failing write, such as a full disk). */
  afterStage?: (count: number) => void;
}

/**
 * Where apply records what it does, so that a journal found on disk can be
 * trusted: the store (see `storeLedger`). Recovery acts only on a journal the
 * ledger opened for the same directory with the same content.
 */
export interface ApplyLedger {
  /** Records, durably, that an apply is about to write its journal into `dir`. */
  open(j: { journalId: string; planId: string; dir: string; journal: JournalBody }): Promise<void>;
  /** The journal the ledger recorded under this id. */
  lookup(journalId: string): Promise<{ dir: string; journal: unknown; status: "started" | "applied" | "rolled_back" } | undefined>;
  /** Journals of `dir` that were opened and never finished. */
  openFor(dir: string): Promise<string[]>;
  /** Marks an opened journal as rolled back (its apply was undone or never committed). */
  rolledBack(journalId: string, reason: string): Promise<void>;
  /**
   * Records a finished apply, with the sha256 of every file of the plan now in
   * `dir`; marks its journal (if any) applied, in one transaction.
   */
  commit(c: { journalId: string | undefined; planId: string; dir: string; written: string[]; hashes: Record<string, string> }): Promise<void>;
  /** sha256 of what devops-pack last wrote at each of `paths` in `dir`. */
  lastWritten(dir: string, paths: readonly string[]): Promise<Map<string, string>>;
}

export interface ApplyReport {
  dir: string;
  changes: FileChange[];
  written: string[];
  /** An interrupted earlier apply that was rolled back (or cleaned up) first, if any. */
  recovered?: RecoveryReport;
}

export interface RecoveryReport {
  planId: string;
  restored: string[];
  removed: string[];
  /**
   * What recovery did: `rolled-back` an interrupted apply; `cleaned-up` after an
   * apply the store records as finished; `cleared-torn` an empty or unparsable
   * journal whose staging area showed nothing was committed.
   */
  outcome: "rolled-back" | "cleaned-up" | "cleared-torn";
}

const JOURNAL_VERSION = 1;
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;
/** Longest artifact path segment and path, in bytes (file systems refuse names over 255 bytes). */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 1024;

const journalEntry = z.object({ path: z.string(), existed: z.boolean(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const journalBody = z.object({ planId: z.string().min(1), entries: z.array(journalEntry), createdDirs: z.array(z.string()) }).strict();
const journalFile = journalBody
  .extend({ version: z.literal(JOURNAL_VERSION), id: z.string().regex(/^[0-9a-f]{32}$/), phase: z.enum(["prepare", "commit"]), pid: z.number().int() })
  .strict();

/** What a journal says to undo; the ledger records it before the file is written. */
export type JournalBody = z.infer<typeof journalBody>;
type Journal = z.infer<typeof journalFile>;

const STATE_DIR = ".devops-pack";
/** Segments an artifact may never contain, compared case-insensitively. */
const FORBIDDEN_SEGMENTS = [".git", STATE_DIR];

/** Refuse any artifact path that is not a plain relative path inside the target. */
export function checkArtifactPath(dir: string, path: string): string {
  const problems: string[] = [];
  if (path.length === 0) problems.push("empty path");
  if (path.includes("\0")) problems.push("NUL byte in path");
  if (path.includes("\\")) problems.push("backslash in path");
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) problems.push("absolute path");
  const segments = path.split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "")) problems.push("'..', '.' or empty segment");
  const forbidden = segments.find((s) => FORBIDDEN_SEGMENTS.includes(s.toLowerCase()));
  if (forbidden !== undefined) problems.push(`writes into ${forbidden}/ (no segment may be ${FORBIDDEN_SEGMENTS.join(" or ")}, in any case)`);
  if (segments.some((s) => Buffer.byteLength(s, "utf8") > MAX_SEGMENT_BYTES)) problems.push(`a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  if (Buffer.byteLength(path, "utf8") > MAX_PATH_BYTES) problems.push(`longer than ${MAX_PATH_BYTES} bytes`);
  const target = resolve(dir, path);
  if (!target.startsWith(dir + sep)) problems.push("resolves outside the target directory");
  if (problems.length > 0) throw refused(`Refused: artifact path '${path.slice(0, 200)}' escapes or is unsafe for ${dir} (${problems.join(", ")}).`, { path, problems });
  return target;
}

/** The artifact's target, checked: a safe path, no symlink on the way, a regular file if it exists. */
function checkTarget(root: string, path: string): { target: string; exists: boolean } {
  const target = checkArtifactPath(root, path);
  const st = checkNoSymlinkBelow(root, target, "artifact");
  if (st !== undefined && !st.isFile()) throw refused(`Refused: ${path} exists and is not a regular file.`, { path });
  return { target, exists: st !== undefined };
}

function targetDir(dir: string): string {
  const abs = resolve(dir);
  const st = lstatIfExists(abs);
  if (st !== undefined && !st.isDirectory() && !st.isSymbolicLink()) throw refused(`Refused: --dir ${dir} is not a directory.`);
  return abs;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw ioError(e, "read", file);
  }
}

/** What apply would do, with diffs. Checks every path; touches nothing. */
export function previewApply(plan: Plan, dir: string, opts: PreviewOptions = {}): FileChange[] {
  const root = targetDir(dir);
  const changes: FileChange[] = [];
  const seen = new Set<string>();
  for (const a of plan.artifacts) {
    if (seen.has(a.path)) throw refused(`Refused: the plan writes ${a.path} twice.`);
    seen.add(a.path);
    const { target, exists } = checkTarget(root, a.path);
    if (!exists) {
      changes.push({ path: a.path, action: "create", diff: unifiedDiff("", a.content, "/dev/null", `b/${a.path}`) });
      continue;
    }
    const current = readText(target);
    if (current === a.content) {
      changes.push({ path: a.path, action: "unchanged", diff: "" });
      continue;
    }
    if (!opts.force) {
      const last = opts.lastWritten?.get(a.path);
      if (last !== undefined && sha256(current) !== last) {
        throw refused(`Refused: ${a.path} was edited after devops-pack last wrote it (its content differs from what the last apply left there). Re-run with --force to overwrite the edits, or move them out of the file first.`, { path: a.path });
      }
      if (last === undefined && !hasMarker(current)) {
        throw refused(`Refused: ${a.path} exists and has no devops-pack marker, so a person wrote or edited it. Re-run with --force to overwrite it.`, { path: a.path });
      }
    }
    changes.push({ path: a.path, action: "update", diff: unifiedDiff(current, a.content, `a/${a.path}`, `b/${a.path}`) });
  }
  return changes;
}

function paths(root: string) {
  const state = join(root, STATE_DIR);
  return {
    state,
    journal: join(state, "apply-journal.json"),
    lock: join(state, "apply.lock"),
    staging: join(state, "apply-staging"),
  };
}

type Paths = ReturnType<typeof paths>;

// --- the lock ----------------------------------------------------------------

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === "EPERM";
  }
}

/** The holder of a lock file: its pid (NaN when unreadable) and inode; undefined when it is gone. */
function lockHolder(file: string): { pid: number; ino: number } | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return undefined;
    const st = lstatIfExists(file);
    // A symlink (ELOOP) or unreadable entry is not a lock we wrote: stale.
    return st === undefined ? undefined : { pid: Number.NaN, ino: st.ino };
  }
  try {
    const ino = fstatSync(fd).ino;
    const text = readFileSync(fd, "utf8");
    return { pid: /^\d+ [0-9a-f]+\n$/.test(text) ? Number.parseInt(text, 10) : Number.NaN, ino };
  } finally {
    closeSync(fd);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface LockHandle {
  file: string;
  ino: number;
}

/**
 * Publishes a lock file atomically: the pid is written to a temporary file which
 * is then hard-linked to the lock's name, so the lock is never visible without
 * its owner. Returns the inode on success, the holder on EEXIST.
 */
function tryLink(file: string, content: string): { ino: number } | { held: true } {
  const tmp = tempNameFor(file);
  createFileExclusive(tmp, content);
  try {
    linkSync(tmp, file);
    return { ino: lstatIfExists(file)!.ino };
  } catch (e) {
    if (errnoOf(e) === "EEXIST") return { held: true };
    throw ioError(e, "take the lock", file);
  } finally {
    unlinkSync(tmp);
  }
}

function lockContent(): string {
  return `${process.pid} ${randomBytes(8).toString("hex")}\n`;
}

/**
 * Removes a stale lock race-free. Only the holder of `<lock>.takeover` (itself
 * taken with a link) may remove a stale lock, and it removes it only if the lock
 * is still the same file (inode) and its owner is still dead. Live locks are only
 * ever removed by their owners, so nothing can replace the lock in between.
 */
function takeOverStale(lock: string, staleIno: number): void {
  const mutex = `${lock}.takeover`;
  const got = tryLink(mutex, lockContent());
  if ("held" in got) {
    const holder = lockHolder(mutex);
    if (holder !== undefined && !Number.isNaN(holder.pid) && !pidAlive(holder.pid)) {
      throw refused(`Refused: ${mutex} was left by a process (pid ${holder.pid}) that died while it took over a stale apply lock. Check that no apply is running, then delete ${mutex} and ${lock}.`, { path: mutex });
    }
    sleepSync(2); // someone else is taking the stale lock over; look again
    return;
  }
  try {
    const now = lockHolder(lock);
    if (now !== undefined && now.ino === staleIno && (Number.isNaN(now.pid) || !pidAlive(now.pid))) {
      try {
        unlinkSync(lock);
      } catch (e) {
        if (errnoOf(e) !== "ENOENT") throw ioError(e, "remove the stale lock", lock);
      }
    }
  } finally {
    releaseLock({ file: mutex, ino: got.ino });
  }
}

/** Takes the apply lock of a directory's state directory, or refuses naming the live holder. */
export function acquireLock(lock: string): LockHandle {
  for (let attempt = 0; attempt < 50; attempt++) {
    const got = tryLink(lock, lockContent());
    if (!("held" in got)) return { file: lock, ino: got.ino };
    const holder = lockHolder(lock);
    if (holder === undefined) continue; // released in between: try again
    if (!Number.isNaN(holder.pid) && pidAlive(holder.pid)) {
      throw refused(`Refused: another apply (pid ${holder.pid}) is writing into this directory. Try again when it finishes.`, { pid: holder.pid });
    }
    takeOverStale(lock, holder.ino);
  }
  throw refused(`Refused: could not take the apply lock ${lock}; another apply kept taking it. Try again.`);
}

/** Releases a lock this process holds (and only if the file there is still ours). */
export function releaseLock(h: LockHandle): void {
  const st = lstatIfExists(h.file);
  if (st === undefined || st.ino !== h.ino) return;
  try {
    unlinkSync(h.file);
  } catch (e) {
    if (errnoOf(e) !== "ENOENT") throw ioError(e, "release the lock", h.file);
  }
}

// --- the journal -------------------------------------------------------------

function journalRefusal(p: Paths, why: string): DevopsPackError {
  return refused(
    `Refused: the apply journal ${p.journal} ${why}. devops-pack did not act on it and changed nothing. ` +
      `Inspect it and ${p.staging} (an interrupted apply keeps the original files under apply-staging/backup/), ` +
      `restore anything you need by hand, then delete both and run apply again.`,
    { path: p.journal },
  );
}

/** Every path a journal names must pass the same checks as an artifact path. */
function checkJournalPaths(root: string, p: Paths, j: JournalBody): void {
  const dirs = new Set<string>();
  for (const e of j.entries) {
    try {
      checkTarget(root, e.path);
    } catch (err) {
      throw journalRefusal(p, `names an unsafe path (${(err as Error).message})`);
    }
    for (let d = dirname(e.path); d !== "."; d = dirname(d)) dirs.add(d);
  }
  for (const d of j.createdDirs) {
    if (!dirs.has(d)) throw journalRefusal(p, `lists a created directory '${d.slice(0, 200)}' that holds none of its files`);
    const st = checkNoSymlinkBelow(root, checkArtifactPath(root, d), "directory");
    if (st !== undefined && !st.isDirectory()) throw journalRefusal(p, `lists '${d}' as a created directory, but it is not one`);
  }
}

type JournalRead = { kind: "none" } | { kind: "torn"; why: string } | { kind: "ok"; journal: Journal };

function readJournal(root: string, p: Paths): JournalRead {
  const st = lstatIfExists(p.journal);
  if (st === undefined) return { kind: "none" };
  if (st.isSymbolicLink() || !st.isFile()) throw journalRefusal(p, "is a symlink or not a regular file");
  if (st.size > MAX_JOURNAL_BYTES) throw journalRefusal(p, `is ${st.size} bytes, more than any journal devops-pack writes`);
  let text: string;
  let fd: number;
  try {
    fd = openSync(p.journal, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw ioError(e, "open the apply journal", p.journal);
  }
  try {
    text = readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
  if (text.trim() === "") return { kind: "torn", why: "is empty" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: "torn", why: `is not valid JSON (${(e as Error).message})` };
  }
  const parsed = journalFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw journalRefusal(p, `is not a journal devops-pack wrote (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "wrong shape"})`);
  }
  checkJournalPaths(root, p, parsed.data);
  return { kind: "ok", journal: parsed.data };
}

function bodyOf(j: JournalBody): JournalBody {
  return { planId: j.planId, entries: j.entries, createdDirs: j.createdDirs };
}

function writeJournal(p: Paths, j: Journal): void {
  writeFileAtomic(p.journal, JSON.stringify(j));
}

/** Removes the staging area (a real directory below the state directory; symlinks inside are unlinked, never followed). */
function clearStaging(root: string, p: Paths): void {
  const st = checkNoSymlinkBelow(root, p.staging, "staging area");
  if (st === undefined) return;
  try {
    rmSync(p.staging, { recursive: true, force: true });
  } catch (e) {
    throw ioError(e, "remove the staging area", p.staging);
  }
}

function removeJournal(p: Paths): void {
  try {
    unlinkSync(p.journal);
  } catch (e) {
    if (errnoOf(e) !== "ENOENT") throw ioError(e, "remove the apply journal", p.journal);
  }
  fsyncDir(p.state);
}

function fileSha(file: string): string | undefined {
  const st = lstatIfExists(file);
  if (st === undefined || !st.isFile()) return undefined;
  return sha256(readText(file));
}

/**
 * Undo the renames of an apply from its (validated) journal: put back each
 * backed-up original, remove each created file, but only where the file there
 * is still exactly what the apply wrote, so nothing anyone else wrote is lost.
 */
function rollBack(root: string, p: Paths, j: JournalBody): { restored: string[]; removed: string[] } {
  const restored: string[] = [];
  const removed: string[] = [];
  for (const e of j.entries) {
    const target = join(root, e.path);
    checkNoSymlinkBelow(root, target, "artifact");
    const current = fileSha(target);
    if (e.existed) {
      const backup = join(p.staging, "backup", e.path);
      const bst = checkNoSymlinkBelow(root, backup, "backup");
      if (bst?.isFile() === true && (current === undefined || current === e.sha256)) {
        mkdirNoFollow(root, dirname(target), "artifact");
        try {
          renameSync(backup, target);
        } catch (err) {
          throw ioError(err, "restore the original of", target);
        }
        restored.push(e.path);
      }
    } else if (current !== undefined && current === e.sha256) {
      try {
        unlinkSync(target);
      } catch (err) {
        throw ioError(err, "remove", target);
      }
      removed.push(e.path);
    }
  }
  for (const d of [...j.createdDirs].reverse()) {
    const abs = join(root, d);
    const st = lstatIfExists(abs);
    if (st === undefined || !st.isDirectory()) continue;
    if (readdirSync(abs).length === 0) rmdirSync(abs);
  }
  return { restored, removed };
}

/** True when the staging area shows that no staged file was renamed into place. */
function nothingCommitted(root: string, p: Paths): boolean {
  const backup = join(p.staging, "backup");
  if (checkNoSymlinkBelow(root, backup, "backup") === undefined) return true;
  const walk = (rel: string): boolean => {
    for (const name of readdirSync(join(backup, rel))) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const st = lstatIfExists(join(backup, r));
      if (st?.isDirectory() === true) {
        if (!walk(r)) return false;
      } else if (lstatIfExists(join(p.staging, "new", r))?.isFile() !== true) return false;
    }
    return true;
  };
  return walk("");
}

/** Recovery, with the lock held. */
async function recoverLocked(root: string, p: Paths, ledger: ApplyLedger): Promise<RecoveryReport | undefined> {
  const read = readJournal(root, p);
  if (read.kind === "none") {
    // A staging area without a journal holds nothing to undo (the journal is written first).
    clearStaging(root, p);
    return undefined;
  }
  if (read.kind === "torn") {
    // Journals are written atomically, so a torn one is not from an apply of this
    // version. It is never acted on; when nothing was committed it is only cleared.
    if (!nothingCommitted(root, p)) throw journalRefusal(p, `${read.why}, and the staging area shows an apply was part-way through renaming files`);
    const open = await ledger.openFor(root);
    clearStaging(root, p);
    removeJournal(p);
    for (const id of open) await ledger.rolledBack(id, `journal ${read.why}; nothing was committed`);
    return { planId: "unknown", restored: [], removed: [], outcome: "cleared-torn" };
  }
  const j = read.journal;
  const known = await ledger.lookup(j.id);
  if (known === undefined) throw journalRefusal(p, `has id ${j.id}, which the store does not know: no apply recorded writing it`);
  if (known.dir !== root) throw journalRefusal(p, `belongs to an apply into ${known.dir}, not ${root}`);
  if (canonicalJson(known.journal) !== canonicalJson(bodyOf(j))) throw journalRefusal(p, `differs from the journal the store recorded for apply ${j.id}`);
  if (known.status !== "started") {
    // The apply finished (or was rolled back) and crashed before removing its journal.
    clearStaging(root, p);
    removeJournal(p);
    return { planId: j.planId, restored: [], removed: [], outcome: "cleaned-up" };
  }
  const undone = j.phase === "commit" ? rollBack(root, p, j) : { restored: [], removed: [] };
  clearStaging(root, p);
  await ledger.rolledBack(j.id, "interrupted apply rolled back");
  removeJournal(p);
  return { planId: j.planId, ...undone, outcome: "rolled-back" };
}

/** Makes sure `<root>/.devops-pack` is a real directory (created when missing). */
function ensureStateDir(root: string, p: Paths): void {
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw ioError(e, "create the target directory", root);
  }
  mkdirNoFollow(root, p.state, "state directory");
}

/**
 * Roll back an apply that was interrupted (crash, kill, power loss), using its
 * journal: restore the files it replaced, remove the files it created. The
 * journal is hostile input: it is acted on only when it is well-formed, every
 * path in it is safe, and the ledger (the store) recorded the same journal for
 * this directory. Anything else is refused and left alone.
 */
export async function recoverInterruptedApply(dir: string, ledger: ApplyLedger): Promise<RecoveryReport | undefined> {
  const root = targetDir(dir);
  const p = paths(root);
  const st = checkNoSymlinkBelow(root, p.state, "state directory");
  if (st === undefined) return undefined;
  const lock = acquireLock(p.lock);
  try {
    return await recoverLocked(root, p, ledger);
  } finally {
    releaseLock(lock);
  }
}

/**
 * Write a plan's artifacts into `dir`: all or nothing. The ledger records the
 * journal first; then the journal is written (atomically), every new file is
 * written and fsynced in a staging area, originals are backed up, and files are
 * renamed into place. A failure rolls back; a crash is rolled back by the next
 * apply. The caller must have checked gates and approvals (see the manager).
 */
export async function applyPlan(plan: Plan, dir: string, ledger: ApplyLedger, opts: ApplyOptions = {}): Promise<ApplyReport> {
  const root = targetDir(dir);
  const p = paths(root);
  ensureStateDir(root, p);
  const lock = acquireLock(p.lock);
  try {
    const recovered = await recoverLocked(root, p, ledger);
    const lastWritten = await ledger.lastWritten(root, plan.artifacts.map((a) => a.path));
    const changes = previewApply(plan, root, { ...(opts.force !== undefined ? { force: opts.force } : {}), lastWritten });
    const toWrite = changes.filter((c) => c.action !== "unchanged");
    const byPath = new Map(plan.artifacts.map((a) => [a.path, a]));
    const hashes = Object.fromEntries(plan.artifacts.map((a) => [a.path, sha256(a.content)]));
    const written = toWrite.map((c) => c.path);
    const finish = (): ApplyReport => ({ dir: root, changes, written, ...(recovered ? { recovered } : {}) });

    if (toWrite.length === 0) {
      await ledger.commit({ journalId: undefined, planId: plan.id, dir: root, written, hashes });
      return finish();
    }

    const createdDirs: string[] = [];
    for (const c of toWrite) {
      const chain: string[] = [];
      for (let d = dirname(c.path); d !== "." && lstatIfExists(join(root, d)) === undefined; d = dirname(d)) chain.unshift(d);
      for (const x of chain) if (!createdDirs.includes(x)) createdDirs.push(x);
    }
    const body: JournalBody = {
      planId: plan.id,
      entries: toWrite.map((c) => ({ path: c.path, existed: c.action === "update", sha256: hashes[c.path]! })),
      createdDirs,
    };
    const journal: Journal = { version: JOURNAL_VERSION, id: randomBytes(16).toString("hex"), phase: "prepare", pid: process.pid, ...body };
    await ledger.open({ journalId: journal.id, planId: plan.id, dir: root, journal: body });

    // Prepare: stage every new file and back up every original. Nothing in the tree changes yet.
    try {
      writeJournal(p, journal);
      let staged = 0;
      for (const c of toWrite) {
        const file = join(p.staging, "new", c.path);
        mkdirNoFollow(root, dirname(file), "staging area");
        createFileExclusive(file, byPath.get(c.path)!.content);
        if (c.action === "update") {
          const backup = join(p.staging, "backup", c.path);
          mkdirNoFollow(root, dirname(backup), "staging area");
          try {
            copyFileSync(join(root, c.path), backup, constants.COPYFILE_EXCL);
          } catch (e) {
            throw ioError(e, "back up", join(root, c.path));
          }
        }
        staged++;
        opts.afterStage?.(staged);
      }
      fsyncDir(p.state);
      journal.phase = "commit";
      writeJournal(p, journal);
    } catch (e) {
      clearStaging(root, p);
      removeJournal(p);
      await ledger.rolledBack(journal.id, `staging failed: ${(e as Error).message}`);
      throw failed(e, `Apply of plan ${plan.id} failed while staging its files; nothing in ${root} changed`);
    }

    // Commit: rename the staged files into place, then record the apply.
    let renamed = 0;
    try {
      for (const c of toWrite) {
        const target = join(root, c.path);
        mkdirNoFollow(root, dirname(target), "artifact");
        checkTarget(root, c.path);
        try {
          renameSync(join(p.staging, "new", c.path), target);
        } catch (e) {
          throw ioError(e, "write", target);
        }
        renamed++;
        opts.afterRename?.(renamed);
      }
      await ledger.commit({ journalId: journal.id, planId: plan.id, dir: root, written, hashes });
    } catch (e) {
      // All or nothing: put back what was there before, then report the failure.
      rollBack(root, p, body);
      clearStaging(root, p);
      await ledger.rolledBack(journal.id, `apply failed after ${renamed} of ${toWrite.length} files: ${(e as Error).message}`);
      removeJournal(p);
      throw failed(e, `Apply of plan ${plan.id} failed after ${renamed} of ${toWrite.length} files and was rolled back; nothing in ${root} changed`);
    }
    clearStaging(root, p);
    removeJournal(p);
    return finish();
  } finally {
    releaseLock(lock);
  }
}

/** A failure during apply, with what happened to the tree; keeps the cause's code when it is typed. */
function failed(e: unknown, what: string): DevopsPackError {
  const typed = e instanceof DevopsPackError ? e : ioError(e, "write", "the staged files");
  const err = new DevopsPackError(typed.code, `${what}: ${typed.message}`, typed.data);
  err.cause = e;
  return err;
}

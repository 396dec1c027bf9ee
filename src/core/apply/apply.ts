import { closeSync, copyFileSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { DevopsPackError, refused } from "../errors.js";
import type { Plan } from "../plans/plan.js";
import { hasMarker } from "../plans/plan.js";
import { unifiedDiff } from "./diff.js";

export type ChangeAction = "create" | "update" | "unchanged";

export interface FileChange {
  path: string;
  action: ChangeAction;
  /** Unified diff from the current file to the planned one ("" when unchanged). */
  diff: string;
}

export interface ApplyOptions {
  /** Overwrite existing files that lack the generated marker (files the user wrote or edited). */
  force?: boolean;
  /** Called after each file is renamed into place (tests use it to simulate a crash). */
  afterRename?: (count: number) => void;
}

export interface ApplyReport {
  dir: string;
  changes: FileChange[];
  written: string[];
  /** An interrupted earlier apply that was rolled back first, if any. */
  recovered?: RecoveryReport;
}

export interface RecoveryReport {
  planId: string;
  restored: string[];
  removed: string[];
}

interface JournalEntry {
  path: string;
  existed: boolean;
}

interface Journal {
  planId: string;
  phase: "prepare" | "commit";
  pid: number;
  entries: JournalEntry[];
  createdDirs: string[];
}

const STATE_DIR = ".devops-pack";
const FORBIDDEN_ROOTS = [".git", STATE_DIR];

/** Refuse any artifact path that is not a plain relative path inside the target. */
export function checkArtifactPath(dir: string, path: string): string {
  const problems: string[] = [];
  if (path.length === 0) problems.push("empty path");
  if (path.includes("\0")) problems.push("NUL byte in path");
  if (path.includes("\\")) problems.push("backslash in path");
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) problems.push("absolute path");
  const segments = path.split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "")) problems.push("'..', '.' or empty segment");
  if (FORBIDDEN_ROOTS.includes(segments[0] ?? "")) problems.push(`writes into ${segments[0]}/`);
  const target = resolve(dir, path);
  if (!target.startsWith(dir + sep)) problems.push("resolves outside the target directory");
  if (problems.length > 0) throw refused(`Refused: artifact path '${path}' escapes or is unsafe for ${dir} (${problems.join(", ")}).`, { path, problems });
  return target;
}

/** Refuse when any existing component between `dir` and `target` is a symlink. */
function checkNoSymlink(dir: string, target: string, path: string): void {
  const parts = relative(dir, target).split(sep);
  let cur = dir;
  for (const part of parts) {
    cur = join(cur, part);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return; // the rest does not exist yet; mkdir creates real directories
    }
    if (st.isSymbolicLink()) throw refused(`Refused: ${relative(dir, cur)} is a symlink; apply never writes through symlinks (artifact ${path}).`, { path, symlink: relative(dir, cur) });
    if (cur !== target && !st.isDirectory()) throw refused(`Refused: ${relative(dir, cur)} is a file, but artifact ${path} needs it to be a directory.`, { path });
    if (cur === target && !st.isFile()) throw refused(`Refused: ${path} exists and is not a regular file.`, { path });
  }
}

function targetDir(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(abs)) {
    if (!lstatSync(abs).isDirectory() && !lstatSync(abs).isSymbolicLink()) throw refused(`Refused: --dir ${dir} is not a directory.`);
  }
  return abs;
}

/** What apply would do, with diffs. Checks every path; touches nothing. */
export function previewApply(plan: Plan, dir: string, opts: ApplyOptions = {}): FileChange[] {
  const root = targetDir(dir);
  const changes: FileChange[] = [];
  const seen = new Set<string>();
  for (const a of plan.artifacts) {
    if (seen.has(a.path)) throw refused(`Refused: the plan writes ${a.path} twice.`);
    seen.add(a.path);
    const target = checkArtifactPath(root, a.path);
    checkNoSymlink(root, target, a.path);
    if (!existsSync(target)) {
      changes.push({ path: a.path, action: "create", diff: unifiedDiff("", a.content, "/dev/null", `b/${a.path}`) });
      continue;
    }
    const current = readFileSync(target, "utf8");
    if (current === a.content) {
      changes.push({ path: a.path, action: "unchanged", diff: "" });
      continue;
    }
    if (!hasMarker(current) && !opts.force) {
      throw refused(`Refused: ${a.path} exists and has no devops-pack marker, so a person wrote or edited it. Re-run with --force to overwrite it.`, { path: a.path });
    }
    changes.push({ path: a.path, action: "update", diff: unifiedDiff(current, a.content, `a/${a.path}`, `b/${a.path}`) });
  }
  return changes;
}

function writeDurable(file: string, content: string): void {
  const fd = openSync(file, "w", 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function acquireLock(lock: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number.parseInt(readFileSync(lock, "utf8"), 10);
      if (Number.isFinite(holder) && holder !== process.pid && pidAlive(holder)) {
        throw refused(`Refused: another apply (pid ${holder}) is writing into this directory. Try again when it finishes.`, { pid: holder });
      }
      unlinkSync(lock); // stale lock from a crashed process
    }
  }
  throw refused("Refused: could not take the apply lock.");
}

/**
 * Roll back an apply that was interrupted (crash, kill, power loss), using its
 * journal: restore the files it replaced, remove the files it created.
 */
export function recoverInterruptedApply(dir: string): RecoveryReport | undefined {
  const root = targetDir(dir);
  const journalPath = join(root, STATE_DIR, "apply-journal.json");
  if (!existsSync(journalPath)) return undefined;
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
  const p = paths(root);
  const report: RecoveryReport = { planId: journal.planId, restored: [], removed: [] };
  if (journal.phase === "commit") {
    for (const e of journal.entries) {
      const target = join(root, e.path);
      const backup = join(p.staging, "backup", e.path);
      if (e.existed) {
        if (existsSync(backup)) {
          renameSync(backup, target);
          report.restored.push(e.path);
        }
      } else if (existsSync(target)) {
        unlinkSync(target);
        report.removed.push(e.path);
      }
    }
    for (const d of [...journal.createdDirs].reverse()) {
      try {
        rmdirSync(join(root, d));
      } catch {
        // not empty or already gone: leave it
      }
    }
  }
  rmSync(p.staging, { recursive: true, force: true });
  unlinkSync(journalPath);
  return report;
}

/**
 * Write a plan's artifacts into `dir`: all or nothing. Every new file is first
 * written and fsynced in a staging area, originals are backed up, a journal is
 * written, then files are renamed into place. A crash at any point is rolled
 * back by `recoverInterruptedApply` (run automatically by the next apply).
 * The caller must have checked gates and approvals (see the manager).
 */
export function applyPlan(plan: Plan, dir: string, opts: ApplyOptions = {}): ApplyReport {
  const root = targetDir(dir);
  mkdirSync(join(root, STATE_DIR), { recursive: true });
  const p = paths(root);
  acquireLock(p.lock);
  try {
    const recovered = recoverInterruptedApply(root);
    const changes = previewApply(plan, root, opts);
    const toWrite = changes.filter((c) => c.action !== "unchanged");
    const byPath = new Map(plan.artifacts.map((a) => [a.path, a]));

    const createdDirs: string[] = [];
    for (const c of toWrite) {
      let d = dirname(c.path);
      const chain: string[] = [];
      while (d !== "." && !existsSync(join(root, d))) {
        chain.unshift(d);
        d = dirname(d);
      }
      for (const x of chain) if (!createdDirs.includes(x)) createdDirs.push(x);
    }
    const journal: Journal = {
      planId: plan.id,
      phase: "prepare",
      pid: process.pid,
      entries: toWrite.map((c) => ({ path: c.path, existed: c.action === "update" })),
      createdDirs,
    };
    writeDurable(p.journal, JSON.stringify(journal));

    for (const c of toWrite) {
      const staged = join(p.staging, "new", c.path);
      mkdirSync(dirname(staged), { recursive: true });
      writeDurable(staged, byPath.get(c.path)!.content);
      if (c.action === "update") {
        const backup = join(p.staging, "backup", c.path);
        mkdirSync(dirname(backup), { recursive: true });
        copyFileSync(join(root, c.path), backup);
      }
    }
    journal.phase = "commit";
    writeDurable(p.journal, JSON.stringify(journal));

    let renamed = 0;
    try {
      for (const c of toWrite) {
        const target = join(root, c.path);
        mkdirSync(dirname(target), { recursive: true });
        renameSync(join(p.staging, "new", c.path), target);
        renamed++;
        opts.afterRename?.(renamed);
      }
    } catch (e) {
      // All or nothing: put back what was there before, then report the failure.
      recoverInterruptedApply(root);
      throw new DevopsPackError("INTERNAL", `Apply failed after ${renamed} of ${toWrite.length} files and was rolled back; nothing changed: ${(e as Error).message}`);
    }
    unlinkSync(p.journal);
    rmSync(p.staging, { recursive: true, force: true });
    const report: ApplyReport = { dir: root, changes, written: toWrite.map((c) => c.path) };
    if (recovered) report.recovered = recovered;
    return report;
  } finally {
    try {
      unlinkSync(p.lock);
    } catch {
      // already gone
    }
  }
}


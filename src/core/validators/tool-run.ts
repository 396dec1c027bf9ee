/**
 * What the validators that run a real binary share: starting a tool process
 * (a missing binary is an outcome, not an exception), reading its version once,
 * writing a plan into a fresh temporary directory so that tools can follow the
 * relative paths one file gives to another, Go-style glob matching over plan
 * paths, a bound on concurrent processes and a cache keyed by content.
 * Nothing here throws for a tool's failure; callers turn outcomes into Issues.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Artifact } from "../plans/plan.js";
import type { Issue, Result } from "../result.js";

/** A finished run: exit code and stdout and stderr interleaved as the tool wrote them. */
export interface ToolRun {
  kind: "done";
  code: number | null;
  output: string;
}
export type ToolOutcome = ToolRun | { kind: "missing"; message: string } | { kind: "error"; message: string };

const DEFAULT_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------
// Bounded concurrency: independent tool processes run at once, a few per CPU
// (much of a short Go tool's run is start-up and file reads, not computation).

const MAX_PROCESSES = Math.max(4, 2 * availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PROCESSES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

// ---------------------------------------------------------------------------
// Busy time: how long at least one tool process was running (the union of
// their lifetimes), so a benchmark can leave out the time spent inside the
// tools themselves.

let active = 0;
let busySince = 0;
let busyTotal = 0;

function toolStarted(): void {
  if (active++ === 0) busySince = performance.now();
}

function toolEnded(): void {
  if (--active === 0) busyTotal += performance.now() - busySince;
}

/** Milliseconds during which at least one tool process ran, since the process started. */
export function toolBusyMs(): number {
  return busyTotal + (active > 0 ? performance.now() - busySince : 0);
}

/**
 * Run `command args…` in `cwd`, stdout and stderr going to one file so that
 * their order is kept (promtool writes a file's verdict to stdout and its
 * errors to stderr). A binary that is not on PATH is `missing`; a timeout or a
 * failure to start is `error`.
 */
export function runTool(command: string, args: readonly string[], opts: { cwd: string; installHint: string; timeoutMs?: number }): Promise<ToolOutcome> {
  return slot(
    () =>
      new Promise<ToolOutcome>((resolve) => {
        let outDir: string | undefined;
        let fd: number | undefined;
        let settled = false;
        let started = false;
        const finish = (o: ToolOutcome | ((output: string) => ToolOutcome)): void => {
          if (settled) return;
          settled = true;
          if (started) toolEnded();
          let output = "";
          if (fd !== undefined) {
            closeSync(fd);
            output = readFileSync(join(outDir!, "output"), "utf8");
          }
          if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
          resolve(typeof o === "function" ? o(output) : o);
        };
        try {
          outDir = mkdtempSync(join(tmpdir(), "devops-pack-out-"));
          fd = openSync(join(outDir, "output"), "w");
        } catch (e) {
          finish({ kind: "error", message: `could not create a temporary file for ${command}'s output: ${(e as Error).message}` });
          return;
        }
        let child;
        try {
          child = spawn(command, [...args], { cwd: opts.cwd, stdio: ["ignore", fd, fd], env: { ...process.env, LC_ALL: "C" } });
          started = true;
          toolStarted();
        } catch (e) {
          finish({ kind: "error", message: `${command} could not be started: ${(e as Error).message}` });
          return;
        }
        const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          finish({ kind: "error", message: `${command} ${args[0] ?? ""} did not finish within ${timeoutMs / 1000} s` });
        }, timeoutMs);
        child.on("error", (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          finish(e.code === "ENOENT" ? { kind: "missing", message: `${command} is not installed or not on PATH; ${opts.installHint}` } : { kind: "error", message: `${command} failed to run: ${e.message}` });
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          finish((output) => ({ kind: "done", code, output }));
        });
      }),
  );
}

const versions = new Map<string, Promise<string | undefined>>();

/** The version a tool reports with `--version` (e.g. "2.42.0+ds"), read once per process; undefined when it cannot be run. */
export function toolVersion(command: string): Promise<string | undefined> {
  let v = versions.get(command);
  if (!v) {
    v = runTool(command, ["--version"], { cwd: tmpdir(), installHint: "", timeoutMs: 10_000 }).then((r) => (r.kind === "done" ? /version\s+(\S+)/.exec(r.output)?.[1] : undefined));
    // A missing tool may be installed later in the same process: do not remember the failure.
    void v.then((found) => {
      if (found === undefined) versions.delete(command);
    });
    versions.set(command, v);
  }
  return v;
}

// ---------------------------------------------------------------------------
// Plans on disk

/** Why a plan path cannot be written under a directory, or undefined when it can. */
export function unsafePathReason(path: string): string | undefined {
  if (path === "") return "the path is empty";
  if (path.includes("\0")) return "the path contains a NUL byte";
  if (path.includes("\\")) return "the path contains a backslash; plan paths are POSIX paths";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "the path is absolute; plan paths are relative to the target directory";
  if (path.split("/").some((s) => s === "..")) return "the path contains '..' and would escape the target directory";
  if (path.split("/").some((s) => s === "" || s === ".")) return "the path has an empty or '.' segment";
  return undefined;
}

export interface PlanDir {
  /** The directory the plan was written to. */
  dir: string;
  /** Plan paths written, in order. */
  written: Set<string>;
  /** Artifacts that were not written, with the reason. */
  skipped: Issue[];
}

/**
 * Write `files` under a fresh temporary directory, keeping their relative
 * paths, run `fn`, then remove the directory. A path that is absolute or
 * contains `..` is never written; it is reported in `skipped`.
 */
export async function withPlanDir<T>(files: readonly Pick<Artifact, "path" | "content">[], fn: (plan: PlanDir) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "devops-pack-plan-"));
  try {
    const written = new Set<string>();
    const skipped: Issue[] = [];
    for (const f of files) {
      const reason = unsafePathReason(f.path);
      if (reason !== undefined) {
        skipped.push({ message: `${f.path} was not written for the check: ${reason}`, path: f.path, kind: "unsafe-path" });
        continue;
      }
      try {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content, "utf8");
        written.add(f.path);
      } catch (e) {
        skipped.push({ message: `${f.path} could not be written for the check: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path: f.path, kind: "unwritable" });
      }
    }
    return await fn({ dir, written, skipped });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Globs as Go's filepath.Match reads them (promtool and amtool expand rule_files, tests' rule_files and templates with it).

/** A RegExp for a Go filepath.Match pattern: `*` and `?` stop at `/`, `[...]` classes, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      // Go writes a negated class [^...] as JavaScript does; the body is used as it is.
      re += `[${pattern.slice(i + 1, end)}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Normalize `base/rel` (both POSIX, base a directory) without touching the disk; undefined when it climbs above the root. */
export function joinPlanPath(base: string, rel: string): string | undefined {
  const out: string[] = base === "" || base === "." ? [] : base.split("/");
  for (const seg of rel.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join("/");
}

/** The directory part of a plan path ("" for a top-level file). */
export function planDirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/**
 * The plan paths a pattern names, resolved as the tools do: relative to the
 * directory of the file that names it. An absolute pattern is outside the plan
 * (undefined).
 */
export function matchPlanPaths(pattern: string, fromFile: string, paths: Iterable<string>): string[] | undefined {
  if (pattern.startsWith("/")) return undefined;
  const joined = joinPlanPath(planDirname(fromFile), pattern);
  if (joined === undefined) return [];
  const re = globToRegExp(joined);
  return [...paths].filter((p) => re.test(p)).sort();
}

// ---------------------------------------------------------------------------
// Results cache

const MAX_CACHE = 4096;

/** A cache of validation results by key; results that say the tool failed are not kept. */
export class ResultCache {
  private readonly entries = new Map<string, Promise<Result<null>>>();

  get(key: string): Promise<Result<null>> | undefined {
    return this.entries.get(key);
  }

  remember(key: string, p: Promise<Result<null>>): Promise<Result<null>> {
    const kept = p.then((r) => {
      if (!r.ok && r.errors.some((e) => e.kind === "tool-missing" || e.kind === "tool-error")) this.entries.delete(key);
      return r;
    });
    if (this.entries.size >= MAX_CACHE) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, kept);
    return kept;
  }
}

/** sha256 over parts separated by NUL. */
export function contentKey(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\u0000");
  return h.digest("hex");
}

/** One key for a set of files: their paths and contents, order-independent. */
export function filesKey(files: readonly Pick<Artifact, "path" | "content">[]): string {
  return contentKey(...[...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).flatMap((f) => [f.path, f.content]));
}

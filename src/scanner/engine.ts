import { closeSync, lstatSync, openSync, readFileSync, readSync, readdirSync } from "node:fs";
import type { Stats } from "node:fs";
import { join, relative } from "node:path";
import type { DevopsPackError } from "../core/errors.js";
import { badInput } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { MAX_INPUT_BYTES } from "../core/yaml.js";
import type { ControlResult } from "./score.js";
import { complianceControls, securityScore } from "./score.js";
import type { InlineIgnore, Suppression, SuppressionConfig } from "./suppress.js";
import { findSuppression, inlineIgnores } from "./suppress.js";
import type { Evaluation, Framework, ParseError, RuleMeta, SourceFile, TargetScanner } from "./types.js";

/** Rules of the engine itself: problems that stop a file or a rule from being checked. */
export const ENGINE_RULES: readonly RuleMeta[] = [
  {
    id: "DP-SCAN-001",
    target: "scan",
    severity: "medium",
    title: "File can be parsed and scanned",
    message: "The file could not be parsed, so no rule checked it.",
    recommendation: "Fix the syntax error, or exclude the file if it is not infrastructure code.",
    fix: "Correct the file at the reported line; run `terraform fmt`, `kubectl apply --dry-run=client` or a YAML linter to locate the error.",
    aliases: [],
    compliance: [],
  },
  {
    id: "DP-SCAN-002",
    target: "scan",
    severity: "medium",
    title: "Rule ran to completion",
    message: "A rule failed while checking this file; it was not evaluated.",
    recommendation: "Report this as a devops-pack bug with the file that triggers it.",
    fix: "No change to your code is needed; the rule is at fault.",
    aliases: [],
    compliance: [],
  },
  {
    id: "DP-SCAN-003",
    target: "scan",
    severity: "low",
    title: "Suppressions give a reason",
    message: "A devops-pack:ignore comment has no reason, so it suppresses nothing.",
    recommendation: "Say why the finding is accepted: devops-pack:ignore <rule-id> <reason>.",
    fix: "# devops-pack:ignore DP-AWS-S3-004 access-log bucket cannot log to itself",
    aliases: [],
    compliance: [],
  },
];

/** A finding from the scanner: the core shape with title, column and suppression always present. */
export type ScanFinding = Finding & { title: string; column: number; line: number; suppressed?: Suppression };

export interface ScanResult {
  findings: ScanFinding[];
  /** Checks evaluated (one rule on one subject), and how many passed. */
  evaluated: number;
  passed: number;
  score: number;
  files: { scanned: number; bytes: number; skipped: { path: string; reason: string }[] };
  controls: ControlResult[];
  rules: RuleMeta[];
  /**
   * Worker threads of a parallel scan (`scanSourcesParallel`): how many ran,
   * whether the scan fell back to one thread when workers were wanted, and why
   * none ran. Absent for a scan that never considers workers (plan artifacts).
   */
  workers?: WorkerUse;
}

export interface WorkerUse {
  used: number;
  fellBack: boolean;
  reason?: string;
}

export interface ScanOptions {
  targets: readonly TargetScanner<unknown>[];
  suppressions?: SuppressionConfig;
  /** Compliance frameworks whose mandatory controls are reported. */
  frameworks?: readonly Framework[];
  /** Files found but not handed over (too large, unreadable): reported as DP-SCAN-001. */
  unscanned?: readonly ParseError[];
  /** Paths left out on purpose (symlinks), listed in the result. */
  skipped?: readonly { path: string; reason: string }[];
}

const HEAD_BYTES = 4096;

function allRules(targets: readonly TargetScanner<unknown>[]): RuleMeta[] {
  return [...ENGINE_RULES, ...targets.flatMap((t) => t.rules.map((r) => r.meta))];
}

function safeClaims(t: TargetScanner<unknown>, path: string, head: string): boolean {
  try {
    return t.claims(path, head);
  } catch {
    return false;
  }
}

function isBinary(head: string): boolean {
  return head.includes("\u0000");
}

/** Which targets claim which files (binary files claimed by a structured target become DP-SCAN-001). */
export function claimFiles(files: readonly SourceFile[], targets: readonly TargetScanner<unknown>[]): { claimed: Map<TargetScanner<unknown>, SourceFile[]>; errors: Evaluation[] } {
  const claimed = new Map<TargetScanner<unknown>, SourceFile[]>();
  const errors: Evaluation[] = [];
  for (const f of files) {
    const head = f.content.slice(0, HEAD_BYTES);
    const binary = isBinary(head);
    for (const t of targets) {
      if (!safeClaims(t, f.path, head)) continue;
      if (binary) {
        if (t.target !== "secrets") errors.push(scanError(f.path, 1, `${f.path} is binary, not ${t.target} source`));
        continue;
      }
      const list = claimed.get(t);
      if (list) list.push(f);
      else claimed.set(t, [f]);
    }
  }
  return { claimed, errors };
}

/** Parse each target's files and run its rules: every evaluation, passes included. Never throws. */
export function evaluateTargets(claimed: ReadonlyMap<TargetScanner<unknown>, SourceFile[]>): Evaluation[] {
  const evaluations: Evaluation[] = [];
  for (const [t, targetFiles] of claimed) {
    let parsed: { docs: unknown[]; errors: ParseError[] };
    try {
      parsed = t.parse(targetFiles);
    } catch (e) {
      for (const f of targetFiles) evaluations.push(scanError(f.path, 1, `the ${t.target} parser failed: ${(e as Error).message}`));
      continue;
    }
    for (const err of parsed.errors) evaluations.push(scanError(err.file, err.line ?? 1, err.message));
    for (const doc of parsed.docs) {
      for (const rule of t.rules) {
        try {
          for (const e of rule.check(doc)) evaluations.push(e);
        } catch (e) {
          evaluations.push(ruleCrash(rule.meta.id, { file: docFile(doc) ?? targetFiles.map((f) => f.path).sort()[0]!, line: 1, column: 1 }, e));
        }
      }
    }
  }
  return evaluations;
}

/** Scan files already in memory (plan artifacts, or files read from disk). Never throws for any content. */
export function scanSources(files: readonly SourceFile[], opts: ScanOptions): ScanResult {
  const { claimed, errors } = claimFiles(files, opts.targets);
  return judge(files, [...errors, ...evaluateTargets(claimed)], opts);
}

/**
 * Turn evaluations into the result: inline and config suppressions, findings
 * with rule metadata in a deterministic order, the score and the controls.
 */
export function judge(files: readonly SourceFile[], evaluated: readonly Evaluation[], opts: ScanOptions): ScanResult {
  const rules = allRules(opts.targets);
  const metaById = new Map(rules.map((r) => [r.id, r]));
  const evaluations: Evaluation[] = [];
  const ignoresByFile = new Map<string, InlineIgnore[]>();
  const skipped = [...(opts.skipped ?? [])];
  let bytes = 0;
  for (const err of opts.unscanned ?? []) evaluations.push(scanError(err.file, err.line ?? 1, err.message));
  for (const f of files) {
    bytes += Buffer.byteLength(f.content, "utf8");
    if (isBinary(f.content.slice(0, HEAD_BYTES))) continue;
    const ignores = inlineIgnores(f.content);
    if (ignores.length > 0) ignoresByFile.set(f.path, ignores);
    // Only the failures of this engine rule are reported: a reasoned ignore is not a check that adds to the score.
    for (const i of ignores.filter((x) => x.reason === "")) {
      evaluations.push({ ruleId: "DP-SCAN-003", passed: false, resource: `${i.ruleId} ignore`, file: f.path, line: i.line, column: 1 });
    }
  }
  for (const e of evaluated) evaluations.push(e);

  const findings: ScanFinding[] = [];
  const judged: (Evaluation & { suppressed?: Suppression })[] = [];
  for (const e of evaluations) {
    const suppressed = e.passed || e.ruleId === "DP-SCAN-003" ? undefined : findSuppression(e, ignoresByFile.get(e.file) ?? [], opts.suppressions);
    judged.push(suppressed ? { ...e, suppressed } : e);
    if (e.passed) continue;
    const meta = metaById.get(e.ruleId);
    findings.push({
      ruleId: e.ruleId,
      severity: meta?.severity ?? "medium",
      title: meta?.title ?? e.ruleId,
      message: e.message ?? meta?.message ?? "",
      recommendation: meta?.recommendation ?? "",
      fix: e.fix ?? meta?.fix ?? "",
      resource: e.resource,
      file: e.file,
      line: e.line,
      column: e.column,
      aliases: meta?.aliases ?? [],
      ...(suppressed ? { suppressed } : {}),
    });
  }
  findings.sort(compareFindings);
  return {
    findings,
    evaluated: judged.length,
    passed: judged.filter((e) => e.passed).length,
    score: securityScore(judged, metaById),
    files: { scanned: files.length, bytes, skipped },
    controls: complianceControls(judged, rules, opts.frameworks ?? []),
    rules,
  };
}

/** The file a parsed document came from, when its model says (most have a `file`). */
function docFile(doc: unknown): string | undefined {
  return doc !== null && typeof doc === "object" && "file" in doc && typeof doc.file === "string" ? doc.file : undefined;
}

/**
 * A rule that threw: a failed DP-SCAN-002 evaluation on the subject it was
 * checking (with `subject`, the resource it threw on; without, the whole
 * document), which also fails the rule's compliance controls. A rule bug is
 * never a pass.
 */
export function ruleCrash(ruleId: string, where: { file: string; line: number; column: number; subject?: string; scope?: Evaluation["scope"] }, error: unknown): Evaluation {
  const why = error instanceof Error ? error.message : String(error);
  return {
    ruleId: "DP-SCAN-002",
    passed: false,
    resource: where.subject === undefined ? ruleId : `${ruleId} ${where.subject}`,
    file: where.file,
    line: where.line,
    column: where.column,
    message: `Rule ${ruleId} failed${where.subject === undefined ? "" : ` on ${where.subject}`}: ${why}`,
    crashedRule: ruleId,
    ...(where.scope ? { scope: where.scope } : {}),
  };
}

function scanError(file: string, line: number, message: string): Evaluation {
  return { ruleId: "DP-SCAN-001", passed: false, resource: file, file, line, column: 1, message };
}

export function compareFindings(a: ScanFinding, b: ScanFinding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0);
}

const SKIP_DIRS = new Set([".git", "node_modules", ".terraform", ".devops-pack"]);

export interface DiscoveredFile {
  /** How findings name the file: the path the user gave, joined with the path inside it (POSIX). */
  path: string;
  abs: string;
  size: number;
}

/** How findings name a path: as given, or relative to `base` (the MCP server's root) when one is given. */
export function shownPath(p: string, base?: string): string {
  return (base === undefined ? p : relative(base, p) || ".").split("\\").join("/");
}

/** What a directory entry is, when it is neither a regular file, a directory nor a symlink. */
function specialKind(st: Stats): string {
  if (st.isFIFO()) return "FIFO";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  return "unknown file type";
}

/**
 * Walk the given paths. Symlinks are never followed (so nothing outside the
 * scanned roots is read); VCS, dependency and tool-state folders are skipped.
 * Only regular files are read: FIFOs, sockets and devices are skipped with
 * their kind and never opened (opening a FIFO blocks). A file whose size is 0
 * is not read either: it is empty, or a kernel file such as /proc/self/environ
 * whose size the system does not know (reading some of those blocks); named
 * directly it is reported as skipped, inside a directory it holds nothing.
 * The result is sorted, so output order never depends on the file system.
 */
export function discover(paths: readonly string[], base?: string): { files: DiscoveredFile[]; skipped: { path: string; reason: string }[]; missing: string[] } {
  const files: DiscoveredFile[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const missing: string[] = [];
  const walk = (abs: string, shown: string, top: boolean): void => {
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      missing.push(shown);
      return;
    }
    if (st.isSymbolicLink()) {
      skipped.push({ path: shown, reason: "symlink (not followed)" });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(abs);
      } catch (e) {
        skipped.push({ path: shown, reason: `unreadable directory: ${(e as Error).message}` });
        return;
      }
      for (const name of names.sort()) {
        if (SKIP_DIRS.has(name)) continue;
        walk(join(abs, name), shown === "." ? name : `${shown.replace(/\/$/, "")}/${name}`, false);
      }
      return;
    }
    if (!st.isFile()) {
      skipped.push({ path: shown, reason: `not a regular file or directory: ${specialKind(st)}; not opened` });
      return;
    }
    if (st.size === 0) {
      if (top) skipped.push({ path: shown, reason: "size 0 (empty, or a kernel file such as /proc/self/environ whose size is unknown); not read" });
      return;
    }
    files.push({ path: shown, abs, size: st.size });
  };
  for (const p of paths) walk(p, shownPath(p, base), true);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped, missing };
}

/**
 * A scan that read nothing is no pass: when no file was scanned and nothing
 * was found (not even a file too large or unreadable), the paths the user
 * named held nothing the scanner reads. Bad input, with what was skipped and why.
 */
export function nothingScanned(paths: readonly string[], result: Pick<ScanResult, "files" | "findings">): DevopsPackError | undefined {
  if (result.files.scanned > 0 || result.findings.length > 0) return undefined;
  const skipped = result.files.skipped;
  const why =
    skipped.length > 0
      ? `Skipped: ${skipped.map((x) => `${x.path} (${x.reason})`).join(", ")}.`
      : "No file there is one the scanner reads (Terraform, Kubernetes YAML, Dockerfiles, GitHub workflows, or text for the secrets check).";
  return badInput(`Nothing was scanned in ${paths.join(", ")}: 0 files could be scanned. ${why} Name files or directories that hold infrastructure code.`, {
    paths: [...paths],
    skipped,
  });
}

function readHead(abs: string): string {
  const fd = openSync(abs, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * Read discovered files for scanning. Files a target claims but that are too
 * large are reported as DP-SCAN-001 findings by returning them with a marker;
 * unclaimed files are not read at all.
 */
export function readForScan(
  found: readonly DiscoveredFile[],
  targets: readonly TargetScanner<unknown>[],
): { sources: SourceFile[]; tooLarge: string[]; unreadable: { path: string; reason: string }[] } {
  const sources: SourceFile[] = [];
  const tooLarge: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  for (const f of found) {
    try {
      if (f.size > MAX_INPUT_BYTES) {
        const head = readHead(f.abs);
        if (!isBinary(head) && targets.some((t) => safeClaims(t, f.path, head))) tooLarge.push(f.path);
        continue;
      }
      const content = readFileSync(f.abs, "utf8");
      const head = content.slice(0, HEAD_BYTES);
      if (targets.some((t) => safeClaims(t, f.path, head))) sources.push({ path: f.path, content });
    } catch (e) {
      unreadable.push({ path: f.path, reason: (e as Error).message });
    }
  }
  return { sources, tooLarge, unreadable };
}

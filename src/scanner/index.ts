import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { badInput } from "../core/errors.js";
import { DEFAULT_SCAN_THRESHOLD, FRAMEWORKS, SUPPRESSIONS_FILE, scanVerdict } from "../core/policy.js";
import type { GateEnvironment } from "../core/gates/engine.js";
import type { GateCheck } from "../core/gates/types.js";
import type { Artifact } from "../core/plans/plan.js";
import type { ScanResult } from "./engine.js";
import { discover, ENGINE_RULES, nothingScanned, readForScan, scanSources, shownPath } from "./engine.js";
import { scanSourcesParallel } from "./parallel.js";
import type { SuppressionConfig } from "./suppress.js";
import { parseSuppressionConfig } from "./suppress.js";
import type { Framework, RuleMeta, TargetScanner } from "./types.js";

export type { ScanFinding, ScanResult } from "./engine.js";

export { SECURITY_SPECIALIST } from "./entry.js";
export type { Framework, RuleMeta } from "./types.js";

/** The compliance frameworks, from the one gate policy (`core/policy.ts`). */
export { FRAMEWORKS };

/** Every scan target, registered explicitly and loaded on first use. */
const TARGET_LOADERS: readonly (() => Promise<TargetScanner<unknown>>)[] = [
  async () => (await import("./terraform/index.js")).terraformTarget,
  async () => (await import("./kubernetes/index.js")).kubernetesTarget,
  async () => (await import("./dockerfile/index.js")).dockerfileTarget,
  async () => (await import("./github-actions/index.js")).githubActionsTarget,
  async () => (await import("./secrets/index.js")).secretsTarget,
];

let targetsPromise: Promise<TargetScanner<unknown>[]> | undefined;

/** Load every target once per process. */
export function loadTargets(): Promise<TargetScanner<unknown>[]> {
  targetsPromise ??= (async () => {
    return Promise.all(TARGET_LOADERS.map((load) => load()));
  })();
  return targetsPromise;
}

/** Every rule's metadata, engine rules first, sorted by id within each target. */
export async function allRules(): Promise<RuleMeta[]> {
  const targets = await loadTargets();
  return [...ENGINE_RULES, ...targets.flatMap((t) => t.rules.map((r) => r.meta).sort((a, b) => a.id.localeCompare(b.id)))];
}

export function parseFrameworks(list: readonly string[]): Framework[] {
  for (const f of list) {
    if (!(FRAMEWORKS as readonly string[]).includes(f)) throw badInput(`Unknown compliance framework '${f}'. Valid frameworks: ${FRAMEWORKS.join(", ")}.`);
  }
  return list as Framework[];
}

/** The suppressions file of a project, if it has one: `.devops-pack/suppressions.yaml`. */
export async function loadSuppressions(file: string | undefined, projectDir: string): Promise<SuppressionConfig | undefined> {
  const path = file ?? join(projectDir, SUPPRESSIONS_FILE);
  if (!existsSync(path)) {
    if (file !== undefined) throw badInput(`Suppressions file ${file} does not exist.`);
    return undefined;
  }
  const known = new Set((await allRules()).map((r) => r.id));
  return parseSuppressionConfig(readFileSync(path, "utf8"), path, known);
}

export interface ScanPathsOptions {
  frameworks?: readonly Framework[];
  suppressions?: SuppressionConfig;
  /** Name files relative to this directory instead of as given (the MCP server's root, so that suppressions by path match as in the CLI). */
  base?: string;
}

/** Scan files and directories on disk. Never follows symlinks; never throws for file contents. */
export async function scanPaths(paths: readonly string[], opts: ScanPathsOptions = {}): Promise<ScanResult> {
  const targets = await loadTargets();
  const found = discover(paths, opts.base);
  if (found.missing.length > 0) throw badInput(`Nothing to scan at ${found.missing.join(", ")}: no such file or directory.`);
  const read = readForScan(found.files, targets);
  return scanSourcesParallel(read.sources, {
    targets,
    ...(opts.suppressions ? { suppressions: opts.suppressions } : {}),
    frameworks: opts.frameworks ?? [],
    unscanned: [
      ...read.tooLarge.map((file) => ({ file, message: `${file} is larger than 2 MiB and was not scanned` })),
      ...read.unreadable.map((u) => ({ file: u.path, message: `${u.path} could not be read: ${u.reason}` })),
    ],
    skipped: found.skipped,
  });
}

export interface ScanProjectOptions {
  /** Where `.devops-pack/suppressions.yaml` is looked for. */
  projectDir: string;
  frameworks?: readonly Framework[];
  /** Another suppressions file instead of the project's. */
  suppressionsFile?: string;
  /** Pass mark in percent; the policy's default (95) when absent. */
  threshold?: number;
  /** Name files relative to this directory (see ScanPathsOptions). */
  base?: string;
}

/**
 * A scan of paths as `devops-pack scan` and the MCP server's `devops_scan`
 * both run it: the project's suppressions, the selected frameworks, and the
 * verdict of the one gate policy (`core/policy.ts`). Nothing scanned is bad input.
 */
export async function scanProject(paths: readonly string[], opts: ScanProjectOptions): Promise<{ result: ScanResult; threshold: number; ok: boolean; blocking: string[] }> {
  const suppressions = await loadSuppressions(opts.suppressionsFile, opts.projectDir);
  const result = await scanPaths(paths, { frameworks: opts.frameworks ?? [], ...(suppressions ? { suppressions } : {}), ...(opts.base !== undefined ? { base: opts.base } : {}) });
  const none = nothingScanned(paths.map((p) => shownPath(p, opts.base)), result);
  if (none) throw none;
  const threshold = opts.threshold ?? DEFAULT_SCAN_THRESHOLD;
  return { result, threshold, ...scanVerdict(result, threshold) };
}

/** Scan a plan's artifacts in memory. */
export async function scanArtifacts(artifacts: readonly Artifact[], frameworks: readonly Framework[] = []): Promise<ScanResult> {
  const targets = await loadTargets();
  return scanSources(
    artifacts.map((a) => ({ path: a.path, content: a.content })),
    { targets, frameworks },
  );
}

/**
 * The security and compliance gates' evaluators, for the manager's gate
 * engine: every plan of every specialist is scanned by the same rules as
 * `devops-pack scan`. Both gates read one scan of the plan's artifacts.
 */
export function securityGateEnv(): Pick<GateEnvironment, "securityScan" | "compliance"> {
  const scans = new WeakMap<readonly Artifact[], Promise<ScanResult>>();
  const scanOnce = (artifacts: readonly Artifact[]): Promise<ScanResult> => {
    let scan = scans.get(artifacts);
    if (!scan) {
      scan = scanArtifacts(artifacts, FRAMEWORKS);
      scans.set(artifacts, scan);
    }
    return scan;
  };
  return {
    securityScan: async (artifacts) => {
      const r = await scanOnce(artifacts);
      return { findings: r.findings, score: r.score, evaluated: r.evaluated };
    },
    compliance: async (artifacts, frameworks) => {
      const selected = parseFrameworks(frameworks);
      const r = await scanOnce(artifacts);
      return r.controls
        .filter((c) => selected.includes(c.framework))
        .map(
          (c): GateCheck => ({
            name: `${c.framework} ${c.control}`,
            ok: c.status !== "failed",
            message: c.status === "failed" ? `failed: ${c.failedRules.join(", ")}` : c.status.replace("_", " "),
          }),
        );
    },
  };
}

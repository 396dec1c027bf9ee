/**
 * Test helpers: the real promtool and amtool (Debian packages prometheus and
 * prometheus-alertmanager), run over artifacts written to a temporary
 * directory with their bundle paths preserved.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { expect } from "vitest";
import type { Artifact, PlanDraft } from "../../../core/plans/plan.js";
import { readProjectFiles } from "../../../core/project-files.js";
import { parseTaskDocument, validateTaskInput } from "../../../core/tasks/parse.js";
import type { AlertingInput } from "../index.js";
import { alertingSpecialist } from "../index.js";

export const ROOT = resolve(import.meta.dirname, "../../../..");
/** The repository's examples/; this agent's tasks are the alerting*.yaml files there. */
export const EXAMPLES_DIR = join(ROOT, "examples");

const PACKAGES: Record<string, string> = { promtool: "prometheus", amtool: "prometheus-alertmanager" };

/** Fails (never skips) when a tool is missing, naming the apt package that provides it. */
export function requireTool(tool: "promtool" | "amtool"): void {
  const r = spawnSync(tool, ["--version"], { encoding: "utf8" });
  expect(r.status, `${tool} is not installed: apt-get install -y ${PACKAGES[tool]}`).toBe(0);
}

export interface ToolRun {
  status: number | null;
  out: string;
}

/** Run a tool without blocking the test worker (promtool test rules can take seconds). */
export function run(tool: "promtool" | "amtool", args: string[], cwd?: string): Promise<ToolRun> {
  return new Promise((done) => {
    const child = spawn(tool, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", (e) => done({ status: null, out: `${out}${e.message}` }));
    child.on("close", (status) => done({ status, out }));
  });
}

export function tempDir(prefix = "alerting-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write artifacts under `dir`, preserving their paths. */
export function writeArtifacts(dir: string, artifacts: readonly Pick<Artifact, "path" | "content">[]): void {
  for (const a of artifacts) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), a.content);
  }
}

export async function withTemp<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = tempDir();
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseInput(input: Record<string, unknown>): AlertingInput {
  return validateTaskInput({ type: "devops.alerting", input }, alertingSpecialist, "task.yaml");
}

export function planInput(input: Record<string, unknown>): PlanDraft {
  const parsed = parseInput(input);
  const disk = alertingSpecialist.diskInputs?.(parsed);
  return alertingSpecialist.plan(parsed, { files: disk ? readProjectFiles(ROOT, disk) : new Map() });
}

export function loadExample(file: string): AlertingInput {
  const envelope = parseTaskDocument(readFileSync(join(EXAMPLES_DIR, file), "utf8"), file);
  expect(envelope.type).toBe("devops.alerting");
  return validateTaskInput(envelope, alertingSpecialist, file);
}

export function planExample(file: string): { input: AlertingInput; plan: PlanDraft } {
  const input = loadExample(file);
  const disk = alertingSpecialist.diskInputs?.(input);
  return { input, plan: alertingSpecialist.plan(input, { files: disk ? readProjectFiles(ROOT, disk) : new Map() }) };
}

/** promtool check rules + test rules + amtool check-config over a plan's artifacts, tools in parallel. */
export async function validatePlan(plan: PlanDraft): Promise<{ checkRules: ToolRun; testRules: ToolRun[]; amtool?: ToolRun }> {
  return withTemp(async (dir) => {
    writeArtifacts(dir, plan.artifacts);
    const rules = plan.artifacts.filter((a) => a.kind === "prometheus-rules").map((a) => a.path);
    const am = plan.artifacts.find((a) => a.kind === "alertmanager-config");
    const [checkRules, amtool, ...testRules] = await Promise.all([
      run("promtool", ["check", "rules", ...rules], dir),
      am ? run("amtool", ["check-config", am.path], dir) : Promise.resolve(undefined),
      ...plan.artifacts.filter((a) => a.kind === "prometheus-rule-test").map((a) => run("promtool", ["test", "rules", a.path.split("/").pop()!], join(dir, dirname(a.path)))),
    ]);
    return { checkRules, testRules: testRules.filter((t): t is ToolRun => t !== undefined), ...(amtool ? { amtool } : {}) };
  });
}

/** Test support: load the example tasks, plan them, write plans to disk, run promtool. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import type { Artifact, PlanDraft } from "../../../core/plans/plan.js";
import { parseTaskDocument, validateTaskInput } from "../../../core/tasks/parse.js";
import type { MonitoringInput } from "../index.js";
import { monitoringSpecialist } from "../index.js";
import { monitoringInputSchema } from "../schema.js";

export const ROOT = resolve(import.meta.dirname, "../../../..");
/** The repository's examples/, where this agent's example tasks live (and only there). */
export const EXAMPLES = join(ROOT, "examples");

export function exampleFiles(): string[] {
  return ["monitoring.yaml", "monitoring-operator.yaml"];
}

/** The example's text, from examples/<file>; a missing file fails the test (no fallback copy). */
export function exampleText(file: string): string {
  return readFileSync(join(EXAMPLES, file), "utf8");
}

export function loadExample(file: string): MonitoringInput {
  return validateTaskInput(parseTaskDocument(exampleText(file), file), monitoringSpecialist, file);
}

export function planExample(file: string): { input: MonitoringInput; plan: PlanDraft } {
  const input = loadExample(file);
  return { input, plan: monitoringSpecialist.plan(input, { files: new Map() }) };
}

export function planInput(raw: unknown): { input: MonitoringInput; plan: PlanDraft } {
  const input = monitoringInputSchema.parse(raw);
  return { input, plan: monitoringSpecialist.plan(input, { files: new Map() }) };
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function docs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter(isObj);
}

export function artifactAt(plan: PlanDraft, path: string): Artifact {
  const a = plan.artifacts.find((x) => x.path === path);
  if (!a) throw new Error(`no artifact ${path}; have ${plan.artifacts.map((x) => x.path).join(", ")}`);
  return a;
}

/** Write the artifacts, paths preserved, into a fresh temporary directory; the caller removes it. */
export function writeArtifacts(artifacts: readonly Artifact[]): string {
  const dir = mkdtempSync(join(tmpdir(), "dp-mon-"));
  for (const a of artifacts) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), a.content);
  }
  return dir;
}

export function withArtifacts<T>(artifacts: readonly Artifact[], fn: (dir: string) => T): T {
  const dir = writeArtifacts(artifacts);
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the real promtool; a missing binary fails the test with the apt package to install. */
export function promtool(args: readonly string[], cwd: string): { code: number | null; output: string } {
  const r = spawnSync("promtool", [...args], { cwd, encoding: "utf8" });
  if (r.error) throw new Error(`promtool could not run (${r.error.message}): install the Debian package with apt-get install -y prometheus`);
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

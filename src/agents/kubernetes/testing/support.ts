/** Test support: plan a task, build overlays with the real kubectl, render the chart. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseAllDocuments, parse } from "yaml";
import type { Artifact, PlanDraft } from "../../../core/plans/plan.js";
import { parseTaskDocument, validateTaskInput } from "../../../core/tasks/parse.js";
import type { KubernetesInput } from "../index.js";
import { kubernetesSpecialist } from "../index.js";
import { kubernetesInputSchema } from "../schema.js";
import type { RenderContext } from "./helm-render.js";
import { HelmRenderer, mergeValues } from "./helm-render.js";

export const ROOT = resolve(import.meta.dirname, "../../../..");

export function exampleFiles(): string[] {
  return ["kubernetes.yaml", "kubernetes-bluegreen.yaml", "kubernetes-canary-istio.yaml", "kubernetes-optimize.yaml"];
}

export function loadExample(file: string): KubernetesInput {
  const envelope = parseTaskDocument(readFileSync(join(ROOT, "examples", file), "utf8"), file);
  return validateTaskInput(envelope, kubernetesSpecialist, file);
}

export function planInput(input: unknown): { input: KubernetesInput; plan: PlanDraft } {
  const parsed = kubernetesInputSchema.parse(input);
  return { input: parsed, plan: kubernetesSpecialist.plan(parsed, { files: new Map() }) };
}

export type Obj = Record<string, unknown>;

export function docs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((v): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v));
}

/** Write the artifacts into a fresh temporary directory; the caller removes it. */
export function writeArtifacts(artifacts: readonly Artifact[]): string {
  const dir = mkdtempSync(join(tmpdir(), "dp-k8s-"));
  for (const a of artifacts) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), a.content);
  }
  return dir;
}

/** `kubectl kustomize <dir>` on the applied files; throws with kubectl's stderr when the build fails. */
export function kustomizeBuild(artifacts: readonly Artifact[], kustomizationDir: string): string {
  const dir = writeArtifacts(artifacts);
  try {
    const r = spawnSync("kubectl", ["kustomize", join(dir, kustomizationDir)], { encoding: "utf8" });
    if (r.error) throw new Error(`kubectl could not run: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`kubectl kustomize ${kustomizationDir} failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Render the chart as `helm template <name> <dir> -n <namespace> -f values.yaml [-f values-<env>.yaml]` would, with the test renderer. */
export function renderChart(artifacts: readonly Artifact[], chartDir: string, namespace: string, env?: string): { file: string; text: string }[] {
  const files = new Map(artifacts.filter((a) => a.path.startsWith(`${chartDir}/`)).map((a) => [a.path.slice(chartDir.length + 1), a.content]));
  const chart = parse(files.get("Chart.yaml") ?? "") as { name: string; version: string; appVersion?: string };
  let values = (parse(files.get("values.yaml") ?? "") ?? {}) as Record<string, unknown>;
  if (env !== undefined) values = mergeValues(values, (parse(files.get(`values-${env}.yaml`) ?? "") ?? {}) as Record<string, unknown>);
  const templates = new Map([...files].filter(([p]) => p.startsWith("templates/")));
  const renderer = new HelmRenderer(templates);
  const ctx: RenderContext = {
    Values: values,
    Release: { Name: chart.name, Namespace: namespace, Service: "Helm" },
    Chart: { Name: chart.name, Version: chart.version, ...(chart.appVersion !== undefined ? { AppVersion: chart.appVersion } : {}) },
  };
  return [...templates]
    .filter(([p]) => !p.split("/").pop()?.startsWith("_"))
    .map(([p, content]) => ({ file: p, text: renderer.render(content, ctx) }));
}

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === "number") cur = cur[p];
    else if (isObj(cur) && typeof p === "string") cur = cur[p];
    else return undefined;
  }
  return cur;
}

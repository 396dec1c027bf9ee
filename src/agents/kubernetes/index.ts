/**
 * devops_kubernetes: hardened Kubernetes manifests for `devops.kubernetes`
 * tasks, packaged as a Kustomize base with one overlay per environment (or
 * plain manifests) and a Helm chart, with blue-green or canary releases
 * (Istio or Linkerd routing) and resources sized from observed usage.
 */
import type { Artifact, PlanDraft } from "../../core/plans/plan.js";
import { artifact } from "../../core/plans/plan.js";
import { defineSpecialist } from "../../core/specialist.js";
import { literalBindings } from "./bindings.js";
import { helmChart } from "./chart.js";
import type { AppConfig } from "./config.js";
import { resolveConfig } from "./config.js";
import { kustomizeBase, kustomizeOverlay } from "./kustomize.js";
import type { Manifest } from "./manifests.js";
import { buildManifests } from "./manifests.js";
import { generationNotes } from "./notes.js";
import { AGENT_ID, renderManifestFiles } from "./render.js";
import type { KubernetesInput } from "./schema.js";
import { kubernetesInputSchema } from "./schema.js";

export type { KubernetesInput } from "./schema.js";

function manifestsOf(cfg: AppConfig): Manifest[] {
  return buildManifests(cfg, literalBindings(cfg), { namespace: true });
}

function generate(input: KubernetesInput): PlanDraft {
  const base = resolveConfig(input);
  const envs = input.environments.map((e) => resolveConfig(input, e));
  const dir = `k8s/${input.name}`;
  const artifacts: Artifact[] = [];
  const baseManifests = manifestsOf(base);
  if (input.kustomize) {
    for (const f of kustomizeBase(dir, baseManifests)) artifacts.push(artifact(f.path, "kubernetes", f.content));
    for (const env of envs) {
      // The namespace differs through the overlay's namespace transformer, never through patches.
      const sameNamespace: AppConfig = { ...env, namespace: base.namespace };
      const files = kustomizeOverlay(dir, env.environment ?? "", baseManifests, manifestsOf(sameNamespace), env.namespace !== base.namespace ? env.namespace : undefined);
      for (const f of files) artifacts.push(artifact(f.path, "kubernetes", f.content));
    }
  } else if (envs.length === 0) {
    for (const f of renderManifestFiles(dir, baseManifests)) artifacts.push(artifact(f.path, "kubernetes", f.content));
  } else {
    for (const env of envs) for (const f of renderManifestFiles(`${dir}/${env.environment ?? ""}`, manifestsOf(env))) artifacts.push(artifact(f.path, "kubernetes", f.content));
  }
  const chartDir = `charts/${input.name}`;
  if (input.chart) for (const f of helmChart(chartDir, base, envs, dir)) artifacts.push(artifact(f.path, "helm", f.content));
  const notes = generationNotes(input, base, envs, input.chart ? { manifestsDir: dir, chartDir } : { manifestsDir: dir });
  return { artifacts, findings: [], notes };
}

export const kubernetesSpecialist = defineSpecialist<KubernetesInput>({
  agent: AGENT_ID,
  taskType: "devops.kubernetes",
  description:
    "Kubernetes: hardened manifests (restricted pods, default-deny NetworkPolicies, PDB, HPA, TLS Ingress) as Kustomize overlays and a Helm chart, blue-green or canary with Istio or Linkerd, and right-sizing from usage percentiles.",
  schema: kubernetesInputSchema,
  environments: (input) => input.environments,
  plan: (input) => generate(input),
});

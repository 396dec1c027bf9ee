import type { TargetScanner } from "../types.js";
import type { K8sDocument } from "./model.js";
import { claimsKubernetes, parseKubernetesFiles } from "./parse.js";
import { kubernetesRules } from "./rules/index.js";

export type { ContainerRef, K8sDocument, K8sObject, K8sObjectSet, PathSegment, Position, Workload } from "./model.js";
export { parseKubernetesFiles, parseManifestFile } from "./parse.js";
export { workloadOf } from "./workload.js";
export { kubernetesRules } from "./rules/index.js";
export { kyvernoPolicies } from "./kyverno.js";

/**
 * The Kubernetes scan target: YAML/JSON manifests (multi-document files and
 * `List` kinds), outside `.github/workflows/`. Documents without
 * `apiVersion` and `kind` are skipped; Helm templates are refused with a
 * per-file error. Every file of one scan must be parsed in one `parse` call:
 * NetworkPolicy coverage looks across files.
 */
export const kubernetesTarget: TargetScanner<K8sDocument> = {
  target: "kubernetes",
  claims: claimsKubernetes,
  parse: parseKubernetesFiles,
  rules: kubernetesRules,
};

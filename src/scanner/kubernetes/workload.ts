import type { ContainerList, ContainerRef, K8sMap, K8sObject, PathSegment, Workload } from "./model.js";

export function isMap(value: unknown): value is K8sMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The mapping at `key`, or an empty one. */
export function mapAt(value: unknown, key: string): K8sMap {
  if (!isMap(value)) return {};
  const v = value[key];
  return isMap(v) ? v : {};
}

/** The sequence at `key`, or an empty one. */
export function listAt(value: unknown, key: string): unknown[] {
  if (!isMap(value)) return [];
  const v = value[key];
  return Array.isArray(v) ? v : [];
}

/** Strings of a sequence (other items dropped). */
export function stringsAt(value: unknown, key: string): string[] {
  return listAt(value, key).filter((v): v is string => typeof v === "string");
}

export function stringAt(value: unknown, key: string): string | undefined {
  if (!isMap(value)) return undefined;
  const v = value[key];
  return typeof v === "string" ? v : undefined;
}

/** Kinds whose pod spec is at `spec.template.spec`. */
const TEMPLATE_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "DeploymentConfig"]);

/** Every kind that runs pods. */
export const WORKLOAD_KINDS: readonly string[] = ["Pod", ...TEMPLATE_KINDS, "CronJob"];

function podPaths(kind: string): { spec: PathSegment[]; metadata: PathSegment[] } | undefined {
  if (kind === "Pod") return { spec: ["spec"], metadata: ["metadata"] };
  if (kind === "CronJob") return { spec: ["spec", "jobTemplate", "spec", "template", "spec"], metadata: ["spec", "jobTemplate", "spec", "template", "metadata"] };
  if (TEMPLATE_KINDS.has(kind)) return { spec: ["spec", "template", "spec"], metadata: ["spec", "template", "metadata"] };
  return undefined;
}

function at(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(node)) return undefined;
      node = node[step];
    } else {
      if (!isMap(node)) return undefined;
      node = node[step];
    }
  }
  return node;
}

const LISTS: readonly ContainerList[] = ["initContainers", "containers", "ephemeralContainers"];

/**
 * The pod spec of a workload (Pod, Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig), or
 * undefined when the object is not one or has no pod spec.
 */
export function workloadOf(object: K8sObject): Workload | undefined {
  const paths = podPaths(object.kind);
  if (!paths) return undefined;
  const spec = at(object.raw, paths.spec);
  if (!isMap(spec)) return undefined;
  const metadata = at(object.raw, paths.metadata);
  const containers: ContainerRef[] = [];
  for (const list of LISTS) {
    listAt(spec, list).forEach((container, index) => {
      if (!isMap(container)) return;
      const name = typeof container["name"] === "string" ? container["name"] : `#${index}`;
      containers.push({ list, index, name, container, path: [...paths.spec, list, index] });
    });
  }
  return {
    object,
    spec,
    specPath: paths.spec,
    podMetadata: isMap(metadata) ? metadata : {},
    podMetadataPath: paths.metadata,
    containers,
  };
}

/** Labels of the pods a workload creates. */
export function podLabels(workload: Workload): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(mapAt(workload.podMetadata, "labels"))) {
    if (typeof v === "string") labels[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") labels[k] = String(v);
  }
  return labels;
}

/**
 * The Kubernetes model the rules read. The parser (`parse.ts`) builds it from
 * YAML or JSON manifests: one `K8sObject` per Kubernetes object (multi-document
 * files and `List` kinds expanded), grouped per file into a `K8sDocument` that
 * also sees every object of the scan (`K8sObjectSet`), so that rules such as
 * NetworkPolicy coverage can look across files while `check` stays pure.
 */

/** A step in a path inside an object: a map key or a sequence index. */
export type PathSegment = string | number;

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** A plain JSON-like mapping, as manifests parse to. */
export type K8sMap = Record<string, unknown>;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  /** `metadata.name` (or `metadata.generateName`); undefined when absent. */
  name: string | undefined;
  /** `metadata.namespace`; undefined when absent (the object lands in whatever namespace it is applied to). */
  namespace: string | undefined;
  /** The object as plain data. */
  raw: K8sMap;
  /** The file as findings name it. */
  file: string;
  /** First and last line of the object's document (or of the `List` item). */
  startLine: number;
  endLine: number;
  /**
   * `Kind/namespace/name`, with `-` for an absent namespace or name: the
   * manifest does not say which namespace it lands in, and the scanner does
   * not guess `default`.
   */
  resource: string;
  /**
   * Where a node is, for a path relative to the object (e.g.
   * `["spec", "template", "spec", "containers", 0, "image"]`). A path that
   * ends at a map key points at that key; a path that does not exist points at
   * its deepest existing ancestor, so a missing field is reported where it
   * should be added.
   */
  lineOf(path: readonly PathSegment[]): Position;
}

/** Which list of a pod spec a container comes from. */
export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";

export interface ContainerRef {
  list: ContainerList;
  index: number;
  /** `name`, or `#<index>` when absent. */
  name: string;
  container: K8sMap;
  /** Path from the object root to the container. */
  path: PathSegment[];
}

/** An object that runs pods: its pod spec and pod template metadata. */
export interface Workload {
  object: K8sObject;
  spec: K8sMap;
  /** Path from the object root to the pod spec. */
  specPath: PathSegment[];
  /** Pod template metadata (`metadata` for a Pod). */
  podMetadata: K8sMap;
  podMetadataPath: PathSegment[];
  containers: ContainerRef[];
}

/**
 * Every object of one scan, with the cross-file look-ups rules need. Look-ups
 * are by the namespace of a given object: an explicit `metadata.namespace`
 * matches across the whole scan; objects without one are taken to share a
 * namespace only with namespace-less objects under the same top-level
 * directory of the scan (one repository or application).
 */
export interface K8sObjectSet {
  objects: readonly K8sObject[];
  /** Every object of a kind, in scan order. */
  ofKind(kind: string): readonly K8sObject[];
  /** NetworkPolicies in the namespace of `object`. */
  networkPoliciesIn(object: K8sObject): readonly K8sObject[];
  /** The ServiceAccount of that name in the namespace of `object`, if the scan has it. */
  serviceAccount(object: K8sObject, name: string): K8sObject | undefined;
  /** The first workload (by file, then line) in the namespace of `object`: where namespace-level evaluations are reported. */
  firstWorkloadIn(object: K8sObject): K8sObject | undefined;
  /**
   * Whether an untagged image repository of `object` is a build artifact of a
   * Skaffold config under the same top-level directory: Skaffold replaces it
   * with a tagged, digest-pinned reference at deploy time.
   */
  builtBySkaffold(object: K8sObject, repository: string): boolean;
}

/** What Kubernetes rules check: the objects of one file, plus the whole scan. */
export interface K8sDocument {
  file: string;
  objects: readonly K8sObject[];
  set: K8sObjectSet;
}

import type { ComplianceRef, Evaluation, Rule, RuleMeta } from "../../types.js";
import type { ContainerList, ContainerRef, K8sDocument, K8sMap, K8sObject, PathSegment, Workload } from "../model.js";
import { mapAt, workloadOf } from "../workload.js";

/** The outcome of one check on one subject. `at` is where a failure is reported (relative to the object). */
export type Verdict = { passed: true } | { passed: false; at: readonly PathSegment[]; message: string; fix?: string };

export const PASS: Verdict = { passed: true };

export function fail(at: readonly PathSegment[], message: string, fix?: string): Verdict {
  return fix === undefined ? { passed: false, at, message } : { passed: false, at, message, fix };
}

export function cis(control: string, mandatory = false): ComplianceRef {
  return { framework: "cis-k8s", control, mandatory };
}

export function soc2(control: string): ComplianceRef {
  return { framework: "soc2", control, mandatory: false };
}

export type K8sRuleMeta = Omit<RuleMeta, "target">;

export function meta(m: K8sRuleMeta): RuleMeta {
  return { target: "kubernetes", ...m };
}

/** One evaluation: passes are reported at the subject, failures at the offending node. */
export function evaluation(ruleMeta: RuleMeta, object: K8sObject, subject: readonly PathSegment[], verdict: Verdict): Evaluation {
  const at = verdict.passed ? subject : verdict.at;
  const pos = object.lineOf(at);
  const base: Evaluation = {
    ruleId: ruleMeta.id,
    passed: verdict.passed,
    resource: object.resource,
    file: object.file,
    line: pos.line,
    column: pos.column,
    scope: { startLine: object.startLine, endLine: object.endLine },
  };
  if (verdict.passed) return base;
  return verdict.fix === undefined ? { ...base, message: verdict.message } : { ...base, message: verdict.message, fix: verdict.fix };
}

const ALL_LISTS: readonly ContainerList[] = ["initContainers", "containers", "ephemeralContainers"];

export interface ContainerRuleSpec {
  meta: K8sRuleMeta;
  /** Which container lists the rule looks at (default: all three). */
  lists?: readonly ContainerList[];
  /** Whether the rule applies to this workload at all (e.g. probes do not apply to Jobs). */
  appliesTo?: (workload: Workload) => boolean;
  check(container: ContainerRef, workload: Workload, doc: K8sDocument): Verdict;
}

/** A rule evaluated once per container of every workload. */
export function containerRule(spec: ContainerRuleSpec): Rule<K8sDocument> {
  const m = meta(spec.meta);
  const lists = spec.lists ?? ALL_LISTS;
  return {
    meta: m,
    check(doc) {
      const out: Evaluation[] = [];
      for (const object of doc.objects) {
        const workload = workloadOf(object);
        if (!workload || (spec.appliesTo && !spec.appliesTo(workload))) continue;
        for (const c of workload.containers) {
          if (!lists.includes(c.list)) continue;
          out.push(evaluation(m, object, c.path, spec.check(c, workload, doc)));
        }
      }
      return out;
    },
  };
}

export interface PodRuleSpec {
  meta: K8sRuleMeta;
  appliesTo?: (workload: Workload) => boolean;
  check(workload: Workload, doc: K8sDocument): Verdict;
}

/** A rule evaluated once per workload (its pod spec). */
export function podRule(spec: PodRuleSpec): Rule<K8sDocument> {
  const m = meta(spec.meta);
  return {
    meta: m,
    check(doc) {
      const out: Evaluation[] = [];
      for (const object of doc.objects) {
        const workload = workloadOf(object);
        if (!workload || (spec.appliesTo && !spec.appliesTo(workload))) continue;
        out.push(evaluation(m, object, workload.specPath, spec.check(workload, doc)));
      }
      return out;
    },
  };
}

export interface ObjectRuleSpec {
  meta: K8sRuleMeta;
  kinds: readonly string[];
  /** Whether the object is a subject of the rule (default: every object of `kinds`). */
  appliesTo?: (object: K8sObject) => boolean;
  check(object: K8sObject, doc: K8sDocument): Verdict;
}

/** A rule evaluated once per object of some kinds. */
/** Groups of the Kubernetes API itself: the core group (`v1`), the dotless built-in groups, and `*.k8s.io`. */
const BUILTIN_GROUPS = new Set(["", "apps", "batch", "policy", "autoscaling", "extensions"]);

/**
 * Whether an apiVersion belongs to Kubernetes itself. Other YAML with the
 * same kind names (OpenSLO's `openslo/v1` Service, for one) is not a
 * Kubernetes object, and rules about built-in kinds do not apply to it.
 */
export function isKubernetesApi(apiVersion: string): boolean {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  return BUILTIN_GROUPS.has(group) || group.endsWith(".k8s.io") || group.includes(".");
}

export function objectRule(spec: ObjectRuleSpec): Rule<K8sDocument> {
  const m = meta(spec.meta);
  return {
    meta: m,
    check(doc) {
      const out: Evaluation[] = [];
      for (const object of doc.objects) {
        if (!spec.kinds.includes(object.kind)) continue;
        if (!isKubernetesApi(object.apiVersion)) continue;
        if (spec.appliesTo && !spec.appliesTo(object)) continue;
        out.push(evaluation(m, object, ["kind"], spec.check(object, doc)));
      }
      return out;
    },
  };
}

/** `securityContext` of a container. */
export function containerSC(c: ContainerRef): K8sMap {
  return mapAt(c.container, "securityContext");
}

/** `securityContext` of a pod spec. */
export function podSC(w: Workload): K8sMap {
  return mapAt(w.spec, "securityContext");
}

/** Where a container-level security setting is, or where it should be added. */
export function scPath(c: ContainerRef, ...rest: PathSegment[]): PathSegment[] {
  return [...c.path, "securityContext", ...rest];
}

/**
 * A security setting as it applies to a container: the container's own
 * `securityContext` overrides the pod's. `at` points at the node that decided.
 */
export function effective(c: ContainerRef, w: Workload, key: string): { value: unknown; at: PathSegment[] } {
  const own = containerSC(c);
  if (own[key] !== undefined && own[key] !== null) return { value: own[key], at: scPath(c, key) };
  const pod = podSC(w);
  if (pod[key] !== undefined && pod[key] !== null) return { value: pod[key], at: [...w.specPath, "securityContext", key] };
  return { value: undefined, at: c.path };
}

/** Capability names normalised: upper case, without the `CAP_` prefix. */
export function capabilities(c: ContainerRef, which: "add" | "drop"): { name: string; index: number }[] {
  const caps = mapAt(containerSC(c), "capabilities")[which];
  if (!Array.isArray(caps)) return [];
  const out: { name: string; index: number }[] = [];
  caps.forEach((v, index) => {
    if (typeof v === "string") out.push({ name: v.toUpperCase().replace(/^CAP_/, ""), index });
  });
  return out;
}

export function containerLabel(c: ContainerRef): string {
  const kind = c.list === "containers" ? "container" : c.list === "initContainers" ? "init container" : "ephemeral container";
  return `${kind} "${c.name}"`;
}

/** Job and CronJob pods run to completion: probes do not apply to them. */
export function isLongRunning(w: Workload): boolean {
  return w.object.kind !== "Job" && w.object.kind !== "CronJob";
}


/** A manifest value for a message: scalars as written, structures as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return String(value);
  return JSON.stringify(value) ?? "?";
}

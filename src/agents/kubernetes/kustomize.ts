/**
 * Kustomize: a base with every object, and one overlay per environment whose
 * JSON 6902 patches are computed, not written by hand: the environment's
 * objects are built with the same builders and compared with the base, so
 * an overlay holds exactly the values that differ (replicas, resources, host,
 * autoscaling bounds, env, config) and nothing else.
 */
import { markerLine } from "../../core/plans/plan.js";
import type { Manifest } from "./manifests.js";
import { AGENT_ID, groupByFile, renderDocument, renderYamlFile } from "./render.js";

export interface PatchOp {
  op: "add" | "remove" | "replace";
  path: string;
  value?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

/** RFC 6902 operations that turn `from` into `to`. Lists of different length are replaced whole. */
export function diffObjects(from: unknown, to: unknown, at: (string | number)[] = []): PatchOp[] {
  if (equal(from, to)) return [];
  if (isObject(from) && isObject(to)) {
    const ops: PatchOp[] = [];
    for (const k of Object.keys(from)) if (!(k in to)) ops.push({ op: "remove", path: pointer([...at, k]) });
    for (const k of Object.keys(to)) {
      ops.push(...(k in from ? diffObjects(from[k], to[k], [...at, k]) : [{ op: "add" as const, path: pointer([...at, k]), value: to[k] }]));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) return from.flatMap((x, i) => diffObjects(x, to[i], [...at, i]));
  return [{ op: "replace", path: pointer(at), value: to }];
}

interface Target {
  group?: string;
  version: string;
  kind: string;
  name: string;
}

function targetOf(object: { apiVersion: string; kind: string; metadata?: { name?: string } }): Target {
  const slash = object.apiVersion.indexOf("/");
  const name = object.metadata?.name ?? "";
  return slash < 0
    ? { version: object.apiVersion, kind: object.kind, name }
    : { group: object.apiVersion.slice(0, slash), version: object.apiVersion.slice(slash + 1), kind: object.kind, name };
}

const key = (m: Manifest) => `${m.object.apiVersion} ${m.object.kind} ${m.object.metadata?.name ?? ""}`;

export interface KustomizeFile {
  path: string;
  content: string;
}

const KUSTOMIZATION = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" } as const;

/** `<dir>/base/`: one file per group of objects, and the kustomization listing them. */
export function kustomizeBase(dir: string, base: readonly Manifest[]): KustomizeFile[] {
  const groups = groupByFile(base);
  const files = [...groups.entries()].map(([file, ms]) => ({ path: `${dir}/base/${file}.yaml`, content: renderYamlFile(ms.map((m) => m.object)) }));
  const kustomization = { ...KUSTOMIZATION, resources: [...groups.keys()].map((f) => `${f}.yaml`) };
  return [...files, { path: `${dir}/base/kustomization.yaml`, content: renderYamlFile([kustomization]) }];
}

/**
 * `<dir>/overlays/<env>/`: the kustomization (the base, the environment's
 * namespace when it differs, and the patches) and one patch file per
 * changed object. `envManifests` must be built with the base's namespace:
 * the namespace is changed by Kustomize's namespace transformer, not by patches.
 */
export function kustomizeOverlay(dir: string, env: string, base: readonly Manifest[], envManifests: readonly Manifest[], namespace?: string): KustomizeFile[] {
  const byKey = new Map(base.map((m) => [key(m), m]));
  const files: KustomizeFile[] = [];
  const patches: { path: string; target: Target }[] = [];
  for (const m of envManifests) {
    const original = byKey.get(key(m));
    if (!original) throw new Error(`overlay ${env}: ${key(m)} is not in the base; environments differ in values, not in objects`);
    const ops = diffObjects(original.object, m.object);
    if (ops.length === 0) continue;
    const t = targetOf(m.object);
    const file = `patches/${t.kind.toLowerCase()}-${t.name}.yaml`;
    files.push({ path: `${dir}/overlays/${env}/${file}`, content: `${markerLine(AGENT_ID)}\n${renderDocument(ops)}` });
    patches.push({ path: file, target: t });
  }
  if (envManifests.length !== base.length) throw new Error(`overlay ${env}: the environment has ${envManifests.length} objects, the base ${base.length}`);
  const kustomization: Record<string, unknown> = { ...KUSTOMIZATION };
  if (namespace !== undefined) kustomization.namespace = namespace;
  kustomization.resources = ["../../base"];
  if (patches.length > 0) kustomization.patches = patches;
  return [{ path: `${dir}/overlays/${env}/kustomization.yaml`, content: renderYamlFile([kustomization]) }, ...files];
}

/**
 * Small helpers shared by the Terraform rules: reading attributes and nested
 * blocks (including `dynamic` blocks), tri-state checks that keep unknown
 * values from failing, and building Evaluations.
 */
import type { Evaluation, Rule, RuleMeta } from "../../types.js";
import { isObject, isUnknown, toBool, toNum, toStr } from "../evaluate.js";
import type { TfAttr, TfBlock, TfModule, TfProject, TfResource, TfValue } from "../model.js";

export { isUnknown, toBool, toNum, toStr };

/** Yes, no, or not known statically. */
export type Tri = true | false | "unknown";

export function attr(b: TfBlock, name: string): TfAttr | undefined {
  return Object.hasOwn(b.attrs, name) ? b.attrs[name] : undefined;
}

/** The value of an attribute; `undefined` when it is absent (null counts as absent, as in Terraform). */
export function value(b: TfBlock, name: string): TfValue | undefined {
  const a = attr(b, name);
  if (a === undefined) return undefined;
  const v = a.value;
  return v === null ? undefined : v;
}

/**
 * Nested blocks of a type: literal ones and the `content` of `dynamic "<type>"`
 * blocks (one per known for_each element, or one with unknown values when
 * for_each is not known). With `definite`, contents of a dynamic block whose
 * for_each is not known are left out: they may not exist at all.
 */
export function blocks(b: TfBlock, type: string, definite = false): TfBlock[] {
  const out: TfBlock[] = [];
  for (const c of b.blocks) {
    if (c.type === type) out.push(c);
    else if (c.type === "dynamic" && c.labels[0] === type) {
      if (definite && isUnknown(c.attrs.for_each?.value)) continue;
      for (const content of c.blocks) if (content.type === "content") out.push(content);
    }
  }
  return out;
}

/** Follow a path of nested block types, e.g. ["rule", "apply_server_side_encryption_by_default"]. */
export function blockPath(b: TfBlock, path: readonly string[]): TfBlock[] {
  let cur: TfBlock[] = [b];
  for (const type of path) cur = cur.flatMap((c) => blocks(c, type));
  return cur;
}

/** Is the value known to be true (`true` or `"true"`)? unknown when it is not known. */
export function truthy(v: TfValue | undefined): Tri {
  if (v === undefined) return false;
  if (isUnknown(v)) return "unknown";
  return toBool(v) === true;
}

/** Is a flag attribute set to true? Absent → `absent` (the caller decides what the default means). */
export function flag(b: TfBlock, name: string, absent: boolean): Tri {
  const v = value(b, name);
  if (v === undefined) return absent;
  if (isUnknown(v)) return "unknown";
  const bv = toBool(v);
  return bv === null ? "unknown" : bv;
}

/** A known string, or null (absent or unknown). */
export function str(b: TfBlock, name: string): string | null {
  const v = value(b, name);
  return v === undefined || isUnknown(v) ? null : toStr(v);
}

/** A known number, or null. */
export function num(b: TfBlock, name: string): number | null {
  const v = value(b, name);
  return v === undefined || isUnknown(v) ? null : toNum(v);
}

/** Elements of a list value: the known strings, and whether any element (or the list) is unknown. */
export function stringList(v: TfValue | undefined): { items: string[]; unknown: boolean } {
  if (v === undefined || v === null) return { items: [], unknown: false };
  if (isUnknown(v)) return { items: [], unknown: true };
  const list = Array.isArray(v) ? v : [v];
  const items: string[] = [];
  let unknown = false;
  for (const x of list) {
    if (x === null) continue;
    if (isUnknown(x)) unknown = true;
    else {
      const s = toStr(x);
      if (s === null) unknown = true;
      else items.push(s);
    }
  }
  return { items, unknown };
}

/**
 * Does the resource (or block) exist? False only when `count` is known to be
 * 0 or `for_each` is known to be empty.
 */
export function exists(b: TfBlock): boolean {
  const count = value(b, "count");
  if (count !== undefined && !isUnknown(count)) {
    const n = toNum(count);
    if (n !== null && n <= 0) return false;
    if (count === false) return false;
  }
  const forEach = value(b, "for_each");
  if (forEach !== undefined && !isUnknown(forEach)) {
    if (Array.isArray(forEach) && forEach.length === 0) return false;
    if (isObject(forEach) && Object.keys(forEach).length === 0) return false;
  }
  return true;
}

/** Managed resources of the given types that exist. */
export function resources(p: TfProject, ...types: string[]): TfResource[] {
  const want = new Set(types);
  return p.resources.filter((r) => r.mode === "managed" && want.has(r.resourceType) && exists(r));
}

/** Data sources of a type. */
export function dataSources(p: TfProject, type: string): TfResource[] {
  return p.resources.filter((r) => r.mode === "data" && r.resourceType === type && exists(r));
}

/** Resources of `type` in the same module instance whose attributes reference `target`, and that exist. */
export function companions(p: TfProject, target: TfResource, type: string, viaAttr?: string): TfResource[] {
  return p.referencing(target, type, viaAttr).filter(exists);
}

const moduleIndex = new WeakMap<TfProject, Map<TfResource, TfModule>>();

/** The module a resource belongs to. */
export function moduleOf(p: TfProject, r: TfResource): TfModule | undefined {
  let idx = moduleIndex.get(p);
  if (idx === undefined) {
    idx = new Map();
    for (const m of p.modules) for (const x of m.resources) idx.set(x, m);
    moduleIndex.set(p, idx);
  }
  return idx.get(r);
}

const localIndex = new WeakMap<TfModule, Map<string, TfResource>>();

/** A resource of the same module by its local address (`data.aws_iam_policy_document.x`). */
export function findLocal(p: TfProject, from: TfResource, localAddress: string): TfResource | undefined {
  const m = moduleOf(p, from);
  if (m === undefined) return undefined;
  let idx = localIndex.get(m);
  if (idx === undefined) {
    idx = new Map();
    for (const r of m.resources) if (!idx.has(r.localAddress)) idx.set(r.localAddress, r);
    localIndex.set(m, idx);
  }
  return idx.get(localAddress);
}

export interface Subject {
  /** Resource the evaluation is about. */
  resource: TfResource;
  passed: boolean;
  /** The offending (or deciding) attribute or block, for the line. */
  at?: { line: number; column: number } | undefined;
  message?: string | undefined;
  fix?: string | undefined;
  /**
   * The resource that holds the offending setting when it is not the subject
   * itself (e.g. the aws_s3_bucket_acl of a bucket): the finding points at its
   * file and lines, and its block is the suppression scope.
   */
  holder?: TfResource | undefined;
}

export function evaluation(meta: RuleMeta, s: Subject): Evaluation {
  const r = s.resource;
  const where = s.holder ?? r;
  const e: Evaluation = {
    ruleId: meta.id,
    passed: s.passed,
    resource: r.address,
    file: where.file,
    line: s.at?.line ?? where.line,
    column: s.at?.column ?? where.column,
    scope: { startLine: where.line, endLine: where.endLine },
  };
  if (!s.passed && s.message !== undefined) e.message = s.message;
  if (!s.passed && s.fix !== undefined) e.fix = s.fix;
  return e;
}

/**
 * Define a rule from its metadata and a function producing subjects. A bug
 * that makes `subjects` throw is not caught here: the engine reports it as
 * DP-SCAN-002 and fails the rule's controls, as for every other target.
 */
export function defineRule(meta: RuleMeta, subjects: (p: TfProject) => Iterable<Subject>): Rule<TfProject> {
  return {
    meta,
    check(p: TfProject): Evaluation[] {
      const out: Evaluation[] = [];
      for (const s of subjects(p)) out.push(evaluation(meta, s));
      return out;
    },
  };
}

/** Position of an attribute or block, for Subject.at. */
export function at(x: TfAttr | TfBlock | undefined): { line: number; column: number } | undefined {
  return x === undefined ? undefined : { line: x.line, column: x.column };
}

/**
 * Small readers over the Terraform model shared by the part-2 rules.
 *
 * Every reader is three-valued in spirit: a setting is either absent, known,
 * or unknown (a `TfUnknown` the evaluator could not resolve, or a `dynamic`
 * block). Rules fail only on what is known to be insecure, or on absence
 * where the provider default is insecure; unknown values never fail.
 */
import { ruleCrash } from "../../../engine.js";
import type { ComplianceRef, Evaluation, Rule, RuleMeta } from "../../../types.js";
import type { TfAttr, TfBlock, TfModule, TfProject, TfResource, TfUnknown, TfValue } from "../../model.js";

export type Read<T> = { kind: "absent" } | { kind: "unknown" } | { kind: "known"; value: T };

const ABSENT = { kind: "absent" } as const;
const UNKNOWN = { kind: "unknown" } as const;

export function isUnknown(v: TfValue | undefined): v is TfUnknown {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.unknown === true && typeof v.expr === "string";
}

export function isMap(v: TfValue | undefined): v is { [key: string]: TfValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isUnknown(v);
}

export function attr(b: TfBlock, name: string): TfAttr | undefined {
  return Object.hasOwn(b.attrs, name) ? b.attrs[name] : undefined;
}

/** Nested blocks of one type, e.g. every `ingress {}`; `dynamic` blocks are not included. */
export function blocks(b: TfBlock, type: string): TfBlock[] {
  return b.blocks.filter((x) => x.type === type);
}

export function firstBlock(b: TfBlock, type: string): TfBlock | undefined {
  return b.blocks.find((x) => x.type === type);
}

/** A `dynamic "<type>" {}` block: its content is not known statically. */
export function hasDynamic(b: TfBlock, type: string): boolean {
  return b.blocks.some((x) => x.type === "dynamic" && x.labels[0] === type);
}

/** The `content {}` blocks of `dynamic "<type>"` blocks. */
export function dynamicContents(b: TfBlock, type: string): TfBlock[] {
  return b.blocks
    .filter((x) => x.type === "dynamic" && x.labels[0] === type)
    .flatMap((x) => x.blocks.filter((c) => c.type === "content"));
}

export function readString(a: TfAttr | undefined): Read<string> {
  if (a === undefined) return ABSENT;
  return stringOf(a.value);
}

export function stringOf(v: TfValue | undefined): Read<string> {
  if (v === undefined || v === null) return ABSENT;
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v === "string") return { kind: "known", value: v };
  if (typeof v === "number" || typeof v === "boolean") return { kind: "known", value: String(v) };
  return UNKNOWN;
}

export function readBool(a: TfAttr | undefined): Read<boolean> {
  if (a === undefined) return ABSENT;
  return boolOf(a.value);
}

export function boolOf(v: TfValue | undefined): Read<boolean> {
  if (v === undefined || v === null) return ABSENT;
  if (v === true || v === false) return { kind: "known", value: v };
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "true") return { kind: "known", value: true };
    if (s === "false") return { kind: "known", value: false };
  }
  return UNKNOWN;
}

export function readList(a: TfAttr | undefined): Read<TfValue[]> {
  if (a === undefined) return ABSENT;
  const v = a.value;
  if (v === null) return ABSENT;
  if (Array.isArray(v)) return { kind: "known", value: v };
  if (isUnknown(v)) return UNKNOWN;
  // A single value where a list is expected (e.g. a set from one element).
  return { kind: "known", value: [v] };
}

/** Is a string attribute set to something non-empty (or to something we cannot see)? */
export function setOrUnknown(a: TfAttr | undefined): boolean {
  const r = readString(a);
  if (r.kind === "unknown") return true;
  return r.kind === "known" && r.value.trim() !== "";
}

export function upper(s: string): string {
  return s.trim().toUpperCase();
}

/** The outcome of one check on one subject. */
export interface Verdict {
  passed: boolean;
  /** The attribute that decided it (gives the line and column). */
  at?: TfAttr | TfBlock | undefined;
  message?: string;
  fix?: string;
}

export function pass(at?: TfAttr | TfBlock): Verdict {
  return { passed: true, at };
}

export function fail(message: string, at?: TfAttr | TfBlock): Verdict {
  return { passed: false, message, at };
}

export type RuleSpec = Omit<RuleMeta, "target">;

/**
 * CIS AWS Foundations Benchmark v3.0.0 control. Automated Level 1
 * recommendations (3.1 CloudTrail in all regions, 5.6 IMDSv2) are mandatory;
 * Level 2 ones (3.2, 3.5, 3.6, 3.7) are not.
 */
export function cis(control: string, mandatory: boolean): ComplianceRef {
  return { framework: "cis-aws", control, mandatory };
}

/**
 * SOC 2 (2017 Trust Services Criteria) family. Mandatory where an auditor
 * expects the control of every system in scope (no hard-coded credentials,
 * encryption at rest and in transit, audit logging, backups); hardening
 * beyond that (customer managed keys, deletion protection) is not.
 */
export function soc2(control: string, mandatory = false): ComplianceRef {
  return { framework: "soc2", control, mandatory };
}

/**
 * A rule over managed resources of the given types. `judge` returns a
 * verdict, or `undefined` when the resource is out of the check's scope
 * (e.g. an asymmetric KMS key for a rotation check).
 */
export function resourceRule(
  spec: RuleSpec,
  types: readonly string[],
  judge: (r: TfResource, project: TfProject) => Verdict | undefined,
): Rule<TfProject> {
  const meta: RuleMeta = { ...spec, target: "terraform" };
  const wanted = new Set(types);
  return {
    meta,
    check(project: TfProject): Evaluation[] {
      const out: Evaluation[] = [];
      for (const r of project.resources) {
        if (r.mode !== "managed" || !wanted.has(r.resourceType) || isNeverCreated(r)) continue;
        let v: Verdict | undefined;
        try {
          v = judge(r, project);
        } catch (e) {
          // A rule must not throw on any model the parser accepts; one that does
          // has a bug, which fails this resource (DP-SCAN-002) and the rule's controls.
          out.push(ruleCrash(meta.id, { file: r.file, line: r.line, column: r.column, subject: r.address, scope: { startLine: r.line, endLine: r.endLine } }, e));
          continue;
        }
        if (v !== undefined) out.push(toEvaluation(meta, r, v));
      }
      return out;
    },
  };
}

/** `count = 0` or an empty `for_each`, known statically: the resource does not exist. */
export function isNeverCreated(r: TfResource): boolean {
  const count = attr(r, "count");
  if (count !== undefined && (count.value === 0 || count.value === "0")) return true;
  const forEach = attr(r, "for_each");
  if (forEach !== undefined) {
    const v = forEach.value;
    if (Array.isArray(v) && v.length === 0) return true;
    if (isMap(v) && Object.keys(v).length === 0) return true;
  }
  return false;
}

export function toEvaluation(meta: RuleMeta, r: TfResource, v: Verdict): Evaluation {
  const where = v.passed ? undefined : v.at;
  const e: Evaluation = {
    ruleId: meta.id,
    passed: v.passed,
    resource: r.address,
    file: r.file,
    line: where?.line ?? r.line,
    column: where?.column ?? r.column,
    scope: { startLine: r.line, endLine: Math.max(r.line, r.endLine) },
  };
  if (!v.passed && v.message !== undefined) e.message = `${meta.message} Found: ${v.message}.`;
  if (!v.passed && v.fix !== undefined) e.fix = v.fix;
  return e;
}

const resourceIndex = new WeakMap<TfProject, Map<string, TfResource>>();

/**
 * The resource a reference such as `aws_lb.main` or
 * `data.aws_iam_policy_document.key` names, in the module instance of `from`.
 */
export function resolveRef(project: TfProject, from: TfResource, ref: string): TfResource | undefined {
  let index = resourceIndex.get(project);
  if (index === undefined) {
    index = new Map();
    for (const r of project.resources) {
      const key = `${r.modulePath}|${r.localAddress}`;
      if (!index.has(key)) index.set(key, r);
    }
    resourceIndex.set(project, index);
  }
  return index.get(`${from.modulePath}|${ref}`);
}

export function moduleOf(project: TfProject, r: TfResource): TfModule | undefined {
  return project.modules.find((m) => m.modulePath === r.modulePath && m.files.includes(r.file))
    ?? project.modules.find((m) => m.modulePath === r.modulePath);
}

/**
 * References of an attribute, following `local.x` one or two levels through
 * the module's locals (e.g. `vpc_id = local.vpc_id` where the local is
 * `aws_vpc.this[0].id`).
 */
export function refsThroughLocals(project: TfProject, r: TfResource, a: TfAttr | undefined): string[] {
  if (a === undefined) return [];
  const mod = moduleOf(project, r);
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (refs: readonly string[], depth: number): void => {
    for (const ref of refs) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      out.push(ref);
      if (depth < 3 && ref.startsWith("local.") && mod !== undefined) {
        const name = ref.slice("local.".length);
        const local = Object.hasOwn(mod.locals, name) ? mod.locals[name] : undefined;
        if (local !== undefined) visit(local.refs, depth + 1);
      }
    }
  };
  visit(a.refs, 0);
  return out;
}

/** Parse a JSON document given as a string or already evaluated (jsonencode). */
export function jsonDocument(v: TfValue | undefined): unknown {
  if (v === undefined || v === null || isUnknown(v)) return undefined;
  if (typeof v === "string") return lenientJson(v);
  return v;
}

/**
 * JSON.parse that also accepts the trailing commas people leave in heredoc
 * policies (AWS rejects them at apply time, but the intent is readable).
 */
export function lenientJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    try {
      return JSON.parse(s.replace(/,(\s*[\]}])/g, "$1")) as unknown;
    } catch {
      return undefined;
    }
  }
}

export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

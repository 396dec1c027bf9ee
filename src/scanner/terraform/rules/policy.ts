/**
 * IAM and resource policies as the rules read them: from JSON strings
 * (literal, heredoc or jsonencode'd — unknown leaves appear as "${…}") and
 * from `data "aws_iam_policy_document"` statement blocks.
 */
import type { TfAttr, TfProject, TfResource, TfValue } from "../model.js";
import { attr, blocks, findLocal, isUnknown, stringList, str, toStr, value } from "./helpers.js";

export interface Condition {
  test: string | null;
  variable: string | null;
  values: string[];
}

export interface Statement {
  /** "Allow" / "Deny"; null when not known. */
  effect: string | null;
  /** Known action strings (lower-cased), from Action / actions. */
  actions: string[];
  /** Some action is not known statically. */
  actionsUnknown: boolean;
  /** The statement uses NotAction / not_actions instead. */
  notAction: boolean;
  resources: string[];
  resourcesUnknown: boolean;
  notResource: boolean;
  principalsStar: boolean;
  /** Principal / NotPrincipal (or principals blocks): a resource-based policy statement. */
  hasPrincipals: boolean;
  conditions: Condition[];
  conditionsUnknown: boolean;
  line: number;
  column: number;
}

export interface Policy {
  statements: Statement[];
  /** Parts of the policy could not be read (unknown document, unknown dynamic statements…). */
  incomplete: boolean;
}

const POLICY_DOC = "aws_iam_policy_document";

/** Placeholder an unknown leaf becomes inside jsonencode or a heredoc. */
function isPlaceholder(s: string): boolean {
  return s.includes("${");
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function jsonStrings(v: unknown): { items: string[]; unknown: boolean } {
  const items: string[] = [];
  let unknown = false;
  for (const x of asList(v)) {
    if (typeof x !== "string") {
      unknown = true;
      continue;
    }
    if (isPlaceholder(x)) unknown = true;
    else items.push(x);
  }
  return { items, unknown };
}

function fromJsonStatement(s: unknown, line: number, column: number): Statement | null {
  if (typeof s !== "object" || s === null || Array.isArray(s)) return null;
  const o = s as Record<string, unknown>;
  const effect = typeof o.Effect === "string" && !isPlaceholder(o.Effect) ? o.Effect : o.Effect === undefined ? "Allow" : null;
  const notAction = o.NotAction !== undefined;
  const actions = jsonStrings(notAction ? o.NotAction : o.Action);
  const notResource = o.NotResource !== undefined;
  const res = jsonStrings(notResource ? o.NotResource : o.Resource);
  const conditions: Condition[] = [];
  let conditionsUnknown = false;
  if (o.Condition !== undefined) {
    if (typeof o.Condition !== "object" || o.Condition === null) conditionsUnknown = true;
    else {
      for (const [test, vars] of Object.entries(o.Condition as Record<string, unknown>)) {
        if (typeof vars !== "object" || vars === null) {
          conditionsUnknown = true;
          continue;
        }
        for (const [variable, vals] of Object.entries(vars as Record<string, unknown>)) {
          const v = asList(vals).map((x) => (typeof x === "boolean" ? String(x) : x));
          const strs = jsonStrings(v);
          if (strs.unknown) conditionsUnknown = true;
          conditions.push({ test, variable, values: strs.items });
        }
      }
    }
  }
  const p = o.Principal;
  const principalsStar = p === "*" || (typeof p === "object" && p !== null && asList((p as Record<string, unknown>).AWS).includes("*"));
  return {
    effect,
    actions: actions.items.map((a) => a.toLowerCase()),
    actionsUnknown: actions.unknown,
    notAction,
    resources: res.items,
    resourcesUnknown: res.unknown,
    notResource,
    principalsStar,
    hasPrincipals: o.Principal !== undefined || o.NotPrincipal !== undefined,
    conditions,
    conditionsUnknown,
    line,
    column,
  };
}

/** Parse a JSON policy text; null when it is not JSON (e.g. an unknown heredoc interpolation broke it). */
export function parsePolicyJson(text: string, line: number, column: number): Policy | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== "object" || doc === null) return null;
  const raw = (doc as Record<string, unknown>).Statement;
  const statements: Statement[] = [];
  let incomplete = false;
  for (const s of asList(raw)) {
    const st = fromJsonStatement(s, line, column);
    if (st === null) incomplete = true;
    else statements.push(st);
  }
  return { statements, incomplete };
}

/** Statements of a `data "aws_iam_policy_document"`. */
export function policyFromDocument(doc: TfResource): Policy {
  const statements: Statement[] = [];
  let incomplete = false;
  for (const key of ["source_policy_documents", "override_policy_documents", "source_json", "override_json"]) {
    if (attr(doc, key) !== undefined) incomplete = true;
  }
  for (const b of blocks(doc, "statement")) {
    const effectV = value(b, "effect");
    const effect = effectV === undefined ? "Allow" : isUnknown(effectV) ? null : toStr(effectV);
    const notAction = attr(b, "not_actions") !== undefined && attr(b, "actions") === undefined;
    const actions = stringList(value(b, notAction ? "not_actions" : "actions"));
    const notResource = attr(b, "not_resources") !== undefined && attr(b, "resources") === undefined;
    const res = stringList(value(b, notResource ? "not_resources" : "resources"));
    const conditions: Condition[] = [];
    let conditionsUnknown = false;
    for (const c of blocks(b, "condition")) {
      const vals = stringList(value(c, "values"));
      const test = str(c, "test");
      const variable = str(c, "variable");
      if (vals.unknown || test === null || variable === null) conditionsUnknown = true;
      conditions.push({ test, variable, values: vals.items });
    }
    let principalsStar = false;
    for (const pb of blocks(b, "principals")) {
      if (str(pb, "type") === "*" || stringList(value(pb, "identifiers")).items.includes("*")) {
        if (str(pb, "type") === "AWS" || str(pb, "type") === "*") principalsStar = true;
      }
    }
    statements.push({
      effect,
      actions: actions.items.map((a) => a.toLowerCase()),
      actionsUnknown: actions.unknown,
      notAction,
      resources: res.items,
      resourcesUnknown: res.unknown,
      notResource,
      principalsStar,
      hasPrincipals: blocks(b, "principals").length > 0 || blocks(b, "not_principals").length > 0,
      conditions,
      conditionsUnknown,
      line: b.line,
      column: b.column,
    });
  }
  return { statements, incomplete };
}

export type PolicySource =
  | { kind: "policy"; policy: Policy }
  /** The attribute is the `.json` of a policy document data source in the same module. */
  | { kind: "document"; doc: TfResource }
  | { kind: "unknown" };

/** Read the policy an attribute holds (a JSON string, or a reference to a policy document). */
export function policyOf(p: TfProject, r: TfResource, a: TfAttr | undefined): PolicySource {
  if (a === undefined) return { kind: "unknown" };
  const v: TfValue = a.value;
  if (typeof v === "string") {
    const pol = parsePolicyJson(v, a.line, a.column);
    return pol === null ? { kind: "unknown" } : { kind: "policy", policy: pol };
  }
  const docRef = a.refs.find((ref) => ref.startsWith(`data.${POLICY_DOC}.`));
  if (docRef !== undefined && a.refs.length === 1) {
    const doc = findLocal(p, r, docRef);
    if (doc !== undefined) return { kind: "document", doc };
  }
  return { kind: "unknown" };
}

/** Does a statement allow the action (case-insensitive wildcard match on known actions)? */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "i");
  return re.test(action);
}

export function isAllow(s: Statement): boolean {
  return s.effect !== null && s.effect.toLowerCase() === "allow";
}

export function isDeny(s: Statement): boolean {
  return s.effect !== null && s.effect.toLowerCase() === "deny";
}

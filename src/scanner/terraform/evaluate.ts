/**
 * Static evaluation of HCL expressions into `TfValue`s.
 *
 * Known: literals, templates whose parts are known, lists, objects, `var.x`
 * (variable defaults, or the value every caller of the module passes),
 * `local.x`, `true/false/null`, arithmetic, comparisons, logic, conditionals
 * with a known condition (or equal branches), for-expressions over known
 * collections, and a set of pure functions (see FUNCTIONS). Everything else is
 * a `TfUnknown` carrying the source text of the expression.
 *
 * Two deliberate "partially known" strings, so policy rules can read the
 * structure of documents whose leaves are not known:
 * - `jsonencode(x)` where `x` contains unknown leaves renders each unknown leaf
 *   as the JSON string `"${<expr>}"`;
 * - a heredoc template with unknown interpolations keeps them as `${<expr>}`
 *   in the text (and its raw source when it uses `%{}` directives).
 * A quoted template with any unknown part is a TfUnknown.
 */
import type { TfUnknown, TfValue } from "./model.js";
import type { Expr, ForExpr, ExprBase } from "./parse.js";

export class UnknownValue implements TfUnknown {
  readonly unknown = true as const;
  constructor(readonly expr: string) {}
}

export function unknown(expr: string): TfUnknown {
  return new UnknownValue(expr);
}

export function isUnknown(v: unknown): v is TfUnknown {
  if (v instanceof UnknownValue) return true;
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    (v as { unknown?: unknown }).unknown === true &&
    typeof (v as { expr?: unknown }).expr === "string" &&
    Object.keys(v).length === 2
  );
}

export type TfObject = { [key: string]: TfValue };

export function isObject(v: TfValue | undefined): v is TfObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isUnknown(v);
}

/** Does the value contain no unknown anywhere? */
export function isFullyKnown(v: TfValue, budget = { n: 100_000 }): boolean {
  if (--budget.n < 0) return false;
  if (v === null || typeof v !== "object") return true;
  if (isUnknown(v)) return false;
  if (Array.isArray(v)) return v.every((x) => isFullyKnown(x, budget));
  return Object.values(v).every((x) => isFullyKnown(x, budget));
}

export interface EvalContext {
  /** Source of the file the expressions come from (for TfUnknown.expr). */
  readonly src: string;
  variable(name: string): TfValue;
  local(name: string): TfValue;
}

/** Roots that are never values of their own. */
const NON_VALUE_ROOTS = new Set(["each", "count", "self", "path", "terraform", "module", "data"]);
/** Roots recorded in refs by their first attribute only. */
const ONE_NAME_ROOTS = new Set(["var", "local", "module"]);
const IGNORED_REF_ROOTS = new Set(["each", "count", "self", "path", "terraform"]);

const MAX_DEPTH = 300;
const MAX_ITEMS = 50_000;
const MAX_STRING = 2_000_000;

let depth = 0;

export type Bound = ReadonlyMap<string, TfValue>;
const NO_BOUND: Bound = new Map();

function text(ctx: EvalContext, e: ExprBase): string {
  return ctx.src.slice(e.s, e.e);
}

/** Evaluate an expression. Never throws. */
export function evaluate(expr: Expr, ctx: EvalContext, bound: Bound = NO_BOUND): TfValue {
  if (depth > MAX_DEPTH) return unknown(text(ctx, expr));
  depth++;
  try {
    return ev(expr, ctx, bound);
  } catch {
    return unknown(text(ctx, expr));
  } finally {
    depth--;
  }
}

function ev(x: Expr, ctx: EvalContext, bound: Bound): TfValue {
  switch (x.t) {
    case "lit":
      return x.v;
    case "paren":
      return evaluate(x.x, ctx, bound);
    case "tpl":
      return template(x, ctx, bound);
    case "tuple": {
      const out: TfValue[] = [];
      for (const item of x.items) out.push(evaluate(item, ctx, bound));
      return out;
    }
    case "object": {
      const out: TfObject = {};
      for (const item of x.items) {
        const k = item.bareKey ? (item.key as { v: string }).v : evaluate(item.key, ctx, bound);
        const key = toStr(k);
        if (key === null) return unknown(text(ctx, x));
        out[key] = evaluate(item.value, ctx, bound);
      }
      return out;
    }
    case "var": {
      const b = bound.get(x.name);
      if (b !== undefined) return b;
      return unknown(text(ctx, x));
    }
    case "get":
      return getAttr(x, ctx, bound);
    case "index": {
      const obj = evaluate(x.obj, ctx, bound);
      const key = evaluate(x.key, ctx, bound);
      if (isUnknown(obj) || isUnknown(key)) return unknown(text(ctx, x));
      if (Array.isArray(obj)) {
        const i = toNum(key);
        if (i === null || !Number.isInteger(i) || i < 0 || i >= obj.length) return unknown(text(ctx, x));
        return obj[i]!;
      }
      if (isObject(obj)) {
        const k = toStr(key);
        if (k === null || !Object.hasOwn(obj, k)) return unknown(text(ctx, x));
        return obj[k]!;
      }
      return unknown(text(ctx, x));
    }
    case "splat": {
      const obj = evaluate(x.obj, ctx, bound);
      if (Array.isArray(obj)) return obj;
      if (obj === null) return [];
      if (isUnknown(obj)) return unknown(text(ctx, x));
      return [obj];
    }
    case "call":
      return call(x, ctx, bound);
    case "cond": {
      const c = evaluate(x.c, ctx, bound);
      const cb = toBool(c);
      if (cb === true) return evaluate(x.a, ctx, bound);
      if (cb === false) return evaluate(x.b, ctx, bound);
      const a = evaluate(x.a, ctx, bound);
      const b = evaluate(x.b, ctx, bound);
      if (isFullyKnown(a) && isFullyKnown(b) && deepEqual(a, b)) return a;
      return unknown(text(ctx, x));
    }
    case "unary": {
      const v = evaluate(x.x, ctx, bound);
      if (x.op === "!") {
        const b = toBool(v);
        return b === null ? unknown(text(ctx, x)) : !b;
      }
      const n = toNum(v);
      return n === null ? unknown(text(ctx, x)) : -n;
    }
    case "bin":
      return binary(x, ctx, bound);
    case "for":
      return forExpr(x, ctx, bound);
  }
}

function getAttr(x: Expr & { t: "get" }, ctx: EvalContext, bound: Bound): TfValue {
  const o = x.obj;
  if (o.t === "var" && !bound.has(o.name)) {
    if (o.name === "var") return ctx.variable(x.name);
    if (o.name === "local") return ctx.local(x.name);
    return unknown(text(ctx, x));
  }
  if (o.t === "splat") {
    const list = evaluate(o.obj, ctx, bound);
    if (!Array.isArray(list)) return unknown(text(ctx, x));
    const out: TfValue[] = [];
    for (const el of list) {
      if (!isObject(el) || !Object.hasOwn(el, x.name)) return unknown(text(ctx, x));
      out.push(el[x.name]!);
    }
    return out;
  }
  const obj = evaluate(o, ctx, bound);
  if (isObject(obj) && Object.hasOwn(obj, x.name)) return obj[x.name]!;
  return unknown(text(ctx, x));
}

function template(x: Expr & { t: "tpl" }, ctx: EvalContext, bound: Bound): TfValue {
  if (x.directives !== null) {
    if (!x.heredoc) return unknown(text(ctx, x));
    return dedent(rawHeredocBody(ctx.src, x), x.strip);
  }
  const parts = x.parts;
  if (parts.length === 1 && typeof parts[0] === "string") return x.strip ? dedent(parts[0], true) : parts[0];
  let out = "";
  for (const p of parts) {
    if (typeof p === "string") {
      out += p;
      continue;
    }
    const v = evaluate(p, ctx, bound);
    const s = toStr(v);
    if (s === null) {
      if (!x.heredoc) return unknown(text(ctx, x));
      out += "${" + text(ctx, p) + "}";
    } else {
      out += s;
    }
    if (out.length > MAX_STRING) return unknown(text(ctx, x));
  }
  return x.strip ? dedent(out, true) : out;
}

function rawHeredocBody(src: string, x: ExprBase): string {
  const raw = src.slice(x.s, x.e);
  const nl = raw.indexOf("\n");
  const lastNl = raw.lastIndexOf("\n");
  return nl < 0 || lastNl <= nl ? "" : raw.slice(nl + 1, lastNl + 1);
}

function dedent(s: string, strip: boolean): string {
  if (!strip) return s;
  const lines = s.split("\n");
  let min = Infinity;
  for (const l of lines) {
    if (l.trim() === "") continue;
    const m = /^[ \t]*/.exec(l)![0].length;
    if (m < min) min = m;
  }
  if (min === Infinity || min === 0) return s;
  return lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)![0].length))).join("\n");
}

function binary(x: Expr & { t: "bin" }, ctx: EvalContext, bound: Bound): TfValue {
  const l = evaluate(x.l, ctx, bound);
  if (x.op === "&&" || x.op === "||") {
    const lb = toBool(l);
    if (x.op === "&&" && lb === false) return false;
    if (x.op === "||" && lb === true) return true;
    const rb = toBool(evaluate(x.r, ctx, bound));
    if (x.op === "&&" && rb === false) return false;
    if (x.op === "||" && rb === true) return true;
    if (lb === null || rb === null) return unknown(text(ctx, x));
    return x.op === "&&" ? lb && rb : lb || rb;
  }
  const r = evaluate(x.r, ctx, bound);
  if (x.op === "==" || x.op === "!=") {
    if (!isFullyKnown(l) || !isFullyKnown(r)) return unknown(text(ctx, x));
    const eq = deepEqual(l, r);
    return x.op === "==" ? eq : !eq;
  }
  const a = toNum(l);
  const b = toNum(r);
  if (a === null || b === null) return unknown(text(ctx, x));
  switch (x.op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? unknown(text(ctx, x)) : a / b;
    case "%":
      return b === 0 ? unknown(text(ctx, x)) : a % b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
  }
}

function forExpr(x: ExprBase & ForExpr, ctx: EvalContext, bound: Bound): TfValue {
  const coll = evaluate(x.coll, ctx, bound);
  let entries: [TfValue, TfValue][];
  if (Array.isArray(coll)) entries = coll.map((v, i) => [i, v]);
  else if (isObject(coll)) entries = Object.keys(coll).map((k) => [k, coll[k]!]);
  else return unknown(text(ctx, x));
  if (entries.length > MAX_ITEMS) return unknown(text(ctx, x));
  const list: TfValue[] = [];
  const obj: TfObject = {};
  for (const [k, v] of entries) {
    const inner = new Map(bound);
    if (x.keyVar !== null) inner.set(x.keyVar, k);
    inner.set(x.valVar, v);
    if (x.cond !== null) {
      const c = toBool(evaluate(x.cond, ctx, inner));
      if (c === null) return unknown(text(ctx, x));
      if (!c) continue;
    }
    const val = evaluate(x.val, ctx, inner);
    if (x.key === null) {
      list.push(val);
      continue;
    }
    const key = toStr(evaluate(x.key, ctx, inner));
    if (key === null) return unknown(text(ctx, x));
    if (x.group) {
      const cur = obj[key];
      if (Array.isArray(cur)) cur.push(val);
      else obj[key] = [val];
    } else {
      obj[key] = val;
    }
  }
  return x.key === null ? list : obj;
}

// ---- conversions ---------------------------------------------------------------

export function toStr(v: TfValue | undefined): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean") return v ? "true" : "false";
  return null;
}

export function toNum(v: TfValue | undefined): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

export function toBool(v: TfValue | undefined): boolean | null {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return null;
}

export function deepEqual(a: TfValue, b: TfValue, budget = { n: 100_000 }): boolean {
  if (--budget.n < 0) return false;
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (isUnknown(a) || isUnknown(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]!, budget));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k]!, b[k]!, budget));
}

/**
 * JSON text of a value; unknown leaves become `"${expr}"`. Returns null when
 * the output would be unreasonably large.
 */
export function toJson(v: TfValue, pretty = false): string | null {
  const budget = { n: MAX_STRING };
  const out = json(v, budget);
  if (out === null) return null;
  return pretty ? JSON.stringify(JSON.parse(out), null, 2) : out;
}

function json(v: TfValue, budget: { n: number }): string | null {
  if (budget.n < 0) return null;
  let s: string | null;
  if (v === null || typeof v !== "object") {
    s = typeof v === "number" && !Number.isFinite(v) ? "null" : JSON.stringify(v);
  } else if (isUnknown(v)) {
    s = JSON.stringify("${" + v.expr + "}");
  } else if (Array.isArray(v)) {
    const parts: string[] = [];
    for (const x of v) {
      const p = json(x, budget);
      if (p === null) return null;
      parts.push(p);
    }
    s = "[" + parts.join(",") + "]";
  } else {
    const parts: string[] = [];
    for (const k of Object.keys(v).sort()) {
      const p = json(v[k]!, budget);
      if (p === null) return null;
      parts.push(JSON.stringify(k) + ":" + p);
    }
    s = "{" + parts.join(",") + "}";
  }
  budget.n -= s.length;
  return budget.n < 0 ? null : s;
}

function fromJson(x: unknown, budget: { n: number }): TfValue {
  if (--budget.n < 0) throw new RangeError("too large");
  if (x === null || typeof x === "string" || typeof x === "number" || typeof x === "boolean") return x;
  if (Array.isArray(x)) return x.map((y) => fromJson(y, budget));
  if (typeof x === "object") {
    const out: TfObject = {};
    for (const [k, y] of Object.entries(x as Record<string, unknown>)) out[k] = fromJson(y, budget);
    return out;
  }
  return null;
}

// ---- functions -------------------------------------------------------------------

type Fn = (args: TfValue[], whole: () => TfValue) => TfValue;

function allKnown(args: TfValue[]): boolean {
  return args.every((a) => !isUnknown(a));
}

function strFn(f: (s: string) => TfValue): Fn {
  return (args, whole) => {
    const s = toStr(args[0]);
    return args.length === 1 && s !== null ? f(s) : whole();
  };
}

function listOf(v: TfValue): TfValue[] | null {
  if (Array.isArray(v)) return v;
  return null;
}

function formatValue(verb: string, v: TfValue): string | null {
  switch (verb) {
    case "s":
    case "v":
      return typeof v === "object" && v !== null ? toJson(v) : toStr(v);
    case "d": {
      const n = toNum(v);
      return n === null ? null : String(Math.trunc(n));
    }
    case "q": {
      const s = toStr(v);
      return s === null ? null : JSON.stringify(s);
    }
    case "f": {
      const n = toNum(v);
      return n === null ? null : n.toFixed(6);
    }
    case "t": {
      const b = toBool(v);
      return b === null ? null : String(b);
    }
    default:
      return null;
  }
}

function format(args: TfValue[], whole: () => TfValue): TfValue {
  const fmt = toStr(args[0]);
  if (fmt === null || !allKnown(args)) return whole();
  let out = "";
  let argi = 1;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    let j = i + 1;
    if (fmt[j] === "%") {
      out += "%";
      i = j;
      continue;
    }
    while (j < fmt.length && /[-+# 0-9.]/.test(fmt[j]!)) j++;
    const verb = fmt[j];
    if (verb === undefined || argi >= args.length) return whole();
    const s = formatValue(verb, args[argi++]!);
    if (s === null) return whole();
    out += s;
    i = j;
  }
  return out;
}

const FUNCTIONS: Record<string, Fn> = {
  lower: strFn((s) => s.toLowerCase()),
  upper: strFn((s) => s.toUpperCase()),
  trimspace: strFn((s) => s.trim()),
  title: strFn((s) => s.replace(/\b\w/g, (c) => c.toUpperCase())),
  tostring: (args, whole) => {
    const a = args[0];
    if (a === null) return null;
    const s = toStr(a);
    return s === null ? whole() : s;
  },
  tonumber: (args, whole) => {
    if (args[0] === null) return null;
    const n = toNum(args[0]);
    return n === null ? whole() : n;
  },
  tobool: (args, whole) => {
    if (args[0] === null) return null;
    const b = toBool(args[0]);
    return b === null ? whole() : b;
  },
  tolist: (args, whole) => (Array.isArray(args[0]) ? args[0] : whole()),
  toset: (args, whole) => {
    const l = args[0];
    if (!Array.isArray(l) || !l.every((x) => isFullyKnown(x))) return whole();
    const out: TfValue[] = [];
    for (const x of l) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  tomap: (args, whole) => (isObject(args[0]) ? args[0] : whole()),
  concat: (args, whole) => {
    const out: TfValue[] = [];
    for (const a of args) {
      const l = listOf(a);
      if (l === null) return whole();
      out.push(...l);
      if (out.length > MAX_ITEMS) return whole();
    }
    return out;
  },
  merge: (args, whole) => {
    const out: TfObject = {};
    for (const a of args) {
      if (a === null) continue;
      if (!isObject(a)) return whole();
      Object.assign(out, a);
    }
    return out;
  },
  jsonencode: (args, whole) => {
    if (args.length !== 1) return whole();
    const s = toJson(args[0]!);
    return s === null ? whole() : s;
  },
  jsondecode: (args, whole) => {
    const s = toStr(args[0]);
    if (s === null || typeof args[0] !== "string") return whole();
    try {
      return fromJson(JSON.parse(s), { n: MAX_ITEMS });
    } catch {
      return whole();
    }
  },
  format,
  join: (args, whole) => {
    const sep = toStr(args[0]);
    if (sep === null) return whole();
    const parts: string[] = [];
    for (const a of args.slice(1)) {
      const l = listOf(a);
      if (l === null) return whole();
      for (const x of l) {
        const s = toStr(x);
        if (s === null) return whole();
        parts.push(s);
      }
    }
    return parts.join(sep);
  },
  split: (args, whole) => {
    const sep = toStr(args[0]);
    const s = toStr(args[1]);
    return sep === null || s === null || sep === "" ? whole() : s.split(sep);
  },
  replace: (args, whole) => {
    const [s, sub, rep] = args.map(toStr);
    if (s == null || sub == null || rep == null) return whole();
    if (sub.length > 1 && sub.startsWith("/") && sub.endsWith("/")) return whole();
    return s.split(sub).join(rep);
  },
  length: (args, whole) => {
    const a = args[0];
    if (Array.isArray(a)) return a.length;
    if (isObject(a)) return Object.keys(a).length;
    if (typeof a === "string") return [...a].length;
    return whole();
  },
  contains: (args, whole) => {
    const [l, v] = args;
    if (!Array.isArray(l) || v === undefined || !isFullyKnown(v) || !l.every((x) => isFullyKnown(x))) return whole();
    return l.some((x) => deepEqual(x, v));
  },
  lookup: (args, whole) => {
    const [m, k, d] = args;
    const key = toStr(k);
    if (!isObject(m) || key === null) return whole();
    if (Object.hasOwn(m, key)) return m[key]!;
    return d === undefined ? whole() : d;
  },
  element: (args, whole) => {
    const l = args[0];
    const i = toNum(args[1]);
    if (!Array.isArray(l) || i === null || l.length === 0) return whole();
    return l[Math.trunc(i) % l.length]!;
  },
  keys: (args, whole) => (isObject(args[0]) ? Object.keys(args[0]).sort() : whole()),
  values: (args, whole) => {
    const m = args[0];
    return isObject(m) ? Object.keys(m).sort().map((k) => m[k]!) : whole();
  },
  compact: (args, whole) => {
    const l = args[0];
    if (!Array.isArray(l) || !allKnown(l)) return whole();
    return l.filter((x) => x !== null && x !== "");
  },
  flatten: (args, whole) => {
    const out: TfValue[] = [];
    const walk = (l: TfValue[]): boolean => {
      for (const x of l) {
        if (isUnknown(x)) return false;
        if (Array.isArray(x)) {
          if (!walk(x)) return false;
        } else out.push(x);
        if (out.length > MAX_ITEMS) return false;
      }
      return true;
    };
    const l = args[0];
    return Array.isArray(l) && walk(l) ? out : whole();
  },
  distinct: (args, whole) => {
    const l = args[0];
    if (!Array.isArray(l) || !l.every((x) => isFullyKnown(x))) return whole();
    const out: TfValue[] = [];
    for (const x of l) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  coalesce: (args, whole) => {
    for (const a of args) {
      if (isUnknown(a)) return whole();
      if (a !== null && a !== "") return a;
    }
    return whole();
  },
  coalescelist: (args, whole) => {
    for (const a of args) {
      if (!Array.isArray(a)) return whole();
      if (a.length > 0) return a;
    }
    return whole();
  },
  try: (args, whole) => {
    const first = args[0];
    return first === undefined || isUnknown(first) ? whole() : first;
  },
  one: (args, whole) => {
    const l = args[0];
    if (!Array.isArray(l) || l.length > 1) return whole();
    return l.length === 0 ? null : l[0]!;
  },
  min: (args, whole) => {
    const ns = args.map(toNum);
    return ns.length === 0 || ns.some((n) => n === null) ? whole() : Math.min(...(ns as number[]));
  },
  max: (args, whole) => {
    const ns = args.map(toNum);
    return ns.length === 0 || ns.some((n) => n === null) ? whole() : Math.max(...(ns as number[]));
  },
  abs: (args, whole) => {
    const n = toNum(args[0]);
    return n === null ? whole() : Math.abs(n);
  },
  startswith: (args, whole) => {
    const [s, p] = args.map(toStr);
    return s == null || p == null ? whole() : s.startsWith(p);
  },
  endswith: (args, whole) => {
    const [s, p] = args.map(toStr);
    return s == null || p == null ? whole() : s.endsWith(p);
  },
  zipmap: (args, whole) => {
    const [k, v] = args;
    if (!Array.isArray(k) || !Array.isArray(v) || k.length !== v.length) return whole();
    const out: TfObject = {};
    for (let i = 0; i < k.length; i++) {
      const key = toStr(k[i]);
      if (key === null) return whole();
      out[key] = v[i]!;
    }
    return out;
  },
};

function call(x: Expr & { t: "call" }, ctx: EvalContext, bound: Bound): TfValue {
  const fn = FUNCTIONS[x.name];
  const whole = (): TfValue => unknown(text(ctx, x));
  if (fn === undefined || x.expand) return whole();
  const args = x.args.map((a) => evaluate(a, ctx, bound));
  if (x.name !== "try" && x.name !== "coalesce" && x.name !== "merge" && !allKnown(args)) return whole();
  return fn(args, whole);
}

// ---- references --------------------------------------------------------------------

/**
 * References in an expression, normalised without attribute tails:
 * `aws_s3_bucket.logs`, `module.data`, `var.name`, `local.tags`,
 * `data.aws_iam_policy_document.x`. Iteration variables (`each`, `count`,
 * for-expression and dynamic-block iterators) are left out.
 */
export function collectRefs(expr: Expr, bound: ReadonlySet<string> = new Set()): string[] {
  const out = new Set<string>();
  walkRefs(expr, bound, out);
  return [...out];
}

function walkRefs(x: Expr, bound: ReadonlySet<string>, out: Set<string>): void {
  switch (x.t) {
    case "lit":
      return;
    case "var":
      return;
    case "get":
    case "index":
    case "splat": {
      let cur: Expr = x;
      while (cur.t === "get" || cur.t === "index" || cur.t === "splat") {
        if (cur.t === "index") walkRefs(cur.key, bound, out);
        cur = cur.obj;
      }
      if (cur.t !== "var") {
        walkRefs(cur, bound, out);
        return;
      }
      const path = rootPath(x);
      const root = cur.name;
      if (bound.has(root) || IGNORED_REF_ROOTS.has(root)) return;
      if (root === "data") {
        if (path.length >= 2) out.add(`data.${path[0]}.${path[1]}`);
      } else if (ONE_NAME_ROOTS.has(root) || !NON_VALUE_ROOTS.has(root)) {
        if (path.length >= 1) out.add(`${root}.${path[0]}`);
      }
      return;
    }
    case "tpl":
      for (const p of x.parts) if (typeof p !== "string") walkRefs(p, bound, out);
      if (x.directives !== null) for (const d of x.directives) walkRefs(d, bound, out);
      return;
    case "tuple":
      for (const i of x.items) walkRefs(i, bound, out);
      return;
    case "object":
      for (const i of x.items) {
        if (!i.bareKey) walkRefs(i.key, bound, out);
        walkRefs(i.value, bound, out);
      }
      return;
    case "call":
      for (const a of x.args) walkRefs(a, bound, out);
      return;
    case "cond":
      walkRefs(x.c, bound, out);
      walkRefs(x.a, bound, out);
      walkRefs(x.b, bound, out);
      return;
    case "bin":
      walkRefs(x.l, bound, out);
      walkRefs(x.r, bound, out);
      return;
    case "unary":
    case "paren":
      walkRefs(x.x, bound, out);
      return;
    case "for": {
      walkRefs(x.coll, bound, out);
      const inner = new Set(bound);
      if (x.keyVar !== null) inner.add(x.keyVar);
      inner.add(x.valVar);
      if (x.key !== null) walkRefs(x.key, inner, out);
      walkRefs(x.val, inner, out);
      if (x.cond !== null) walkRefs(x.cond, inner, out);
      return;
    }
  }
}

/** Attribute names from the root of a traversal, up to the first index or splat. */
function rootPath(x: Expr): string[] {
  const chain: Expr[] = [];
  let cur: Expr = x;
  while (cur.t === "get" || cur.t === "index" || cur.t === "splat") {
    chain.push(cur);
    cur = cur.obj;
  }
  const names: string[] = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i]!;
    if (c.t === "get") names.push(c.name);
    else if (names.length >= 2) break;
    else if (c.t === "index" && names.length === 1) continue;
    else break;
  }
  return names;
}

/**
 * The one HCL printer: a small typed model of HCL (bodies of attributes and
 * blocks, and expressions), rendered to text exactly as `terraform fmt`
 * (hclwrite) would lay it out, so a generated file is byte-identical after
 * `terraform fmt`.
 *
 * The layout rules it reproduces (hashicorp/hcl hclwrite/format.go):
 * - two spaces of indent per line that opens brackets, whatever their number;
 * - the `=` of consecutive single-line attributes (or object entries) is
 *   aligned one space after the longest name; a blank line, a comment, a
 *   block or a multi-line value ends the run;
 * - tokens are spaced as formatSpaces does: `f(a, b)`, `[a, b]`, `a[0]`,
 *   `a ? b : c`, `{ for k, v in m : k => v }`, `!a`, `-1`, no spaces inside
 *   `${…}`.
 *
 * Objects are always printed one entry per line (empty ones as `{}`); lists
 * stay on one line when every element fits, else one element per line with
 * trailing commas. A call may end with one multi-line argument
 * (`merge(a, {` … `})`); any other multi-line shape is a programmer error.
 */

export type BinaryOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||" | "+" | "-" | "*" | "/" | "%";

export type Expr =
  | { k: "str"; v: string }
  | { k: "tpl"; parts: readonly (string | Expr)[] }
  | { k: "num"; v: number }
  | { k: "bool"; v: boolean }
  | { k: "null" }
  | { k: "ref"; path: string }
  | { k: "list"; items: readonly Expr[]; multiline: boolean }
  | { k: "obj"; entries: readonly ObjEntry[]; inline: boolean }
  | { k: "call"; fn: string; args: readonly Expr[] }
  | { k: "op"; op: BinaryOp; left: Expr; right: Expr }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr }
  | { k: "paren"; e: Expr }
  | { k: "cond"; test: Expr; then: Expr; else: Expr }
  | { k: "index"; e: Expr; key: Expr }
  | { k: "get"; e: Expr; name: string }
  | { k: "forList"; key?: string; value: string; coll: Expr; body: Expr; cond?: Expr }
  | { k: "forObj"; key: string; value: string; coll: Expr; keyExpr: Expr; valExpr: Expr; cond?: Expr };

export interface ObjEntry {
  key: string;
  value: Expr;
}

export type BodyItem =
  | { kind: "attr"; name: string; value: Expr }
  | { kind: "block"; type: string; labels: readonly string[]; body: readonly BodyItem[] }
  | { kind: "blank" }
  | { kind: "comment"; text: string };

export type Body = readonly BodyItem[];

/** A JavaScript value that converts to an HCL literal (strings, numbers, booleans, null, arrays, plain objects). */
export type Plain = string | number | boolean | null | Expr | readonly Plain[] | { readonly [key: string]: Plain | undefined };

// ---------------------------------------------------------------------------
// Builders

/** Every expression made by a builder: tells expressions from plain objects in `v()`. */
const EXPRS = new WeakSet<object>();

function mk<E extends Expr>(e: E): E {
  EXPRS.add(e);
  return e;
}

export const str = (v: string): Expr => mk({ k: "str", v });
export const num = (v: number): Expr => {
  if (!Number.isFinite(v)) throw new Error(`hcl: ${v} is not a finite number`);
  return mk({ k: "num", v });
};
export const bool = (v: boolean): Expr => mk({ k: "bool", v });
export const nul: Expr = mk({ k: "null" });

const TRAVERSAL = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\.\d+|\[\d+\]|\[\*\]|\.\*|\["[^"\\$%]*"\]|\[(?:count\.index|each\.key|each\.value)\])*$/;

/** A reference such as `var.name`, `aws_kms_key.this.arn`, `module.vpc.private_subnet_ids` or `each.value`. */
export function ref(path: string): Expr {
  if (!TRAVERSAL.test(path)) throw new Error(`hcl: '${path}' is not a reference`);
  return mk({ k: "ref", path });
}

/** A type keyword or function-free traversal used as a type: `string`, `number`, `bool`, `any`. */
export const type = (name: "string" | "number" | "bool" | "any"): Expr => mk({ k: "ref", path: name });

export function list(items: readonly Plain[], opts: { multiline?: boolean } = {}): Expr {
  return mk({ k: "list", items: items.map(v), multiline: opts.multiline ?? false });
}

/**
 * An object constructor, one entry per line; with `inline`, on one line
 * (`{ name = k, value = v }`), as the body of a for expression needs.
 */
export function obj(entries: { readonly [key: string]: Plain | undefined } | readonly ObjEntry[], opts: { inline?: boolean } = {}): Expr {
  const inline = opts.inline ?? false;
  if (Array.isArray(entries)) return mk({ k: "obj", entries: entries as readonly ObjEntry[], inline });
  const out: ObjEntry[] = [];
  for (const [key, value] of Object.entries(entries as { readonly [key: string]: Plain | undefined })) if (value !== undefined) out.push({ key, value: v(value) });
  return mk({ k: "obj", entries: out, inline });
}

export const call = (fn: string, ...args: Plain[]): Expr => mk({ k: "call", fn, args: args.map(v) });
export const op = (left: Plain, o: BinaryOp, right: Plain): Expr => mk({ k: "op", op: o, left: v(left), right: v(right) });
export const not = (e: Expr): Expr => mk({ k: "not", e });
export const neg = (e: Expr): Expr => mk({ k: "neg", e });
export const paren = (e: Expr): Expr => mk({ k: "paren", e });
export const cond = (test: Expr, then: Plain, otherwise: Plain): Expr => mk({ k: "cond", test, then: v(then), else: v(otherwise) });
export const index = (e: Expr, key: Plain): Expr => mk({ k: "index", e, key: v(key) });
export const get = (e: Expr, name: string): Expr => mk({ k: "get", e, name });

/** A template string: literal parts and interpolated expressions, `"arn:${partition}:s3:::${name}"`. */
export function tpl(...parts: (string | Expr)[]): Expr {
  const merged: (string | Expr)[] = [];
  // Nested templates and string literals are flattened into this one.
  const flat = parts.flatMap((p) => (typeof p === "string" ? [p] : p.k === "str" ? [p.v] : p.k === "tpl" ? [...p.parts] : [p]));
  for (const p of flat) {
    const last = merged[merged.length - 1];
    if (typeof p === "string" && typeof last === "string") merged[merged.length - 1] = last + p;
    else if (p !== "") merged.push(p);
  }
  if (merged.length === 0) return str("");
  if (merged.length === 1) {
    const only = merged[0]!;
    // terraform fmt unwraps "${x}" to x; a lone expression is printed as itself.
    return typeof only === "string" ? str(only) : only;
  }
  return mk({ k: "tpl", parts: merged });
}

/** `[for value in coll : body]` or `[for key, value in coll : body if cond]`. */
export function forList(vars: string | [string, string], coll: Expr, body: Plain, cond?: Expr): Expr {
  const [key, value] = Array.isArray(vars) ? vars : [undefined, vars];
  return mk({ k: "forList", ...(key !== undefined ? { key } : {}), value, coll, body: v(body), ...(cond ? { cond } : {}) });
}

/** `{ for key, value in coll : keyExpr => valExpr }`. */
export function forObj(vars: [string, string], coll: Expr, keyExpr: Plain, valExpr: Plain, cond?: Expr): Expr {
  return mk({ k: "forObj", key: vars[0], value: vars[1], coll, keyExpr: v(keyExpr), valExpr: v(valExpr), ...(cond ? { cond } : {}) });
}

function isExpr(x: unknown): x is Expr {
  return typeof x === "object" && x !== null && EXPRS.has(x);
}

/** Convert a plain value (or an expression) to an expression. */
export function v(x: Plain): Expr {
  if (x === null) return nul;
  if (typeof x === "string") return str(x);
  if (typeof x === "number") return num(x);
  if (typeof x === "boolean") return bool(x);
  if (Array.isArray(x)) return list(x as readonly Plain[]);
  if (isExpr(x)) return x;
  return obj(x as { readonly [key: string]: Plain | undefined });
}

export const attr = (name: string, value: Plain): BodyItem => ({ kind: "attr", name, value: v(value) });
export const block = (type: string, labels: readonly string[], body: Body): BodyItem => ({ kind: "block", type, labels, body });
export const blank: BodyItem = { kind: "blank" };
export const comment = (text: string): BodyItem => ({ kind: "comment", text });

/** Attributes from a record, in insertion order, skipping undefined values. */
export function attrs(record: { readonly [name: string]: Plain | undefined }): BodyItem[] {
  const out: BodyItem[] = [];
  for (const [name, value] of Object.entries(record)) if (value !== undefined) out.push(attr(name, value));
  return out;
}

/** Join groups of body items with one blank line between non-empty groups. */
export function section(...groups: readonly (Body | BodyItem | false | undefined)[]): BodyItem[] {
  const out: BodyItem[] = [];
  for (const g of groups) {
    if (g === false || g === undefined) continue;
    const items: Body = Array.isArray(g) ? g : [g as BodyItem];
    if (items.length === 0) continue;
    if (out.length > 0) out.push(blank);
    out.push(...items);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Printing

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(["true", "false", "null", "for", "in", "if", "endif", "endfor", "else"]);

/** A quoted HCL string literal: escapes, and `${`/`%{` doubled so they stay literal. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if ((c === "$" || c === "%") && next === "{") out += c + c;
    else if (c < " " || c === "\u007f") out += `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out + '"';
}

/** Object keys print bare when they are plain identifiers; keys with '-' are quoted too, for readability. */
function objKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !KEYWORDS.has(key) ? key : quote(key);
}

/** Lists whose elements all fit stay on one line up to this width. */
const INLINE_LIST_WIDTH = 100;

/** The expression on one line, or null when it must span lines. */
function inline(e: Expr): string | null {
  switch (e.k) {
    case "str":
      return quote(e.v);
    case "tpl":
      return templateText(e.parts);
    case "num":
      return String(e.v);
    case "bool":
      return e.v ? "true" : "false";
    case "null":
      return "null";
    case "ref":
      return e.path;
    case "list": {
      if (e.items.length === 0) return "[]";
      if (e.multiline) return null;
      const parts = e.items.map(inline);
      if (parts.some((p) => p === null)) return null;
      const text = `[${parts.join(", ")}]`;
      // Numbers read best on one line whatever their count (retention periods, ports).
      return text.length <= INLINE_LIST_WIDTH || e.items.every((x) => x.k === "num") ? text : null;
    }
    case "obj": {
      if (e.entries.length === 0) return "{}";
      if (!e.inline) return null;
      const parts = e.entries.map((x) => {
        const value = inline(x.value);
        return value === null ? null : `${objKey(x.key)} = ${value}`;
      });
      return parts.some((p) => p === null) ? null : `{ ${parts.join(", ")} }`;
    }
    case "call": {
      const parts = e.args.map(inline);
      return parts.some((p) => p === null) ? null : `${e.fn}(${parts.join(", ")})`;
    }
    case "op":
      return `${need(e.left)} ${e.op} ${need(e.right)}`;
    case "not":
      return `!${need(e.e)}`;
    case "neg":
      return `-${need(e.e)}`;
    case "paren":
      return `(${need(e.e)})`;
    case "cond":
      return `${need(e.test)} ? ${need(e.then)} : ${need(e.else)}`;
    case "index":
      return `${need(e.e)}[${need(e.key)}]`;
    case "get":
      return `${need(e.e)}.${e.name}`;
    case "forList": {
      const vars = e.key === undefined ? e.value : `${e.key}, ${e.value}`;
      return `[for ${vars} in ${need(e.coll)} : ${need(e.body)}${e.cond ? ` if ${need(e.cond)}` : ""}]`;
    }
    case "forObj":
      return `{ for ${e.key}, ${e.value} in ${need(e.coll)} : ${need(e.keyExpr)} => ${need(e.valExpr)}${e.cond ? ` if ${need(e.cond)}` : ""} }`;
  }
}

function need(e: Expr): string {
  const s = inline(e);
  if (s === null) throw new Error(`hcl: a ${e.k} expression must fit on one line here`);
  return s;
}

function templateText(parts: readonly (string | Expr)[]): string {
  let out = '"';
  for (const p of parts) out += typeof p === "string" ? quote(p).slice(1, -1) : `\${${need(p)}}`;
  return out + '"';
}

const pad = (depth: number): string => "  ".repeat(depth);

/**
 * Render an expression that may span lines. The first line continues the
 * current line (after `name = `); the others are complete lines with their
 * indentation. `depth` is the indentation of the line the expression starts on.
 */
function render(e: Expr, depth: number): string[] {
  const one = inline(e);
  if (one !== null) return [one];
  switch (e.k) {
    case "list": {
      const lines = ["["];
      for (const item of e.items) {
        const r = render(item, depth + 1);
        r[r.length - 1] += ",";
        lines.push(pad(depth + 1) + r[0]!, ...r.slice(1));
      }
      lines.push(pad(depth) + "]");
      return lines;
    }
    case "obj": {
      const lines = ["{"];
      lines.push(...renderEntries(e.entries.map((x) => ({ name: objKey(x.key), value: x.value })), depth + 1));
      lines.push(pad(depth) + "}");
      return lines;
    }
    case "call": {
      // One argument may span lines: `f(a, [` … `], b)`. With two, the line
      // between them would open and close brackets at once and hclwrite
      // would indent it differently; that shape is not produced.
      const rendered = e.args.map((a) => render(a, depth));
      if (rendered.filter((r) => r.length > 1).length > 1) throw new Error(`hcl: ${e.fn}() has more than one multi-line argument`);
      const lines = [`${e.fn}(`];
      rendered.forEach((r, i) => {
        lines[lines.length - 1] += (i > 0 ? ", " : "") + r[0]!;
        lines.push(...r.slice(1));
      });
      lines[lines.length - 1] += ")";
      return lines;
    }
    default:
      return [need(e)];
  }
}

/** `name = value` lines with terraform fmt's alignment of consecutive single-line entries. */
function renderEntries(entries: readonly { name: string; value: Expr }[], depth: number): string[] {
  const rendered = entries.map((x) => ({ name: x.name, lines: render(x.value, depth) }));
  return alignRuns(rendered.map((r) => ({ kind: "entry" as const, ...r })), depth);
}

type Line = { kind: "entry"; name: string; lines: string[] } | { kind: "raw"; lines: string[] };

/** Align the `=` of each run of consecutive single-line entries. */
function alignRuns(items: readonly Line[], depth: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < items.length) {
    const item = items[i]!;
    if (item.kind === "raw") {
      out.push(...item.lines);
      i++;
      continue;
    }
    if (item.lines.length > 1) {
      out.push(`${pad(depth)}${item.name} = ${item.lines[0]!}`, ...item.lines.slice(1));
      i++;
      continue;
    }
    let j = i;
    let width = 0;
    while (j < items.length) {
      const x = items[j]!;
      if (x.kind !== "entry" || x.lines.length > 1) break;
      width = Math.max(width, x.name.length);
      j++;
    }
    for (let n = i; n < j; n++) {
      const x = items[n] as Line & { kind: "entry" };
      out.push(`${pad(depth)}${x.name.padEnd(width)} = ${x.lines[0]!}`);
    }
    i = j;
  }
  return out;
}

const BLOCK_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function renderBody(body: Body, depth: number): string[] {
  const items: Line[] = [];
  for (const item of body) {
    switch (item.kind) {
      case "attr":
        if (!IDENT.test(item.name)) throw new Error(`hcl: '${item.name}' is not an attribute name`);
        items.push({ kind: "entry", name: item.name, lines: render(item.value, depth) });
        break;
      case "block":
        items.push({ kind: "raw", lines: renderBlock(item, depth) });
        break;
      case "blank":
        items.push({ kind: "raw", lines: [""] });
        break;
      case "comment":
        items.push({ kind: "raw", lines: item.text.split("\n").map((l) => (l === "" ? `${pad(depth)}#` : `${pad(depth)}# ${l}`)) });
        break;
    }
  }
  return alignRuns(items, depth);
}

function renderBlock(b: BodyItem & { kind: "block" }, depth: number): string[] {
  if (!BLOCK_NAME.test(b.type)) throw new Error(`hcl: '${b.type}' is not a block type`);
  const head = [b.type, ...b.labels.map(quote)].join(" ");
  const inner = b.body.filter((x, i, all) => !(x.kind === "blank" && (i === 0 || i === all.length - 1 || all[i - 1]?.kind === "blank")));
  if (inner.length === 0) return [`${pad(depth)}${head} {}`];
  return [`${pad(depth)}${head} {`, ...renderBody(inner, depth + 1), `${pad(depth)}}`];
}

/**
 * Print a file: header comment lines, then the top-level items with one
 * blank line between top-level blocks. Ends with a newline.
 */
export function printFile(items: Body, header: readonly string[] = []): string {
  const body: BodyItem[] = [];
  for (const item of items) {
    const prev = body[body.length - 1];
    if ((item.kind === "block" || item.kind === "comment") && prev !== undefined && prev.kind !== "blank" && prev.kind !== "comment") body.push(blank);
    body.push(item);
  }
  const lines = [...header, ...(header.length > 0 && body.length > 0 ? [""] : []), ...renderBody(body, 0)];
  return lines.map((l) => l.replace(/[ \t]+$/, "")).join("\n") + "\n";
}

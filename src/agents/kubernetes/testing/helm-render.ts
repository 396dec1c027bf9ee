/**
 * A small interpreter for the Go templates of the generated charts, for
 * tests only: Helm cannot be installed here, so the tests render the chart
 * with this and compare the objects with the Kustomize output. It follows
 * text/template and Helm where the generated charts need them: trimming
 * markers, if/else/with/range, define/include, pipelines, Go truthiness,
 * `<no value>` printed as "", and the Sprig functions the charts call
 * (default, trunc, trimSuffix, contains, printf, replace, quote, indent,
 * nindent, toYaml, toJson, sha256sum, ternary, eq, not, and, or, sub, print).
 * It is not a general Helm replacement.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { TemplateArg, TemplateNode, TemplatePipe } from "../../../core/validators/kubernetes.js";
import { parseGoTemplate } from "../../../core/validators/kubernetes.js";

type Value = unknown;

export interface RenderContext {
  Values: Record<string, unknown>;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string; AppVersion?: string };
}

function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

function text(v: Value): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(text).join(" ")}]`;
  return `map[${Object.keys(v)
    .sort()
    .map((k) => `${k}:${text((v as Record<string, unknown>)[k])}`)
    .join(" ")}]`;
}

function sortKeys(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Helm's toJson: Go's encoding/json (sorted keys, <, > and & escaped). */
function toJson(v: Value): string {
  return JSON.stringify(sortKeys(v) ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Helm's toYaml: sorted keys, no trailing newline. */
function toYaml(v: Value): string {
  if (v === undefined || v === null) return "null";
  return stringify(sortKeys(v), { indentSeq: false, lineWidth: 0 }).replace(/\n$/, "");
}

function indent(n: number, s: string): string {
  const pad = " ".repeat(n);
  return s
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}

function printf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%[sdvq%]/g, (m) => {
    if (m === "%%") return "%";
    const a = args[i++];
    return m === "%q" ? JSON.stringify(text(a)) : text(a);
  });
}

function toNumber(v: Value): number {
  return typeof v === "number" ? Math.trunc(v) : Number.parseInt(text(v), 10) || 0;
}

export class HelmRenderer {
  private readonly defines = new Map<string, TemplateNode[]>();

  constructor(files: ReadonlyMap<string, string>) {
    for (const content of files.values()) this.collect(parseGoTemplate(content));
  }

  private collect(nodes: TemplateNode[]): void {
    for (const n of nodes) if (n.type === "define") this.defines.set(n.name, n.body);
  }

  /** Render one template file with the root context. */
  render(content: string, root: RenderContext): string {
    return this.exec(parseGoTemplate(content), root, root);
  }

  private exec(nodes: TemplateNode[], dot: Value, root: RenderContext): string {
    let out = "";
    for (const n of nodes) {
      switch (n.type) {
        case "text":
          out += n.text;
          break;
        case "action":
          out += text(this.pipe(n.pipe, dot, root));
          break;
        case "if": {
          const v = this.pipe(n.pipe, dot, root);
          out += truthy(v) ? this.exec(n.body, dot, root) : this.exec(n.elseBody, dot, root);
          break;
        }
        case "with": {
          const v = this.pipe(n.pipe, dot, root);
          out += truthy(v) ? this.exec(n.body, v, root) : this.exec(n.elseBody, dot, root);
          break;
        }
        case "range": {
          const v = this.pipe(n.pipe, dot, root);
          const items = Array.isArray(v) ? v : v !== null && typeof v === "object" ? Object.keys(v).sort().map((k) => (v as Record<string, unknown>)[k]) : [];
          out += items.length > 0 ? items.map((item) => this.exec(n.body, item, root)).join("") : this.exec(n.elseBody, dot, root);
          break;
        }
        case "define":
          break;
        case "template":
          out += this.include(n.name, n.pipe ? this.pipe(n.pipe, dot, root) : undefined, root);
          break;
      }
    }
    return out;
  }

  private include(name: string, dot: Value, root: RenderContext): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`template: no template "${name}"`);
    return this.exec(body, dot, root);
  }

  private pipe(p: TemplatePipe, dot: Value, root: RenderContext): Value {
    if (p.decl.length > 0) throw new Error("variables are not supported by this renderer");
    let prev: Value = undefined;
    p.commands.forEach((cmd, i) => {
      prev = this.command(cmd, dot, root, i === 0 ? [] : [prev]);
    });
    return prev;
  }

  private field(base: Value, path: string[]): Value {
    let v = base;
    for (const key of path) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string, unknown>)[key];
    }
    return v;
  }

  private arg(a: TemplateArg, dot: Value, root: RenderContext): Value {
    switch (a.kind) {
      case "field":
        return this.field(dot, a.path);
      case "var":
        if (a.name !== "$") throw new Error(`variable ${a.name} is not supported`);
        return this.field(root, a.path);
      case "string":
      case "number":
      case "bool":
        return a.value;
      case "nil":
        return undefined;
      case "pipe":
        return this.field(this.pipe(a.pipe, dot, root), a.path);
      case "ident":
        return this.call(a.name, [], dot, root);
    }
  }

  private command(cmd: TemplateArg[], dot: Value, root: RenderContext, piped: Value[]): Value {
    const [head, ...rest] = cmd;
    if (!head) throw new Error("empty command");
    if (head.kind !== "ident") {
      if (rest.length > 0 || piped.length > 0) throw new Error("only functions take arguments");
      return this.arg(head, dot, root);
    }
    const args = [...rest.map((a) => this.arg(a, dot, root)), ...piped];
    return this.call(head.name, args, dot, root);
  }

  private call(name: string, args: Value[], _dot: Value, root: RenderContext): Value {
    const a = (i: number) => args[i];
    switch (name) {
      case "include":
        return this.include(text(a(0)), a(1), root);
      case "default":
        return args.length < 2 || !truthy(a(1)) ? a(0) : a(1);
      case "trunc": {
        const n = toNumber(a(0));
        const s = text(a(1));
        return n >= 0 ? s.slice(0, n) : s.slice(n);
      }
      case "trimSuffix": {
        const suffix = text(a(0));
        const s = text(a(1));
        return suffix !== "" && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
      }
      case "contains":
        return text(a(1)).includes(text(a(0)));
      case "printf":
        return printf(text(a(0)), args.slice(1));
      case "print":
        return args.map(text).join("");
      case "replace":
        return text(a(2)).split(text(a(0))).join(text(a(1)));
      case "quote":
        return args.map((x) => JSON.stringify(text(x))).join(" ");
      case "indent":
        return indent(toNumber(a(0)), text(a(1)));
      case "nindent":
        return `\n${indent(toNumber(a(0)), text(a(1)))}`;
      case "toYaml":
        return toYaml(a(0));
      case "toJson":
        return toJson(a(0));
      case "sha256sum":
        return createHash("sha256").update(text(a(0)), "utf8").digest("hex");
      case "ternary":
        return truthy(a(2)) ? a(0) : a(1);
      case "eq":
        return args.slice(1).some((x) => x === a(0) || text(x) === text(a(0)));
      case "not":
        return !truthy(a(0));
      case "and":
        return args.every(truthy) ? args[args.length - 1] : args.find((x) => !truthy(x));
      case "or":
        return args.find(truthy) ?? args[args.length - 1];
      case "sub":
        return toNumber(a(0)) - toNumber(a(1));
      case "add":
        return args.reduce<number>((s, x) => s + toNumber(x), 0);
      default:
        throw new Error(`function ${name} is not supported by this renderer`);
    }
  }
}

/** Helm's values merge: maps merged deeply, everything else (lists included) replaced. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      b !== null && typeof b === "object" && !Array.isArray(b) && v !== null && typeof v === "object" && !Array.isArray(v)
        ? mergeValues(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * The validator behind `gate.quality.grafana-dashboard`. For each dashboard:
 *
 * 1. JSON syntax, with the line and column of the first error.
 * 2. The JSON schema generated from @grafana/grafana-foundation-sdk's
 *    `dashboard.Dashboard` type (schemas/grafana-dashboard.schema.ts, see
 *    scripts/grafana-schema.mjs for what it leaves open), validated with ajv.
 *    An unknown field names the nearest known one.
 * 3. Checks the schema cannot express: panel ids unique across the dashboard
 *    (rows' nested panels included), every gridPos inside Grafana's 24-column
 *    grid, a uid of at most 40 characters from Grafana's uid alphabet.
 *
 * Links between dashboards are not resolved here (they span artifacts; the
 * lifecycle bundle test walks them). ajv and the schema load on first use.
 * Results are cached by content. Returns data; never throws.
 */
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { isMap, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node as YamlNode } from "yaml";
import type { ArtifactValidator } from "../gates/engine.js";
import type { Artifact } from "../plans/plan.js";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import { didYouMean } from "../suggest.js";
import { MAX_INPUT_BYTES, readYamlDocuments, yamlBoundIssue } from "../yaml.js";
import { contentKey, ResultCache } from "./tool-run.js";

export const GRAFANA_TOOL = "JSON schema of @grafana/grafana-foundation-sdk 0.0.21 dashboard.Dashboard (ajv 8) + grid and id checks";

/** Grafana's dashboard grid is 24 columns wide. */
export const GRID_COLUMNS = 24;
/** Grafana refuses dashboard uids longer than this. */
export const MAX_UID_LENGTH = 40;
const UID_ALPHABET = /^[a-zA-Z0-9_-]*$/;

type Plain = Record<string, unknown>;

function isObject(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

type AjvClass = typeof Ajv;

let fast: Promise<ValidateFunction> | undefined;
let verbose: Promise<ValidateFunction> | undefined;

async function compile(withSchemas: boolean): Promise<ValidateFunction> {
  const [mod, { GRAFANA_DASHBOARD_SCHEMA }] = await Promise.all([import("ajv"), import("./schemas/grafana-dashboard.schema.js")]);
  // ajv is CommonJS: Node's ESM loader exposes its named export, the esbuild CLI bundle only its module.exports (as default).
  const loaded = mod as unknown as { Ajv?: AjvClass; default?: { Ajv?: AjvClass } };
  const AjvCtor = loaded.Ajv ?? loaded.default?.Ajv;
  if (AjvCtor === undefined) throw new Error("ajv exports no Ajv class");
  // Unoptimized code compiles in half the time and still validates a dashboard in well under a millisecond.
  const ajv = new AjvCtor({ allErrors: true, strict: false, verbose: withSchemas, code: { optimize: false } });
  return ajv.compile(GRAFANA_DASHBOARD_SCHEMA);
}

/** The validator for the verdict, compiled once per process. */
function verdictValidator(): Promise<ValidateFunction> {
  return (fast ??= compile(false));
}

/**
 * A second validator that reports each error's schema and data (ajv's
 * `verbose`), compiled only when a dashboard fails: the messages name the
 * known fields and the rejected value.
 */
function explainingValidator(): Promise<ValidateFunction> {
  return (verbose ??= compile(true));
}

type Path = (string | number)[];

function pointerToPath(pointer: string): Path {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dotted(path: Path): string {
  return path.length === 0 ? "(top level)" : path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/**
 * Line and column of the value at `path` (or its deepest existing ancestor) in
 * JSON text, read by core/yaml's bounded reader (JSON is YAML; the library's
 * own duplicate-key check is quadratic in the keys of an object).
 */
class Locator {
  private readonly lc: LineCounter | undefined;
  private readonly doc: Document.Parsed | undefined;

  constructor(text: string, path: string) {
    const read = readYamlDocuments(text, path, { single: true });
    this.lc = read.ok ? read.value.lc : undefined;
    this.doc = read.ok ? read.value.docs[0] : undefined;
  }

  at(path: Path, key?: string): { line: number; column: number } | undefined {
    if (!this.doc || !this.lc) return undefined;
    let node: unknown = this.doc.contents;
    let range = (node as YamlNode | null)?.range;
    for (const step of [...path, ...(key !== undefined ? [key] : [])]) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        range = (pair.key as YamlNode).range ?? range;
        node = pair.value;
      } else if (isSeq(node) && typeof step === "number") {
        const item = node.items[step] as YamlNode | undefined;
        if (!item) break;
        range = item.range ?? range;
        node = item;
      } else break;
    }
    if (!range) return undefined;
    const p = this.lc.linePos(range[0]);
    return { line: p.line, column: p.col };
  }
}

/** ajv errors → issues: one per location, if/then/else and anyOf noise left out, unknown fields with a suggestion. */
function schemaIssues(errors: readonly ErrorObject[], path: string, where: () => Locator): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === "if" || e.keyword === "anyOf" || e.keyword === "oneOf") continue;
    const at = pointerToPath(e.instancePath);
    let message: string;
    let key: string | undefined;
    if (e.keyword === "additionalProperties") {
      key = String((e.params as { additionalProperty: string }).additionalProperty);
      const parent = e.parentSchema;
      const known = isObject(parent) && isObject(parent["properties"]) ? Object.keys(parent["properties"]) : [];
      message = `${dotted(at)}: unknown field '${key}'.${didYouMean(key, known)}`.replace(/\.$/, "");
      if (known.length > 0 && didYouMean(key, known) === "") message += ` Known fields: ${known.join(", ")}`;
    } else if (e.keyword === "required") {
      message = `${dotted(at)}: required field '${String((e.params as { missingProperty: string }).missingProperty)}' is missing`;
    } else if (e.keyword === "enum") {
      message = `${dotted(at)}: ${JSON.stringify(e.data)} is not one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (e.keyword === "const") {
      message = `${dotted(at)}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    } else {
      message = `${dotted(at)}: ${e.message ?? "does not match the schema"}`;
    }
    if (seen.has(message)) continue;
    seen.add(message);
    const pos = where().at(at, key);
    issues.push({ message, path, kind: "schema", ...(pos ? { line: pos.line, column: pos.column } : {}) });
  }
  return issues;
}

interface PanelRef {
  panel: Plain;
  path: Path;
}

/** Every panel, rows' nested panels included, with its path in the document. */
function allPanels(dashboard: Plain): PanelRef[] {
  const out: PanelRef[] = [];
  const top = Array.isArray(dashboard["panels"]) ? dashboard["panels"] : [];
  top.forEach((p, i) => {
    if (!isObject(p)) return;
    out.push({ panel: p, path: ["panels", i] });
    if (Array.isArray(p["panels"])) p["panels"].forEach((q, j) => isObject(q) && out.push({ panel: q, path: ["panels", i, "panels", j] }));
  });
  return out;
}

/** The checks the schema cannot express: unique panel ids, the 24-column grid, the uid. */
export function dashboardChecks(dashboard: Plain): { errors: { message: string; path: Path }[]; warnings: { message: string; path: Path }[] } {
  const errors: { message: string; path: Path }[] = [];
  const warnings: { message: string; path: Path }[] = [];
  const uid = dashboard["uid"];
  if (typeof uid === "string") {
    if (uid.length > MAX_UID_LENGTH) errors.push({ message: `uid '${uid}' is ${uid.length} characters; Grafana allows at most ${MAX_UID_LENGTH}`, path: ["uid"] });
    if (!UID_ALPHABET.test(uid)) errors.push({ message: `uid '${uid}' may only contain letters, digits, '-' and '_'`, path: ["uid"] });
    if (uid === "") errors.push({ message: "uid is empty", path: ["uid"] });
  } else if (uid === undefined) {
    warnings.push({ message: "no uid: Grafana assigns a random one, so links to this dashboard cannot be stable", path: [] });
  }
  const ids = new Map<number, Path>();
  for (const { panel, path } of allPanels(dashboard)) {
    const title = typeof panel["title"] === "string" ? ` '${panel["title"]}'` : "";
    const id = panel["id"];
    if (typeof id === "number") {
      const first = ids.get(id);
      if (first) errors.push({ message: `${dotted(path)}${title}: panel id ${id} is already used by ${dotted(first)}; panel ids must be unique in a dashboard`, path: [...path, "id"] });
      else ids.set(id, path);
    }
    const g = panel["gridPos"];
    if (!isObject(g)) continue;
    const { x, y, w, h } = g as { x?: unknown; y?: unknown; w?: unknown; h?: unknown };
    const bad = (field: string, value: unknown, rule: string) => errors.push({ message: `${dotted(path)}${title}: gridPos.${field} = ${JSON.stringify(value)}; ${rule}`, path: [...path, "gridPos", field] });
    for (const [field, value] of [["x", x], ["y", y], ["w", w], ["h", h]] as const) {
      if (typeof value === "number" && !Number.isInteger(value)) bad(field, value, "grid positions are whole numbers");
    }
    if (typeof x === "number" && (x < 0 || x >= GRID_COLUMNS)) bad("x", x, `columns run from 0 to ${GRID_COLUMNS - 1}`);
    if (typeof y === "number" && y < 0) bad("y", y, "rows start at 0");
    if (typeof w === "number" && (w < 1 || w > GRID_COLUMNS)) bad("w", w, `a panel is 1 to ${GRID_COLUMNS} columns wide`);
    if (typeof h === "number" && h < 1) bad("h", h, "a panel is at least 1 row high");
    if (typeof x === "number" && typeof w === "number" && x >= 0 && w >= 1 && x + w > GRID_COLUMNS) {
      bad("w", w, `x + w = ${x + w} runs past the ${GRID_COLUMNS}-column grid`);
    }
  }
  return { errors, warnings };
}

/** Line and column of a JSON.parse error, from "at position N" in its message. */
function jsonErrorAt(text: string, message: string): { line: number; column: number } | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m) return undefined;
  const before = text.slice(0, Number(m[1]));
  const line = before.split("\n").length;
  return { line, column: before.length - before.lastIndexOf("\n") };
}

/** Where the bounded YAML reader (JSON is YAML) first stumbles, for JSON.parse messages without a position. */
function yamlErrorAt(text: string, path: string): { line: number; column: number } | undefined {
  const read = readYamlDocuments(text, path, { single: true });
  if (!read.ok) return read.issue.line !== undefined ? { line: read.issue.line, column: read.issue.column ?? 1 } : undefined;
  const pos = read.value.docs[0]?.errors[0]?.linePos?.[0];
  return pos ? { line: pos.line, column: pos.col } : undefined;
}

async function validateContent(content: string, path: string): Promise<Result<null>> {
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > MAX_INPUT_BYTES) return fail([{ message: `${path} is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes`, path, kind: "too-large" }]);
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (e) {
    // V8 quotes the whole input in some messages; keep the reason only.
    const message = (e as Error).message.replace(/, "[\s\S]*" is not valid JSON$/, "");
    return fail([{ message: `not JSON: ${message}`, path, kind: "syntax", ...(jsonErrorAt(content, message) ?? yamlErrorAt(content, path) ?? {}) }]);
  }
  // The bounds of YAML files (nesting; keys and items, counted on the lexer's tokens, so within one per
  // collection), before the schema and the checks walk the data recursively.
  const bound = yamlBoundIssue(content, path);
  if (bound) return fail([bound]);
  if (!isObject(data)) return fail([{ message: "a dashboard is a JSON object", path, kind: "schema", line: 1 }]);
  let locator: Locator | undefined;
  const where = () => (locator ??= new Locator(content, path));
  const errors: Issue[] = [];
  if (!(await verdictValidator())(data)) {
    const explain = await explainingValidator();
    explain(data);
    errors.push(...schemaIssues(explain.errors ?? [], path, where));
  }
  const checks = dashboardChecks(data);
  const toIssue = (c: { message: string; path: Path }, kind: string): Issue => {
    const pos = c.path.length > 0 ? where().at(c.path) : undefined;
    return { message: c.message, path, kind, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  };
  errors.push(...checks.errors.map((c) => toIssue(c, "grafana")));
  const warnings = checks.warnings.map((c) => toIssue(c, "grafana"));
  return errors.length === 0 ? ok(null, warnings) : fail(errors, warnings);
}

const cache = new ResultCache();

/** Validate one dashboard. Never throws: a failure to load the schema is an error of kind tool-error. */
export function validateGrafanaDashboard(content: string, path: string): Promise<Result<null>> {
  const key = contentKey("grafana-dashboard", path, content);
  return (
    cache.get(key) ??
    cache.remember(
      key,
      validateContent(content, path).catch((e: unknown) => fail([{ message: `the dashboard schema could not be applied to ${path}: ${(e as Error).message}`, path, kind: "tool-error" }])),
    )
  );
}

export const grafanaDashboardValidator: ArtifactValidator = {
  kind: "grafana-dashboard",
  tool: GRAFANA_TOOL,
  validate: (a: Artifact) => validateGrafanaDashboard(a.content, a.path),
};

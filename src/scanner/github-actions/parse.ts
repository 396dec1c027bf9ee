/**
 * GitHub Actions workflow parser: safe YAML (size cap, alias-bomb cap,
 * duplicate keys are errors) into the positioned workflow model. Never
 * throws: malformed YAML or a file that is not a workflow is a ParseError.
 */
import type { LineCounter, Node, Pair, YAMLMap } from "yaml";
import { isMap, isScalar, isSeq } from "yaml";
import { readYamlDocument } from "../../core/yaml.js";
import type { ParseError, SourceFile } from "../types.js";
import type { Container, EnvVar, Job, Located, Permissions, Position, Step, Trigger, Workflow } from "./model.js";

/** Workflows live directly in `.github/workflows/` (GitHub does not read subdirectories). */
const WORKFLOW = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/;

export function claimsWorkflow(path: string): boolean {
  return WORKFLOW.test(path);
}

interface Ctx {
  lc: LineCounter;
}

function pos(ctx: Ctx, node: Node | null | undefined): Position & { offset: number; end: number; endLine: number } {
  const range = node?.range;
  if (!range) return { line: 1, column: 1, offset: 0, end: 0, endLine: 1 };
  const start = ctx.lc.linePos(range[0]);
  const endPos = ctx.lc.linePos(Math.max(range[0], range[1] - 1));
  return { line: start.line, column: start.col, offset: range[0], end: range[1], endLine: endPos.line };
}

function located<T>(ctx: Ctx, node: Node, value: T): Located<T> {
  return { value, ...pos(ctx, node) };
}

function plain(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (isScalar(node) || isMap(node) || isSeq(node)) return node.toJSON() as unknown;
  return null;
}

function pairs(node: unknown): Pair<unknown, unknown>[] {
  return isMap(node) ? node.items : [];
}

function keyOf(p: Pair<unknown, unknown>): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

function entry(map: unknown, key: string): { pair: Pair<unknown, unknown>; value: Node | undefined } | undefined {
  const p = pairs(map).find((x) => keyOf(x) === key);
  return p ? { pair: p, value: (p.value ?? undefined) as Node | undefined } : undefined;
}

function child(map: unknown, key: string): Node | undefined {
  return entry(map, key)?.value;
}

/** A scalar's text: strings as they are, numbers and booleans written out. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

function str(node: Node | undefined): string | undefined {
  return isScalar(node) ? scalarText(node.value) : undefined;
}

function locatedString(ctx: Ctx, node: Node | undefined): Located<string> | undefined {
  const s = str(node);
  return s === undefined || node === undefined ? undefined : located(ctx, node, s);
}

function envOf(ctx: Ctx, node: Node | undefined): EnvVar[] {
  return pairs(node).flatMap((p) => {
    const name = keyOf(p);
    if (name === undefined) return [];
    const k = pos(ctx, p.key as Node);
    const v = (p.value ?? p.key) as Node;
    return [{ name, line: k.line, column: k.column, value: located(ctx, v, plain(p.value)) }];
  });
}

function inputsOf(ctx: Ctx, node: Node | undefined): Record<string, Located<unknown>> {
  const out: Record<string, Located<unknown>> = {};
  for (const p of pairs(node)) {
    const name = keyOf(p);
    if (name !== undefined) out[name] = located(ctx, (p.value ?? p.key) as Node, plain(p.value));
  }
  return out;
}

function permissionsOf(ctx: Ctx, parent: unknown): Permissions | undefined {
  const e = entry(parent, "permissions");
  if (!e) return undefined;
  const p = pos(ctx, e.pair.key as Node);
  const base = { line: p.line, column: p.column, scopes: {}, scopePositions: {} };
  const v = e.value;
  if (isMap(v)) {
    const scopes: Record<string, string> = {};
    const scopePositions: Record<string, Position> = {};
    for (const item of v.items) {
      const k = keyOf(item);
      if (k === undefined) continue;
      scopes[k] = String(plain(item.value));
      const kp = pos(ctx, item.key as Node);
      scopePositions[k] = { line: kp.line, column: kp.column };
    }
    return { ...base, kind: v.items.length === 0 ? "none" : "scopes", scopes, scopePositions };
  }
  const s = str(v);
  if (s === "write-all" || s === "read-all") return { ...base, kind: s };
  if (s !== undefined && s.includes("${{")) return { ...base, kind: "expression" };
  return { ...base, kind: "other" };
}

function containerOf(ctx: Ctx, name: string, keyNode: Node, node: Node | undefined): Container {
  const p = pos(ctx, keyNode);
  if (isScalar(node)) return { name, line: p.line, column: p.column, image: located(ctx, node, plain(node)), credentials: undefined, env: [] };
  const creds = child(node, "credentials");
  const image = child(node, "image");
  return {
    name,
    line: p.line,
    column: p.column,
    image: image ? located(ctx, image, plain(image)) : undefined,
    credentials: isMap(creds)
      ? {
          username: child(creds, "username") ? located(ctx, child(creds, "username")!, plain(child(creds, "username"))) : undefined,
          password: child(creds, "password") ? located(ctx, child(creds, "password")!, plain(child(creds, "password"))) : undefined,
        }
      : undefined,
    env: envOf(ctx, child(node, "env")),
  };
}

function stepOf(ctx: Ctx, node: Node, index: number): Step {
  const p = pos(ctx, node);
  return {
    index,
    line: p.line,
    column: p.column,
    endLine: p.endLine,
    id: str(child(node, "id")),
    name: str(child(node, "name")),
    uses: locatedString(ctx, child(node, "uses")),
    run: locatedString(ctx, child(node, "run")),
    with: inputsOf(ctx, child(node, "with")),
    env: envOf(ctx, child(node, "env")),
    if: str(child(node, "if")),
  };
}

function jobOf(ctx: Ctx, item: Pair<unknown, unknown>): Job | undefined {
  const id = keyOf(item);
  const node = item.value as Node | undefined;
  if (id === undefined || !isMap(node)) return undefined;
  const k = pos(ctx, item.key as Node);
  const end = pos(ctx, node);
  const containerEntry = entry(node, "container");
  const steps = child(node, "steps");
  const runsOn = child(node, "runs-on");
  const secrets = child(node, "secrets");
  return {
    id,
    line: k.line,
    column: k.column,
    endLine: end.endLine,
    name: str(child(node, "name")),
    runsOn: runsOn ? located(ctx, runsOn, plain(runsOn)) : undefined,
    permissions: permissionsOf(ctx, node),
    env: envOf(ctx, child(node, "env")),
    container: containerEntry ? containerOf(ctx, "container", containerEntry.pair.key as Node, containerEntry.value) : undefined,
    services: pairs(child(node, "services")).flatMap((s) => {
      const name = keyOf(s);
      return name === undefined ? [] : [containerOf(ctx, name, s.key as Node, (s.value ?? undefined) as Node | undefined)];
    }),
    steps: isSeq(steps) ? steps.items.flatMap((s, i) => (isMap(s) ? [stepOf(ctx, s, i)] : [])) : [],
    uses: locatedString(ctx, child(node, "uses")),
    with: inputsOf(ctx, child(node, "with")),
    secrets: secrets ? located(ctx, secrets, plain(secrets)) : undefined,
    matrix: plain(child(child(node, "strategy"), "matrix")),
    if: str(child(node, "if")),
  };
}

function triggersOf(ctx: Ctx, node: Node | undefined): Trigger[] {
  if (isScalar(node)) {
    const p = pos(ctx, node);
    return [{ event: String(node.value), config: null, line: p.line, column: p.column }];
  }
  if (isSeq(node)) {
    return node.items.flatMap((i) => {
      if (!isScalar(i)) return [];
      const p = pos(ctx, i);
      return [{ event: String(i.value), config: null, line: p.line, column: p.column }];
    });
  }
  return pairs(node).flatMap((p) => {
    const event = keyOf(p);
    if (event === undefined) return [];
    const kp = pos(ctx, p.key as Node);
    return [{ event, config: plain(p.value), line: kp.line, column: kp.column }];
  });
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Parse one workflow file. */
export function parseWorkflow(file: string, text: string): Workflow | ParseError {
  try {
    const safe = readYamlDocument(text, file);
    if (!safe.ok) {
      const first = safe.errors[0];
      return { file, ...(first?.line !== undefined ? { line: first.line } : {}), message: `${file} is not valid YAML: ${first?.message ?? "unparseable"}` };
    }
    const { doc, lc } = safe.value;
    const root = (doc?.contents ?? null) as YAMLMap | null;
    const ctx: Ctx = { lc };
    if (!isMap(root) || !isMap(child(root, "jobs"))) return { file, line: 1, message: `${file} is not a GitHub Actions workflow: it has no jobs mapping` };
    const onEntry = entry(root, "on") ?? entry(root, "true");
    const onPos = onEntry ? pos(ctx, onEntry.pair.key as Node) : { line: 1, column: 1 };
    return {
      file,
      text,
      lineStarts: lineStartsOf(text),
      name: str(child(root, "name")),
      triggers: triggersOf(ctx, onEntry?.value),
      on: { line: onPos.line, column: onPos.column },
      permissions: permissionsOf(ctx, root),
      env: envOf(ctx, child(root, "env")),
      jobs: pairs(child(root, "jobs")).flatMap((j) => {
        const job = jobOf(ctx, j);
        return job ? [job] : [];
      }),
    };
  } catch (e) {
    return { file, message: `the workflow parser failed: ${(e as Error).message}` };
  }
}

export function parseWorkflows(files: readonly SourceFile[]): { docs: Workflow[]; errors: ParseError[] } {
  const docs: Workflow[] = [];
  const errors: ParseError[] = [];
  for (const f of files) {
    const r = parseWorkflow(f.path, f.content);
    if ("jobs" in r) docs.push(r);
    else errors.push(r);
  }
  return { docs, errors };
}

/** 1-based position of character `offset` in the workflow. */
export function positionAt(wf: Workflow, offset: number): Position {
  const starts = wf.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** Where `needle` is written inside the value `v` (e.g. an expression in a `run:` block); the value's start when it cannot be found verbatim. */
export function locateIn(wf: Workflow, v: Located<unknown>, needle: string): Position {
  const i = wf.text.slice(v.offset, v.end).indexOf(needle);
  return i < 0 ? { line: v.line, column: v.column } : positionAt(wf, v.offset + i);
}

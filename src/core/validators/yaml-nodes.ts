/**
 * What the YAML-reading validators (Kubernetes, OpenSLO, OpenTelemetry
 * Collector) share: strict parse options, and finding the line and column of a
 * value by its path so that each error points at the offending node.
 */
import type { Document, DocumentOptions, LineCounter, ParseOptions, SchemaOptions } from "yaml";
import { isMap, isScalar, isSeq } from "yaml";

/** Duplicate keys are errors; no custom tags; YAML 1.2 core schema. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { uniqueKeys: true, strict: true, prettyErrors: true, customTags: [] };

export type YamlPath = (string | number)[];
export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** yaml's pretty messages end their first line with " at line N, column M:"; the position is reported separately. */
export function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

/** `spec.objectives[0].target` */
export function dotted(path: YamlPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

type Ranged = { range?: [number, number, number] } | null | undefined;

/** Line and column of the node at `path`, or of its deepest existing ancestor. A map entry points at its key. */
export function locate(doc: Document.Parsed, lc: LineCounter, path: YamlPath): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let range = (node as Ranged)?.range;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      range = (pair.key as Ranged)?.range ?? range;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      const item: unknown = node.items[step];
      if (item === undefined || item === null) break;
      range = (item as Ranged)?.range ?? range;
      node = item;
    } else break;
  }
  if (!range) return undefined;
  const p = lc.linePos(range[0]);
  return { line: p.line, column: p.col };
}

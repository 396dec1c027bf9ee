/**
 * What the YAML-reading validators (Kubernetes, OpenSLO, OpenTelemetry
 * Collector) share: strict parsing with the size and alias caps, syntax errors
 * as issues, and the line and column of a value by its path so that each error
 * points at the offending node.
 */
import type { Document } from "yaml";
import type { LineCounter } from "yaml";
import { isMap, isScalar, isSeq } from "yaml";
import { MAX_ALIAS_COUNT } from "../limits.js";
import type { Issue } from "../result.js";
import { firstLine, readYamlDocuments } from "../yaml.js";

export { firstLine };

export type YamlPath = (string | number)[];
export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !Array.isArray(v);
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

/** A parsed file as the validators report on it. */
export interface YamlFile {
  path: string;
  doc: Document.Parsed;
  lc: LineCounter;
}

/** An issue at the node `at` of a parsed file, with its line and column when the node exists. */
export function nodeIssue(f: YamlFile, at: YamlPath, message: string, kind: string): Issue {
  const pos = locate(f.doc, f.lc, at);
  return { message, path: f.path, kind, ...(pos ? { line: pos.line, column: pos.column } : {}) };
}

/**
 * Every document of a file, with line positions, read by core/yaml's bounded,
 * linear reader (duplicate keys and custom tags are errors of their
 * documents). A file over MAX_INPUT_BYTES or past a parsing bound (documents,
 * keys, nesting) is refused: `tooLarge` holds the issue that names the limit.
 */
export function readDocuments(content: string, path: string): { tooLarge: Issue } | { lc: LineCounter; docs: Document.Parsed[] } {
  const read = readYamlDocuments(content, path);
  return read.ok ? read.value : { tooLarge: read.issue };
}

/** A document's syntax errors (duplicate keys included) as issues, each at its line. */
export function syntaxIssues(doc: Document.Parsed, path: string): Issue[] {
  return doc.errors.map((e) => ({ message: `YAML syntax: ${firstLine(e.message)}`, path, kind: "syntax", ...(e.linePos?.[0] ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}) }));
}

/** A document as plain data; aliases expanding past MAX_ALIAS_COUNT throw (billion laughs). */
export function toPlain(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}

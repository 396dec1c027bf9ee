import type { CST, Document, DocumentOptions, ParseOptions, SchemaOptions, YAMLError } from "yaml";
import { Composer, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, visit, YAMLParseError } from "yaml";
import type { Issue, Result } from "./result.js";
import { fail, ok } from "./result.js";
import { MAX_ALIAS_COUNT, MAX_INPUT_BYTES, MAX_YAML_DEPTH, MAX_YAML_DOCUMENTS, MAX_YAML_KEYS } from "./limits.js";

export { MAX_INPUT_BYTES };

/**
 * The library's own duplicate-key check (`uniqueKeys`) compares each key with
 * every earlier key of its map, which is quadratic in the number of keys; it
 * is off, and `duplicateKeys` does the same check with a set.
 */
const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { uniqueKeys: false, prettyErrors: true, strict: true, customTags: [], logLevel: "error" };

/** yaml's pretty messages end their first line with " at line N, column M:"; the line is reported separately. */
export function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

/** The too-large issue for input over MAX_INPUT_BYTES, or undefined. */
export function tooLarge(text: string, source: string): Issue | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  return bytes > MAX_INPUT_BYTES ? { message: `${source} is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes`, path: source, kind: "too-large" } : undefined;
}

export interface YamlReadOptions {
  /** One document (a task file, front matter): a second one is an error, and parsing stops there. Default: a stream of documents. */
  single?: boolean;
  /** Custom tags (`!foo`): refused as errors (default), or left to the library, which warns and reads the value untagged. */
  customTags?: "refuse" | "ignore";
}

/** The documents of a file, with the line counter their positions come from. */
export interface YamlDocuments {
  lc: LineCounter;
  docs: Document.Parsed[];
}

type Bound = { kind: "too-many-documents" | "too-deep" | "too-many-keys"; offset: number; message: string };

const keysMessage = (source: string, line: number) =>
  `${source} has more than ${MAX_YAML_KEYS} YAML keys and items (past it at line ${line}); the limit is ${MAX_YAML_KEYS} per file, split the file`;
const depthMessage = (source: string, line: number) => `${source}: YAML collections nested more than ${MAX_YAML_DEPTH} deep at line ${line}; the limit is ${MAX_YAML_DEPTH} levels`;

/** Tokens the lexer adds that are not source text. */
const MARKERS = new Set(["\x02", "\x18", "\x1f"]);

/**
 * A first pass over the lexer's tokens, which cost a fraction of building the
 * CST: outside flow collections each `:` and `-` indicator is at least one
 * key or item; inside them each `,` is (less one per flow collection, for a
 * trailing comma), and their `:` is not counted, since `{"a": 1, "b": 2}`
 * has two keys for its two `:` and one `,`. `[`/`{` nest. It refuses only
 * what the exact pass would refuse, and early, so that a hostile file is not
 * fully parsed first. Block nesting is left to the exact pass.
 */
function lexBound(text: string): Omit<Bound, "message"> & { message: (source: string, line: number) => string } | undefined {
  let indicators = 0;
  let flows = 0;
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1) {
      if (depth > 0 ? token === "," : token === ":" || token === "-") {
        if (++indicators - flows > MAX_YAML_KEYS) return { kind: "too-many-keys", offset, message: keysMessage };
      } else if (token === "[" || token === "{") {
        flows++;
        if (++depth > MAX_YAML_DEPTH) return { kind: "too-deep", offset, message: depthMessage };
      } else if (token === "]" || token === "}") depth = Math.max(0, depth - 1);
      else if (MARKERS.has(token)) continue;
    }
    offset += token.length;
  }
  return undefined;
}

/**
 * The work one CST document will cost, measured before it is composed, with
 * an explicit stack (no recursion, so deep nesting cannot overflow it): the
 * first bound it crosses, or undefined.
 */
function overBound(doc: CST.Document, source: string, counted: { keys: number }): (Omit<Bound, "message"> & { message: (line: number) => string }) | undefined {
  const stack: [CST.Token, number][] = doc.value ? [[doc.value, 1]] : [];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top;
    if (token.type !== "block-map" && token.type !== "block-seq" && token.type !== "flow-collection") continue;
    if (depth > MAX_YAML_DEPTH) {
      return { kind: "too-deep", offset: token.offset, message: (line) => depthMessage(source, line) };
    }
    counted.keys += token.items.length;
    if (counted.keys > MAX_YAML_KEYS) {
      return { kind: "too-many-keys", offset: token.offset, message: (line) => keysMessage(source, line) };
    }
    for (const item of token.items) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

/** Duplicate keys, found with one set per map: the library's error, at the later key. */
function duplicateKeys(doc: Document.Parsed): YAMLParseError[] {
  const found: YAMLParseError[] = [];
  const stack: unknown[] = [doc.contents];
  for (let node = stack.pop(); stack.length > 0 || node !== undefined; node = stack.pop()) {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key) && !(typeof key.value === "number" && Number.isNaN(key.value))) {
          if (seen.has(key.value)) {
            const at = key.range?.[0] ?? 0;
            found.push(new YAMLParseError([at, at + 1], "DUPLICATE_KEY", "Map keys must be unique"));
          } else seen.add(key.value);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return found;
}

/** A custom tag's warning, as an error that names what is accepted. */
function tagError(w: YAMLError): YAMLParseError {
  const tag = /^Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? "this tag";
  return new YAMLParseError(
    w.pos,
    "TAG_RESOLVE_FAILED",
    `Custom YAML tag ${tag} is not supported; only the YAML 1.2 core tags (!!map, !!seq, !!str, !!int, !!float, !!bool, !!null) are`,
  );
}

/** Line and column on an error, and the " at line N, column M" the library's pretty messages end with. */
function locateError(e: YAMLError, lc: LineCounter): void {
  if (e.linePos) return;
  const start = lc.linePos(e.pos[0]);
  e.linePos = [start, lc.linePos(e.pos[1])];
  e.message += ` at line ${start.line}, column ${start.col}`;
}

/**
 * Parse YAML (or JSON) with bounded, linear work: the size cap, at most
 * MAX_YAML_DOCUMENTS documents and MAX_YAML_KEYS keys and items in all, and
 * nesting at most MAX_YAML_DEPTH deep, each checked before a document is
 * built. Past a bound the whole file is refused with one issue
 * that names the limit. Otherwise every document comes back with its errors:
 * syntax, duplicate keys, and custom tags unless `customTags: "ignore"`.
 * Aliases are not expanded here (see MAX_ALIAS_COUNT). Never throws.
 */
export function readYamlDocuments(text: string, source: string, options: YamlReadOptions = {}): { ok: true; value: YamlDocuments } | { ok: false; issue: Issue } {
  const big = tooLarge(text, source);
  if (big) return { ok: false, issue: big };
  const early = yamlBoundIssue(text, source);
  if (early) return { ok: false, issue: early };
  const lc = new LineCounter();
  let bound: Bound | undefined;
  let count = 0;
  const counted = { keys: 0 };
  function* bounded(tokens: Generator<CST.Token>): Generator<CST.Token> {
    for (const token of tokens) {
      if (token.type === "document") {
        count++;
        if (count > MAX_YAML_DOCUMENTS) {
          bound = {
            kind: "too-many-documents",
            offset: token.offset,
            message: `${source} holds more than ${MAX_YAML_DOCUMENTS} YAML documents (document ${count} starts at line ${lc.linePos(token.offset).line}); the limit is ${MAX_YAML_DOCUMENTS} per file, split the file`,
          };
          return;
        }
        const over = overBound(token, source, counted);
        if (over) {
          bound = { kind: over.kind, offset: over.offset, message: over.message(lc.linePos(over.offset).line) };
          return;
        }
      }
      yield token;
    }
  }
  const composer = new Composer(OPTIONS);
  const docs: Document.Parsed[] = [];
  for (const doc of composer.compose(bounded(new Parser(lc.addNewLine).parse(text)), options.single === true, text.length)) {
    const first = docs[0];
    if (options.single && first) {
      first.errors.push(new YAMLParseError([doc.range[0], doc.range[1]], "MULTIPLE_DOCS", `${source} holds more than one YAML document; a single document is expected`));
      break;
    }
    docs.push(doc);
  }
  if (bound) return { ok: false, issue: { message: bound.message, path: source, kind: bound.kind, line: lc.linePos(bound.offset).line, column: lc.linePos(bound.offset).col } };
  for (const doc of docs) {
    const extra = duplicateKeys(doc);
    if (options.customTags !== "ignore") {
      const tags = doc.warnings.filter((w) => w.code === "TAG_RESOLVE_FAILED");
      extra.push(...tags.map(tagError));
      doc.warnings = doc.warnings.filter((w) => w.code !== "TAG_RESOLVE_FAILED");
    }
    if (extra.length > 0) doc.errors = [...doc.errors, ...extra].sort((a, b) => a.pos[0] - b.pos[0]);
    for (const e of doc.errors) locateError(e, lc);
    for (const w of doc.warnings) locateError(w, lc);
  }
  return { ok: true, value: { lc, docs } };
}

/** The number of aliases in a document (`*name`); a source without a `*` has none. */
export function aliasCount(doc: Document.Parsed, text: string): number {
  let aliases = 0;
  if (text.includes("*")) {
    visit(doc, {
      Alias() {
        aliases++;
      },
    });
  }
  return aliases;
}

/** One parsed document to plain data: syntax errors, alias bombs and duplicate keys become issues. */
function toData(doc: Document.Parsed, text: string, source: string): Result<unknown> {
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        message: firstLine(e.message),
        path: source,
        ...(e.linePos?.[0] ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
        kind: "syntax",
      })),
    );
  }
  const aliases = aliasCount(doc, text);
  if (aliases > MAX_ALIAS_COUNT) {
    return fail([{ message: `${source} uses ${aliases} YAML aliases; more than ${MAX_ALIAS_COUNT} is refused (alias bomb)`, path: source, kind: "alias-bomb" }]);
  }
  try {
    return ok(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch (e) {
    return fail([{ message: `${source}: ${(e as Error).message}`, path: source, kind: "alias-bomb" }]);
  }
}

/**
 * Parse one YAML (or JSON) document safely: size cap, bounded work (see
 * readYamlDocuments), alias-bomb cap, no custom tags, duplicate keys are
 * errors. Returns data, never throws.
 */
export function parseYamlSafe(text: string, source: string): Result<unknown> {
  const read = readYamlDocument(text, source);
  return read.ok ? ok(read.value.data) : read;
}

/** One document as data, with the nodes and line counter it came from (`doc` is undefined when the reader gives none). */
export interface YamlDocument {
  data: unknown;
  doc: Document.Parsed | undefined;
  lc: LineCounter;
}

/**
 * parseYamlSafe for code that also reports positions or walks the nodes
 * (workflow and rule-file analysis, the scanner): the same checks and issues,
 * and one bounded parse instead of a second, unbounded one. Never throws.
 */
export function readYamlDocument(text: string, source: string): Result<YamlDocument> {
  const read = readYamlDocuments(text, source, { single: true });
  if (!read.ok) return fail([read.issue]);
  const { lc, docs } = read.value;
  const doc = docs[0];
  if (!doc) return ok({ data: null, doc, lc });
  const data = toData(doc, text, source);
  return data.ok ? ok({ data: data.value, doc, lc }) : fail(data.errors);
}

/**
 * The early bound check of readYamlDocuments alone (keys and items, flow
 * nesting) on the lexer's tokens, for JSON that JSON.parse reads: an issue
 * naming the limit, or undefined. Without it a dashboard nested 100,000 deep
 * parses, then overflows the stack of every recursive walk after it.
 */
export function yamlBoundIssue(text: string, source: string): Issue | undefined {
  const early = lexBound(text);
  if (!early) return undefined;
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0 && i < early.offset; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  const at = lc.linePos(early.offset);
  return { message: early.message(source, at.line), path: source, kind: early.kind, line: at.line, column: at.col };
}

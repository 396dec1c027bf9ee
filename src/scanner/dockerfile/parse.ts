/**
 * Dockerfile parser: parser directives (`# escape=`), comments, line
 * continuations (comment and blank lines inside a continuation are dropped,
 * as BuildKit does), heredocs (`RUN <<EOF`), exec (JSON) and shell forms,
 * flags, ENV/ARG/LABEL pairs, multi-stage builds and ARG before FROM.
 * Never throws: a file that is not a Dockerfile becomes a ParseError.
 */
import { MAX_DOCKERFILE_INSTRUCTIONS, MAX_DOCKERFILE_STAGES } from "../../core/limits.js";
import { MAX_INPUT_BYTES } from "../../core/yaml.js";
import type { ParseError, SourceFile } from "../types.js";
import type { Dockerfile, Flag, Heredoc, Instruction, KeyValue, SourceText, Span, Stage } from "./model.js";
import { expandVars, parseImage, positionIn, sliceText, splitWords } from "./text.js";

/** File names the Dockerfile target reads: Dockerfile, Containerfile, Dockerfile.<variant>, <name>.Dockerfile. */
const NAME = /(^|\/)((Dockerfile|Containerfile)(\.[^/]+)?|dockerfile|containerfile|[^/]+\.(Dockerfile|dockerfile|Containerfile))$/;
/** Variants that are templates or documents, not Dockerfiles. */
const NOT_A_DOCKERFILE = /\.(template|tpl|tmpl|j2|jinja2?|erb|mustache|hbs|md|txt|rst|adoc|html|json|ya?ml|sh|orig|rej|bak|swp|dockerignore)$/i;

export function claimsDockerfile(path: string): boolean {
  return NAME.test(path) && !NOT_A_DOCKERFILE.test(path);
}

const KNOWN_DIRECTIVES = new Set(["syntax", "escape", "check"]);
const FLAGGED = new Set(["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"]);
const HEREDOC_CAPABLE = new Set(["RUN", "COPY", "ADD"]);
const NO_EXEC_FORM = new Set(["ENV", "ARG", "LABEL", "FROM", "USER", "WORKDIR", "EXPOSE", "MAINTAINER", "STOPSIGNAL"]);

class DockerfileSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

interface Cursor {
  lines: string[];
  i: number;
  escape: "\\" | "`";
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith("#");
}

/** Read one logical line (continuations joined) starting at `c.i`; returns the text and its spans. */
function readLogical(c: Cursor): { src: SourceText; lastLine: number } {
  let text = "";
  const spans: Span[] = [];
  const continuation = c.escape === "\\" ? /\\[ \t]*$/ : /`[ \t]*$/;
  let first = true;
  let lastLine = c.i + 1;
  while (c.i < c.lines.length) {
    const raw = c.lines[c.i]!;
    const lineNo = c.i + 1;
    c.i++;
    if (!first && (isBlank(raw) || isComment(raw))) continue;
    let start = 0;
    if (first) start = raw.length - raw.trimStart().length;
    const cont = continuation.exec(raw);
    const end = cont ? cont.index : raw.length;
    spans.push({ offset: text.length, line: lineNo, column: start + 1 });
    text += raw.slice(start, end);
    lastLine = lineNo;
    first = false;
    if (!cont) break;
  }
  return { src: { text, spans }, lastLine };
}

const HEREDOC_MARKER = /(?<!<)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/** Heredoc markers outside quotes, in order. */
function heredocMarkers(text: string): { stripTabs: boolean; quoted: boolean; delimiter: string }[] {
  const found: { stripTabs: boolean; quoted: boolean; delimiter: string }[] = [];
  const re = new RegExp(HEREDOC_MARKER.source, "g");
  // Quotes before each marker, counted on from the previous marker (a recount from the start was quadratic).
  let singles = 0;
  let doubles = 0;
  let counted = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (; counted < m.index; counted++) {
      if (text[counted] === "'") singles++;
      else if (text[counted] === '"') doubles++;
    }
    if (singles % 2 === 1 || doubles % 2 === 1) continue;
    found.push({ stripTabs: m[1] === "-", quoted: m[2] !== "", delimiter: m[3]! });
  }
  return found;
}

function readHeredoc(c: Cursor, marker: { stripTabs: boolean; quoted: boolean; delimiter: string }, openedAt: number): Heredoc {
  const spans: Span[] = [];
  const parts: string[] = [];
  let offset = 0;
  while (c.i < c.lines.length) {
    const raw = c.lines[c.i]!;
    const lineNo = c.i + 1;
    c.i++;
    const stripped = marker.stripTabs ? raw.replace(/^\t+/, "") : raw;
    if (stripped === marker.delimiter || stripped.trimEnd() === marker.delimiter) {
      return { delimiter: marker.delimiter, stripTabs: marker.stripTabs, quoted: marker.quoted, body: { text: parts.join("\n"), spans }, endLine: lineNo };
    }
    spans.push({ offset, line: lineNo, column: raw.length - stripped.length + 1 });
    parts.push(stripped);
    offset += stripped.length + 1;
  }
  throw new DockerfileSyntaxError(`unterminated heredoc <<${marker.delimiter} opened at line ${openedAt}`, openedAt);
}

function parseFlags(args: SourceText): { flags: Flag[]; rest: SourceText } {
  const flags: Flag[] = [];
  let i = 0;
  const t = args.text;
  for (;;) {
    while (i < t.length && /\s/.test(t[i]!)) i++;
    if (!t.startsWith("--", i)) break;
    let j = i;
    while (j < t.length && !/\s/.test(t[j]!)) j++;
    const token = t.slice(i + 2, j);
    const eq = token.indexOf("=");
    const pos = positionIn(args, i);
    flags.push({ name: eq >= 0 ? token.slice(0, eq) : token, value: eq >= 0 ? token.slice(eq + 1) : undefined, line: pos.line, column: pos.column });
    i = j;
  }
  return { flags, rest: sliceText(args, i) };
}

function execForm(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith("[")) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
  } catch {
    return undefined;
  }
}

function parsePairs(keyword: string, args: SourceText, escape: string): KeyValue[] {
  const words = splitWords(args.text, escape);
  const first = words[0];
  if (first === undefined) return [];
  const at = (offset: number) => positionIn(args, offset);
  if (keyword === "ENV" && !first.text.includes("=")) {
    // Legacy form: ENV KEY value with spaces
    const pos = at(first.offset);
    const valueStart = words[1]?.offset;
    const rawValue = valueStart === undefined ? "" : args.text.slice(valueStart).trim();
    const unq = splitWords(rawValue, escape).map((w) => w.text).join(" ");
    const vpos = valueStart === undefined ? pos : at(valueStart);
    return [{ key: first.text, value: unq, quoted: words[1]?.quoted ?? false, line: pos.line, column: pos.column, valueLine: vpos.line, valueColumn: vpos.column }];
  }
  return words.map((w) => {
    const pos = at(w.offset);
    const rawWord = args.text.slice(w.offset, w.offset + w.length);
    const eqRaw = rawWord.indexOf("=");
    const eq = w.text.indexOf("=");
    if (eq < 0) return { key: w.text, value: undefined, quoted: false, line: pos.line, column: pos.column, valueLine: pos.line, valueColumn: pos.column };
    const vpos = at(w.offset + (eqRaw >= 0 ? eqRaw + 1 : eq + 1));
    const quoted = eqRaw >= 0 && /^["']/.test(rawWord.slice(eqRaw + 1));
    return { key: w.text.slice(0, eq), value: w.text.slice(eq + 1), quoted, line: pos.line, column: pos.column, valueLine: vpos.line, valueColumn: vpos.column };
  });
}

function readInstruction(c: Cursor): Instruction {
  const startIndex = c.i;
  const { src, lastLine } = readLogical(c);
  const m = /^([A-Za-z][A-Za-z0-9]*)(?=\s|$)/.exec(src.text);
  const firstSpan = src.spans[0]!;
  if (!m) {
    throw new DockerfileSyntaxError(`line ${firstSpan.line}: expected an instruction (FROM, RUN, COPY…), found "${src.text.slice(0, 40)}"`, firstSpan.line);
  }
  const keyword = m[1]!.toUpperCase();
  let argStart = m[0].length;
  while (argStart < src.text.length && /\s/.test(src.text[argStart]!)) argStart++;
  let args = sliceText(src, argStart);
  let flags: Flag[] = [];
  if (FLAGGED.has(keyword)) ({ flags, rest: args } = parseFlags(args));
  let endLine = lastLine;
  const heredocs: Heredoc[] = [];
  if (HEREDOC_CAPABLE.has(keyword)) {
    for (const marker of heredocMarkers(args.text)) {
      const h = readHeredoc(c, marker, firstSpan.line);
      heredocs.push(h);
      endLine = h.endLine;
    }
  }
  const exec = NO_EXEC_FORM.has(keyword) ? undefined : execForm(args.text);
  const pairs = keyword === "ENV" || keyword === "ARG" || keyword === "LABEL" ? parsePairs(keyword, args, c.escape) : [];
  const summary = (c.lines[startIndex] ?? "").trim().replace(/[\\`]\s*$/, "").trim().slice(0, 120);
  return { keyword, args, flags, exec, heredocs, pairs, line: firstSpan.line, column: firstSpan.column, endLine, summary };
}

function readDirectives(c: Cursor): void {
  while (c.i < c.lines.length) {
    const m = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/.exec(c.lines[c.i]!);
    if (!m || !KNOWN_DIRECTIVES.has(m[1]!.toLowerCase())) return;
    if (m[1]!.toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) c.escape = m[2];
    c.i++;
  }
}

function buildStages(file: string, instructions: Instruction[], lineCount: number, escape: "\\" | "`"): Dockerfile | ParseError {
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  const globals = new Map<string, string | undefined>();
  // The first stage of each name, for `FROM <stage>`: a look-up, not a search of the earlier stages (quadratic in stages).
  const stageByName = new Map<string, number>();
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const words = splitWords(ins.args.text, escape);
      const raw = words[0]?.text ?? "";
      const alias = words[1]?.text.toLowerCase() === "as" ? words[2]?.text.toLowerCase() : undefined;
      const parentIndex = stageByName.get(raw.toLowerCase()) ?? -1;
      const resolved = expandVars(raw, globals);
      const prev = stages[stages.length - 1];
      if (prev) prev.endLine = Math.max(prev.line, ins.line - 1);
      if (alias !== undefined && !stageByName.has(alias)) stageByName.set(alias, stages.length);
      stages.push({
        index: stages.length,
        name: alias,
        from: ins,
        image: parseImage(raw, resolved),
        parent: parentIndex >= 0 ? parentIndex : undefined,
        instructions: [],
        line: ins.line,
        endLine: ins.endLine,
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined) {
      if (ins.keyword !== "ARG") return { file, line: ins.line, message: `line ${ins.line}: ${ins.keyword} before the first FROM (only ARG may come before FROM)` };
      globalArgs.push(ins);
      for (const p of ins.pairs) globals.set(p.key, p.value);
      continue;
    }
    stage.instructions.push(ins);
    stage.endLine = ins.endLine;
  }
  if (stages.length === 0) return { file, line: 1, message: "no FROM instruction: not a Dockerfile" };
  return { file, escape, globalArgs, stages, lineCount };
}

/** Parse one Dockerfile; a syntax problem is returned as a ParseError. */
export function parseDockerfile(file: string, content: string): Dockerfile | ParseError {
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > MAX_INPUT_BYTES) return { file, message: `${file} is ${bytes} bytes, over the ${MAX_INPUT_BYTES}-byte limit` };
  const lines = content.split(/\r\n|\n|\r/);
  const c: Cursor = { lines, i: 0, escape: "\\" };
  const instructions: Instruction[] = [];
  let stages = 0;
  try {
    readDirectives(c);
    while (c.i < lines.length) {
      const line = lines[c.i]!;
      if (isBlank(line) || isComment(line)) {
        c.i++;
        continue;
      }
      if (instructions.length === MAX_DOCKERFILE_INSTRUCTIONS) {
        return {
          file,
          line: c.i + 1,
          message: `${file} has more than ${MAX_DOCKERFILE_INSTRUCTIONS} instructions (past it at line ${c.i + 1}); the limit is ${MAX_DOCKERFILE_INSTRUCTIONS} per Dockerfile, split it`,
        };
      }
      const ins = readInstruction(c);
      if (ins.keyword === "FROM" && ++stages > MAX_DOCKERFILE_STAGES) {
        return {
          file,
          line: ins.line,
          message: `${file} has more than ${MAX_DOCKERFILE_STAGES} build stages (FROM at line ${ins.line}); the limit is ${MAX_DOCKERFILE_STAGES} per Dockerfile`,
        };
      }
      instructions.push(ins);
    }
  } catch (e) {
    if (e instanceof DockerfileSyntaxError) return { file, line: e.line, message: e.message };
    return { file, message: `the Dockerfile parser failed: ${(e as Error).message}` };
  }
  return buildStages(file, instructions, lines.length, c.escape);
}

export function parseDockerfiles(files: readonly SourceFile[]): { docs: Dockerfile[]; errors: ParseError[] } {
  const docs: Dockerfile[] = [];
  const errors: ParseError[] = [];
  for (const f of files) {
    const r = parseDockerfile(f.path, f.content);
    if ("stages" in r) docs.push(r);
    else errors.push(r);
  }
  return { docs, errors };
}

/**
 * Atlassian Document Format (ADF), the JSON that Jira Cloud's REST API v3
 * takes and returns for rich-text fields such as `description`
 * (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/).
 *
 * - `markdownToAdf` writes the task body: headings, paragraphs, bullet and
 *   ordered lists, task-list checkboxes (as bullets starting with ☐ / ☑, the
 *   nodes every Jira editor accepts), fenced code blocks with their language,
 *   rules, block quotes, pipe tables, and inline bold, italic, code and links.
 * - `adfToMarkdown` reads a story's description back as markdown, including
 *   the nodes Jira's own editor produces (taskList/taskItem, mentions, emoji,
 *   inline cards, panels, expands, tables).
 * - `acceptanceCriteriaFromMarkdown` finds the criteria in that text.
 *
 * Pure: no I/O.
 */
import { DevopsPackError } from "../core/errors.js";
import type { AcceptanceCriterion } from "../core/stories/types.js";
import { headingOf, LINE_BREAK, textAfter, WS } from "./story-markdown.js";

export interface AdfMark {
  /** strong, em, code, link, strike, underline, … */
  type: string;
  attrs?: Record<string, unknown>;
}

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  marks?: AdfMark[];
  text?: string;
}

export interface AdfDoc {
  version: 1;
  type: "doc";
  content: AdfNode[];
}

/**
 * How deep lists nest in the ADF we write (block quotes do not nest in ADF at
 * all). Deeper markdown is kept as text at this level, so a hostile run of `>`
 * or of ever deeper list items costs linear time and a bounded stack.
 */
export const MAX_WRITE_NESTING = 16;
/** How deep an ADF document read from a tracker may nest before it is refused. */
export const MAX_READ_NESTING = 100;

// ---------------------------------------------------------------- markdown → ADF

// Tracker text is hostile input. The line syntax is read by code, not by
// expressions such as `^(#{1,6})\s+(.*?)\s*#*\s*$`, whose adjacent
// quantifiers over the same characters backtrack quadratically or cubically
// on a line of spaces (issue 12; `# a` + 4,000 spaces + U+2028 took 18 s).
// Each reader reads its line once and gives what its old expression gave
// (property-tested against them in adf-hostile.test.ts).

const DIGIT = /[0-9]/;

/** The index of the first character at or after `at` that is not whitespace. */
function skipSpace(line: string, at: number): number {
  let i = at;
  while (i < line.length && WS.test(line[i] ?? "")) i++;
  return i;
}

/** A code fence: whitespace, ≥ 3 backticks or tildes, an optional language of `[\w#+.-]`, whitespace. */
export function fenceOf(line: string): { marker: string; language: string } | undefined {
  const start = skipSpace(line, 0);
  const c = line[start];
  if (c !== "`" && c !== "~") return undefined;
  let end = start;
  while (line[end] === c) end++;
  if (end - start < 3) return undefined;
  const language = line.slice(end).trim();
  return /^[\w#+.-]*$/.test(language) ? { marker: line.slice(start, end), language } : undefined;
}

/** `## Title ##` at the start of the line (no indent) → level and text. */
export function atxHeadingOf(line: string): { level: number; text: string } | undefined {
  return line.startsWith("#") ? headingOf(line) : undefined;
}

/** A list item: indent, a bullet (`-`, `*`, `+`, `1.`, `1)`), whitespace, the text (kept as written, trailing spaces too). */
export function listItemOf(line: string): { bullet: string; text: string } | undefined {
  const start = skipSpace(line, 0);
  let at = start;
  const c = line[at] ?? "";
  if (c === "-" || c === "*" || c === "+") at++;
  else if (DIGIT.test(c)) {
    while (DIGIT.test(line[at] ?? "")) at++;
    if (line[at] !== "." && line[at] !== ")") return undefined;
    at++;
  } else return undefined;
  if (!WS.test(line[at] ?? "")) return undefined;
  const text = line.slice(skipSpace(line, at));
  return LINE_BREAK.test(text) ? undefined : { bullet: line.slice(start, at), text };
}

/** A thematic break: at least three of one of `-`, `*`, `_`, with only whitespace between and around them. */
export function isRule(line: string): boolean {
  const start = skipSpace(line, 0);
  const c = line[start];
  if (c !== "-" && c !== "*" && c !== "_") return false;
  let marks = 0;
  for (let i = start; i < line.length; i++) {
    const x = line[i] ?? "";
    if (x === c) marks++;
    else if (!WS.test(x)) return false;
  }
  return marks >= 3;
}

/** The line under a table's header: cells of `:?-{2,}:?` between pipes, the outer pipes optional. */
export function isTableSeparator(line: string): boolean {
  let inner = line.trim();
  if (inner.startsWith("|")) inner = inner.slice(1);
  if (inner.endsWith("|")) inner = inner.slice(0, -1);
  return inner.split("|").every((cell) => /^:?-{2,}:?$/.test(cell.trim()));
}

const TASK = /^\[( |x|X)\]\s+(.*)$/;

export function markdownToAdf(markdown: string): AdfDoc {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  return { version: 1, type: "doc", content: blocks(lines, 0) };
}

function blocks(lines: string[], depth: number, inQuote = false): AdfNode[] {
  const out: AdfNode[] = [];
  let i = 0;
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) out.push(paragraph(para.join("\n")));
    para = [];
  };
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const fence = fenceOf(line);
    if (fence) {
      flush();
      const marker = fence.marker;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").trim().startsWith(marker)) body.push(lines[i++] ?? "");
      i++; // closing fence
      const text = body.join("\n");
      out.push({ type: "codeBlock", ...(fence.language ? { attrs: { language: fence.language } } : {}), content: text === "" ? [] : [{ type: "text", text }] });
      continue;
    }
    if (line.trim() === "") {
      flush();
      i++;
      continue;
    }
    const heading = atxHeadingOf(line);
    if (heading) {
      flush();
      out.push({ type: "heading", attrs: { level: heading.level }, content: inline(heading.text) });
      i++;
      continue;
    }
    if (isRule(line) && para.length === 0) {
      out.push({ type: "rule" });
      i++;
      continue;
    }
    // ADF has no quote inside a quote: a nested one stays text in the outer quote.
    if (line.trimStart().startsWith(">") && !inQuote && depth < MAX_WRITE_NESTING) {
      flush();
      const quoted: string[] = [];
      while (i < lines.length && (lines[i] ?? "").trimStart().startsWith(">")) quoted.push((lines[i++] ?? "").trimStart().replace(/^>\s?/, ""));
      out.push({ type: "blockquote", content: blocks(quoted, depth + 1, true).filter((n) => n.type === "paragraph" || n.type === "bulletList" || n.type === "orderedList" || n.type === "codeBlock") });
      continue;
    }
    if (line.includes("|") && isTableSeparator(lines[i + 1] ?? "")) {
      flush();
      const rows: string[][] = [cells(line)];
      i += 2;
      while (i < lines.length && (lines[i] ?? "").includes("|") && (lines[i] ?? "").trim() !== "") rows.push(cells(lines[i++] ?? ""));
      out.push(table(rows));
      continue;
    }
    if (listItemOf(line)) {
      flush();
      const start = i;
      while (i < lines.length && (listItemOf(lines[i] ?? "") || (/^\s+\S/.test(lines[i] ?? "") && i > start))) i++;
      out.push(...list(lines.slice(start, i), depth));
      continue;
    }
    para.push(line.trim());
    i++;
  }
  flush();
  return out;
}

function indentOf(line: string): number {
  return (/^\s*/.exec(line)?.[0] ?? "").replace(/\t/g, "    ").length;
}

/** A run of list lines (with nested, more indented ones) as one or more list nodes. */
function list(lines: string[], depth: number): AdfNode[] {
  const out: AdfNode[] = [];
  let base = Number.POSITIVE_INFINITY;
  for (const l of lines) if (listItemOf(l)) base = Math.min(base, indentOf(l));
  let current: AdfNode | undefined;
  let item: AdfNode | undefined;
  let nested: string[] = [];
  const closeItem = () => {
    if (item && nested.length > 0) {
      // Past the nesting limit, deeper items stay in the item as text lines.
      if (depth + 1 < MAX_WRITE_NESTING) item.content!.push(...list(nested, depth + 1));
      else item.content!.push(paragraph(nested.map((l) => l.trim()).join("\n")));
    }
    nested = [];
  };
  for (const line of lines) {
    const m = listItemOf(line);
    if (m && indentOf(line) <= base) {
      closeItem();
      const ordered = DIGIT.test(m.bullet);
      const type = ordered ? "orderedList" : "bulletList";
      if (!current || current.type !== type) {
        current = { type, ...(ordered ? { attrs: { order: Number.parseInt(m.bullet, 10) || 1 } } : {}), content: [] };
        out.push(current);
      }
      let text = m.text;
      const task = TASK.exec(text);
      if (task) text = `${task[1] === " " ? "☐" : "☑"} ${task[2] ?? ""}`;
      item = { type: "listItem", content: [paragraph(text)] };
      current.content!.push(item);
    } else if (m) {
      nested.push(line);
    } else if (item) {
      // A continuation line of the item's paragraph.
      const p = item.content![item.content!.length - 1];
      if (p && p.type === "paragraph" && nested.length === 0) (p.content ??= []).push({ type: "hardBreak" }, ...inline(line.trim()));
      else nested.push(line);
    }
  }
  closeItem();
  return out;
}

function cells(row: string): string[] {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

function table(rows: string[][]): AdfNode {
  return {
    type: "table",
    content: rows.map((row, r) => ({
      type: "tableRow",
      content: row.map((c) => ({ type: r === 0 ? "tableHeader" : "tableCell", content: [paragraph(c)] })),
    })),
  };
}

function paragraph(text: string): AdfNode {
  const parts = text.split("\n");
  const content: AdfNode[] = [];
  parts.forEach((p, idx) => {
    if (idx > 0) content.push({ type: "hardBreak" });
    content.push(...inline(p));
  });
  return content.length > 0 ? { type: "paragraph", content } : { type: "paragraph" };
}

/** Inline markdown: `code`, **bold**, *italic* / _italic_, ~~strike~~, [text](url), bare URLs stay text. */
export function inline(text: string, marks: AdfMark[] = []): AdfNode[] {
  const out: AdfNode[] = [];
  const push = (t: string, m: AdfMark[]) => {
    if (t === "") return;
    const last = out[out.length - 1];
    if (last && last.type === "text" && sameMarks(last.marks ?? [], m)) last.text = (last.text ?? "") + t;
    else out.push({ type: "text", text: t, ...(m.length > 0 ? { marks: m } : {}) });
  };
  let at = 0;
  for (const { index, length, groups: m } of inlineMatches(text)) {
    push(text.slice(at, index), marks);
    at = index + length;
    if (m[1] !== undefined) {
      // `code` combines only with link marks in ADF.
      push(m[1], [...marks.filter((k) => k.type === "link"), { type: "code" }]);
    } else if (m[2] !== undefined || m[3] !== undefined) {
      for (const n of inline(m[2] ?? m[3] ?? "", addMark(marks, { type: "strong" }))) out.push(n);
    } else if (m[4] !== undefined) {
      for (const n of inline(m[4], addMark(marks, { type: "strike" }))) out.push(n);
    } else if (m[5] !== undefined && m[6] !== undefined) {
      for (const n of inline(m[5], addMark(marks, { type: "link", attrs: { href: m[6] } }))) out.push(n);
    } else if (m[7] !== undefined || m[8] !== undefined) {
      for (const n of inline(m[7] ?? m[8] ?? "", addMark(marks, { type: "em" }))) out.push(n);
    }
  }
  push(text.slice(at), marks);
  return out;
}

/**
 * The first index at or after `from` where `find` finds something (or -1),
 * remembered: asked with non-decreasing `from`, as a left-to-right scan asks,
 * each search starts past the last one's answer, so all of them together read
 * the text once.
 */
function seeker(find: (from: number) => number): (from: number) => number {
  let asked = -1;
  let found = -1;
  return (from) => {
    if (asked < 0 || from < asked || (found >= 0 && found < from)) {
      asked = from;
      found = find(from);
    }
    return found;
  };
}

/** The first index at or after `from` whose character passes `test`, or -1. */
function scan(text: string, from: number, test: (c: string) => boolean): number {
  for (let i = from; i < text.length; i++) if (test(text[i] ?? "")) return i;
  return -1;
}

const WORD = /\w/;

/** One inline span, with the groups of the expression it replaces: 1 code, 2/3 strong, 4 strike, 5/6 link text and href, 7/8 em. */
export interface InlineMatch {
  index: number;
  length: number;
  groups: (string | undefined)[];
}

/**
 * The inline spans of `text`, left to right, as
 * `text.matchAll(/`([^`]+)`|\*\*(.+?)\*\*|__(.+?)__|~~(.+?)~~|\[([^\]]+)\]\(([^)\s]+)\)|(?<![\w*])\*(?!\s)([^*]+?)\*(?![\w*])|(?<!\w)_(?!\s)([^_]+?)_(?!\w)/g)`
 * gave them, in linear time: that expression searched to the end of the text
 * from every opening delimiter without a closing one. Each span's closing
 * delimiter is the first one after it (no span's content can hold its own
 * closer), found by a seeker that never reads a character twice.
 */
export function inlineMatches(text: string): InlineMatch[] {
  const out: InlineMatch[] = [];
  const next = (needle: string) => seeker((from) => text.indexOf(needle, from));
  const tick = next("`");
  const pairs: Record<string, (from: number) => number> = { "*": next("**"), _: next("__"), "~": next("~~") };
  const bracket = next("]");
  const star = next("*");
  const underscore = next("_");
  const lineBreak = seeker((from) => scan(text, from, (c) => LINE_BREAK.test(c)));
  const hrefEnd = seeker((from) => scan(text, from, (c) => c === ")" || WS.test(c)));
  const span = (index: number, end: number, group: number, ...values: string[]): InlineMatch => {
    const groups: (string | undefined)[] = new Array<string | undefined>(9).fill(undefined);
    groups[0] = text.slice(index, end);
    values.forEach((v, k) => (groups[group + k] = v));
    return { index, length: end - index, groups };
  };
  const at = (i: number): InlineMatch | undefined => {
    const c = text[i] ?? "";
    if (c === "`") {
      const close = tick(i + 1);
      return close > i + 1 ? span(i, close + 1, 1, text.slice(i + 1, close)) : undefined;
    }
    const pair = pairs[c];
    if (pair && text[i + 1] === c) {
      // `**(.+?)**`: at least one character, no line break, up to the first closing pair.
      const close = pair(i + 3);
      const brk = lineBreak(i + 2);
      if (close >= 0 && (brk < 0 || brk >= close)) return span(i, close + 2, c === "*" ? 2 : c === "_" ? 3 : 4, text.slice(i + 2, close));
    }
    if (c === "[") {
      const close = bracket(i + 1);
      if (close > i + 1 && text[close + 1] === "(") {
        const end = hrefEnd(close + 2);
        if (end > close + 2 && text[end] === ")") return span(i, end + 1, 5, text.slice(i + 1, close), text.slice(close + 2, end));
      }
      return undefined;
    }
    if (c === "*" || c === "_") {
      // `*em*` and `_em_`: not inside a word (nor a run of `*`), not opening on whitespace, no delimiter inside.
      const before = text[i - 1];
      const after = text[i + 1];
      const inWord = (x: string | undefined) => x !== undefined && (WORD.test(x) || (c === "*" && x === "*"));
      if (inWord(before) || after === undefined || WS.test(after)) return undefined;
      const close = (c === "*" ? star : underscore)(i + 1);
      return close > i + 1 && !inWord(text[close + 1]) ? span(i, close + 1, c === "*" ? 7 : 8, text.slice(i + 1, close)) : undefined;
    }
    return undefined;
  };
  for (let i = 0; i < text.length; ) {
    const m = at(i);
    if (m) {
      out.push(m);
      i = m.index + m.length;
    } else i++;
  }
  return out;
}

function addMark(marks: AdfMark[], mark: AdfMark): AdfMark[] {
  if (marks.some((m) => m.type === "code")) return marks;
  return marks.some((m) => m.type === mark.type) ? marks : [...marks, mark];
}

function sameMarks(a: AdfMark[], b: AdfMark[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------- ADF → markdown

/** A rich-text field as markdown. Accepts ADF, a plain string (REST v2 / wiki text) or null. */
export function adfToMarkdown(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  const node = value as AdfNode;
  const depth = nesting(node);
  if (depth > MAX_READ_NESTING) {
    throw new DevopsPackError("TRACKER", `A rich-text field from the tracker nests ${depth > 10 * MAX_READ_NESTING ? `more than ${10 * MAX_READ_NESTING}` : depth} levels deep; the limit is ${MAX_READ_NESTING}. Simplify the description in the tracker.`, { depth, limit: MAX_READ_NESTING });
  }
  return blockText(node.type === "doc" ? (node.content ?? []) : [node], "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The depth of an ADF tree, walked without recursion; stops counting past ten times the limit. */
function nesting(root: AdfNode): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > deepest) deepest = d;
    if (deepest > 10 * MAX_READ_NESTING) break;
    const content = typeof n === "object" && n !== null ? (n as AdfNode).content : undefined;
    if (Array.isArray(content)) for (const c of content) stack.push([c, d + 1]);
  }
  return deepest;
}

function blockText(nodes: AdfNode[], indent: string): string {
  return nodes.map((n) => block(n, indent)).filter((s) => s !== "").join("\n\n");
}

function block(n: AdfNode, indent: string): string {
  const content = n.content ?? [];
  switch (n.type) {
    case "paragraph":
      return indent + inlineText(content).replace(/\n/g, `\n${indent}`);
    case "heading":
      return `${indent}${"#".repeat(Number(n.attrs?.level ?? 1))} ${inlineText(content)}`;
    case "bulletList":
    case "orderedList":
    case "taskList":
      return listText(n, indent);
    case "codeBlock": {
      const lang = typeof n.attrs?.language === "string" ? n.attrs.language : "";
      return `${indent}\`\`\`${lang}\n${content.map((c) => c.text ?? "").join("")}\n${indent}\`\`\``;
    }
    case "rule":
      return `${indent}---`;
    case "blockquote":
      return blockText(content, indent)
        .split("\n")
        .map((l) => `${indent}> ${l.slice(indent.length)}`)
        .join("\n");
    case "table":
      return content
        .map((row, r) => {
          const cellsText = (row.content ?? []).map((c) => blockText(c.content ?? [], "").replace(/\n+/g, " "));
          const line = `${indent}| ${cellsText.join(" | ")} |`;
          return r === 0 && (row.content ?? []).some((c) => c.type === "tableHeader") ? `${line}\n${indent}|${cellsText.map(() => " --- ").join("|")}|` : line;
        })
        .join("\n");
    case "expand":
    case "nestedExpand": {
      const title = typeof n.attrs?.title === "string" && n.attrs.title !== "" ? `${indent}**${n.attrs.title}**\n\n` : "";
      return title + blockText(content, indent);
    }
    case "mediaSingle":
    case "mediaGroup":
    case "media":
      return "";
    case "text":
    case "hardBreak":
    case "mention":
    case "emoji":
    case "inlineCard":
    case "status":
    case "date":
      return indent + inlineText([n]);
    default:
      // panel, layoutSection, layoutColumn, extensions with content, …: their text.
      return blockText(content, indent);
  }
}

function listText(n: AdfNode, indent: string): string {
  const start = Number(n.attrs?.order ?? 1);
  return (n.content ?? [])
    .map((item, idx) => {
      let bullet = n.type === "orderedList" ? `${start + idx}. ` : "- ";
      if (item.type === "taskItem") bullet = item.attrs?.state === "DONE" ? "- [x] " : "- [ ] ";
      if (item.type === "taskList") return listText(item, `${indent}  `);
      const children = item.content ?? [];
      // taskItem holds inline nodes directly; listItem holds blocks.
      if (item.type === "taskItem" && children.every((c) => !isBlock(c))) return `${indent}${bullet}${inlineText(children)}`;
      const [first, ...rest] = children;
      const head = first && first.type === "paragraph" ? inlineText(first.content ?? []) : "";
      const tail = first && first.type === "paragraph" ? rest : children;
      const nestedText = tail.map((c) => block(c, `${indent}  `)).filter((s) => s !== "");
      return [`${indent}${bullet}${head}`, ...nestedText].join("\n");
    })
    .join("\n");
}

function isBlock(n: AdfNode): boolean {
  return ["paragraph", "heading", "bulletList", "orderedList", "taskList", "codeBlock", "blockquote", "table", "panel", "rule"].includes(n.type);
}

function inlineText(nodes: AdfNode[]): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case "text":
          return withMarks(n.text ?? "", n.marks ?? []);
        case "hardBreak":
          return "\n";
        case "mention":
          return attr(n, "text") ?? "@someone";
        case "emoji":
          return attr(n, "text") ?? attr(n, "shortName") ?? "";
        case "inlineCard":
          return attr(n, "url") ?? "";
        case "status":
          return `[${attr(n, "text") ?? ""}]`;
        case "date":
          return Number.isFinite(Number(n.attrs?.timestamp)) ? new Date(Number(n.attrs?.timestamp)).toISOString().slice(0, 10) : "";
        default:
          return inlineText(n.content ?? []);
      }
    })
    .join("");
}

function attr(n: AdfNode, name: string): string | undefined {
  const v = n.attrs?.[name];
  return typeof v === "string" ? v : undefined;
}

function withMarks(text: string, marks: AdfMark[]): string {
  let t = text;
  for (const m of marks) {
    if (m.type === "code") t = `\`${t}\``;
    else if (m.type === "strong") t = `**${t}**`;
    else if (m.type === "em") t = `*${t}*`;
    else if (m.type === "strike") t = `~~${t}~~`;
  }
  const link = marks.find((m) => m.type === "link");
  if (link && typeof link.attrs?.href === "string") t = `[${t}](${link.attrs.href})`;
  return t;
}

// ---------------------------------------------------------------- acceptance criteria

const BOX_SYMBOLS = ["☐", "☑", "✅", "✔", "✓", "⬜", "🔲"];
const OPEN_SYMBOLS = new Set(["☐", "⬜", "🔲"]);

/**
 * A checkbox-like line: indent, an optional bullet (`-`, `*`, `+`, `1.`,
 * `1)`), whitespace, `[ ]`/`[x]` or a box symbol, whitespace, then text (not
 * empty). The expression it replaces gave a line with only whitespace after
 * the box a criterion of one space; here it is no criterion.
 */
export function criterionOf(line: string): AcceptanceCriterion | undefined {
  let at = skipSpace(line, 0);
  const c = line[at] ?? "";
  if (c === "-" || c === "*" || c === "+") at++;
  else if (DIGIT.test(c)) {
    let end = at;
    while (DIGIT.test(line[end] ?? "")) end++;
    if (line[end] === "." || line[end] === ")") at = end + 1;
  }
  at = skipSpace(line, at);
  let done: boolean;
  if (line[at] === "[" && line[at + 2] === "]" && (line[at + 1] === " " || line[at + 1] === "x" || line[at + 1] === "X")) {
    done = line[at + 1] !== " ";
    at += 3;
  } else {
    const symbol = BOX_SYMBOLS.find((s) => line.startsWith(s, at));
    if (symbol === undefined) return undefined;
    done = !OPEN_SYMBOLS.has(symbol);
    at += symbol.length;
  }
  const text = textAfter(line, at);
  return text === undefined || text === "" ? undefined : { text, done };
}

/** A line that opens the acceptance criteria: any non-word characters (`##`, `**`, emoji), then "Acceptance Criteria". */
export function isAcceptanceHeading(line: string): boolean {
  const start = line.search(/\w/iu);
  return start >= 0 && /^acceptance\s+criteria\b/iu.test(line.slice(start));
}

/** `**Title**` or `**Title**:` alone on its line. */
function isBoldLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith("**")) return false;
  const close = t.indexOf("*", 2);
  if (close <= 2 || t[close + 1] !== "*") return false;
  const rest = t.slice(close + 2);
  return rest === "" || rest.trimStart() === ":";
}

/**
 * The acceptance criteria in a description: every checkbox-like line
 * (`- [ ] x`, `- [x] x`, `☐ x`, `☑ x`, `✅ x`); when there are none, the list
 * items under a heading (or bold line) "Acceptance Criteria", up to the next
 * heading of the same or a higher level.
 */
export function acceptanceCriteriaFromMarkdown(markdown: string): AcceptanceCriterion[] {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const boxes: AcceptanceCriterion[] = [];
  let inFence = false;
  for (const line of lines) {
    if (fenceOf(line)) inFence = !inFence;
    if (inFence) continue;
    const box = criterionOf(line);
    if (box) boxes.push(box);
  }
  if (boxes.length > 0) return boxes;
  const out: AcceptanceCriterion[] = [];
  const start = lines.findIndex(isAcceptanceHeading);
  if (start < 0) return out;
  const level = /^\s*(#{1,6})\s/.exec(lines[start] ?? "")?.[1]?.length ?? 7;
  for (const line of lines.slice(start + 1)) {
    const h = /^\s*(#{1,6})\s/.exec(line);
    if (h && (h[1]?.length ?? 0) <= level) break;
    if (level === 7 && isBoldLine(line)) break;
    const item = listItemOf(line);
    if (item && item.text) out.push({ text: item.text.trim(), done: false });
  }
  return out;
}

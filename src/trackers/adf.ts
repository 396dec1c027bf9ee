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
import type { AcceptanceCriterion } from "../core/stories/types.js";

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

// ---------------------------------------------------------------- markdown → ADF

const FENCE = /^(\s*)(```+|~~~+)\s*([\w#+.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const LIST = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const TASK = /^\[( |x|X)\]\s+(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

export function markdownToAdf(markdown: string): AdfDoc {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  return { version: 1, type: "doc", content: blocks(lines) };
}

function blocks(lines: string[]): AdfNode[] {
  const out: AdfNode[] = [];
  let i = 0;
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) out.push(paragraph(para.join("\n")));
    para = [];
  };
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[2] ?? "```";
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").trim().startsWith(marker)) body.push(lines[i++] ?? "");
      i++; // closing fence
      const text = body.join("\n");
      out.push({ type: "codeBlock", ...(fence[3] ? { attrs: { language: fence[3] } } : {}), content: text === "" ? [] : [{ type: "text", text }] });
      continue;
    }
    if (line.trim() === "") {
      flush();
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      out.push({ type: "heading", attrs: { level: (heading[1] ?? "#").length }, content: inline(heading[2] ?? "") });
      i++;
      continue;
    }
    if (RULE.test(line) && para.length === 0) {
      out.push({ type: "rule" });
      i++;
      continue;
    }
    if (line.trimStart().startsWith(">")) {
      flush();
      const quoted: string[] = [];
      while (i < lines.length && (lines[i] ?? "").trimStart().startsWith(">")) quoted.push((lines[i++] ?? "").trimStart().replace(/^>\s?/, ""));
      out.push({ type: "blockquote", content: blocks(quoted).filter((n) => n.type === "paragraph" || n.type === "bulletList" || n.type === "orderedList" || n.type === "codeBlock") });
      continue;
    }
    if (line.includes("|") && TABLE_SEP.test(lines[i + 1] ?? "")) {
      flush();
      const rows: string[][] = [cells(line)];
      i += 2;
      while (i < lines.length && (lines[i] ?? "").includes("|") && (lines[i] ?? "").trim() !== "") rows.push(cells(lines[i++] ?? ""));
      out.push(table(rows));
      continue;
    }
    if (LIST.test(line)) {
      flush();
      const start = i;
      while (i < lines.length && (LIST.test(lines[i] ?? "") || (/^\s+\S/.test(lines[i] ?? "") && i > start))) i++;
      out.push(...list(lines.slice(start, i)));
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
function list(lines: string[]): AdfNode[] {
  const out: AdfNode[] = [];
  const base = Math.min(...lines.filter((l) => LIST.test(l)).map(indentOf));
  let current: AdfNode | undefined;
  let item: AdfNode | undefined;
  let nested: string[] = [];
  const closeItem = () => {
    if (item && nested.length > 0) item.content!.push(...list(nested));
    nested = [];
  };
  for (const line of lines) {
    const m = LIST.exec(line);
    if (m && indentOf(line) <= base) {
      closeItem();
      const ordered = /\d/.test(m[2] ?? "");
      const type = ordered ? "orderedList" : "bulletList";
      if (!current || current.type !== type) {
        current = { type, ...(ordered ? { attrs: { order: Number.parseInt(m[2] ?? "1", 10) || 1 } } : {}), content: [] };
        out.push(current);
      }
      let text = m[3] ?? "";
      const task = TASK.exec(text);
      if (task) text = `${task[1] === " " ? "☐" : "☑"} ${task[2] ?? ""}`;
      item = { type: "listItem", content: [paragraph(text)] };
      current.content!.push(item);
    } else if (m) {
      nested.push(line);
    } else if (item) {
      // A continuation line of the item's paragraph.
      const p = item.content![item.content!.length - 1];
      if (p && p.type === "paragraph" && nested.length === 0) p.content = [...(p.content ?? []), { type: "hardBreak" }, ...inline(line.trim())];
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
  const re = /`([^`]+)`|\*\*(.+?)\*\*|__(.+?)__|~~(.+?)~~|\[([^\]]+)\]\(([^)\s]+)\)|(?<![\w*])\*(?!\s)([^*]+?)\*(?![\w*])|(?<!\w)_(?!\s)([^_]+?)_(?!\w)/g;
  let at = 0;
  for (const m of text.matchAll(re)) {
    push(text.slice(at, m.index), marks);
    at = m.index + m[0].length;
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
  return blockText(node.type === "doc" ? (node.content ?? []) : [node], "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
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

const CHECKBOX = /^\s*(?:[-*+]|\d+[.)])?\s*(?:\[( |x|X)\]|(☐|☑|✅|✔|✓|⬜|🔲))\s+(.+?)\s*$/u;
const AC_HEADING = /^\s*(?:#{1,6}\s*|\*\*\s*)?[^\w]*acceptance\s+criteria\b/iu;

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
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) continue;
    const m = CHECKBOX.exec(line);
    if (m) boxes.push({ text: m[3] ?? "", done: m[1] !== undefined ? m[1] !== " " : m[2] !== "☐" && m[2] !== "⬜" && m[2] !== "🔲" });
  }
  if (boxes.length > 0) return boxes;
  const out: AcceptanceCriterion[] = [];
  const start = lines.findIndex((l) => AC_HEADING.test(l));
  if (start < 0) return out;
  const level = /^\s*(#{1,6})\s/.exec(lines[start] ?? "")?.[1]?.length ?? 7;
  for (const line of lines.slice(start + 1)) {
    const h = /^\s*(#{1,6})\s/.exec(line);
    if (h && (h[1]?.length ?? 0) <= level) break;
    if (level === 7 && /^\s*\*\*[^*]+\*\*\s*:?\s*$/.test(line)) break;
    const item = LIST.exec(line);
    if (item && item[3]) out.push({ text: item[3].trim(), done: false });
  }
  return out;
}

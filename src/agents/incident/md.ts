/**
 * A small typed model of the Markdown this agent writes (runbooks,
 * post-mortems, recovery plans, the chaos README), rendered in one place:
 * generators build blocks, never strings of Markdown syntax, so table cells
 * are escaped and code spans are fenced correctly whatever the input holds.
 */
import { markerLine } from "../../core/plans/plan.js";

export type Block =
  | { kind: "h"; level: 1 | 2 | 3 | 4; text: string }
  | { kind: "p"; text: string }
  | { kind: "ul"; items: string[] }
  | { kind: "ol"; items: string[] }
  | { kind: "tasks"; items: string[] }
  | { kind: "table"; head: string[]; rows: string[][] }
  | { kind: "code"; lang: string; code: string }
  | { kind: "quote"; text: string };

export const h1 = (text: string): Block => ({ kind: "h", level: 1, text });
export const h2 = (text: string): Block => ({ kind: "h", level: 2, text });
export const h3 = (text: string): Block => ({ kind: "h", level: 3, text });
export const p = (text: string): Block => ({ kind: "p", text });
export const ul = (items: string[]): Block => ({ kind: "ul", items });
export const ol = (items: string[]): Block => ({ kind: "ol", items });
export const tasks = (items: string[]): Block => ({ kind: "tasks", items });
export const table = (head: string[], rows: string[][]): Block => ({ kind: "table", head, rows });
export const code = (lang: string, text: string): Block => ({ kind: "code", lang, code: text });
export const quote = (text: string): Block => ({ kind: "quote", text });

/** Inline code that survives backticks in its content. */
export function c(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const longest = runs.reduce((m, r) => Math.max(m, r.length), 0);
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Link text and target; the target must not contain spaces or parentheses. */
export function link(text: string, target: string): string {
  return `[${text.replace(/[[\]]/g, "")}](${target.replace(/[()\s]/g, (ch) => encodeURIComponent(ch))})`;
}

/** The path of bundle file `to` relative to the directory of bundle file `from`. */
export function relativePath(from: string, to: string): string {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/");
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

/** Text typed by a person (post-mortem events, summaries): one line, no accidental structure. */
export function plain(text: string): string {
  return text
    .replace(/\r?\n+/g, " ")
    .replace(/([\\`*_[\]<>#|])/g, "\\$1")
    .trim();
}

function cell(text: string): string {
  // A pipe inside a table cell must be escaped even inside code spans (GFM).
  return text.replace(/\r?\n+/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

function renderBlock(b: Block): string {
  switch (b.kind) {
    case "h":
      return `${"#".repeat(b.level)} ${b.text}`;
    case "p":
      return b.text;
    case "ul":
      return b.items.map((i) => `- ${i}`).join("\n");
    case "ol":
      return b.items.map((i, n) => `${n + 1}. ${i}`).join("\n");
    case "tasks":
      return b.items.map((i) => `- [ ] ${i}`).join("\n");
    case "table": {
      const head = `| ${b.head.map(cell).join(" | ")} |`;
      const sep = `|${b.head.map(() => "---").join("|")}|`;
      const rows = b.rows.map((r) => `| ${r.map(cell).join(" | ")} |`);
      return [head, sep, ...rows].join("\n");
    }
    case "code": {
      const runs = b.code.match(/^`{3,}/gm) ?? [];
      const fence = "`".repeat(Math.max(3, ...runs.map((r) => r.length + 1)));
      return `${fence}${b.lang}\n${b.code.replace(/\n+$/, "")}\n${fence}`;
    }
    case "quote":
      return b.text
        .split("\n")
        .map((l) => (l === "" ? ">" : `> ${l}`))
        .join("\n");
  }
}

/** A Markdown file: the generated-file marker as an HTML comment, then the blocks. */
export function renderMarkdown(agent: string, blocks: readonly Block[]): string {
  return `<!-- ${markerLine(agent, "").trim()} -->\n\n${blocks.map(renderBlock).join("\n\n")}\n`;
}

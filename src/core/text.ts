/**
 * Short labels people type (an approver's name, a reason) and labels read
 * from elsewhere (story titles from files and trackers) end up printed on a
 * terminal and stored in the audit log. Characters that can rewrite what a
 * terminal shows, or hide text, are refused in what people type and escaped
 * in what is read:
 * - C0 controls (U+0000–U+001F, including ESC), DEL (U+007F) and C1 controls (U+0080–U+009F);
 * - bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069);
 * - zero-width and invisible characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E, U+00AD);
 * - line and paragraph separators (U+2028, U+2029).
 */
import { badInput } from "./errors.js";
import type { Result } from "./result.js";
import { fail, ok } from "./result.js";

// Matching control characters is the point of this pattern.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "gu");

/** How a label is checked: its name in messages, its length limit, and what happens to line breaks. */
export interface LabelRules {
  /** What the label is, in messages, e.g. "--by". */
  what: string;
  /** The most characters (code points) allowed. */
  max: number;
  /** Fold line breaks and tabs into single spaces instead of refusing them (reasons; never names). */
  foldLineBreaks?: boolean;
}

/** The Unicode name-ish description of a refused character, for messages: `U+001B`. */
function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Check a label a person typed. Returns the label to store (trimmed; with
 * line breaks folded when the rules allow), or the reasons it is refused.
 */
export function checkLabel(value: string, rules: LabelRules): Result<string> {
  let text = value;
  if (rules.foldLineBreaks) text = text.replace(/[\t\r\n]+/g, " ");
  text = text.trim();
  if (text === "") return fail([{ message: `${rules.what} must not be empty.` }]);
  const bad = text.match(UNSAFE);
  if (bad) {
    const ch = bad[0];
    const cp = ch.codePointAt(0) ?? 0;
    const kind = ch === "\n" || ch === "\r" ? "a line break" : cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) ? "a control character" : "an invisible or bidirectional character";
    const offset = [...text.slice(0, bad.index)].length + 1;
    return fail([{ message: `${rules.what} contains ${kind} (${codePoint(ch)} at character ${offset}); use plain printable text${rules.foldLineBreaks ? "" : " on one line"}.`, kind: "unsafe-character" }]);
  }
  const length = [...text].length;
  if (length > rules.max) return fail([{ message: `${rules.what} is ${length} characters long; the limit is ${rules.max}.`, kind: "too-long" }]);
  return ok(text);
}

/** The same, for a command or runtime boundary: the checked label, or BAD_INPUT (exit 2). */
export function requireLabel(value: string, rules: LabelRules): string {
  const r = checkLabel(value, rules);
  if (!r.ok) throw badInput(r.errors.map((e) => e.message).join(" "), { field: rules.what });
  return r.value;
}

/** The label rules for who decides (`--by`): a name on one line. */
export const DECIDER_RULES: LabelRules = { what: "--by", max: 100 };
/** The label rules for a decision's reason (`--reason`): line breaks become spaces. */
export const REASON_RULES: LabelRules = { what: "--reason", max: 2000, foldLineBreaks: true };

/**
 * Neutralise a label read from a file, a tracker or the store before it is
 * printed: every unsafe character is shown as an escape (`\u{1b}`), and
 * labels longer than `max` characters are cut with an ellipsis. Never refuses.
 */
export function escapeLabel(text: string, max = 300): string {
  const escaped = text.replace(UNSAFE_ALL, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
  const chars = [...escaped];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : escaped;
}

/** The same for multi-line text (a task body): line breaks and tabs stay, everything else unsafe is escaped. */
export function escapeBlock(text: string): string {
  return text.replace(UNSAFE_ALL, (ch) => (ch === "\n" || ch === "\t" ? ch : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`));
}

/** True when the text has no character {@link escapeLabel} would change (length aside). */
export function isPlainLabel(text: string): boolean {
  return !UNSAFE.test(text);
}

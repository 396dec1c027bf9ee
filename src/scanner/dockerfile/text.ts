/** Helpers over `SourceText`: positions, slices, shell-style words and ARG substitution. */
import type { ImageRef, Position, SourceText, Span } from "./model.js";

/** 1-based position of `offset` in `src`. */
export function positionIn(src: SourceText, offset: number): Position {
  const spans = src.spans;
  if (spans.length === 0) return { line: 1, column: 1 };
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const span = spans[lo]!;
  return { line: span.line, column: span.column + Math.max(0, offset - span.offset) };
}

/** The part of `src` from `start` to `end`, with its spans re-based. */
export function sliceText(src: SourceText, start: number, end = src.text.length): SourceText {
  const text = src.text.slice(start, end);
  const spans: Span[] = [];
  const first = positionIn(src, start);
  spans.push({ offset: 0, line: first.line, column: first.column });
  for (const s of src.spans) {
    if (s.offset > start && s.offset < end) spans.push({ offset: s.offset - start, line: s.line, column: s.column });
  }
  return { text, spans };
}

/** A word of an instruction's arguments, quotes removed. */
export interface Word {
  text: string;
  /** Offset of the word's first character in the source text. */
  offset: number;
  /** Length in the source text (quotes included). */
  length: number;
  quoted: boolean;
}

/**
 * Split on unquoted whitespace, Dockerfile style: `"…"` and `'…'` group, the
 * escape character escapes the next character (outside single quotes), an
 * unterminated quote runs to the end of the text.
 */
export function splitWords(text: string, escape: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let out = "";
    let quote: string | undefined;
    let quoted = false;
    while (i < text.length) {
      const c = text[i]!;
      if (quote === undefined && /\s/.test(c)) break;
      if (c === escape && quote !== "'" && i + 1 < text.length) {
        out += text[i + 1]!;
        i += 2;
        continue;
      }
      if (quote === undefined && (c === '"' || c === "'")) {
        quote = c;
        quoted = true;
        i++;
        continue;
      }
      if (c === quote) {
        quote = undefined;
        i++;
        continue;
      }
      out += c;
      i++;
    }
    words.push({ text: out, offset: start, length: i - start, quoted });
  }
  return words;
}

/**
 * Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:+alt}` and `${VAR+alt}` from `vars`. Returns undefined when a
 * variable has no value and no default (the result is unknown).
 */
export function expandVars(s: string, vars: ReadonlyMap<string, string | undefined>): string | undefined {
  let unknown = false;
  const out = s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? "";
    const value = vars.get(name);
    const set = value !== undefined && (op === undefined || !op.startsWith(":") || value !== "");
    if (op === ":-" || op === "-") return set ? value : (word ?? "");
    if (op === ":+" || op === "+") return set ? (word ?? "") : "";
    if (value === undefined) {
      unknown = true;
      return "";
    }
    return value;
  });
  return unknown ? undefined : out;
}

/** Split `registry:5000/team/app:1.2@sha256:…` into name, tag and digest. */
export function parseImage(raw: string, resolved: string | undefined): ImageRef {
  if (resolved === undefined) return { raw, resolved, name: undefined, tag: undefined, digest: undefined };
  let rest = resolved;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { raw, resolved, name: rest, tag, digest };
}

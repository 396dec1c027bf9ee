import type { Document, DocumentOptions, ParseOptions, SchemaOptions } from "yaml";
import { parseDocument, visit } from "yaml";
import type { Issue, Result } from "./result.js";
import { fail, ok } from "./result.js";
import { MAX_ALIAS_COUNT, MAX_INPUT_BYTES } from "./limits.js";

export { MAX_INPUT_BYTES };

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { uniqueKeys: true, prettyErrors: true, strict: true, customTags: [] };

/** yaml's pretty messages end their first line with " at line N, column M:"; the line is reported separately. */
export function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

/** The too-large issue for input over MAX_INPUT_BYTES, or undefined. */
export function tooLarge(text: string, source: string): Issue | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  return bytes > MAX_INPUT_BYTES ? { message: `${source} is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes`, path: source, kind: "too-large" } : undefined;
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
  let aliases = 0;
  // An alias is written `*name`; without a `*` in the source there is nothing to count.
  if (text.includes("*")) {
    visit(doc, {
      Alias() {
        aliases++;
      },
    });
  }
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
 * Parse one YAML (or JSON) document safely: size cap, alias-bomb cap, no
 * custom tags, duplicate keys are errors. Returns data, never throws.
 */
export function parseYamlSafe(text: string, source: string): Result<unknown> {
  const big = tooLarge(text, source);
  return big ? fail([big]) : toData(parseDocument(text, OPTIONS), text, source);
}

/**
 * The Terraform scan target: claims `*.tf` files, parses them with the HCL
 * parser in ./parse.ts, evaluates them into a TfProject (./project.ts) and
 * runs the Terraform rules over it.
 *
 * `.tf.json` files are not claimed yet.
 */
import type { ParseError, SourceFile, TargetScanner } from "../types.js";
import type { TfProject } from "./model.js";
import { lineStarts, parseHcl, position } from "./parse.js";
import { buildProject } from "./project.js";
import type { ParsedFile } from "./project.js";
import { rulesPart1 } from "./rules/index.js";
import { rulesPart2 } from "./rules/part2/index.js";

export type { TfAttr, TfBlock, TfModule, TfProject, TfResource, TfUnknown, TfValue } from "./model.js";

/** Files larger than this are reported as a parse error instead of being parsed. */
export const MAX_TF_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Parse every file into one TfProject (modules are directories; local module
 * calls link them). Never throws: a file that cannot be parsed becomes a
 * ParseError with the line of its first syntax error, and the others still parse.
 */
export function parseTerraform(files: readonly SourceFile[]): { docs: TfProject[]; errors: ParseError[] } {
  const errors: ParseError[] = [];
  const parsed: ParsedFile[] = [];
  for (const f of files) {
    try {
      if (f.content.length > MAX_TF_FILE_BYTES) {
        errors.push({ file: f.path, message: `file is larger than ${MAX_TF_FILE_BYTES} bytes; not parsed` });
        continue;
      }
      if (f.content.includes("\u0000")) {
        errors.push({ file: f.path, line: position(lineStarts(f.content), f.content.indexOf("\u0000")).line, message: "binary content (NUL byte); not HCL" });
        continue;
      }
      const r = parseHcl(f.content);
      if (r.ok) parsed.push({ path: f.path, ast: r.file });
      else errors.push({ file: f.path, line: position(lineStarts(f.content), r.offset).line, message: `HCL syntax error: ${r.message}` });
    } catch (err) {
      errors.push({ file: f.path, message: `HCL parser failure: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  if (parsed.length === 0) return { docs: [], errors };
  try {
    const { project, errors: buildErrors } = buildProject(parsed);
    return { docs: [project], errors: [...errors, ...buildErrors] };
  } catch (err) {
    for (const f of parsed) errors.push({ file: f.path, message: `internal error building the Terraform model: ${err instanceof Error ? err.message : String(err)}` });
    return { docs: [], errors };
  }
}

export const terraformTarget: TargetScanner<TfProject> = {
  target: "terraform",
  claims(path: string): boolean {
    return path.endsWith(".tf");
  },
  parse: parseTerraform,
  rules: [...rulesPart1, ...rulesPart2],
};

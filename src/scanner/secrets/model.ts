/**
 * The secrets model: any text file, with the line index the rules need to
 * turn offsets into 1-based lines and columns.
 */

/**
 * How values are written in the file. In `config` files (`.env`, YAML,
 * INI/properties, shell) a bare `PASSWORD=value` is a literal; in `code`
 * (TypeScript, Python, HCL…) only a quoted string is, since a bare word there
 * is a variable, a type or a call.
 */
export type TextKind = "config" | "code";

export interface TextFile {
  /** The path as findings name it. */
  file: string;
  content: string;
  /** Offset of the first character of each line (index 0 is line 1). */
  lineStarts: readonly number[];
  kind: TextKind;
}

export interface Position {
  line: number;
  column: number;
}

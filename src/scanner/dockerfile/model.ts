/**
 * The Dockerfile model the rules read. The parser keeps every instruction
 * with its source position and a map from offsets in its arguments back to
 * lines and columns, so a rule can point at the exact word it objects to.
 */

export interface Position {
  line: number;
  column: number;
}

/** Where a run of characters of a joined (continued) text starts in the file. */
export interface Span {
  /** Offset in the joined text. */
  offset: number;
  line: number;
  column: number;
}

/** Text assembled from one or more physical lines, with the map back to them. */
export interface SourceText {
  text: string;
  /** Ascending by offset; the first span has offset 0. */
  spans: readonly Span[];
}

/** `--name=value` (or `--name`) before an instruction's arguments, e.g. `--platform=linux/amd64`, `--mount=type=secret,id=x`. */
export interface Flag {
  name: string;
  value: string | undefined;
  line: number;
  column: number;
}

/** A heredoc body: `RUN <<EOF … EOF`. */
export interface Heredoc {
  delimiter: string;
  /** `<<-` strips leading tabs. */
  stripTabs: boolean;
  /** A quoted delimiter (`<<"EOF"`) turns off expansion in the body. */
  quoted: boolean;
  body: SourceText;
  /** Line of the closing delimiter. */
  endLine: number;
}

/** `KEY=value` or legacy `KEY value` in ENV, ARG and LABEL. */
export interface KeyValue {
  key: string;
  /** Unquoted value; undefined for `ARG NAME` without a default. */
  value: string | undefined;
  /** The value was written in quotes. */
  quoted: boolean;
  line: number;
  column: number;
  /** Position of the value (the key's position when there is none). */
  valueLine: number;
  valueColumn: number;
}

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  keyword: string;
  /** Arguments after the keyword and its flags (continuations joined, comment lines dropped), with the position map. */
  args: SourceText;
  flags: Flag[];
  /** Exec (JSON) form, e.g. `CMD ["node", "app.js"]`. */
  exec: string[] | undefined;
  heredocs: Heredoc[];
  /** ENV, ARG and LABEL pairs. */
  pairs: KeyValue[];
  line: number;
  column: number;
  /** Last line of the instruction, heredoc bodies included. */
  endLine: number;
  /** The source as written, first line only (for resources such as `FROM node:latest`). */
  summary: string;
}

/** The image reference of a FROM instruction. */
export interface ImageRef {
  /** As written, e.g. `${BASE}:${TAG}`. */
  raw: string;
  /** After substituting global ARG defaults; undefined when a variable has no default. */
  resolved: string | undefined;
  /** Parsed from `resolved`. */
  name: string | undefined;
  tag: string | undefined;
  digest: string | undefined;
}

export interface Stage {
  /** 0-based position among the stages. */
  index: number;
  /** `AS name`, lower-cased as BuildKit does. */
  name: string | undefined;
  from: Instruction;
  image: ImageRef;
  /** When the FROM names an earlier stage, its index. */
  parent: number | undefined;
  /** Instructions after FROM, in order. */
  instructions: Instruction[];
  line: number;
  endLine: number;
}

export interface Dockerfile {
  file: string;
  /** The escape character from the `# escape=` directive. */
  escape: "\\" | "`";
  /** ARG instructions before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
  lineCount: number;
}

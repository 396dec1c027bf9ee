/**
 * Size limits on input, in a module of their own so that code which only
 * checks a size (the CLI's argument helpers) does not load the YAML parser.
 */

/** Input files larger than this are refused before parsing. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** Aliases expanding beyond this many nodes are refused (billion laughs). */
export const MAX_ALIAS_COUNT = 100;

/** YAML documents in one file (`---` separated) beyond this many are refused. */
export const MAX_YAML_DOCUMENTS = 10_000;

/** Mapping keys plus sequence items in one YAML document beyond this many are refused. */
export const MAX_YAML_KEYS = 65_536;

/** Collections nested deeper than this in one YAML document are refused. */
export const MAX_YAML_DEPTH = 256;

/** Lines longer than this (in characters) in a story file are refused. */
export const MAX_STORY_LINE = 10_000;

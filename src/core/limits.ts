/**
 * Size limits on input, in a module of their own so that code which only
 * checks a size (the CLI's argument helpers) does not load the YAML parser.
 */

/** Input files larger than this are refused before parsing. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** Aliases expanding beyond this many nodes are refused (billion laughs). */
export const MAX_ALIAS_COUNT = 100;

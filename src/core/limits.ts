/**
 * Size limits on input, in a module of their own so that code which only
 * checks a size (the CLI's argument helpers) does not load the YAML parser.
 */

/** Input files larger than this are refused before parsing. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** Aliases expanding beyond this many nodes are refused (billion laughs). */
export const MAX_ALIAS_COUNT = 100;

/**
 * YAML documents in one file (`---` separated) beyond this many are refused.
 * Every document of a manifest becomes an object that each scanner rule
 * checks; a thousand keeps a full file's scan near a second.
 */
export const MAX_YAML_DOCUMENTS = 1_000;

/** Mapping keys plus sequence items in one YAML file (all its documents) beyond this many are refused. */
export const MAX_YAML_KEYS = 65_536;

/** Collections nested deeper than this in one YAML document are refused. */
export const MAX_YAML_DEPTH = 256;

/** Dockerfile instructions beyond this many are refused: every rule checks each one. */
export const MAX_DOCKERFILE_INSTRUCTIONS = 10_000;

/** Dockerfile stages (FROM) beyond this many are refused: every rule checks each stage and its lineage. */
export const MAX_DOCKERFILE_STAGES = 256;

/** Lines longer than this (in characters) in a story file are refused. */
export const MAX_STORY_LINE = 10_000;

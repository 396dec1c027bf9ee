/**
 * The GitHub Actions workflow model the rules read: the parts of a workflow
 * that matter for security, each with its position in the file.
 */

export interface Position {
  line: number;
  column: number;
}

/** A value with where it was written. `offset`/`end` are character offsets in the file (to find text inside a block scalar). */
export interface Located<T> extends Position {
  value: T;
  endLine: number;
  offset: number;
  end: number;
}

export interface Trigger extends Position {
  /** Event name: push, pull_request_target, workflow_run… */
  event: string;
  /** The event's configuration (branches, tags, types…), as plain data. */
  config: unknown;
}

export interface Permissions extends Position {
  /** `write-all`, `read-all`, `{}` (none), a scope map, or an expression. */
  kind: "write-all" | "read-all" | "none" | "scopes" | "expression" | "other";
  /** Scope → read | write | none, for `scopes`. */
  scopes: Record<string, string>;
  /** Position of each scope's key. */
  scopePositions: Record<string, Position>;
}

export interface EnvVar extends Position {
  name: string;
  value: Located<unknown>;
}

export interface Credentials {
  username: Located<unknown> | undefined;
  password: Located<unknown> | undefined;
}

/** `jobs.<id>.container` or one of `jobs.<id>.services`. */
export interface Container extends Position {
  /** `container`, or the service name. */
  name: string;
  image: Located<unknown> | undefined;
  credentials: Credentials | undefined;
  env: EnvVar[];
}

export interface Step extends Position {
  index: number;
  endLine: number;
  id: string | undefined;
  name: string | undefined;
  uses: Located<string> | undefined;
  run: Located<string> | undefined;
  /** `with:` inputs by name. */
  with: Record<string, Located<unknown>>;
  env: EnvVar[];
  if: string | undefined;
}

export interface Job extends Position {
  id: string;
  endLine: number;
  name: string | undefined;
  runsOn: Located<unknown> | undefined;
  permissions: Permissions | undefined;
  env: EnvVar[];
  container: Container | undefined;
  services: Container[];
  steps: Step[];
  /** A reusable-workflow call: `uses: owner/repo/.github/workflows/x.yml@ref`. */
  uses: Located<string> | undefined;
  with: Record<string, Located<unknown>>;
  /** `secrets: inherit` or a map. */
  secrets: Located<unknown> | undefined;
  /** `strategy.matrix` as plain data (runs-on may come from it). */
  matrix: unknown;
  if: string | undefined;
}

export interface Workflow {
  file: string;
  /** The file's text: rules locate expressions inside block scalars with it. */
  text: string;
  /** Offsets of line starts (index 0 is line 1). */
  lineStarts: readonly number[];
  name: string | undefined;
  triggers: Trigger[];
  /** Position of the `on:` key. */
  on: Position;
  permissions: Permissions | undefined;
  env: EnvVar[];
  jobs: Job[];
}

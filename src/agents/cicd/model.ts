/**
 * A typed model of the GitHub Actions workflows this specialist generates.
 * Generators build these objects; `render.ts` serializes them at the end.
 *
 * The types make the unsafe forms unrepresentable rather than merely
 * discouraged:
 * - `permissions` is required on a workflow (no implicit token scopes);
 * - `timeout-minutes` is required on every job that runs steps;
 * - an action step names a key of the pin table, never a free-form ref, so
 *   every `uses:` renders as a full commit SHA;
 * - a reusable-workflow job may only call a workflow of the same repository.
 */
import type { PinKey } from "./pins.js";

export type PermissionScope =
  | "actions"
  | "attestations"
  | "checks"
  | "contents"
  | "deployments"
  | "id-token"
  | "issues"
  | "packages"
  | "pages"
  | "pull-requests"
  | "security-events"
  | "statuses";

export type PermissionLevel = "read" | "write" | "none";

/** `{}` (no scopes at all) is valid and is the tightest setting. */
export type Permissions = Partial<Record<PermissionScope, PermissionLevel>>;

/** A value in `with:` or `env:`. Expressions are plain strings (`${{ … }}`). */
export type Scalar = string | number | boolean;

export interface BranchFilter {
  branches?: string[];
  "paths-ignore"?: string[];
}

export interface Triggers {
  push?: BranchFilter;
  pull_request?: BranchFilter;
  /** Present (as `{}`) when the workflow can be started by hand. */
  workflow_dispatch?: Record<string, never>;
  /** Present (as `{}`) when another workflow of the repository calls this one. */
  workflow_call?: Record<string, never>;
}

export interface Concurrency {
  group: string;
  /** A boolean, or an expression such as `${{ github.event_name == 'pull_request' }}`. */
  "cancel-in-progress": boolean | string;
}

export interface Environment {
  name: string;
  url?: string;
}

export interface StepBase {
  id?: string;
  name: string;
  if?: string;
  env?: Record<string, Scalar>;
  "timeout-minutes"?: number;
}

export interface ActionStep extends StepBase {
  /** A key of the pin table: rendered as `owner/repo@<sha> # <tag>`. */
  action: PinKey;
  with?: Record<string, Scalar>;
}

export interface RunStep extends StepBase {
  run: string;
  shell?: "bash";
  "working-directory"?: string;
}

export type Step = ActionStep | RunStep;

export interface Matrix {
  /** Axis name → values, in the order they are written. */
  axes: Record<string, Scalar[]>;
  "fail-fast"?: boolean;
}

/** A job that runs steps on a runner. */
export interface StepsJob {
  name: string;
  "runs-on": string;
  needs?: string[];
  if?: string;
  /** Job-level widening of the workflow's permissions, only where needed. */
  permissions?: Permissions;
  environment?: Environment;
  concurrency?: Concurrency;
  "timeout-minutes": number;
  strategy?: Matrix;
  outputs?: Record<string, string>;
  env?: Record<string, Scalar>;
  steps: Step[];
}

/** A job that calls a reusable workflow of the same repository (timeouts live in the called jobs). */
export interface CallJob {
  name: string;
  /** `./.github/workflows/<file>.yml` */
  uses: `./.github/workflows/${string}`;
  needs?: string[];
  if?: string;
  permissions: Permissions;
}

export type Job = StepsJob | CallJob;

export interface Workflow {
  /** Repository-relative path, e.g. `.github/workflows/ci.yml`. */
  path: string;
  name: string;
  on: Triggers;
  permissions: Permissions;
  concurrency?: Concurrency;
  /** `run.shell: bash` makes every script run with `-eo pipefail`. */
  defaults?: { run: { shell: "bash" } };
  env?: Record<string, Scalar>;
  /** Job id → job, in the order they are written. */
  jobs: Record<string, Job>;
}

export function isCallJob(job: Job): job is CallJob {
  return "uses" in job;
}

export function isActionStep(step: Step): step is ActionStep {
  return "action" in step;
}

import type { z } from "zod";
import type { PlanDraft } from "./plans/plan.js";

/**
 * Files a specialist needs from the user's repository. The runtime reads them
 * (inside the project directory, no symlinks, size-capped) and hands them over
 * in `SpecialistContext.files`, so the specialist itself never touches the disk.
 */
export interface DiskInputs {
  /** Paths relative to the project directory: files, or directories walked recursively. */
  roots: string[];
  /** Which walked files to read, by relative POSIX path. */
  include(relPath: string): boolean;
}

export interface SpecialistContext {
  /** Relative POSIX path → content, for the files requested through `diskInputs`. */
  files: ReadonlyMap<string, string>;
}

/**
 * A specialist turns a validated task input into a plan draft. It is a pure
 * function: it never reads the disk, the network or the clock.
 */
export interface Specialist<I = unknown> {
  /** The agent id, e.g. `devops_cicd`. */
  agent: string;
  /** The task type it handles, e.g. `devops.cicd`. */
  taskType: string;
  /** One-line description, shown in `--help` and MCP tool lists. */
  description: string;
  /** Strict zod schema of the task's `input`. Unknown fields must be errors. */
  schema: z.ZodType<I>;
  /** The environments the plan targets (used for the production approval gate). */
  environments(input: I): string[];
  /** Optional: files to read from the project before planning (e.g. `analyze: <path>`). */
  diskInputs?(input: I): DiskInputs | undefined;
  plan(input: I, ctx: SpecialistContext): PlanDraft;
}

/** Helper to keep each specialist's generic type when registering it. */
export function defineSpecialist<I>(s: Specialist<I>): Specialist<I> {
  return s;
}

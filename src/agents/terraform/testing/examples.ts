/**
 * Test helpers shared by the terraform specialist's tests: load an example
 * through the real task parser and plan it with the files the runtime would
 * read for it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PlanDraft } from "../../../core/plans/plan.js";
import { readProjectFiles } from "../../../core/project-files.js";
import { parseTaskDocument, validateTaskInput } from "../../../core/tasks/parse.js";
import type { TerraformInput } from "../index.js";
import { terraformSpecialist } from "../index.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../../../..");

export const TERRAFORM_EXAMPLES: readonly string[] = readdirSync(join(REPO_ROOT, "examples"))
  .filter((f) => /^terraform.*\.ya?ml$/.test(f))
  .sort();

export function loadExample(file: string): TerraformInput {
  const text = readFileSync(join(REPO_ROOT, "examples", file), "utf8");
  const envelope = parseTaskDocument(text, file);
  if (envelope.type !== terraformSpecialist.taskType) throw new Error(`${file} is a ${envelope.type} task`);
  return validateTaskInput(envelope, terraformSpecialist, file);
}

export function planInput(input: TerraformInput): PlanDraft {
  const disk = terraformSpecialist.diskInputs?.(input);
  return terraformSpecialist.plan(input, { files: disk ? readProjectFiles(REPO_ROOT, disk) : new Map() });
}

export function planExample(file: string): PlanDraft {
  return planInput(loadExample(file));
}

/** Parse a task input literal through the schema (throws on invalid input). */
export function input(raw: Record<string, unknown>): TerraformInput {
  return terraformSpecialist.schema.parse(raw);
}

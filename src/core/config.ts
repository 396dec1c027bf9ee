/**
 * The project's configuration: `.devops-pack/config.yaml`. Optional; a strict
 * schema (unknown fields are errors that name the valid ones).
 *
 * ```yaml
 * environments:
 *   production: [blue, "*-main"]      # more production patterns (added to the defaults)
 *   non_production: [demo, "perf-*"]  # environments that are not production
 * ```
 *
 * The default production words (prod, production, prd, live) cannot be removed:
 * a name with one of them is production whatever the config says.
 *
 * The security gate can be turned off for the project, on purpose and with a
 * reason; the choice is recorded in each plan's gate result and audit log:
 *
 * ```yaml
 * gates:
 *   security:
 *     disabled: true
 *     reason: "scanned by the platform team's pipeline (ticket SEC-123)"
 * ```
 *
 * Nothing else about the gates can be changed here (packs cannot weaken the
 * built-in gates either).
 */
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { badInput } from "./errors.js";
import { MAX_INPUT_BYTES } from "./limits.js";
import type { EnvironmentPolicy } from "./plans/environments.js";
import { DEFAULT_ENVIRONMENT_POLICY } from "./plans/environments.js";
import type { GateSwitch } from "./policy.js";
import { REASON_RULES, checkLabel } from "./text.js";
import { parseYamlSafe } from "./yaml.js";
import { describeZodError } from "./zod-errors.js";

export const CONFIG_FILE = join(".devops-pack", "config.yaml");

const pattern = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9*._-]+$/, "an environment name or pattern: letters, digits, '-', '_', '.' and '*' (any run of characters)");

const environmentsSchema = z
  .object({
    production: z.array(pattern).default([]).describe("Patterns of more production environments; added to the defaults"),
    non_production: z
      .array(pattern.refine((p) => /[^*]/.test(p), "name the environments: a pattern of only '*' would remove the approval for every unknown environment"))
      .default([])
      .describe("Environments (names or patterns) that are not production"),
  })
  .strict();

const gatesSchema = z
  .object({
    security: z
      .object({
        disabled: z.literal(true).describe("Turn gate.security.infra off: plans are not scanned, and apply accepts them"),
        reason: z
          .string()
          .max(REASON_RULES.max)
          .refine((r) => r.trim().length > 0, "give the reason the security gate is off; it is recorded with every plan")
          .describe("Why the gate is off; recorded in every plan's gate result and in the audit log"),
      })
      .strict()
      .optional()
      .describe("The security gate, turned off on purpose"),
  })
  .strict();

export const projectConfigSchema = z
  .object({
    environments: environmentsSchema.default({ production: [], non_production: [] }),
    gates: gatesSchema.default({}),
  })
  .strict();

export interface ProjectConfig {
  /** The file it was read from, or undefined when the project has none. */
  file: string | undefined;
  environments: EnvironmentPolicy;
  /** Gates turned off on purpose (only the security gate can be). */
  gates: { security?: GateSwitch };
}

/** The defaults, for a project without config.yaml. */
export const DEFAULT_PROJECT_CONFIG: ProjectConfig = { file: undefined, environments: DEFAULT_ENVIRONMENT_POLICY, gates: {} };

/** Parse config.yaml text. Throws BAD_INPUT naming the file, the field and the valid fields. */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const parsed = parseYamlSafe(text, file);
  if (!parsed.ok) throw badInput(parsed.errors.map((e) => `${file}${e.line ? `:${e.line}` : ""}: ${e.message}`).join("\n"), { file });
  const value = parsed.value ?? {};
  const result = projectConfigSchema.safeParse(value, { reportInput: true });
  if (!result.success) {
    const issues = describeZodError(result.error, projectConfigSchema, "config");
    throw badInput(issues.map((i) => `${file}: ${i.message}`).join("\n"), { file, issues });
  }
  const security = result.data.gates.security;
  const reason = security === undefined ? undefined : checkLabel(security.reason, { ...REASON_RULES, what: "gates.security.reason" });
  if (reason !== undefined && !reason.ok) throw badInput(`${file}: ${reason.errors.map((e) => e.message).join(" ")}`, { file });
  return {
    file,
    environments: { production: result.data.environments.production, nonProduction: result.data.environments.non_production },
    gates: reason?.ok === true ? { security: { reason: reason.value, by: CONFIG_FILE } } : {},
  };
}

/** Read `.devops-pack/config.yaml` of a project; the defaults when there is none. */
export function loadProjectConfig(projectDir: string): ProjectConfig {
  const file = join(projectDir, CONFIG_FILE);
  let st;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return DEFAULT_PROJECT_CONFIG;
    throw badInput(`${file} cannot be read: ${(e as Error).message}.`, { file });
  }
  if (!st.isFile()) throw badInput(`${file} must be a regular file (not a symlink or a directory).`, { file });
  if (st.size > MAX_INPUT_BYTES) throw badInput(`${file} is ${st.size} bytes; the limit is ${MAX_INPUT_BYTES}.`, { file });
  return parseProjectConfig(readFileSync(file, "utf8"), file);
}

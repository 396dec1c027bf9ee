import { z } from "zod";
import { badInput } from "../errors.js";
import type { TaskEnvelope } from "../plans/plan.js";
import type { Specialist } from "../specialist.js";
import { nearest } from "../suggest.js";
import { parseYamlSafe } from "../yaml.js";
import { describeZodError, fieldsAt } from "../zod-errors.js";

const envelopeSchema = z
  .object({
    task: z
      .object({
        type: z.string().min(1),
        input: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
  })
  .strict();

/**
 * Parse a task document (YAML or JSON — JSON is YAML) into its envelope.
 * Throws DevopsPackError BAD_INPUT with every problem and its location.
 */
export function parseTaskDocument(text: string, source: string): TaskEnvelope {
  const parsed = parseYamlSafe(text, source);
  if (!parsed.ok) {
    throw badInput(
      `${source} is not a valid task file:\n` + parsed.errors.map((e) => `  ${e.line ? `line ${e.line}: ` : ""}${e.message}`).join("\n"),
      { source, issues: parsed.errors },
    );
  }
  if (parsed.value === null || parsed.value === undefined) {
    throw badInput(`${source} is empty. A task file looks like:\n  task:\n    type: devops.cicd\n    input: { ... }`, { source });
  }
  const result = envelopeSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) {
    const issues = describeZodError(result.error, envelopeSchema, "");
    throw badInput(`${source} is not a valid task file:\n` + issues.map((i) => `  ${i.message}`).join("\n"), { source, issues });
  }
  return { type: result.data.task.type, input: result.data.task.input };
}

export interface TaskTypeCatalog<S> {
  /** Implemented specialists (or their registry entries) by task type. */
  specialists: ReadonlyMap<string, S>;
  /** Task types the packs' agents declare (`handles`), with the agent. */
  declared: ReadonlyMap<string, string>;
}

/** Find the specialist for a task type, or explain why there is none. */
export function routeTask<S>(type: string, catalog: TaskTypeCatalog<S>): S {
  const specialist = catalog.specialists.get(type);
  if (specialist) return specialist;
  const agent = catalog.declared.get(type);
  const implemented = [...catalog.specialists.keys()].sort();
  if (agent !== undefined) {
    throw badInput(
      `Task type ${type} belongs to agent ${agent}, whose specialist is not built yet. Task types that run today: ${implemented.join(", ")}.`,
      { type, agent, implemented },
    );
  }
  const all = [...new Set([...catalog.specialists.keys(), ...catalog.declared.keys()])].sort();
  const close = nearest(type, all, 1)[0];
  throw badInput(`Unknown task type '${type}'.${close ? ` Did you mean ${close}?` : ""} Valid types: ${all.join(", ")}.`, {
    type,
    valid: all,
  });
}

/**
 * Apply `--env <name>`: set `environment` or narrow `environments` to that
 * one name, depending on which field the task type has.
 */
export function withEnvironment(envelope: TaskEnvelope, specialist: Specialist<unknown>, env: string): TaskEnvelope {
  const fields = fieldsAt(specialist.schema, []);
  if (fields.includes("environments")) return { ...envelope, input: { ...envelope.input, environments: [env] } };
  if (fields.includes("environment")) return { ...envelope, input: { ...envelope.input, environment: env } };
  throw badInput(`Task type ${envelope.type} has no environment field; --env cannot be used with it.`);
}

/** How an invalid input is reported: the error's heading, and the path its fields are named under. */
export interface InputLabel {
  heading: string;
  prefix: string;
}

/** Validate the task input against its specialist's schema. */
export function validateTaskInput<I>(
  envelope: TaskEnvelope,
  specialist: Specialist<I>,
  source: string,
  label: InputLabel = { heading: `${source}: invalid ${envelope.type} task:`, prefix: "task.input" },
): I {
  const result = specialist.schema.safeParse(envelope.input, { reportInput: true });
  if (!result.success) {
    const issues = describeZodError(result.error, specialist.schema, label.prefix);
    throw badInput(`${label.heading}\n` + issues.map((i) => `  ${i.message}`).join("\n"), { source, issues });
  }
  return result.data;
}

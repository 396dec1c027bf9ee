import { z } from "zod";
import { badInput } from "../errors.js";
import type { TaskEnvelope } from "../plans/plan.js";
import type { Issue } from "../result.js";
import type { Specialist } from "../specialist.js";
import { didYouMean, nearest } from "../suggest.js";
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

const PROTO = "__proto__";

/**
 * `__proto__` keys, as unknown fields. YAML and JSON.parse keep such a key as
 * an own property, but zod's objects never see it (it is dropped without an
 * error, and a record would take it as its prototype), so it is looked for
 * here, with an explicit stack. `skip` stops the walk at a path that is
 * validated elsewhere (the envelope leaves task.input to the specialist).
 */
function protoFields(value: unknown, schema: z.core.$ZodType, prefix: string, root: string, skip?: (path: readonly (string | number)[]) => boolean): Issue[] {
  const found: Issue[] = [];
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, path] = top;
    if (v === null || typeof v !== "object" || skip?.(path)) continue;
    if (Array.isArray(v)) {
      v.forEach((item: unknown, i) => stack.push([item, [...path, i]]));
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key !== PROTO) {
        stack.push([(v as Record<string, unknown>)[key], [...path, key]]);
        continue;
      }
      const where = path.reduce<string>((out, p) => (typeof p === "number" ? `${out}[${p}]` : out === "" ? p : `${out}.${p}`), prefix) || root;
      const valid = fieldsAt(schema, path);
      found.push({
        path: where,
        kind: "unknown-field",
        message:
          valid.length > 0
            ? `Unknown field '${PROTO}' in ${where}.${didYouMean(PROTO, valid)} Valid fields: ${valid.join(", ")}.`
            : `Unknown field '${PROTO}' in ${where}: '${PROTO}' is not accepted as a key.`,
      });
    }
  }
  return found;
}

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
  const proto = protoFields(parsed.value, envelopeSchema, "", "the task file", (path) => path.length === 2 && path[0] === "task" && path[1] === "input");
  if (!result.success || proto.length > 0) {
    const issues = [...proto, ...(result.success ? [] : describeZodError(result.error, envelopeSchema, ""))];
    throw badInput(`${source} is not a valid task file:\n` + issues.map((i) => `  ${i.message}`).join("\n"), { source, issues });
  }
  // The input as written, not zod's copy of the record: the copy would lose a `__proto__` key,
  // which the specialist's validation must report.
  const written = (parsed.value as { task: { input?: Record<string, unknown> } }).task.input;
  return { type: result.data.task.type, input: written ?? result.data.task.input };
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
  const proto = protoFields(envelope.input, specialist.schema, label.prefix, label.prefix);
  if (!result.success || proto.length > 0) {
    const issues = [...proto, ...(result.success ? [] : describeZodError(result.error, specialist.schema, label.prefix))];
    throw badInput(`${label.heading}\n` + issues.map((i) => `  ${i.message}`).join("\n"), { source, issues });
  }
  return result.data;
}

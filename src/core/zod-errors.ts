import type { z } from "zod";
import type { Issue } from "./result.js";
import { didYouMean } from "./suggest.js";

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  in?: AnySchema;
  valueType?: AnySchema;
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strip wrappers (optional, default, nullable, pipe…) down to the schema that has a shape. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else break;
  }
  return s;
}

/** The field names an object schema accepts at `path` (array indexes are skipped). */
export function fieldsAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let candidates: AnySchema[] = [schema];
  for (const key of path) {
    const next: AnySchema[] = [];
    for (const c of candidates) {
      const s = unwrap(c);
      const d = defOf(s);
      if (typeof key === "number" && d.element) next.push(d.element);
      else if (d.shape && typeof key === "string" && d.shape[key]) next.push(d.shape[key]);
      else if (d.options) for (const o of d.options) {
        const od = defOf(unwrap(o));
        if (od.shape && typeof key === "string" && od.shape[key]) next.push(od.shape[key]);
      }
      else if (d.valueType) next.push(d.valueType);
    }
    candidates = next;
  }
  const names = new Set<string>();
  for (const c of candidates) {
    const s = unwrap(c);
    const d = defOf(s);
    if (d.shape) for (const k of Object.keys(d.shape)) names.add(k);
    if (d.options) for (const o of d.options) {
      const od = defOf(unwrap(o));
      if (od.shape) for (const k of Object.keys(od.shape)) names.add(k);
    }
  }
  return [...names].sort();
}

/** A wrong value as an error message quotes it: cut short, so that a huge or hostile input is not echoed back whole. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 80 ? text : `${text.slice(0, 60)}… (${text.length} characters)`;
}

/** An unknown field's name as a message quotes it, cut short like a value. */
function fieldName(key: string): string {
  return key.length <= 80 ? `'${key}'` : `'${key.slice(0, 60)}…' (${key.length} characters)`;
}

function dotted(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/**
 * Turn zod issues into messages that name the valid fields or values and
 * suggest the nearest one. `prefix` is the path of the validated value inside
 * the document, e.g. `task.input`.
 */
export function describeZodError(error: z.ZodError, schema: AnySchema, prefix: string): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const where = dotted(prefix, issue.path);
    if (issue.code === "unrecognized_keys") {
      const valid = fieldsAt(schema, issue.path);
      for (const key of issue.keys) {
        out.push({
          path: where,
          kind: "unknown-field",
          message: `Unknown field ${fieldName(key)} in ${where}.${didYouMean(key, valid)} Valid fields: ${valid.join(", ")}.`,
        });
      }
    } else if ((issue.code === "invalid_value" || issue.code === "invalid_type") && (issue as { input?: unknown }).input === undefined) {
      const expected = issue.code === "invalid_value" ? issue.values.map(String).join(" | ") : issue.expected;
      out.push({ path: where, kind: "missing-field", message: `Missing required field ${where} (${expected}).` });
    } else if (issue.code === "invalid_value") {
      const values = issue.values.map(String);
      const got = (issue as { input?: unknown }).input;
      const hint = typeof got === "string" ? didYouMean(got, values) : "";
      out.push({
        path: where,
        kind: "invalid-value",
        message: `Invalid value ${shown(got)} for ${where}.${hint} Valid values: ${values.join(", ")}.`,
      });
    } else {
      out.push({ path: where, kind: issue.code, message: `${where}: ${issue.message}` });
    }
  }
  return out;
}

/**
 * Helm values against the chart's values.schema.json, as `helm install` and
 * `helm lint` check them: the schema is compiled with Ajv for the draft it
 * declares (draft-07, the one Helm 3 documents and the one our charts
 * declare, when `$schema` is absent), after Ajv's own meta-schema check of
 * the schema; values.yaml is validated on its own and each values-<env>.yaml
 * merged over it, as Helm merges a -f file. Ajv is imported on first use.
 */
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";

type Values = Record<string, unknown>;
type AjvClass = typeof Ajv;

function isMap(v: unknown): v is Values {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * `over` merged over `base` as Helm coalesces a user values file with the
 * chart's values.yaml: maps merge key by key at every depth, lists and
 * scalars are replaced, and a null removes the key.
 */
export function mergeHelmValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? mergeHelmValues(out[k], v) : v;
  }
  return out;
}

/** The Ajv build for each draft a chart may declare; the key is `$schema` without a trailing '#'. */
const DRAFTS: Record<string, { module: "ajv" | "ajv/dist/2019.js" | "ajv/dist/2020.js"; name: "Ajv" | "Ajv2019" | "Ajv2020" }> = {
  "http://json-schema.org/draft-07/schema": { module: "ajv", name: "Ajv" },
  "https://json-schema.org/draft/2019-09/schema": { module: "ajv/dist/2019.js", name: "Ajv2019" },
  "https://json-schema.org/draft/2020-12/schema": { module: "ajv/dist/2020.js", name: "Ajv2020" },
};

async function ajvFor(draft: keyof typeof DRAFTS): Promise<Ajv> {
  const spec = DRAFTS[draft]!;
  const mod: unknown = await (spec.module === "ajv" ? import("ajv") : spec.module === "ajv/dist/2019.js" ? import("ajv/dist/2019.js") : import("ajv/dist/2020.js"));
  // ajv is CommonJS: Node's ESM loader exposes its named export, the esbuild CLI bundle only its module.exports (as default).
  const loaded = mod as Record<string, AjvClass | Record<string, AjvClass> | undefined>;
  const named = loaded[spec.name];
  const viaDefault = loaded["default"];
  const Ctor = typeof named === "function" ? named : typeof viaDefault === "object" ? viaDefault[spec.name] : viaDefault;
  if (Ctor === undefined) throw new Error(`${spec.module} exports no ${spec.name} class`);
  // strict: unknown keywords and formats, and `required` names a chart does not define, are schema errors, not silently ignored.
  return new Ctor({ allErrors: true, strict: true, validateSchema: false });
}

/** "(top level)" or the JSON pointer. */
function pointer(p: string): string {
  return p === "" ? "(top level)" : p;
}

function describeError(e: ErrorObject): string {
  const extra = e.keyword === "additionalProperties" ? `: '${String((e.params as { additionalProperty?: unknown }).additionalProperty)}'` : e.keyword === "enum" ? `: ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : "";
  return `${pointer(e.instancePath)}: ${e.message ?? e.keyword}${extra}`;
}

/** A compiled values.schema.json, or the issues that stop it compiling (each named by its pointer in the schema). */
export async function compileValuesSchema(text: string, path: string): Promise<Result<ValidateFunction>> {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    return fail([{ message: `values.schema.json is not JSON: ${(e as Error).message}`, path, kind: "syntax" }]);
  }
  if (!isMap(schema) && typeof schema !== "boolean") return fail([{ message: "values.schema.json: a schema must be a JSON object", path, kind: "schema" }]);
  const declared = isMap(schema) && typeof schema["$schema"] === "string" ? schema["$schema"].replace(/#$/, "") : "http://json-schema.org/draft-07/schema";
  if (!(declared in DRAFTS)) {
    return fail([{ message: `values.schema.json: $schema '${declared}' is not a draft this gate validates; declare one of ${Object.keys(DRAFTS).map((d) => `${d}#`).join(", ")}`, path, kind: "schema" }]);
  }
  const ajv = await ajvFor(declared);
  if (!(ajv.validateSchema(schema) as boolean)) {
    return fail((ajv.errors ?? []).map((e): Issue => ({ message: `values.schema.json: ${describeError(e)}`, path, kind: "schema" })));
  }
  try {
    return ok(ajv.compile(schema as object));
  } catch (e) {
    // Ajv's strict mode and unresolvable $refs throw here: the schema is at fault, not the gate.
    return fail([{ message: `values.schema.json: ${(e as Error).message}`, path, kind: "schema" }]);
  }
}

/** Validate `values` (already merged) with `validate`; each error names `what`, the JSON pointer and Ajv's message. */
export function checkValues(validate: ValidateFunction, values: Values, what: string, path: string): Issue[] {
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => ({ message: `${what}: ${describeError(e)}`, path, kind: "schema" }));
}

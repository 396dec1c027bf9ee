/** zod building blocks for the validators' own strict schemas (custom resources, OpenSLO). */
import { z } from "zod";
import { didYouMean } from "../suggest.js";

type Shape = Record<string, z.ZodType>;

/** A strict object whose unknown-field message names the nearest valid field. */
export function strict<S extends Shape>(shape: S) {
  const fields = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? iss.keys.map((k) => `unknown field '${k}'.${didYouMean(k, fields) || ` Valid fields: ${fields.join(", ")}.`}`).join(" ") : undefined),
  });
}

/** An enum whose message names the valid values. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => `${JSON.stringify(iss.input)} is not one of ${values.join(", ")}` });
}

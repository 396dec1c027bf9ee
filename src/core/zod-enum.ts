import { z } from "zod";
import { didYouMean } from "./suggest.js";

/** A closed set of values whose error names the valid ones and the nearest. */
export function oneOf<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z.enum(values, {
    error: (iss) => {
      const got = typeof iss.input === "string" ? `'${iss.input}'` : JSON.stringify(iss.input);
      const hint = typeof iss.input === "string" ? didYouMean(iss.input, values) : "";
      return `Unsupported ${field} ${got}. Valid values: ${values.join(", ")}.${hint}`;
    },
  });
}

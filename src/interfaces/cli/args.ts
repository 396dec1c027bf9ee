import { readFileSync, statSync } from "node:fs";
import { badInput } from "../../core/errors.js";
import { MAX_INPUT_BYTES } from "../../core/limits.js";

/** Exactly one positional argument, or a usage error (exit 2). */
export function onePositional(positionals: string[], what: string, usage: string): string {
  const [first, ...rest] = positionals;
  if (first === undefined) throw badInput(`Missing ${what}.\nUsage: devops-pack ${usage}`);
  if (rest.length > 0) throw badInput(`Unexpected argument(s): ${rest.join(" ")}.\nUsage: devops-pack ${usage}`);
  return first;
}

export function requiredString(values: Record<string, unknown>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.trim() === "") throw badInput(`Missing --${name}.\nUsage: devops-pack ${usage}`);
  return v;
}

export function optionalString(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** Read an input file named on the command line: it must exist, be a regular file and fit the input cap. */
export function readInputFile(path: string, what: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw badInput(`${what} ${path} does not exist.`);
  }
  if (!st.isFile()) throw badInput(`${path} is not a file.`);
  if (st.size > MAX_INPUT_BYTES) throw badInput(`${what} ${path} is ${st.size} bytes; the limit is ${MAX_INPUT_BYTES}.`);
  return readFileSync(path, "utf8");
}

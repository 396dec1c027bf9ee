import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { badInput, refused } from "./errors.js";
import type { DiskInputs } from "./specialist.js";
import { MAX_INPUT_BYTES } from "./yaml.js";

const MAX_FILES = 5000;

/**
 * Read the files a specialist asked for, on its behalf. Paths must stay inside
 * the project directory; symlinks are refused; files and counts are capped.
 */
export function readProjectFiles(projectDir: string, inputs: DiskInputs): Map<string, string> {
  const root = resolve(projectDir);
  const files = new Map<string, string>();
  for (const r of inputs.roots) {
    const abs = isAbsolute(r) ? resolve(r) : resolve(root, r);
    if (abs !== root && !abs.startsWith(root + sep)) {
      throw refused(`Refused: ${r} is outside the project directory ${root}.`, { path: r });
    }
    walk(root, abs, r, inputs, files);
  }
  return files;
}

function walk(root: string, abs: string, given: string, inputs: DiskInputs, out: Map<string, string>): void {
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    throw badInput(`${given} does not exist (looked for ${abs}).`, { path: given });
  }
  const rel = relative(root, abs).split(sep).join("/");
  if (st.isSymbolicLink()) throw refused(`Refused: ${rel} is a symlink; devops-pack does not follow symlinks.`, { path: rel });
  if (st.isDirectory()) {
    for (const name of readdirSync(abs).sort()) {
      if (name === "node_modules" || name === ".git") continue;
      walk(root, join(abs, name), given, inputs, out);
    }
    return;
  }
  if (!st.isFile() || !inputs.include(rel)) return;
  if (st.size > MAX_INPUT_BYTES) throw badInput(`${rel} is ${st.size} bytes; the limit is ${MAX_INPUT_BYTES}.`, { path: rel });
  if (out.size >= MAX_FILES) throw badInput(`More than ${MAX_FILES} files under ${given}; point at a narrower path.`, { path: given });
  out.set(rel, readFileSync(abs, "utf8"));
}

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The installed devops-pack package's root directory, found by walking up from
 * this module. Works from the compiled library (dist/core/…) and from the
 * bundled CLI (dist/cli-bundle/…) alike.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "devops-pack") return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("devops-pack: cannot find the package root (package.json named devops-pack) above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

/** The built-in pack ships with the package: <package>/packs/devops. */
export function builtinPackDir(): string {
  return join(packageRoot(), "packs", "devops");
}

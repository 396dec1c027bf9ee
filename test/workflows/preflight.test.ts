/**
 * Issue 13, defect 8: a workflow validates every step's specialist input
 * before step 1 runs and reports every problem at once, each by its path in
 * the workflow input. It used to find a bad input only when it reached the
 * step: a lifecycle input without alerting.routing ran planning,
 * infrastructure, CI/CD and monitoring, then failed at step 5/6.
 * Decision: nothing is stored for a refused input (no run, no step), as for
 * an input that fails the workflow's own schema.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { defaultStoreConfig, openStore } from "../../src/core/store/index.js";
import { cli, cliJson, REPO } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/** examples/lifecycle.yaml with edits (paths under `input`); `undefined` deletes the field. */
function lifecycleWith(dir: string, edits: [path: (string | number)[], value: unknown][]): string {
  const doc = parseDocument(readFileSync(join(REPO, "examples/lifecycle.yaml"), "utf8"));
  for (const [path, value] of edits) {
    if (value === undefined) doc.deleteIn(["input", ...path]);
    else doc.setIn(["input", ...path], value);
  }
  writeFileSync(join(dir, "input.yaml"), doc.toString());
  return "input.yaml";
}

async function storedRuns(dir: string): Promise<unknown[]> {
  const config = defaultStoreConfig(dir);
  if (config.kind === "sqlite" && !existsSync(config.path)) return [];
  const store = await openStore(config);
  try {
    const run = await store.latestRun({ taskType: "workflow.lifecycle", source: "input.yaml" });
    return run ? [run] : [];
  } finally {
    await store.close();
  }
}

describe("workflow run lifecycle: every step's input is checked before step 1", () => {
  it("without alerting.routing: exit 2, names alerting.routing, and no step ran or was stored", async () => {
    const dir = tempDir();
    const file = lifecycleWith(dir, [[["alerting", "routing"], undefined]]);
    const r = cli(["workflow", "run", "lifecycle", file], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^ {2}alerting\.routing: routing is required with services/m);
    expect(r.stderr).not.toMatch(/\[1\/6\]|Planning…|failed at step/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await storedRuns(dir)).toEqual([]);
  });

  it("reports every problem at once, each by its path in the workflow input, in the --json error too", async () => {
    const dir = tempDir();
    const file = lifecycleWith(dir, [
      [["alerting", "routing"], undefined],
      [["services", 1, "kubernetes", "replicas"], "two"],
      [["services", 0, "cicd", "project_type"], "nodejs"],
    ]);
    const r = cliJson<{ ok: boolean; error: { code: string; message: string; data: { issues: { path: string; message: string }[] } } }>(["workflow", "run", "lifecycle", file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("BAD_INPUT");
    expect(r.json.error.data.issues.map((i) => i.path)).toEqual(["services[1].kubernetes.replicas", "services[0].cicd.project_type", "alerting.routing"]);
    expect(r.json.error.message).toContain("services[0].cicd.project_type");
    expect(r.json.error.message).not.toContain("task.input");
    expect(await storedRuns(dir)).toEqual([]);
  });
});

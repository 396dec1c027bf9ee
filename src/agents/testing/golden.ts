/**
 * Golden files, for the specialists' tests: a plan's files are compared with a
 * directory under the agent's __golden__/, reviewed like code. With
 * UPDATE_GOLDEN=1 the directory is rewritten first, after a deliberate change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { expect } from "vitest";
import type { Artifact, PlanDraft } from "../../core/plans/plan.js";

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === "1";

/**
 * A plan as golden files: each artifact under `nameOf(artifact)` (its path by
 * default; undefined leaves it out), then notes.md, and findings.json when the
 * plan has findings.
 */
export function goldenFiles(draft: PlanDraft, nameOf: (a: Artifact) => string | undefined = (a) => a.path): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of draft.artifacts) {
    const name = nameOf(a);
    if (name !== undefined) out.set(name, a.content);
  }
  out.set("notes.md", draft.notes.map((n) => `- **${n.kind}**: ${n.text}`).join("\n") + "\n");
  if (draft.findings.length > 0) out.set("findings.json", JSON.stringify(draft.findings, null, 2) + "\n");
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every file under `dir`, as sorted POSIX paths relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return walk(dir)
    .map((p) => relative(dir, p).split("\\").join("/"))
    .sort();
}

/** Expect `dir` to hold exactly `actual`: the same names, the same bytes. */
export function expectGolden(dir: string, actual: ReadonlyMap<string, string>): void {
  if (UPDATE_GOLDEN) {
    rmSync(dir, { recursive: true, force: true });
    for (const [name, content] of actual) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
  }
  expect(existsSync(dir), `missing golden directory ${dir}; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(filesUnder(dir)).toEqual([...actual.keys()].sort());
  for (const [name, content] of actual) expect(content, `${dir}/${name}`).toBe(readFileSync(join(dir, name), "utf8"));
}

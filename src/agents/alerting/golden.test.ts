/**
 * Golden files for every example, reviewed like code; the sharp properties
 * live in rules.test.ts, alertmanager.test.ts and promtool.test.ts.
 *
 * Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx vitest run src/agents/alerting/golden.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanDraft } from "../../core/plans/plan.js";
import { EXAMPLES_DIR, planExample } from "./testing/tools.js";

const GOLDEN = join(import.meta.dirname, "__golden__");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => /^alerting.*\.ya?ml$/.test(f))
  .sort();

/** Artifacts by their bundle path, plus notes.md and findings.json. */
function goldenFiles(draft: PlanDraft): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of draft.artifacts) out.set(a.path, a.content);
  out.set("notes.md", draft.notes.map((n) => `- **${n.kind}**: ${n.text}`).join("\n") + "\n");
  if (draft.findings.length > 0) out.set("findings.json", JSON.stringify(draft.findings, null, 2) + "\n");
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

describe("golden files", () => {
  it("cover both proposed examples", () => {
    expect(EXAMPLES).toEqual(["alerting-analyze.yaml", "alerting.yaml"]);
  });

  for (const file of EXAMPLES) {
    it(`${file} matches __golden__/${file.replace(/\.ya?ml$/, "")}/`, () => {
      const dir = join(GOLDEN, file.replace(/\.ya?ml$/, ""));
      const actual = goldenFiles(planExample(file).plan);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const [name, content] of actual) {
          mkdirSync(dirname(join(dir, name)), { recursive: true });
          writeFileSync(join(dir, name), content);
        }
      }
      expect(existsSync(dir), `missing golden directory ${dir}; run with UPDATE_GOLDEN=1`).toBe(true);
      expect(listFiles(dir).map((p) => relative(dir, p).split("\\").join("/")).sort()).toEqual([...actual.keys()].sort());
      for (const [name, content] of actual) expect(content, `${dir}/${name}`).toBe(readFileSync(join(dir, name), "utf8"));
    });
  }
});

/**
 * Golden files for every example, reviewed like code: every artifact under
 * its path, plus the notes. The sharp properties live in examples.test.ts,
 * recording.test.ts and combinations.test.ts.
 *
 * Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx vitest run src/agents/monitoring/golden.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanDraft } from "../../core/plans/plan.js";
import { exampleFiles, exampleText, OWN_EXAMPLES, planExample } from "./testing/support.js";

const GOLDEN = join(import.meta.dirname, "__golden__");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function goldenFiles(draft: PlanDraft): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of draft.artifacts) out.set(a.path, a.content);
  out.set("notes.md", draft.notes.map((n) => `- **${n.kind}**: ${n.text}`).join("\n") + "\n");
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

describe("golden files", () => {
  for (const file of exampleFiles()) {
    const name = file.replace(/\.ya?ml$/, "");
    it(`${file} matches __golden__/${name}/`, () => {
      const dir = join(GOLDEN, name);
      const actual = goldenFiles(planExample(file).plan);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const [path, content] of actual) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), content);
        }
      }
      expect(existsSync(dir), `missing golden directory ${dir}; run with UPDATE_GOLDEN=1`).toBe(true);
      expect(listFiles(dir).map((p) => relative(dir, p)).sort()).toEqual([...actual.keys()].sort());
      for (const [path, content] of actual) expect(content, `${dir}/${path}`).toBe(readFileSync(join(dir, path), "utf8"));
    });

    it(`${file}: the copy in examples/ (once the lead adds it) is this agent's proposal`, () => {
      expect(exampleText(file)).toBe(readFileSync(join(OWN_EXAMPLES, file), "utf8"));
    });
  }
});

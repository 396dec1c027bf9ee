/**
 * Golden files for every example, reviewed like code; the sharp properties
 * live in rules.test.ts, alertmanager.test.ts and promtool.test.ts.
 *
 * Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx vitest run src/agents/alerting/golden.test.ts
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES_DIR, planExample } from "./testing/tools.js";
import { expectGolden, goldenFiles } from "../testing/golden.js";

const GOLDEN = join(import.meta.dirname, "__golden__");
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => /^alerting.*\.ya?ml$/.test(f))
  .sort();

describe("golden files", () => {
  it("cover both alerting examples in examples/", () => {
    expect(EXAMPLES).toEqual(["alerting-analyze.yaml", "alerting.yaml"]);
  });

  for (const file of EXAMPLES) {
    it(`${file} matches __golden__/${file.replace(/\.ya?ml$/, "")}/`, () => {
      expectGolden(join(GOLDEN, file.replace(/\.ya?ml$/, "")), goldenFiles(planExample(file).plan));
    });
  }
});

/**
 * Golden files for every example, reviewed like code: every artifact under
 * its path, plus the notes. The sharp properties live in examples.test.ts,
 * recording.test.ts and combinations.test.ts.
 *
 * Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx vitest run src/agents/monitoring/golden.test.ts
 */
import { join } from "node:path";
import { describe, it } from "vitest";
import { exampleFiles, planExample } from "./testing/support.js";
import { expectGolden, goldenFiles } from "../testing/golden.js";

const GOLDEN = join(import.meta.dirname, "__golden__");

describe("golden files", () => {
  for (const file of exampleFiles()) {
    const name = file.replace(/\.ya?ml$/, "");
    it(`${file} matches __golden__/${name}/`, () => {
      expectGolden(join(GOLDEN, name), goldenFiles(planExample(file).plan));
    });
  }
});

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Evaluation } from "../types.js";
import { githubActionsTarget } from "./index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

function evaluate(ruleId: string, kind: "pass" | "fail"): Evaluation[] {
  const content = readFileSync(`${FIXTURES}${ruleId}/${kind}.yml`, "utf8");
  // Fixtures are workflows: scan them under the path GitHub reads them from.
  const path = `.github/workflows/${ruleId}-${kind}.yml`;
  expect(githubActionsTarget.claims(path, content.slice(0, 4096))).toBe(true);
  const { docs, errors } = githubActionsTarget.parse([{ path, content }]);
  expect(errors).toEqual([]);
  const rule = githubActionsTarget.rules.find((r) => r.meta.id === ruleId)!;
  return docs.flatMap((d) => rule.check(d));
}

/** Failures each fail fixture is written to produce. */
const EXPECTED_FAILURES: Record<string, number> = {
  "DP-GHA-001": 4,
  "DP-GHA-002": 6,
  "DP-GHA-003": 3,
  "DP-GHA-004": 1,
  "DP-GHA-005": 2,
  "DP-GHA-006": 2,
  "DP-GHA-007": 2,
  "DP-GHA-008": 2,
  "DP-GHA-009": 2,
  "DP-GHA-010": 3,
  "DP-GHA-011": 3,
  "DP-GHA-012": 1,
  "DP-GHA-013": 1,
  "DP-GHA-014": 2,
  "DP-GHA-015": 2,
};

describe("GitHub Actions rules", () => {
  it("every rule has complete metadata and both fixtures", () => {
    const ids = githubActionsTarget.rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(12);
    for (const { meta } of githubActionsTarget.rules) {
      expect(meta.id).toMatch(/^DP-GHA-\d{3}$/);
      expect(meta.target).toBe("github-actions");
      for (const field of [meta.title, meta.message, meta.recommendation, meta.fix]) expect(field.length).toBeGreaterThan(10);
      expect(meta.compliance.length).toBeGreaterThan(0);
      expect(readdirSync(`${FIXTURES}${meta.id}`).sort()).toEqual(["fail.yml", "pass.yml"]);
    }
    expect(readdirSync(FIXTURES).sort()).toEqual([...ids].sort());
  });

  for (const { meta } of githubActionsTarget.rules) {
    it(`${meta.id} passes its pass fixture`, () => {
      const evals = evaluate(meta.id, "pass");
      expect(evals.length).toBeGreaterThan(0);
      expect(evals.filter((e) => !e.passed)).toEqual([]);
    });

    it(`${meta.id} fails its fail fixture at the offending places`, () => {
      const failed = evaluate(meta.id, "fail").filter((e) => !e.passed);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.length).toBe(EXPECTED_FAILURES[meta.id]);
      for (const e of failed) {
        expect(e.resource).toMatch(/^(workflow|jobs\.[\w-]+(\.steps\[\d+\]|\.container|\.services\.[\w-]+)?)$/);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
        expect(e.message?.length).toBeGreaterThan(10);
      }
    });
  }
});

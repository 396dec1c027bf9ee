import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Evaluation } from "../types.js";
import { dockerfileTarget } from "./index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

function evaluate(ruleId: string, kind: "pass" | "fail"): Evaluation[] {
  const path = `fixtures/${ruleId}/${kind}.Dockerfile`;
  const content = readFileSync(`${FIXTURES}${ruleId}/${kind}.Dockerfile`, "utf8");
  expect(dockerfileTarget.claims(path, content.slice(0, 4096))).toBe(true);
  const { docs, errors } = dockerfileTarget.parse([{ path, content }]);
  expect(errors).toEqual([]);
  const rule = dockerfileTarget.rules.find((r) => r.meta.id === ruleId)!;
  return docs.flatMap((d) => rule.check(d));
}

/** Failures each fail fixture is written to produce: a regression guard on top of "at least one". */
const EXPECTED_FAILURES: Record<string, number> = {
  "DP-DOCKER-001": 1,
  "DP-DOCKER-002": 2,
  "DP-DOCKER-003": 2,
  "DP-DOCKER-004": 1,
  "DP-DOCKER-005": 2,
  "DP-DOCKER-006": 3,
  "DP-DOCKER-007": 6,
  "DP-DOCKER-008": 4,
  "DP-DOCKER-009": 1,
  "DP-DOCKER-010": 1,
  "DP-DOCKER-011": 1,
  "DP-DOCKER-012": 3,
  "DP-DOCKER-013": 2,
  "DP-DOCKER-014": 1,
  "DP-DOCKER-015": 2,
  "DP-DOCKER-016": 4,
  "DP-DOCKER-017": 4,
};

describe("Dockerfile rules", () => {
  it("every rule has complete metadata and both fixtures", () => {
    const ids = dockerfileTarget.rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(11);
    for (const { meta } of dockerfileTarget.rules) {
      expect(meta.id).toMatch(/^DP-DOCKER-\d{3}$/);
      expect(meta.target).toBe("dockerfile");
      for (const field of [meta.title, meta.message, meta.recommendation, meta.fix]) expect(field.length).toBeGreaterThan(10);
      expect(meta.compliance.length).toBeGreaterThan(0);
      expect(readdirSync(`${FIXTURES}${meta.id}`).sort()).toEqual(["fail.Dockerfile", "pass.Dockerfile"]);
    }
    expect(readdirSync(FIXTURES).sort()).toEqual([...ids].sort());
  });

  for (const { meta } of dockerfileTarget.rules) {
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
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
        expect(e.message?.length).toBeGreaterThan(10);
        expect(e.scope?.startLine).toBeLessThanOrEqual(e.line);
      }
    });
  }
});

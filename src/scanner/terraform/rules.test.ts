import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTerraform, terraformTarget } from "./index.js";
import { rulesPart1 } from "./rules/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "fixtures");

function evaluate(ruleId: string, kind: "pass" | "fail") {
  const rule = terraformTarget.rules.find((r) => r.meta.id === ruleId)!;
  const path = join(fixtures, ruleId, `${kind}.tf`);
  const { docs, errors } = parseTerraform([{ path: `fixtures/${ruleId}/${kind}.tf`, content: readFileSync(path, "utf8") }]);
  expect(errors).toEqual([]);
  return docs.flatMap((d) => rule.check(d));
}

describe("terraform rule fixtures", () => {
  const withFixtures = terraformTarget.rules.filter((r) => existsSync(join(fixtures, r.meta.id)));

  it("every part-1 rule has a pass and a fail fixture", () => {
    for (const r of rulesPart1) {
      expect(existsSync(join(fixtures, r.meta.id, "pass.tf")), `${r.meta.id}/pass.tf`).toBe(true);
      expect(existsSync(join(fixtures, r.meta.id, "fail.tf")), `${r.meta.id}/fail.tf`).toBe(true);
    }
  });

  it("rule ids are unique", () => {
    const ids = terraformTarget.rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const rule of withFixtures) {
    const id = rule.meta.id;
    it(`${id} passes its pass fixture`, () => {
      const evals = evaluate(id, "pass");
      expect(evals.length, `${id} evaluated nothing in pass.tf`).toBeGreaterThan(0);
      expect(evals.filter((e) => !e.passed)).toEqual([]);
    });
    it(`${id} fails its fail fixture`, () => {
      const evals = evaluate(id, "fail");
      const failed = evals.filter((e) => !e.passed);
      expect(failed.length, `${id} found nothing in fail.tf`).toBeGreaterThan(0);
      for (const f of failed) {
        expect(f.ruleId).toBe(id);
        expect(f.file).toBe(`fixtures/${id}/fail.tf`);
        expect(f.line).toBeGreaterThan(0);
        expect(f.scope!.startLine).toBeLessThanOrEqual(f.line);
        expect(f.scope!.endLine).toBeGreaterThanOrEqual(f.line);
      }
    });
  }

  it("part-1 rule metadata is complete", () => {
    for (const r of rulesPart1) {
      const m = r.meta;
      expect(m.id).toMatch(/^DP-AWS-[A-Z0-9]+-\d{3}$/);
      expect(m.target).toBe("terraform");
      for (const field of [m.title, m.message, m.recommendation, m.fix]) expect(field.trim().length).toBeGreaterThan(0);
      for (const a of m.aliases) expect(a).toMatch(/^(CKV2?_AWS_\d+|AVD-AWS-\d{4})$/);
      expect(m.compliance.length).toBeGreaterThan(0);
    }
    expect(rulesPart1.length).toBeGreaterThanOrEqual(32);
  });
});

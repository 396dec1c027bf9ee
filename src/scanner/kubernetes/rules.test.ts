import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Evaluation } from "../types.js";
import { kubernetesTarget } from "./index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const rules = kubernetesTarget.rules;

function evaluate(ruleId: string, path: string): Evaluation[] {
  const rel = path.slice(FIXTURES.length + 1);
  const { docs, errors } = kubernetesTarget.parse([{ path: rel, content: readFileSync(path, "utf8") }]);
  expect(errors).toEqual([]);
  const rule = rules.find((r) => r.meta.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return docs.flatMap((d) => rule.check(d));
}

describe("Kubernetes rules", () => {
  it("has at least 32 rules with unique, well-formed ids and complete metadata", () => {
    expect(rules.length).toBeGreaterThanOrEqual(32);
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { meta } of rules) {
      expect(meta.id).toMatch(/^DP-K8S-(POD|CONTAINER|SECRET|NS|RBAC|NET)-\d{3}$/);
      expect(meta.target).toBe("kubernetes");
      for (const field of [meta.title, meta.message, meta.recommendation, meta.fix]) expect(field.length).toBeGreaterThan(10);
      for (const alias of meta.aliases) expect(alias).toMatch(/^(CKV2?_K8S_\d+|AVD-KSV-\d{4}|[a-z0-9]+(-[a-z0-9]+)+)$/);
      expect(meta.compliance.length).toBeGreaterThan(0);
      for (const c of meta.compliance) {
        if (c.framework === "cis-k8s") expect(c.control).toMatch(/^5\.\d+\.\d+$/);
        if (c.framework === "soc2") expect(c.control).toMatch(/^(CC\d\.\d|A1\.\d)$/);
      }
    }
  });

  it("has a fixture folder for every rule and no folder without a rule", () => {
    const folders = readdirSync(FIXTURES).sort();
    expect(folders).toEqual(rules.map((r) => r.meta.id).sort());
  });

  describe.each(rules.map((r) => r.meta.id))("%s", (id) => {
    it("passes its pass fixture", () => {
      const file = join(FIXTURES, id, "pass.yaml");
      expect(existsSync(file)).toBe(true);
      const evaluations = evaluate(id, file);
      expect(evaluations.length).toBeGreaterThan(0);
      expect(evaluations.filter((e) => !e.passed)).toEqual([]);
    });

    it("fails its fail fixture, at a line inside the object", () => {
      const file = join(FIXTURES, id, "fail.yaml");
      expect(existsSync(file)).toBe(true);
      const failed = evaluate(id, file).filter((e) => !e.passed);
      expect(failed.length).toBeGreaterThan(0);
      for (const e of failed) {
        expect(e.message).toBeTruthy();
        expect(e.resource).toMatch(/^[A-Za-z]+\/[^/]+\/[^/]+$/);
        expect(e.scope).toBeDefined();
        expect(e.line).toBeGreaterThanOrEqual(e.scope?.startLine ?? 0);
        expect(e.line).toBeLessThanOrEqual(e.scope?.endLine ?? 0);
      }
    });
  });

  it("every pass fixture passes every rule (they are fully hardened)", () => {
    for (const id of rules.map((r) => r.meta.id)) {
      const path = join(FIXTURES, id, "pass.yaml");
      const { docs } = kubernetesTarget.parse([{ path: `${id}/pass.yaml`, content: readFileSync(path, "utf8") }]);
      const failed = rules.flatMap((r) => docs.flatMap((d) => r.check(d))).filter((e) => !e.passed);
      expect(failed.map((e) => `${id}: ${e.ruleId} ${e.message ?? ""}`)).toEqual([]);
    }
  });
});

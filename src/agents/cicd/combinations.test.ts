/**
 * Beyond the examples: every project type with every deploy method and
 * registry kind it supports, through actionlint and the analyzer.
 */
import { describe, expect, it } from "vitest";
import { lintWorkflow } from "../../core/validators/actionlint.js";
import { analyzeWorkflow } from "./analyze.js";
import { cicdSpecialist } from "./index.js";
import { cicdInputSchema, PROJECT_TYPES } from "./schema.js";

const DEPLOYS: Record<string, unknown>[] = [
  {},
  { cloud: { provider: "aws" }, deploy: { method: "ecs" }, registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com" },
  { cloud: { provider: "gcp" }, registry: "us-docker.pkg.dev/proj/repo" },
  { cloud: { provider: "azure" }, registry: "myregistry.azurecr.io" },
  { registry: "registry.example.com/team", deploy: { method: "script", command: "make deploy", rollback_command: "make rollback" } },
  { cloud: { provider: "aws", role_arn: "arn:aws:iam::123456789012:role/deploy", region: "us-east-1" }, deploy: { method: "script", command: "./d.sh", rollback_command: "./r.sh", current_command: "./c.sh" } },
];

const cases = PROJECT_TYPES.flatMap((project_type) => [
  { project_type, stages: ["lint"] },
  { project_type, stages: ["deploy"], environments: ["production"] },
  ...DEPLOYS.map((extra) => ({ project_type, environments: ["dev", "staging", "production"], ...extra })),
]);

describe("generated workflows across project types, clouds, registries and deploy methods", () => {
  for (const input of cases) {
    it(JSON.stringify(input), async () => {
      const parsed = cicdInputSchema.parse(input);
      const plan = cicdSpecialist.plan(parsed, { files: new Map() });
      expect(plan.artifacts.length).toBeGreaterThan(0);
      for (const a of plan.artifacts) {
        expect((await lintWorkflow(a.content, a.path)).errors, a.path).toEqual([]);
        expect(analyzeWorkflow(a.path, a.content), a.path).toEqual([]);
      }
    });
  }
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeZodError } from "../../core/zod-errors.js";
import { resolveConfig } from "./config.js";
import { cicdSpecialist } from "./index.js";
import { cicdInputSchema } from "./schema.js";

function errors(input: unknown): string[] {
  const r = cicdInputSchema.safeParse(input, { reportInput: true });
  if (r.success) return [];
  return describeZodError(r.error, cicdInputSchema, "task.input").map((i) => i.message);
}

function messages(input: unknown): string[] {
  const r = cicdInputSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

const SEED = { project_type: "typescript_fullstack", platform: "github_actions", stages: ["lint", "test", "build", "deploy"], environments: ["staging", "production"] };

describe("devops.cicd input schema", () => {
  it("accepts the documented example and fills the defaults", () => {
    const r = cicdInputSchema.parse(SEED);
    expect(r).toMatchObject({ name: "app", default_branch: "main", registry: "ghcr.io", runs_on: "ubuntu-24.04", dockerfile: "Dockerfile", reviewers: [] });
  });

  it("rejects an unknown field, naming it", () => {
    const msgs = errors({ ...SEED, enviroments: ["staging"] });
    expect(msgs.join("\n")).toMatch(/enviroments/);
    expect(msgs.join("\n")).toMatch(/environments/); // the runtime's describer suggests the nearest field
  });

  it("rejects unknown nested fields too", () => {
    expect(messages({ ...SEED, deploy: { method: "kubernetes", clster: "x" } }).join("\n")).toMatch(/clster/);
  });

  it("lists the valid project types and suggests the nearest", () => {
    const msg = messages({ ...SEED, project_type: "pyhton" }).join("\n");
    expect(msg).toContain("Unsupported project_type 'pyhton'. Valid values: typescript_fullstack, node, python, go, java, container.");
    expect(msg).toContain("Did you mean python?");
  });

  it("rejects an unsupported platform, naming the valid one", () => {
    expect(messages({ ...SEED, platform: "gitlab_ci" }).join("\n")).toMatch(/Unsupported platform 'gitlab_ci'. Valid values: github_actions/);
  });

  it("rejects an unknown stage, listing the stages", () => {
    expect(messages({ ...SEED, stages: ["lint", "deplyo"] }).join("\n")).toMatch(/Valid values: lint, test, build, security, deploy\. Did you mean deploy\?/);
  });

  it("requires project_type unless analyzing", () => {
    expect(messages({ stages: ["lint"] }).join("\n")).toMatch(/project_type is required/);
    expect(messages({ analyze: ".github/workflows" })).toEqual([]);
  });

  it("refuses to mix analyze with generation", () => {
    expect(messages({ analyze: ".github/workflows", stages: ["lint"] }).join("\n")).toMatch(/stages generates a pipeline and cannot be combined with analyze/);
    expect(messages({ analyze: ".github/workflows", project_type: "node" })).toEqual([]);
  });

  it("refuses paths written into workflows that leave the project (analyze paths are confined by the runtime's reader)", () => {
    expect(messages({ project_type: "node", dockerfile: "../Dockerfile" }).length).toBeGreaterThan(0);
    expect(messages({ project_type: "typescript_fullstack", workspaces: ["/abs"] }).length).toBeGreaterThan(0);
  });

  it("needs environments for the deploy stage", () => {
    expect(messages({ project_type: "node", stages: ["deploy"] }).join("\n")).toMatch(/deploy stage needs at least one environment/);
  });

  it("accepts unquoted whole versions and refuses unquoted dotted ones", () => {
    expect(cicdInputSchema.parse({ project_type: "node", node_version: [22, 24] }).node_version).toEqual(["22", "24"]);
    expect(cicdInputSchema.parse({ project_type: "java", java_version: 21 }).java_version).toEqual(["21"]);
    expect(messages({ project_type: "python", python_version: [3.1] }).join("\n")).toMatch(/python_version\.0: quote dotted versions/);
    expect(messages({ project_type: "go", go_version: "latest" }).join("\n")).toMatch(/'latest' is not a version/);
  });

  it("rejects language settings for another project type", () => {
    expect(messages({ project_type: "go", python_version: "3.13" }).join("\n")).toMatch(/python_version applies to project_type python, not go/);
  });

  it("rejects a deploy method that does not fit the cloud", () => {
    const msg = messages({ ...SEED, cloud: { provider: "gcp" }, deploy: { method: "ecs" } }).join("\n");
    expect(msg).toMatch(/deploy\.method ecs is generated for cloud\.provider aws/);
    expect(msg).toMatch(/Use cloud_run/);
  });

  it("requires the script method's commands", () => {
    expect(messages({ ...SEED, deploy: { method: "script" } }).join("\n")).toMatch(/needs deploy\.command/);
  });

  it("refuses ${{ }} expressions in commands", () => {
    expect(messages({ ...SEED, deploy: { method: "script", command: "./deploy.sh ${{ github.event.pull_request.title }}", rollback_command: "./rb.sh" } }).join("\n")).toMatch(
      /must not contain/,
    );
  });

  it("rejects a registry of another cloud", () => {
    expect(messages({ ...SEED, registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", cloud: { provider: "azure" } }).join("\n")).toMatch(/aws registry/);
  });

  it("validates OIDC identifiers instead of passing them through", () => {
    expect(messages({ ...SEED, cloud: { provider: "aws", role_arn: "arn:aws:iam::12:role/x" } }).join("\n")).toMatch(/IAM role ARN/);
    expect(messages({ ...SEED, cloud: { provider: "aws", role_arn: "arn:aws:iam::123456789012:role/deploy", region: "eu-west-1" } })).toEqual([]);
  });

  it("describes every field (the descriptions become MCP tool docs)", () => {
    const json = z.toJSONSchema(cicdInputSchema, { io: "input" }) as { properties: Record<string, { description?: string }> };
    for (const [key, prop] of Object.entries(json.properties)) expect(prop.description, key).toMatch(/\w/);
  });

  it("puts production last and defaults the stages", () => {
    const cfg = resolveConfig(cicdInputSchema.parse({ project_type: "node", environments: ["production", "staging"] }));
    expect(cfg.environments).toEqual(["staging", "production"]);
    expect(cfg.reordered).toBe(true);
    expect(cfg.stages).toEqual(["lint", "test", "build", "security", "deploy"]);
    expect(resolveConfig(cicdInputSchema.parse({ project_type: "node" })).stages).toEqual(["lint", "test", "build", "security"]);
  });

  it("is the specialist's schema, and diskInputs only asks for workflow files under analyze", () => {
    expect(cicdSpecialist.schema).toBe(cicdInputSchema);
    expect(cicdSpecialist.diskInputs?.(cicdInputSchema.parse(SEED))).toBeUndefined();
    const disk = cicdSpecialist.diskInputs?.(cicdInputSchema.parse({ analyze: ".github/workflows" }));
    expect(disk?.roots).toEqual([".github/workflows"]);
    expect(disk?.include(".github/workflows/ci.yml")).toBe(true);
    expect(disk?.include(".github/workflows/ci.yaml")).toBe(true);
    expect(disk?.include(".github/workflows/README.md")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { scanSources } from "../../scanner/engine.js";
import { loadTargets } from "../../scanner/index.js";
import type { PlanDraft } from "../../core/plans/plan.js";
import { AGENT_ID, terraformSpecialist } from "./index.js";
import { input, planInput } from "./testing/examples.js";

async function activeFindings(plan: PlanDraft) {
  const r = scanSources(plan.artifacts.map((a) => ({ path: a.path, content: a.content })), { targets: await loadTargets() });
  return r.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.resource}`);
}

describe("terraformSpecialist", () => {
  it("has the routing keys the registry expects", () => {
    expect(terraformSpecialist.agent).toBe(AGENT_ID);
    expect(AGENT_ID).toBe("devops_terraform");
    expect(terraformSpecialist.taskType).toBe("devops.terraform");
  });

  it("plans the seed as one module plus one environment root and a cost file", () => {
    const plan = planInput(input({ provider: "aws", resources: [{ type: "eks_cluster", name: "production", node_count: 3 }], environment: "production" }));
    expect(plan.artifacts.map((a) => a.path)).toEqual([
      "modules/eks-cluster/main.tf",
      "modules/eks-cluster/variables.tf",
      "modules/eks-cluster/outputs.tf",
      "modules/eks-cluster/versions.tf",
      "envs/production/versions.tf",
      "envs/production/backend.tf",
      "envs/production/providers.tf",
      "envs/production/main.tf",
      "envs/production/variables.tf",
      "envs/production/outputs.tf",
      "envs/production/cost-estimate.json",
    ]);
    expect(plan.artifacts.map((a) => a.kind)).toEqual([...Array.from({ length: 10 }, () => "terraform"), "json"]);
    expect(plan.findings).toEqual([]);
    expect(plan.touchesSecrets).toBe(false);
  });

  it("needs an approval when a database's master secret is created", () => {
    const plan = planInput(input({ environment: "dev", resources: [{ type: "rds", name: "db" }] }));
    expect(plan.touchesSecrets).toBe(true);
  });

  it("writes one root per environment from the same modules", () => {
    const plan = planInput(input({ environments: ["staging", "production"], resources: [{ type: "s3_bucket", name: "assets" }] }));
    expect(plan.artifacts.filter((a) => a.path.startsWith("modules/"))).toHaveLength(4);
    expect(plan.artifacts.filter((a) => a.path.endsWith("/backend.tf")).map((a) => /key\s+= "([^"]+)"/.exec(a.content)?.[1])).toEqual(["app/staging/terraform.tfstate", "app/production/terraform.tfstate"]);
  });

  it("locks state with DynamoDB when asked, and pins the account", () => {
    const plan = planInput(input({ environment: "dev", account_id: "111122223333", backend: { lock: "dynamodb" }, resources: [{ type: "s3_bucket", name: "a" }] }));
    const backend = plan.artifacts.find((a) => a.path === "envs/dev/backend.tf")!.content;
    expect(backend).toContain('dynamodb_table = "app-terraform-locks"');
    expect(backend).not.toContain("use_lockfile");
    expect(plan.artifacts.find((a) => a.path === "envs/dev/providers.tf")!.content).toContain('allowed_account_ids = ["111122223333"]');
  });

  it("is secure by default: the default of every type scans clean", async () => {
    const plan = planInput(
      input({
        environment: "dev",
        resources: [
          { type: "vpc", name: "net" },
          { type: "eks_cluster", name: "k8s" },
          { type: "ecs_service", name: "api" },
          { type: "rds", name: "db", engine: "mysql" },
          { type: "s3_bucket", name: "data" },
          { type: "iam_role", name: "ci", assumed_by: { github: [{ repository: "acme/app", branch: "main" }] } },
        ],
      }),
    );
    expect(await activeFindings(plan)).toEqual([]);
  });

  it("loosens only on purpose, and the scanner flags each loosening", async () => {
    const plan = planInput(
      input({
        environment: "dev",
        resources: [
          { type: "rds", name: "db", multi_az: false, deletion_protection: false },
          { type: "eks_cluster", name: "k8s", endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] },
        ],
      }),
    );
    expect(await activeFindings(plan)).toEqual(
      expect.arrayContaining(["DP-AWS-RDS-006 module.rds_db.aws_db_instance.this", "DP-AWS-RDS-008 module.rds_db.aws_db_instance.this", "DP-AWS-EKS-002 module.eks_k8s.aws_eks_cluster.this"]),
    );
    const warnings = plan.notes.filter((n) => n.kind === "warning").map((n) => n.text);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^rds db: multi_az is off.*deletion_protection is off/), expect.stringMatching(/^eks_cluster k8s: the API endpoint is public, limited to 203\.0\.113\.0\/24/)]));
  });
});

describe("validation regexes of the generated variables", () => {
  /** Every `regex("…", var.<name>)` in a module's variables.tf, as the JavaScript RegExp Terraform's RE2 pattern reads the same as. */
  function regexOf(content: string, variable: string): RegExp {
    const m = new RegExp(`regex\\(("(?:[^"\\\\]|\\\\.)*"), var\\.${variable}\\)`).exec(content);
    if (!m) throw new Error(`no regex on var.${variable}`);
    return new RegExp(JSON.parse(m[1]!) as string);
  }

  const plan = planInput(input({ environment: "dev", resources: [{ type: "ecs_service", name: "api" }, { type: "rds", name: "db" }, { type: "eks_cluster", name: "k" }] }));
  const file = (p: string) => plan.artifacts.find((a) => a.path === p)!.content;

  it("accept what the schema accepts and refuse the rest", () => {
    const image = regexOf(file("modules/ecs-service/variables.tf"), "image");
    expect(image.test("public.ecr.aws/acme/api:1.4.2")).toBe(true);
    expect(image.test(`registry:5000/team/api@sha256:${"a".repeat(64)}`)).toBe(true);
    expect(image.test("registry:5000/team/api")).toBe(false);
    expect(image.test("api latest")).toBe(false);
    const version = regexOf(file("modules/eks-cluster/variables.tf"), "kubernetes_version");
    expect(version.test("1.33")).toBe(true);
    expect(version.test("1x33")).toBe(false);
    const engine = regexOf(file("modules/rds/variables.tf"), "engine_version");
    expect(["17", "8.4"].every((v) => engine.test(v))).toBe(true);
    expect(engine.test("8,4")).toBe(false);
    const rootImage = regexOf(file("envs/dev/variables.tf"), "ecs_api_image");
    expect(rootImage.test(`x/y@sha256:${"0".repeat(64)}`)).toBe(true);
    expect(rootImage.test("x/y:latest")).toBe(false);
  });
});

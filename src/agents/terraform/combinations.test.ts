/**
 * Beyond the examples: option combinations of every resource type, each
 * through the real validator (terraform fmt, attribute table) and the
 * scanner. What the examples do not reach is still generated correctly.
 */
import { describe, expect, it } from "vitest";
import { terraformValidator } from "../../core/validators/terraform.js";
import { scanSources } from "../../scanner/engine.js";
import { loadTargets } from "../../scanner/index.js";
import { input, planInput } from "./testing/examples.js";

const CASES: Record<string, Record<string, unknown>> = {
  "two AZs, one NAT, internal service, mysql": {
    environment: "dev",
    resources: [
      { type: "vpc", name: "net", cidr: "172.16.0.0/22", az_count: 2, nat_gateways: "single", flow_log_traffic_type: "REJECT" },
      { type: "ecs_service", name: "api", internal: true, architecture: "ARM64", cpu: 256, memory: 512, secrets: { TOKEN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:api/token-AbCdEf:token::" } },
      { type: "rds", name: "db", engine: "mysql", engine_version: "8.0", allow_from: ["api"], allowed_cidrs: ["172.16.0.0/22"], performance_insights_retention_days: 731 },
    ],
  },
  "existing VPC, several node groups, admins and VPN access": {
    environments: ["qa", "prod"],
    region: "eu-central-1",
    resources: [
      {
        type: "eks_cluster",
        name: "k8s",
        kubernetes_version: "1.32",
        api_allowed_cidrs: ["10.100.0.0/16", "10.101.0.0/16"],
        admin_role_arns: ["arn:aws:iam::111122223333:role/admin", "arn:aws:iam::111122223333:role/sre"],
        node_groups: [
          { name: "arm", instance_types: ["m7g.large", "c7g.large"], min_size: 1, max_size: 4, desired_size: 2 },
          { name: "gpu-less", instance_types: ["m6i.xlarge"], capacity_type: "SPOT", min_size: 0, max_size: 5, desired_size: 0, labels: { "node.example.com/pool": "spot" } },
        ],
      },
      { type: "rds", name: "db", allow_from: ["k8s"] },
      { type: "iam_role", name: "irsa", assumed_by: { eks_service_accounts: [{ cluster: "k8s", namespace: "a", service_account: "x" }, { cluster: "k8s", namespace: "b", service_account: "y" }] }, permissions: [{ actions: ["rds-db:connect"], resources: ["arn:aws:rds-db:eu-central-1:111122223333:dbuser:db-ABC/app"] }] },
    ],
  },
  "buckets and roles only, DynamoDB lock, custom names": {
    environment: "production",
    name: "acme",
    tags: { Owner: "data", "cost-center": "42" },
    backend: { bucket: "acme-state", key_prefix: "platform/data", region: "us-west-2", lock: "dynamodb", dynamodb_table: "acme-locks", kms_key_id: "arn:aws:kms:us-west-2:111122223333:alias/terraform" },
    resources: [
      { type: "s3_bucket", name: "raw", bucket_name: "acme-raw-data-111122223333", transition_to_ia_days: 30, expiration_days: 400, noncurrent_version_expiration_days: 7 },
      { type: "iam_role", name: "reader", description: "Reads raw data", max_session_hours: 4, permissions_boundary: "arn:aws:iam::111122223333:policy/boundary", assumed_by: { roles: ["arn:aws:iam::111122223333:role/analyst"] }, permissions: [{ effect: "Deny", actions: ["s3:DeleteObject"], resources: ["s3_bucket.raw/*"] }, { actions: ["s3:GetObject"], resources: ["s3_bucket.raw/*"], conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["true"] }] }] },
    ],
  },
};

describe("option combinations", () => {
  for (const [name, raw] of Object.entries(CASES)) {
    it(`${name}: validator and scanner pass`, async () => {
      const plan = planInput(input(raw));
      const results = await terraformValidator.validateAll(plan.artifacts.filter((a) => a.kind === "terraform"));
      for (const [path, r] of results) {
        expect(r.errors, path).toEqual([]);
        expect(r.warnings, path).toEqual([]);
      }
      const scan = scanSources(plan.artifacts.map((a) => ({ path: a.path, content: a.content })), { targets: await loadTargets() });
      expect(scan.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.resource} ${f.message}`)).toEqual([]);
    });
  }
});

import { describe, expect, it } from "vitest";
import { DevopsPackError } from "../../core/errors.js";
import { validateTaskInput } from "../../core/tasks/parse.js";
import { terraformSpecialist } from "./index.js";
import { RESOURCE_ARGUMENTS, fullName, isIpv4Cidr } from "./schema.js";

/** Messages the runtime shows for an invalid input (through its real error describer). */
function errors(input: Record<string, unknown>): string[] {
  try {
    validateTaskInput({ type: "devops.terraform", input }, terraformSpecialist, "task.yaml");
    return [];
  } catch (e) {
    if (!(e instanceof DevopsPackError)) throw e;
    expect(e.code).toBe("BAD_INPUT");
    return ((e.data?.issues ?? []) as { message: string }[]).map((i) => i.message);
  }
}

const SEED = { provider: "aws", resources: [{ type: "eks_cluster", name: "production", node_count: 3 }], environment: "production" };
const withResource = (r: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ environment: "staging", resources: [r], ...extra });

describe("devops.terraform input", () => {
  it("accepts the documented example and fills the defaults", () => {
    const input = terraformSpecialist.schema.parse(SEED);
    expect(input).toMatchObject({ provider: "aws", region: "us-east-1", environment: "production", backend: { lock: "lockfile" }, tags: {} });
    expect(input.resources[0]).toMatchObject({ type: "eks_cluster", kubernetes_version: "1.33", node_count: 3, instance_types: ["m6i.large"], endpoint_public_access: false });
    expect(terraformSpecialist.environments(input)).toEqual(["production"]);
  });

  it("accepts environments as a list, and name or its alias project", () => {
    const input = terraformSpecialist.schema.parse({ ...SEED, environment: undefined, environments: ["staging", "production"], project: "shop" });
    expect(terraformSpecialist.environments(input)).toEqual(["staging", "production"]);
    expect(errors({ ...SEED, environments: ["staging"] }).join("\n")).toMatch(/give environment \(one\) or environments \(several\), not both/);
    expect(errors({ ...SEED, environment: undefined }).join("\n")).toMatch(/Missing environment/);
    expect(errors({ ...SEED, name: "a", project: "b" }).join("\n")).toMatch(/name or its alias project, not both/);
  });

  it("names the supported resource types for an unknown one, with the nearest", () => {
    const msg = errors(withResource({ type: "eks_clustr", name: "x" })).join("\n");
    expect(msg).toContain('task.input.resources[0].type: Unsupported resource type "eks_clustr". Did you mean eks_cluster? Supported types: vpc, eks_cluster, ecs_service, rds, s3_bucket, iam_role.');
    expect(errors(withResource({ name: "x" })).join("\n")).toMatch(/Missing resource type\. Supported types: vpc, eks_cluster/);
    expect(errors(withResource({ type: "eks", name: "x" })).join("\n")).toMatch(/Did you mean eks_cluster\?/);
    expect(errors(withResource({ type: "s3", name: "x" })).join("\n")).toMatch(/Did you mean s3_bucket\?/);
  });

  it("names the arguments the resource type supports for an unknown one", () => {
    const msg = errors(withResource({ type: "eks_cluster", name: "x", nodes: 3 })).join("\n");
    expect(msg).toContain("task.input.resources[0].nodes: Unknown argument 'nodes' for eks_cluster. Did you mean");
    expect(msg).toContain(`Supported arguments: ${RESOURCE_ARGUMENTS.eks_cluster.join(", ")}.`);
    expect(msg).not.toMatch(/engine/); // not the union of every type's arguments
  });

  it("names the field of a bad value", () => {
    expect(errors(withResource({ type: "rds", name: "db", engine: "postgress" })).join("\n")).toMatch(/task\.input\.resources\[0\]\.engine\..*Did you mean postgres\?.*Valid values: postgres, mysql/);
    expect(errors(withResource({ type: "vpc", name: "n", cidr: "10.0.0.1/16" })).join("\n")).toMatch(/resources\[0\]\.cidr: an IPv4 CIDR block/);
    expect(errors(withResource({ type: "ecs_service", name: "api", cpu: 256, memory: 4096 })).join("\n")).toMatch(/resources\[0\]\.memory: memory 4096 is not a Fargate size for cpu 256\. Valid values: 512, 1024, 2048\./);
    expect(errors({ ...SEED, region: "europe" }).join("\n")).toMatch(/task\.input\.region: an AWS region/);
    expect(errors({ ...SEED, provider: "gcp" }).join("\n")).toMatch(/Valid values: aws/);
    expect(errors({ ...SEED, regoin: "us-east-1" }).join("\n")).toMatch(/Unknown field 'regoin' in task\.input\. Did you mean region\?/);
  });

  it("refuses what is not least privilege, naming the statement", () => {
    const role = (permissions: unknown[]) => withResource({ type: "iam_role", name: "r", assumed_by: { services: ["lambda.amazonaws.com"] }, permissions });
    expect(errors(role([{ actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"] }])).join("\n")).toMatch(/permissions\[0\]\.actions\[0\]: s3:\* grants every action of the service/);
    expect(errors(role([{ actions: ["*"], resources: ["*"] }])).join("\n")).toMatch(/an IAM action such as/);
    expect(errors(role([{ actions: ["s3:Get*"], resources: ["*"] }])).join("\n")).toMatch(/wildcard actions \(s3:Get\*\) on resource "\*" are refused/);
    expect(errors(role([{ actions: ["iam:PassRole"], resources: ["*"] }])).join("\n")).toMatch(/iam:PassRole on "\*"/);
    expect(errors(withResource({ type: "iam_role", name: "r", assumed_by: {} })).join("\n")).toMatch(/assumed_by needs at least one of/);
    expect(errors(withResource({ type: "iam_role", name: "r", assumed_by: { services: ["ec2.amazonaws.com"] }, managed_policy_arns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })).join("\n")).toMatch(/AdministratorAccess is not least privilege/);
  });

  it("checks references between resources and names the candidates", () => {
    const msg = errors({
      environment: "staging",
      resources: [
        { type: "vpc", name: "main" },
        { type: "rds", name: "db", allow_from: ["apii"], vpc: "mian" },
        { type: "ecs_service", name: "api", task_role: "missing" },
      ],
    }).join("\n");
    expect(msg).toMatch(/resources\[1\]\.allow_from\[0\]: allow_from 'apii' is not a resource of type ecs_service or eks_cluster in this task\. Did you mean api\? Candidates: api\./);
    expect(msg).toMatch(/resources\[1\]\.vpc: vpc 'mian' is not a resource of type vpc in this task\. Did you mean main\?/);
    expect(msg).toMatch(/resources\[2\]\.task_role: task_role 'missing' is not a resource of type iam_role/);
  });

  it("refuses a public EKS endpoint without CIDRs, and open to the world", () => {
    expect(errors(withResource({ type: "eks_cluster", name: "k", endpoint_public_access: true })).join("\n")).toMatch(/needs public_access_cidrs/);
    expect(errors(withResource({ type: "eks_cluster", name: "k", endpoint_public_access: true, public_access_cidrs: ["0.0.0.0/0"] })).join("\n")).toMatch(/not the whole internet/);
  });

  it("checks AWS name limits on the names the roots will use", () => {
    expect(errors({ name: "a-long-project-name", environment: "production", resources: [{ type: "ecs_service", name: "checkout-api" }] }).join("\n")).toMatch(
      /the ecs_service name in production would be 'a-long-project-name-production-checkout-api' \(43 characters\); AWS allows 32 here/,
    );
    expect(errors(withResource({ type: "s3_bucket", name: "a" }, { environments: ["staging"], environment: undefined, drift: { state: "s.json", environment: "prod" } })).join("\n")).toMatch(
      /drift\.environment 'prod' is not one of the environments \(staging\)/,
    );
  });

  it("keeps resource names unique", () => {
    expect(errors({ environment: "dev", resources: [{ type: "s3_bucket", name: "a" }, { type: "iam_role", name: "a", assumed_by: { services: ["ec2.amazonaws.com"] } }] }).join("\n")).toMatch(/resource names must be unique/);
  });

  it("refuses secrets in plain environment variables", () => {
    expect(errors(withResource({ type: "ecs_service", name: "api", environment: { DB_PASSWORD: "hunter2" } })).join("\n")).toMatch(/DB_PASSWORD looks like a secret; put it in secrets/);
  });

  it("normalises the drift path the runtime reads", () => {
    const input = terraformSpecialist.schema.parse({ ...SEED, drift: { state: "./state/prod.json" } });
    expect(input.drift?.state).toBe("state/prod.json");
    expect(terraformSpecialist.diskInputs?.(input)?.roots).toEqual(["state/prod.json"]);
    expect(errors({ ...SEED, drift: { state: "../outside.json" } }).join("\n")).toMatch(/drift\.state: a relative path inside the project/);
  });
});

describe("helpers", () => {
  it("fullName drops a repeated segment", () => {
    expect(fullName("app", "production", "production")).toBe("app-production");
    expect(fullName("shop", "staging", "api")).toBe("shop-staging-api");
  });

  it("isIpv4Cidr wants host bits zero", () => {
    expect(isIpv4Cidr("10.0.0.0/16")).toBe(true);
    expect(isIpv4Cidr("10.0.1.0/16")).toBe(false);
    expect(isIpv4Cidr("300.0.0.0/8")).toBe(false);
  });
});

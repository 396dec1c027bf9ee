/**
 * Environment roots: `envs/<env>/` composes the modules with this
 * environment's values. Files:
 * - versions.tf: required Terraform and provider versions;
 * - backend.tf: S3 remote state, one key per environment, with locking;
 * - providers.tf: the AWS provider with region, allowed account and default tags;
 * - main.tf: tags and one module call per task resource, wired together;
 * - variables.tf: project, environment, region, tags, and what the user must supply;
 * - outputs.tf: what other roots and people need.
 */
import type { Body, BodyItem } from "./hcl.js";
import { attr, block, call, forList, not, obj, op, ref, section } from "./hcl.js";
import type { CallContext, ModuleCall, Network, RootVariable } from "./model.js";
import { MODULE_DIRS, moduleLabel } from "./model.js";
import { STRING, mapOf, variable, versionsFile } from "./modules/common.js";
import { ecsCall } from "./modules/ecs.js";
import type { EgressTarget } from "./modules/ecs.js";
import { eksCall } from "./modules/eks.js";
import { iamCall } from "./modules/iam.js";
import { ENGINE_PORT, rdsCall } from "./modules/rds.js";
import { s3Call } from "./modules/s3.js";
import { vpcCall } from "./modules/vpc.js";
import type { ResourceInput, TerraformInput } from "./schema.js";
import { fullName } from "./schema.js";

/** The task, with defaults and aliases resolved. */
export interface Resolved {
  project: string;
  region: string;
  environments: string[];
  accountId: string | undefined;
  tags: Record<string, string>;
  backend: { bucket: string; keyPrefix: string; region: string; lock: "lockfile" | "dynamodb"; dynamodbTable: string | undefined; kmsKeyId: string | undefined };
  resources: ResourceInput[];
}

export function resolve(input: TerraformInput): Resolved {
  const project = input.name ?? input.project ?? "app";
  const b = input.backend;
  return {
    project,
    region: input.region,
    environments: input.environments ?? (input.environment !== undefined ? [input.environment] : []),
    accountId: input.account_id,
    tags: input.tags,
    backend: {
      bucket: b.bucket ?? `${project}-terraform-state`,
      keyPrefix: b.key_prefix ?? project,
      region: b.region ?? input.region,
      lock: b.lock,
      dynamodbTable: b.lock === "dynamodb" ? (b.dynamodb_table ?? `${project}-terraform-locks`) : undefined,
      kmsKeyId: b.kms_key_id,
    },
    resources: orderResources(input.resources),
  };
}

/** Networks first, then the rest in task order: the roots read top-down like the dependency graph. */
function orderResources(resources: readonly ResourceInput[]): ResourceInput[] {
  return [...resources.filter((r) => r.type === "vpc"), ...resources.filter((r) => r.type !== "vpc")];
}

export interface PlannedCall {
  resource: ResourceInput;
  label: string;
  dir: string;
  /** Full AWS name in this environment. */
  name: string;
  network: Network;
  call: ModuleCall;
}

export interface EnvironmentRoot {
  environment: string;
  calls: PlannedCall[];
  files: { name: string; body: Body }[];
}

function networkOf(r: ResourceInput, all: readonly ResourceInput[], labels: ReadonlyMap<string, string>): Network {
  if (r.type !== "eks_cluster" && r.type !== "ecs_service" && r.type !== "rds") return { kind: "variables" };
  const vpcs = all.filter((x): x is Extract<ResourceInput, { type: "vpc" }> => x.type === "vpc");
  const vpc = r.vpc !== undefined ? vpcs.find((v) => v.name === r.vpc) : vpcs.length === 1 ? vpcs[0] : undefined;
  if (vpc === undefined) return { kind: "variables" };
  return { kind: "module", label: labels.get(vpc.name)!, cidr: vpc.cidr, azCount: vpc.az_count };
}

/** Plan every module call of one environment. */
export function planCalls(resolved: Resolved, environment: string): PlannedCall[] {
  const all = resolved.resources;
  const labelOf = new Map(all.map((r) => [r.name, moduleLabel(r.type, r.name)]));
  const labels = new Map(all.map((r) => [r.name, { type: r.type, label: labelOf.get(r.name)!, resource: r }]));
  return all.map((r) => {
    const label = labelOf.get(r.name)!;
    const ctx: CallContext = {
      project: resolved.project,
      environment,
      region: resolved.region,
      name: fullName(resolved.project, environment, r.name),
      label,
      network: networkOf(r, all, labelOf),
      labels,
    };
    return { resource: r, label, dir: MODULE_DIRS[r.type], name: ctx.name, network: ctx.network, call: callFor(r, ctx, all) };
  });
}

function callFor(r: ResourceInput, ctx: CallContext, all: readonly ResourceInput[]): ModuleCall {
  switch (r.type) {
    case "vpc": {
      const eksUsesIt = all.some((x) => x.type === "eks_cluster" && (x.vpc === r.name || (x.vpc === undefined && all.filter((y) => y.type === "vpc").length === 1)));
      return vpcCall(r, ctx, eksUsesIt);
    }
    case "eks_cluster":
      return eksCall(r, ctx);
    case "ecs_service": {
      const egress: EgressTarget[] = all
        .filter((x): x is Extract<ResourceInput, { type: "rds" }> => x.type === "rds" && x.allow_from.includes(r.name))
        .map((db) => ({ name: db.name, label: ctx.labels.get(db.name)!.label, port: ENGINE_PORT[db.engine] }));
      return ecsCall(r, ctx, egress);
    }
    case "rds":
      return rdsCall(r, ctx);
    case "s3_bucket":
      return s3Call(r, ctx);
    case "iam_role":
      return iamCall(r, ctx);
  }
}

function moduleBlock(c: PlannedCall): BodyItem {
  return block("module", [c.label], section(
    [attr("source", `../../modules/${c.dir}`)],
    c.call.args.map(([name, value]) => attr(name, value)),
  ));
}

const NAME_PATTERN = "^[a-z][a-z0-9-]{0,19}$";

function rootVariables(resolved: Resolved, environment: string, extra: readonly RootVariable[]): Body {
  const tagKeys = forList("k", call("keys", ref("var.tags")), not(call("startswith", call("lower", ref("k")), "aws:")));
  return [
    variable("project", {
      description: "Project name; tags every resource (Project) and prefixes AWS names.",
      type: STRING,
      default: resolved.project,
      validations: [{ condition: call("can", call("regex", NAME_PATTERN, ref("var.project"))), message: "project must be lower-case letters, digits and '-', at most 20 characters." }],
    }),
    variable("environment", {
      description: "Environment this root deploys; each environment has its own root and state under envs/.",
      type: STRING,
      default: environment,
      validations: [{ condition: op(ref("var.environment"), "==", environment), message: `This root deploys ${environment} only; use envs/<environment>/ for the others.` }],
    }),
    variable("region", {
      description: "AWS region of the resources.",
      type: STRING,
      default: resolved.region,
      validations: [{ condition: call("can", call("regex", "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", ref("var.region"))), message: "region must be an AWS region such as us-east-1." }],
    }),
    variable("tags", {
      description: "Tags on every resource through the provider's default_tags (Project, Environment and ManagedBy are added).",
      type: mapOf(STRING),
      default: resolved.tags,
      validations: [{ condition: call("alltrue", tagKeys), message: "Tag keys starting with aws: are reserved by AWS." }],
    }),
    ...extra.map((v) => v.item),
  ];
}

function backendFile(resolved: Resolved, environment: string): Body {
  const b = resolved.backend;
  return [
    block("terraform", [], [
      block("backend", ["s3"], [
        attr("bucket", b.bucket),
        attr("key", `${b.keyPrefix}/${environment}/terraform.tfstate`),
        attr("region", b.region),
        attr("encrypt", true),
        ...(b.kmsKeyId !== undefined ? [attr("kms_key_id", b.kmsKeyId)] : []),
        b.lock === "lockfile" ? attr("use_lockfile", true) : attr("dynamodb_table", b.dynamodbTable ?? ""),
      ]),
    ]),
  ];
}

function providersFile(resolved: Resolved): Body {
  return [
    block("provider", ["aws"], section(
      [attr("region", ref("var.region")), ...(resolved.accountId !== undefined ? [attr("allowed_account_ids", [resolved.accountId])] : [])],
      [block("default_tags", [], [attr("tags", ref("local.tags"))])],
    )),
  ];
}

function mainFile(calls: readonly PlannedCall[]): Body {
  return [
    block("locals", [], [
      attr("tags", call("merge", ref("var.tags"), obj({ Project: ref("var.project"), Environment: ref("var.environment"), ManagedBy: "terraform" }))),
    ]),
    ...calls.map(moduleBlock),
  ];
}

export function environmentRoot(resolved: Resolved, environment: string): EnvironmentRoot {
  const calls = planCalls(resolved, environment);
  const extra: RootVariable[] = [];
  for (const c of calls) for (const v of c.call.rootVariables) if (!extra.some((x) => x.name === v.name)) extra.push(v);
  return {
    environment,
    calls,
    files: [
      { name: "versions.tf", body: versionsFile("root") },
      { name: "backend.tf", body: backendFile(resolved, environment) },
      { name: "providers.tf", body: providersFile(resolved) },
      { name: "main.tf", body: mainFile(calls) },
      { name: "variables.tf", body: rootVariables(resolved, environment, extra) },
      { name: "outputs.tf", body: calls.flatMap((c) => c.call.rootOutputs) },
    ],
  };
}

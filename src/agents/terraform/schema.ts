/**
 * The `devops.terraform` task input, in its documented form:
 *
 *   { provider: aws, environment: production,
 *     resources: [{ type: eks_cluster, name: production, node_count: 3 }] }
 *
 * Resources are a discriminated union on `type`. Unknown types and unknown
 * arguments are reported before anything else, with the supported ones
 * listed for that type (the generic describer would list every type's
 * fields together).
 */
import { posix } from "node:path";
import { z } from "zod";
import { didYouMean } from "../../core/suggest.js";
import { oneOf } from "../../core/zod-enum.js";

function unique<T>(xs: readonly T[]): boolean {
  return new Set(xs).size === xs.length;
}

export const PROVIDERS = ["aws"] as const;
export const RESOURCE_TYPES = ["vpc", "eks_cluster", "ecs_service", "rds", "s3_bucket", "iam_role"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const ENV_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,23}$/;

const environmentName = z
  .string()
  .regex(ENV_NAME, { message: "an environment name: lower-case letters, digits and '-', starting with a letter, at most 20 characters (it names a directory, a state key and resources)" })
  .refine((s) => !s.endsWith("-") && !s.includes("--"), { message: "an environment name must not end with '-' or contain '--'" });

const resourceName = z
  .string()
  .regex(RESOURCE_NAME, { message: "a resource name: lower-case letters, digits and '-', starting with a letter, at most 24 characters (it becomes part of AWS names)" })
  .refine((s) => !s.endsWith("-") && !s.includes("--"), { message: "a resource name must not end with '-' or contain '--'" });

const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: "an AWS region such as us-east-1 or eu-west-1" });

const accountId = z.string().regex(/^\d{12}$/, { message: "a 12-digit AWS account id (quote it in YAML so leading zeros stay)" });

const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { message: "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin" });

const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N}\s_.:/=+\-@]+$/u, { message: "a tag key: letters, digits, spaces and _ . : / = + - @" })
  .refine((k) => !k.toLowerCase().startsWith("aws:"), { message: "tag keys starting with aws: are reserved by AWS" });
const tagValue = z
  .string()
  .max(256)
  .regex(/^[\p{L}\p{N}\s_.:/=+\-@]*$/u, { message: "a tag value: letters, digits, spaces and _ . : / = + - @" });
const tags = z.record(tagKey, tagValue).refine((t) => Object.keys(t).length <= 40, { message: "at most 40 tags (AWS allows 50 per resource; the pack adds its own)" });

const ipv4Cidr = z.string().refine(isIpv4Cidr, { message: "an IPv4 CIDR block such as 10.20.0.0/16" });
const cidrList = z.array(ipv4Cidr).refine((l) => unique(l), { message: "CIDR blocks must not repeat" });
const notTheWorld = (l: readonly string[]) => !l.some((c) => c.endsWith("/0"));

const logRetention = z
  .number()
  .int()
  .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), { message: `a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}` });

/** Is `s` an IPv4 CIDR block with its host bits zero? */
export function isIpv4Cidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return false;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return ip % size === 0;
}

// ---------------------------------------------------------------------------
// Resources

const vpcSchema = z
  .strictObject({
    type: z.literal("vpc").describe("A VPC over several Availability Zones with public, private and isolated database subnets, NAT, flow logs and an S3 gateway endpoint."),
    name: resourceName.describe("Name of the VPC within the task; other resources refer to it with vpc: <name>."),
    cidr: ipv4Cidr
      .refine((c) => {
        const p = Number(c.split("/")[1]);
        return p >= 16 && p <= 22;
      }, { message: "the VPC CIDR prefix must be between /16 and /22" })
      .default("10.0.0.0/16")
      .describe("IPv4 CIDR of the VPC, /16 to /22. Three quarters go to private subnets, the last quarter to public and database subnets."),
    az_count: z.union([z.literal(2), z.literal(3)], { error: () => "az_count is 2 or 3" }).default(3).describe("Availability Zones used (2 or 3)."),
    nat_gateways: oneOf("nat_gateways", ["one_per_az", "single"] as const)
      .default("one_per_az")
      .describe("one_per_az keeps egress up when an AZ fails; single saves about $32/month per gateway (staging)."),
    flow_log_retention_days: logRetention.default(365).describe("Retention of the VPC flow log group in CloudWatch Logs."),
    flow_log_traffic_type: oneOf("flow_log_traffic_type", ["ALL", "REJECT", "ACCEPT"] as const).default("ALL").describe("Traffic recorded by the flow log."),
    tags: tags.optional().describe("Extra tags for this resource's module."),
  })
  .describe("vpc");

const nodeGroupSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, { message: "a node group name: lower-case letters, digits and '-', at most 20 characters" }).describe("Node group name."),
    instance_types: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "an EC2 instance type such as m6i.large" })).min(1).max(20).describe("EC2 instance types; the first one is used for the cost estimate."),
    capacity_type: oneOf("capacity_type", ["ON_DEMAND", "SPOT"] as const).default("ON_DEMAND").describe("ON_DEMAND or SPOT capacity."),
    min_size: z.number().int().min(0).max(1000).describe("Minimum number of nodes."),
    max_size: z.number().int().min(1).max(1000).describe("Maximum number of nodes."),
    desired_size: z.number().int().min(0).max(1000).describe("Nodes at creation; later changes are left to the cluster autoscaler."),
    disk_size_gb: z.number().int().min(20).max(16384).default(50).describe("Root volume size (gp3, encrypted)."),
    labels: z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { message: "a Kubernetes label key" }), z.string().max(63)).default({}).describe("Kubernetes labels for the nodes."),
  })
  .refine((g) => g.min_size <= g.desired_size && g.desired_size <= g.max_size, { message: "node group sizes must satisfy min_size <= desired_size <= max_size" });

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "an EC2 instance type such as m6i.large" });

const eksSchema = z
  .strictObject({
    type: z.literal("eks_cluster").describe("An EKS cluster with managed node groups, IRSA, KMS secrets encryption and every control-plane log type."),
    name: resourceName.describe("Name of the cluster within the task."),
    kubernetes_version: z.string().regex(/^1\.\d{2}$/, { message: 'a Kubernetes minor version such as "1.33" (quote it in YAML)' }).default("1.33").describe('Kubernetes version, e.g. "1.33".'),
    node_count: z.number().int().min(1).max(1000).default(3).describe("Nodes in the default node group (its desired and minimum size)."),
    min_nodes: z.number().int().min(0).max(1000).optional().describe("Minimum size of the default node group. Default: node_count."),
    max_nodes: z.number().int().min(1).max(1000).optional().describe("Maximum size of the default node group. Default: twice node_count."),
    instance_types: z.array(instanceType).min(1).max(20).default(["m6i.large"]).describe("Instance types of the default node group."),
    capacity_type: oneOf("capacity_type", ["ON_DEMAND", "SPOT"] as const).default("ON_DEMAND").describe("Capacity type of the default node group."),
    disk_size_gb: z.number().int().min(20).max(16384).default(50).describe("Root volume of each node (gp3, encrypted)."),
    node_groups: z
      .array(nodeGroupSchema)
      .min(1)
      .refine((g) => unique(g.map((x) => x.name)), { message: "node group names must not repeat" })
      .optional()
      .describe("Several node groups instead of the default one (then node_count, min_nodes, max_nodes, instance_types, capacity_type and disk_size_gb are not used)."),
    endpoint_public_access: z.boolean().default(false).describe("Expose the API server endpoint publicly (then public_access_cidrs is required). Off by default: the private endpoint is reached over VPN or from the VPC; the scanner flags a public endpoint."),
    public_access_cidrs: cidrList.refine(notTheWorld, { message: "public_access_cidrs must name your own egress ranges, not the whole internet" }).optional().describe("CIDR blocks allowed to reach a public endpoint."),
    api_allowed_cidrs: cidrList.default([]).describe("CIDR blocks (VPN, CI runners in the VPC) allowed to reach the private API endpoint on 443."),
    admin_role_arns: z.array(roleArn).default([]).describe("IAM roles given cluster-admin access through EKS access entries. Without any, the identity that creates the cluster is its admin."),
    log_retention_days: logRetention.default(365).describe("Retention of the control-plane log group."),
    vpc: resourceName.optional().describe("The vpc resource of this task the cluster runs in. Default: the task's only vpc; without one, the cluster joins an existing VPC given by variables."),
    tags: tags.optional().describe("Extra tags for this resource's module."),
  })
  .describe("eks_cluster");

/** Fargate CPU units and the memory (MiB) each allows. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
  8192: Array.from({ length: 12 }, (_, i) => 16384 + i * 4096),
  16384: Array.from({ length: 12 }, (_, i) => 32768 + i * 8192),
};

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, { message: "an environment variable name" });
const SENSITIVE_ENV = /(pass(word|wd)?|secret|token|api_?key|private_?key|credential)/i;
const secretRef = z.string().regex(/^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+(:[\w-]*:[\w-]*:[\w-]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/[\w/.-]+)$/, {
  message: "a Secrets Manager secret ARN (optionally with :json-key::) or an SSM parameter ARN",
});

const ecsSchema = z
  .strictObject({
    type: z.literal("ecs_service").describe("A Fargate service behind an HTTPS Application Load Balancer, with autoscaling."),
    name: resourceName.describe("Name of the service within the task."),
    image: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/, { message: "a container image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:…" })
      .optional()
      .describe("Container image, preferably by digest. Default: a required variable of the environment root."),
    container_port: z.number().int().min(1024).max(65535).default(8080).describe("Port the container listens on (non-privileged)."),
    cpu: z
      .number()
      .int()
      .refine((n) => Object.hasOwn(FARGATE_SIZES, n), { message: `cpu is one of the Fargate sizes ${Object.keys(FARGATE_SIZES).join(", ")}` })
      .default(512)
      .describe("Task CPU units (1024 = 1 vCPU)."),
    memory: z.number().int().default(1024).describe("Task memory in MiB; must be a valid Fargate combination with cpu."),
    desired_count: z.number().int().min(1).max(1000).default(2).describe("Tasks at creation; autoscaling moves it between min_capacity and max_capacity."),
    min_capacity: z.number().int().min(1).max(1000).optional().describe("Autoscaling minimum. Default: desired_count."),
    max_capacity: z.number().int().min(1).max(1000).optional().describe("Autoscaling maximum. Default: four times desired_count."),
    cpu_target_percent: z.number().int().min(10).max(90).default(60).describe("Average CPU the autoscaling policy keeps the service at."),
    health_check_path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, { message: "an absolute URL path such as /healthz" }).default("/healthz").describe("Path the load balancer checks."),
    certificate_arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, { message: "an ACM certificate ARN" })
      .optional()
      .describe("ACM certificate of the HTTPS listener. Default: a required variable of the environment root."),
    internal: z.boolean().default(false).describe("An internal load balancer in private subnets instead of an internet-facing one."),
    architecture: oneOf("architecture", ["X86_64", "ARM64"] as const).default("X86_64").describe("CPU architecture of the tasks (ARM64 is about 20% cheaper)."),
    environment: z
      .record(envVarName, z.string().max(4096))
      .default({})
      .describe("Plain environment variables. Secrets go in secrets, never here."),
    secrets: z.record(envVarName, secretRef).default({}).describe("Environment variables read from Secrets Manager or SSM Parameter Store at task start, by ARN."),
    task_role: resourceName.optional().describe("An iam_role resource of this task used as the application's task role (it must trust ecs-tasks.amazonaws.com). Default: a role with no permissions."),
    alb_access_logs_bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "an S3 bucket name" })
      .optional()
      .describe("Existing S3 bucket (SSE-S3, with the ELB log delivery policy) that receives the load balancer's access logs."),
    log_retention_days: logRetention.default(365).describe("Retention of the container log group."),
    vpc: resourceName.optional().describe("The vpc resource of this task. Default: the task's only vpc; without one, variables of the environment root."),
    tags: tags.optional().describe("Extra tags for this resource's module."),
  })
  .superRefine((s, ctx) => {
    const allowed = FARGATE_SIZES[s.cpu] ?? [];
    if (!allowed.includes(s.memory)) {
      ctx.addIssue({ code: "custom", path: ["memory"], message: `memory ${s.memory} is not a Fargate size for cpu ${s.cpu}. Valid values: ${allowed.join(", ")}.` });
    }
    for (const name of Object.keys(s.environment)) {
      if (SENSITIVE_ENV.test(name)) {
        ctx.addIssue({ code: "custom", path: ["environment", name], message: `${name} looks like a secret; put it in secrets as a Secrets Manager or SSM parameter ARN, never as a plain environment value.` });
      }
      if (Object.hasOwn(s.secrets, name)) ctx.addIssue({ code: "custom", path: ["environment", name], message: `${name} is both in environment and in secrets.` });
    }
  })
  .describe("ecs_service");

export const RDS_ENGINES = ["postgres", "mysql"] as const;
export const DEFAULT_ENGINE_VERSION: Record<(typeof RDS_ENGINES)[number], string> = { postgres: "17", mysql: "8.4" };

const rdsSchema = z
  .strictObject({
    type: z.literal("rds").describe("An RDS PostgreSQL or MySQL instance: Multi-AZ, encrypted, backed up, deletion-protected, private."),
    name: resourceName.describe("Name of the database instance within the task."),
    engine: oneOf("engine", RDS_ENGINES).default("postgres").describe("postgres or mysql."),
    engine_version: z
      .string()
      .regex(/^\d+(\.\d+)?$/, { message: 'a major engine version such as "17" (postgres) or "8.4" (mysql); quote it in YAML' })
      .optional()
      .describe('Major engine version; minor versions are upgraded automatically. Default: "17" for postgres, "8.4" for mysql.'),
    instance_class: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "an RDS instance class such as db.t4g.medium or db.m7g.large" }).default("db.t4g.medium").describe("Instance class."),
    allocated_storage_gb: z.number().int().min(20).max(65536).default(20).describe("Initial gp3 storage."),
    max_allocated_storage_gb: z.number().int().min(20).max(65536).optional().describe("Storage autoscaling ceiling. Default: five times allocated_storage_gb."),
    multi_az: z.boolean().default(true).describe("A standby in another AZ with automatic failover. Turning it off halves the cost and is flagged by the scanner."),
    backup_retention_days: z.number().int().min(7).max(35).default(14).describe("Days of automated backups (7 to 35)."),
    deletion_protection: z.boolean().default(true).describe("Refuse deletion of the instance. Turning it off is flagged by the scanner."),
    database_name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { message: "a database name: letters, digits and _, starting with a letter" }).optional().describe("Database created at launch. Default: the resource name with _ for -."),
    username: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, { message: "a user name: letters, digits and _, at most 16 characters" })
      .refine((u) => !["admin", "rdsadmin", "root", "postgres", "mysql"].includes(u.toLowerCase()), { message: "this user name is reserved by the engine or by RDS" })
      .default("dbadmin")
      .describe("Master user; its password is generated and kept in Secrets Manager by RDS, never in state."),
    allow_from: z.array(resourceName).default([]).describe("ecs_service or eks_cluster resources of this task whose security groups may connect."),
    allowed_cidrs: cidrList.refine(notTheWorld, { message: "allowed_cidrs must not include the whole internet" }).default([]).describe("CIDR blocks (inside the VPC or over VPN) that may connect."),
    performance_insights_retention_days: z.union([z.literal(7), z.literal(731)], { error: () => "performance_insights_retention_days is 7 (free) or 731" }).default(7).describe("Performance Insights retention: 7 days (free) or 731."),
    vpc: resourceName.optional().describe("The vpc resource of this task. Default: the task's only vpc; without one, variables of the environment root."),
    tags: tags.optional().describe("Extra tags for this resource's module."),
  })
  .superRefine((r, ctx) => {
    if (r.max_allocated_storage_gb !== undefined && r.max_allocated_storage_gb < r.allocated_storage_gb) {
      ctx.addIssue({ code: "custom", path: ["max_allocated_storage_gb"], message: "max_allocated_storage_gb must be at least allocated_storage_gb." });
    }
  })
  .describe("rds");

const s3Schema = z
  .strictObject({
    type: z.literal("s3_bucket").describe("An S3 bucket with SSE-KMS, versioning, a public access block, lifecycle rules, access logging to its own log bucket and a TLS-only policy."),
    name: resourceName.describe("Name of the bucket within the task."),
    bucket_name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,49}[a-z0-9]$/, { message: "an S3 bucket name of 3 to 51 characters: lower-case letters, digits and '-' (the log bucket adds -access-logs)" })
      .optional()
      .describe("Exact bucket name (globally unique). Default: <project>-<environment>-<name>."),
    noncurrent_version_expiration_days: z.number().int().min(1).max(3650).default(90).describe("Days after which old object versions are deleted."),
    transition_to_ia_days: z.number().int().min(30).max(3650).optional().describe("Move current objects to STANDARD_IA after this many days (at least 30)."),
    expiration_days: z.number().int().min(1).max(36500).optional().describe("Expire current objects after this many days (for caches and exports)."),
    access_log_retention_days: z.number().int().min(1).max(3650).default(365).describe("Days the server access logs are kept."),
    tags: tags.optional().describe("Extra tags for this resource's module."),
  })
  .superRefine((s, ctx) => {
    if (s.transition_to_ia_days !== undefined && s.expiration_days !== undefined && s.expiration_days <= s.transition_to_ia_days) {
      ctx.addIssue({ code: "custom", path: ["expiration_days"], message: "expiration_days must be later than transition_to_ia_days." });
    }
  })
  .describe("s3_bucket");

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
/** `<type>.<name>` references to this task's resources, resolved to their ARNs. */
export const RESOURCE_REF = /^(s3_bucket|iam_role|rds|eks_cluster|ecs_service)\.([a-z][a-z0-9-]*)(\.kms_key)?(\/[\w*./-]*)?$/;
const IAM_RESOURCE = /^(\*|arn:(aws[a-z-]*|\$\{partition\}):[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+)$/;

const statementSchema = z
  .strictObject({
    sid: z.string().regex(/^[A-Za-z0-9]{1,64}$/, { message: "a statement id: letters and digits" }).optional().describe("Statement id."),
    effect: oneOf("effect", ["Allow", "Deny"] as const).default("Allow").describe("Allow or Deny."),
    actions: z
      .array(z.string().regex(IAM_ACTION, { message: 'an IAM action such as "s3:GetObject" (service:Action)' }))
      .min(1)
      .describe("Actions, e.g. [s3:GetObject, s3:PutObject]. \"*\" and \"service:*\" are refused."),
    resources: z
      .array(z.string().refine((r) => IAM_RESOURCE.test(r) || RESOURCE_REF.test(r), { message: 'an ARN, "*", or a reference to a resource of this task: s3_bucket.<name>[/path], s3_bucket.<name>.kms_key, iam_role.<name>, rds.<name>, eks_cluster.<name>, ecs_service.<name>' }))
      .min(1)
      .describe("Resources: ARNs, \"*\" (only with actions that have no wildcard), or s3_bucket.<name>, s3_bucket.<name>/*, s3_bucket.<name>.kms_key, iam_role.<name>, rds.<name>, eks_cluster.<name>, ecs_service.<name>."),
    conditions: z
      .array(
        z.strictObject({
          test: z.string().regex(/^[A-Za-z]+$/, { message: "a condition operator such as StringEquals" }).describe("Condition operator, e.g. StringEquals."),
          variable: z.string().regex(/^[A-Za-z0-9:/._-]+$/, { message: "a condition key such as aws:SourceVpc" }).describe("Condition key, e.g. aws:SourceVpc."),
          values: z.array(z.string()).min(1).describe("Values compared."),
        }),
      )
      .default([])
      .describe("Conditions of the statement."),
  })
  .superRefine((s, ctx) => {
    s.actions.forEach((a, i) => {
      if (/^[a-z0-9-]+:\*$/.test(a)) {
        ctx.addIssue({ code: "custom", path: ["actions", i], message: `${a} grants every action of the service; list the actions needed (least privilege).` });
      }
    });
    const starResource = s.resources.includes("*");
    if (s.effect === "Allow" && starResource) {
      const wild = s.actions.filter((a) => a.includes("*") || a.includes("?"));
      if (wild.length > 0) ctx.addIssue({ code: "custom", path: ["resources"], message: `wildcard actions (${wild.join(", ")}) on resource "*" are refused; name the resources or the exact actions.` });
      if (s.actions.some((a) => a.toLowerCase() === "iam:passrole")) ctx.addIssue({ code: "custom", path: ["resources"], message: 'iam:PassRole on "*" lets the role hand any role to a service; name the roles it may pass.' });
    }
  });

const iamSchema = z
  .strictObject({
    type: z.literal("iam_role").describe("An IAM role with a least-privilege inline policy built from the declared permissions."),
    name: resourceName.describe("Name of the role within the task."),
    description: z
      .string()
      .max(1000)
      .refine((d) => [...d].every((c) => c === "\t" || c === "\n" || c === "\r" || (c >= " " && c <= "~") || (c >= "\u00a1" && c <= "\u00ff")), { message: "IAM descriptions allow basic Latin-1 characters only" }).optional().describe("Role description."),
    assumed_by: z
      .strictObject({
        services: z.array(z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/, { message: "a service principal such as ecs-tasks.amazonaws.com" })).default([]).describe("AWS service principals, e.g. [ecs-tasks.amazonaws.com]."),
        roles: z.array(roleArn).default([]).describe("IAM role ARNs allowed to assume the role."),
        github: z
          .array(
            z
              .strictObject({
                repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: "owner/repository" }).describe("GitHub repository, owner/name."),
                environment: environmentName.optional().describe("GitHub environment the workflow job runs in (recommended)."),
                branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, { message: "a branch name" }).optional().describe("Branch the workflow runs on, when no environment is used."),
              })
              .refine((g) => (g.environment === undefined) !== (g.branch === undefined), { message: "give exactly one of environment or branch" }),
          )
          .default([])
          .describe("GitHub Actions workflows (OIDC, token.actions.githubusercontent.com) allowed to assume the role."),
        eks_service_accounts: z
          .array(
            z.strictObject({
              cluster: resourceName.describe("eks_cluster resource of this task."),
              namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a Kubernetes namespace" }).describe("Namespace of the service account."),
              service_account: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { message: "a Kubernetes service account name" }).describe("Service account name."),
            }),
          )
          .default([])
          .describe("Kubernetes service accounts of an EKS cluster of this task (IRSA)."),
      })
      .refine((a) => a.services.length + a.roles.length + a.github.length + a.eks_service_accounts.length > 0, { message: "assumed_by needs at least one of services, roles, github or eks_service_accounts" })
      .describe("Who may assume the role."),
    permissions: z.array(statementSchema).default([]).describe("Policy statements: [{actions, resources, conditions?}]. Wildcard actions on \"*\" are refused."),
    managed_policy_arns: z
      .array(z.string().regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/, { message: "an IAM managed policy ARN" }))
      .default([])
      .superRefine((arns, ctx) => {
        arns.forEach((a, i) => {
          if (/:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(a)) {
            ctx.addIssue({ code: "custom", path: [i], message: `${a.split("/").pop() ?? a} is not least privilege; declare permissions instead.` });
          }
        });
      })
      .describe("Managed policies attached to the role (AdministratorAccess, PowerUserAccess and IAMFullAccess are refused)."),
    max_session_hours: z.number().int().min(1).max(12).default(1).describe("Maximum session duration in hours."),
    permissions_boundary: z.string().regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/, { message: "an IAM managed policy ARN" }).optional().describe("Permissions boundary policy ARN."),
    tags: tags.optional().describe("Extra tags for this resource's module."),
  })
  .describe("iam_role");

const RESOURCE_SCHEMAS = {
  vpc: vpcSchema,
  eks_cluster: eksSchema,
  ecs_service: ecsSchema,
  rds: rdsSchema,
  s3_bucket: s3Schema,
  iam_role: iamSchema,
} as const;

/** Arguments each resource type accepts (including type and name). */
export const RESOURCE_ARGUMENTS: Readonly<Record<ResourceType, readonly string[]>> = Object.fromEntries(
  RESOURCE_TYPES.map((t) => [t, Object.keys(shapeOf(RESOURCE_SCHEMAS[t]))]),
) as unknown as Record<ResourceType, readonly string[]>;

function shapeOf(s: z.ZodType): Record<string, unknown> {
  let cur: unknown = s;
  for (let i = 0; i < 5; i++) {
    const def = (cur as { _zod: { def: { shape?: Record<string, unknown>; in?: unknown; schema?: unknown } } })._zod.def;
    if (def.shape) return def.shape;
    cur = def.in ?? def.schema;
    if (cur === undefined) break;
  }
  throw new Error("schema: resource schema has no shape");
}

const resourceUnion = z.discriminatedUnion("type", [vpcSchema, eksSchema, ecsSchema, rdsSchema, s3Schema, iamSchema], {
  error: (iss) => (iss.code === "invalid_union" ? `Unsupported resource type. Supported types: ${RESOURCE_TYPES.join(", ")}.` : undefined),
});

/**
 * Report unknown resource types and arguments first, each naming what that
 * type supports; the discriminated union then validates the values.
 */
const resourcesSchema = z.preprocess(
  (items, ctx) => {
    if (!Array.isArray(items)) return items;
    return items.map((item: unknown, i) => {
      if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
      const record = item as Record<string, unknown>;
      const t = record.type;
      if (t === undefined) {
        ctx.addIssue({ code: "custom", path: [i, "type"], input: item, message: `Missing resource type. Supported types: ${RESOURCE_TYPES.join(", ")}.` });
        return item;
      }
      if (typeof t !== "string" || !(RESOURCE_TYPES as readonly string[]).includes(t)) {
        const prefixed = typeof t === "string" && t !== "" ? RESOURCE_TYPES.find((x) => x.startsWith(t) || x.split("_")[0] === t) : undefined;
        const hint = prefixed !== undefined ? ` Did you mean ${prefixed}?` : typeof t === "string" ? didYouMean(t, RESOURCE_TYPES) : "";
        ctx.addIssue({ code: "custom", path: [i, "type"], input: t, message: `Unsupported resource type ${JSON.stringify(t)}.${hint} Supported types: ${RESOURCE_TYPES.join(", ")}.` });
        return item;
      }
      const valid = RESOURCE_ARGUMENTS[t as ResourceType];
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(record)) {
        if (valid.includes(key)) out[key] = value;
        else {
          ctx.addIssue({
            code: "custom",
            path: [i, key],
            input: value,
            message: `Unknown argument '${key}' for ${t}.${didYouMean(key, valid)} Supported arguments: ${valid.join(", ")}.`,
          });
        }
      }
      return out;
    });
  },
  z
    .array(resourceUnion)
    .min(1, { message: "resources needs at least one resource" })
    .refine((rs) => unique(rs.map((r) => r.name)), { message: "resource names must be unique within a task (they name modules and AWS resources)" }),
);

const relPath = z
  .string()
  .min(1)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/@+-]+$/, { message: "a relative path inside the project (no '..', not absolute)" })
  .transform((p) => posix.normalize(p).replace(/^\.\//, ""));

const backendSchema = z
  .strictObject({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "an S3 bucket name" }).optional().describe("State bucket (versioned, encrypted, created beforehand). Default: <project>-terraform-state."),
    key_prefix: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: "a key prefix such as platform/network" }).optional().describe("Prefix of the state key; the key is <prefix>/<environment>/terraform.tfstate. Default: the project."),
    region: region.optional().describe("Region of the state bucket. Default: region."),
    lock: oneOf("backend.lock", ["lockfile", "dynamodb"] as const).default("lockfile").describe("lockfile: S3 native locking (use_lockfile, Terraform >= 1.11); dynamodb: a DynamoDB lock table (deprecated by Terraform, for older setups)."),
    dynamodb_table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { message: "a DynamoDB table name" }).optional().describe("Lock table for lock: dynamodb. Default: <project>-terraform-locks."),
    kms_key_id: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[\w/-]+)$/, { message: "a KMS key or alias ARN" }).optional().describe("KMS key that encrypts the state objects. Default: the bucket's default encryption."),
  })
  .superRefine((b, ctx) => {
    if (b.dynamodb_table !== undefined && b.lock !== "dynamodb") ctx.addIssue({ code: "custom", path: ["dynamodb_table"], message: "dynamodb_table applies to lock: dynamodb." });
  });

export const terraformInputSchema = z
  .strictObject({
    provider: oneOf("provider", PROVIDERS).default("aws").describe("Cloud provider. AWS only for now."),
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, { message: "a project name: lower-case letters, digits and '-', at most 20 characters" })
      .optional()
      .describe("Project name: prefixes AWS names, tags and the state key. Default: app. (project is accepted as an alias.)"),
    project: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, { message: "a project name: lower-case letters, digits and '-', at most 20 characters" })
      .optional()
      .describe("Alias of name."),
    environment: environmentName.optional().describe("The one environment the plan targets, e.g. production."),
    environments: z
      .array(environmentName)
      .min(1)
      .refine((e) => unique(e), { message: "environments must not repeat" })
      .optional()
      .describe("Several environments: one root (and one state) per environment, all using the same modules."),
    region: region.default("us-east-1").describe("AWS region of the resources."),
    account_id: accountId.optional().describe("AWS account the roots may run against (allowed_account_ids), guarding against applying to the wrong account."),
    tags: tags.default({}).describe("Tags on every resource, through the provider's default_tags (Project, Environment and ManagedBy are added)."),
    backend: backendSchema.default({ lock: "lockfile" }).describe("S3 remote state with locking."),
    resources: resourcesSchema.describe("Resources: [{type, name, …}] with type one of vpc, eks_cluster, ecs_service, rds, s3_bucket, iam_role."),
    drift: z
      .strictObject({
        state: relPath.describe("A `terraform show -json` output or a .tfstate file, relative to the project."),
        environment: environmentName.optional().describe("The environment the state belongs to. Default: the only environment."),
      })
      .optional()
      .describe("Compare the configuration with a state: resources and attributes added, changed and removed."),
  })
  .superRefine((input, ctx) => {
    if (input.name !== undefined && input.project !== undefined) {
      ctx.addIssue({ code: "custom", path: ["project"], message: "give name or its alias project, not both." });
    }
    if (input.environment !== undefined && input.environments !== undefined) {
      ctx.addIssue({ code: "custom", path: ["environments"], message: "give environment (one) or environments (several), not both." });
    }
    if (input.environment === undefined && input.environments === undefined) {
      ctx.addIssue({ code: "custom", path: ["environment"], message: "Missing environment: give environment (e.g. production) or environments (e.g. [staging, production])." });
    }
    const envs = input.environments ?? (input.environment !== undefined ? [input.environment] : []);
    if (input.drift !== undefined) {
      const env = input.drift.environment;
      if (env !== undefined && !envs.includes(env)) {
        ctx.addIssue({ code: "custom", path: ["drift", "environment"], message: `drift.environment '${env}' is not one of the environments (${envs.join(", ")}).${didYouMean(env, envs)}` });
      }
      if (env === undefined && envs.length > 1) {
        ctx.addIssue({ code: "custom", path: ["drift", "environment"], message: `drift.environment is required with several environments: one of ${envs.join(", ")}.` });
      }
    }
    checkReferences(input.resources, ctx);
    checkNames(input, envs, ctx);
  });

type Resources = z.output<typeof resourcesSchema>;

function checkReferences(resources: Resources, ctx: z.RefinementCtx): void {
  const byName = new Map(resources.map((r) => [r.name, r]));
  const vpcs = resources.filter((r) => r.type === "vpc").map((r) => r.name);
  const expect = (path: (string | number)[], name: string, types: readonly ResourceType[], what: string): void => {
    const target = byName.get(name);
    const candidates = resources.filter((r) => types.includes(r.type)).map((r) => r.name);
    if (target === undefined || !types.includes(target.type)) {
      ctx.addIssue({
        code: "custom",
        path: ["resources", ...path],
        message: `${what} '${name}' is not a resource of type ${types.join(" or ")} in this task.${didYouMean(name, candidates)}${candidates.length > 0 ? ` Candidates: ${candidates.join(", ")}.` : ""}`,
      });
    }
  };
  resources.forEach((r, i) => {
    if ((r.type === "eks_cluster" || r.type === "ecs_service" || r.type === "rds") && r.vpc !== undefined) expect([i, "vpc"], r.vpc, ["vpc"], "vpc");
    if ((r.type === "eks_cluster" || r.type === "ecs_service" || r.type === "rds") && r.vpc === undefined && vpcs.length > 1) {
      ctx.addIssue({ code: "custom", path: ["resources", i, "vpc"], message: `the task has several vpc resources (${vpcs.join(", ")}); say which one with vpc: <name>.` });
    }
    if (r.type === "eks_cluster") {
      if (r.endpoint_public_access && r.public_access_cidrs === undefined) {
        ctx.addIssue({ code: "custom", path: ["resources", i, "public_access_cidrs"], message: "endpoint_public_access: true needs public_access_cidrs (your own egress ranges)." });
      }
      if (!r.endpoint_public_access && r.public_access_cidrs !== undefined) {
        ctx.addIssue({ code: "custom", path: ["resources", i, "public_access_cidrs"], message: "public_access_cidrs applies only with endpoint_public_access: true." });
      }
      if (r.node_groups !== undefined) {
        for (const key of ["min_nodes", "max_nodes"] as const) {
          if (r[key] !== undefined) ctx.addIssue({ code: "custom", path: ["resources", i, key], message: `${key} applies to the default node group; with node_groups give min_size in each group.` });
        }
      } else {
        const min = r.min_nodes ?? r.node_count;
        const max = r.max_nodes ?? r.node_count * 2;
        if (!(min <= r.node_count && r.node_count <= max)) {
          ctx.addIssue({ code: "custom", path: ["resources", i, "node_count"], message: `node sizes must satisfy min_nodes (${min}) <= node_count (${r.node_count}) <= max_nodes (${max}).` });
        }
      }
    }
    if (r.type === "ecs_service") {
      if (r.task_role !== undefined) expect([i, "task_role"], r.task_role, ["iam_role"], "task_role");
      const min = r.min_capacity ?? r.desired_count;
      const max = r.max_capacity ?? r.desired_count * 4;
      if (!(min <= r.desired_count && r.desired_count <= max)) {
        ctx.addIssue({ code: "custom", path: ["resources", i, "desired_count"], message: `capacities must satisfy min_capacity (${min}) <= desired_count (${r.desired_count}) <= max_capacity (${max}).` });
      }
    }
    if (r.type === "rds") r.allow_from.forEach((n, j) => expect([i, "allow_from", j], n, ["ecs_service", "eks_cluster"], "allow_from"));
    if (r.type === "iam_role") {
      r.assumed_by.eks_service_accounts.forEach((sa, j) => expect([i, "assumed_by", "eks_service_accounts", j, "cluster"], sa.cluster, ["eks_cluster"], "cluster"));
      r.permissions.forEach((s, j) =>
        s.resources.forEach((res, k) => {
          const m = RESOURCE_REF.exec(res);
          if (!m) return;
          const [, type, name, kms, suffix] = m;
          expect([i, "permissions", j, "resources", k], name!, [type as ResourceType], type!);
          if (kms !== undefined && type !== "s3_bucket") ctx.addIssue({ code: "custom", path: ["resources", i, "permissions", j, "resources", k], message: ".kms_key applies to s3_bucket references." });
          if (suffix !== undefined && (type !== "s3_bucket" || kms !== undefined)) ctx.addIssue({ code: "custom", path: ["resources", i, "permissions", j, "resources", k], message: "an object path (/…) applies to s3_bucket references." });
        }),
      );
    }
  });
  for (const r of resources) {
    if (r.type === "ecs_service" && r.task_role !== undefined) {
      const role = byName.get(r.task_role);
      if (role?.type === "iam_role" && !role.assumed_by.services.includes("ecs-tasks.amazonaws.com")) {
        ctx.addIssue({ code: "custom", path: ["resources", resources.indexOf(role), "assumed_by", "services"], message: `iam_role ${role.name} is the task role of ecs_service ${r.name}, so it must trust ecs-tasks.amazonaws.com.` });
      }
    }
  }
}

/** AWS name limits, checked on the names the roots will use. */
function checkNames(input: { name?: string | undefined; project?: string | undefined; resources: Resources }, envs: readonly string[], ctx: z.RefinementCtx): void {
  const project = input.name ?? input.project ?? "app";
  for (const env of envs) {
    input.resources.forEach((r, i) => {
      const full = fullName(project, env, r.name);
      const limit = r.type === "ecs_service" ? 32 : r.type === "s3_bucket" ? 51 : r.type === "rds" ? 48 : 38;
      const name = r.type === "s3_bucket" && r.bucket_name !== undefined ? r.bucket_name : full;
      if (name.length > limit) {
        ctx.addIssue({
          code: "custom",
          path: ["resources", i, "name"],
          message: `the ${r.type} name in ${env} would be '${name}' (${name.length} characters); AWS allows ${limit} here${r.type === "ecs_service" ? " (load balancer and target group names)" : ""}. Use a shorter project, environment or resource name.`,
        });
      }
    });
  }
}

/** `<project>-<env>-<name>`, without repeating a segment (app-production-production → app-production). */
export function fullName(project: string, env: string, name: string): string {
  const parts: string[] = [];
  for (const p of [project, env, name]) if (parts[parts.length - 1] !== p) parts.push(p);
  return parts.join("-");
}

export type TerraformInput = z.output<typeof terraformInputSchema>;
export type ResourceInput = TerraformInput["resources"][number];
export type ResourceOf<T extends ResourceType> = Extract<ResourceInput, { type: T }>;

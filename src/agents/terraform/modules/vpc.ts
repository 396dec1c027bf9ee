/**
 * modules/vpc: a VPC over 2 or 3 Availability Zones with public subnets (load
 * balancers and NAT gateways only), private subnets (workloads, egress through
 * NAT), isolated database subnets (no route out), an S3 gateway endpoint, the
 * default security group stripped of every rule, and flow logs to a
 * KMS-encrypted CloudWatch log group.
 */
import type { Body, BodyItem, Plain } from "../hcl.js";
import { attr, blank, block, call, comment, cond, get, index, op, ref, section, tpl } from "../hcl.js";
import type { CallContext, Instance, ModuleCall, ModuleFiles } from "../model.js";
import { key } from "../model.js";
import type { ResourceOf } from "../schema.js";
import { LOG_RETENTION_DAYS } from "../schema.js";
import {
  ACCOUNT_ID,
  BOOL,
  PARTITION,
  REGION,
  STRING,
  contextData,
  data,
  kmsKey,
  listOf,
  logGroupArn,
  logsKeyGrant,
  mapOf,
  nameTags,
  nameVariable,
  output,
  res,
  retentionVariable,
  serviceAssumeRole,
  tagsVariable,
  variable,
} from "./common.js";

const AZS = ref("local.azs");
const ids = (resource: string) => ref(`${resource}[*].id`);
const COUNT = ref("count.index");
const atIndex = (e: string) => index(ref(e), COUNT);

function subnet(tier: "public" | "private" | "database", extraTags: string | null): BodyItem {
  const tags = nameTags(tpl(ref("var.name"), `-${tier}-`, index(AZS, COUNT)), { Tier: tier }, extraTags === null ? [ref("var.tags")] : [ref("var.tags"), ref(extraTags)]);
  return res("aws_subnet", tier, section(
    [attr("count", call("length", AZS))],
    [
      attr("vpc_id", ref("aws_vpc.this.id")),
      attr("cidr_block", atIndex(`var.${tier}_subnet_cidrs`)),
      attr("availability_zone", index(AZS, COUNT)),
      attr("map_public_ip_on_launch", false),
    ],
    [attr("tags", tags)],
  ));
}

function main(): Body {
  return [
    data("aws_availability_zones", "available", section(
      [attr("state", "available")],
      [block("filter", [], [attr("name", "opt-in-status"), attr("values", ["opt-in-not-required"])])],
    )),
    ...contextData(true),
    block("locals", [], [
      attr("azs", call("slice", ref("data.aws_availability_zones.available.names"), 0, call("length", ref("var.private_subnet_cidrs")))),
      attr("nat_gateway_count", cond(ref("var.single_nat_gateway"), 1, call("length", ref("local.azs")))),
      attr("flow_log_group_name", tpl("/aws/vpc-flow-logs/", ref("var.name"))),
    ]),
    res("aws_vpc", "this", section(
      [attr("cidr_block", ref("var.cidr_block")), attr("enable_dns_support", true), attr("enable_dns_hostnames", true)],
      [attr("tags", nameTags(ref("var.name")))],
    )),
    comment("The default security group keeps no rule at all: nothing can use it to reach anything.\nWorkloads get purpose-built security groups."),
    res("aws_default_security_group", "this", section(
      [attr("vpc_id", ref("aws_vpc.this.id"))],
      [attr("tags", nameTags(tpl(ref("var.name"), "-default-deny-all")))],
    )),
    res("aws_internet_gateway", "this", [attr("vpc_id", ref("aws_vpc.this.id")), blank, attr("tags", nameTags(ref("var.name")))]),
    subnet("public", "var.public_subnet_tags"),
    subnet("private", "var.private_subnet_tags"),
    comment("Database subnets have no route out of the VPC."),
    subnet("database", null),
    res("aws_eip", "nat", section(
      [attr("count", ref("local.nat_gateway_count"))],
      [attr("domain", "vpc")],
      [attr("tags", nameTags(tpl(ref("var.name"), "-nat-", index(AZS, COUNT))))],
      [attr("depends_on", [ref("aws_internet_gateway.this")])],
    )),
    res("aws_nat_gateway", "this", section(
      [attr("count", ref("local.nat_gateway_count"))],
      [attr("allocation_id", ref("aws_eip.nat[count.index].id")), attr("subnet_id", ref("aws_subnet.public[count.index].id"))],
      [attr("tags", nameTags(tpl(ref("var.name"), "-", index(AZS, COUNT))))],
      [attr("depends_on", [ref("aws_internet_gateway.this")])],
    )),
    res("aws_route_table", "public", [attr("vpc_id", ref("aws_vpc.this.id")), blank, attr("tags", nameTags(tpl(ref("var.name"), "-public")))]),
    res("aws_route", "public_internet", [
      attr("route_table_id", ref("aws_route_table.public.id")),
      attr("destination_cidr_block", "0.0.0.0/0"),
      attr("gateway_id", ref("aws_internet_gateway.this.id")),
    ]),
    res("aws_route_table_association", "public", section(
      [attr("count", call("length", AZS))],
      [attr("subnet_id", ref("aws_subnet.public[count.index].id")), attr("route_table_id", ref("aws_route_table.public.id"))],
    )),
    res("aws_route_table", "private", section(
      [attr("count", call("length", AZS))],
      [attr("vpc_id", ref("aws_vpc.this.id"))],
      [attr("tags", nameTags(tpl(ref("var.name"), "-private-", index(AZS, COUNT))))],
    )),
    res("aws_route", "private_nat", section(
      [attr("count", call("length", AZS))],
      [
        attr("route_table_id", ref("aws_route_table.private[count.index].id")),
        attr("destination_cidr_block", "0.0.0.0/0"),
        attr("nat_gateway_id", get(index(ref("aws_nat_gateway.this"), cond(ref("var.single_nat_gateway"), 0, COUNT)), "id")),
      ],
    )),
    res("aws_route_table_association", "private", section(
      [attr("count", call("length", AZS))],
      [attr("subnet_id", ref("aws_subnet.private[count.index].id")), attr("route_table_id", ref("aws_route_table.private[count.index].id"))],
    )),
    res("aws_route_table", "database", [attr("vpc_id", ref("aws_vpc.this.id")), blank, attr("tags", nameTags(tpl(ref("var.name"), "-database")))]),
    res("aws_route_table_association", "database", section(
      [attr("count", call("length", AZS))],
      [attr("subnet_id", ref("aws_subnet.database[count.index].id")), attr("route_table_id", ref("aws_route_table.database.id"))],
    )),
    comment("S3 traffic from private and database subnets stays on the AWS network and off the NAT gateways (free)."),
    res("aws_vpc_endpoint", "s3", section(
      [
        attr("vpc_id", ref("aws_vpc.this.id")),
        attr("service_name", tpl("com.amazonaws.", REGION, ".s3")),
        attr("vpc_endpoint_type", "Gateway"),
        attr("route_table_ids", call("concat", ids("aws_route_table.private"), [ref("aws_route_table.database.id")])),
      ],
      [attr("tags", nameTags(tpl(ref("var.name"), "-s3")))],
    )),
    ...kmsKey("flow_logs", tpl("VPC flow logs of ", ref("var.name")), "vpc-flow-logs", [logsKeyGrant(logGroupArn(ref("local.flow_log_group_name")))]),
    res("aws_cloudwatch_log_group", "flow_logs", section(
      [
        attr("name", ref("local.flow_log_group_name")),
        attr("retention_in_days", ref("var.flow_log_retention_days")),
        attr("kms_key_id", ref("aws_kms_key.flow_logs.arn")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    serviceAssumeRole("flow_logs_assume_role", "VpcFlowLogsAssumeRole", ["vpc-flow-logs.amazonaws.com"], [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] },
      { test: "ArnLike", variable: "aws:SourceArn", values: [tpl("arn:", PARTITION, ":ec2:", REGION, ":", ACCOUNT_ID, ":vpc-flow-log/*")] },
    ]),
    res("aws_iam_role", "flow_logs", section(
      [attr("name", tpl(ref("var.name"), "-vpc-flow-logs")), attr("assume_role_policy", ref("data.aws_iam_policy_document.flow_logs_assume_role.json"))],
      [attr("tags", ref("var.tags"))],
    )),
    data("aws_iam_policy_document", "flow_logs", [
      block("statement", [], [
        attr("sid", "WriteFlowLogs"),
        attr("actions", ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]),
        attr("resources", [ref("aws_cloudwatch_log_group.flow_logs.arn"), tpl(ref("aws_cloudwatch_log_group.flow_logs.arn"), ":*")]),
      ]),
      blank,
      block("statement", [], [
        attr("sid", "DescribeLogGroups"),
        attr("actions", ["logs:DescribeLogGroups"]),
        attr("resources", [logGroupArn("*")]),
      ]),
    ]),
    res("aws_iam_role_policy", "flow_logs", [
      attr("name", "write-flow-logs"),
      attr("role", ref("aws_iam_role.flow_logs.id")),
      attr("policy", ref("data.aws_iam_policy_document.flow_logs.json")),
    ]),
    res("aws_flow_log", "this", section(
      [
        attr("vpc_id", ref("aws_vpc.this.id")),
        attr("traffic_type", ref("var.flow_log_traffic_type")),
        attr("log_destination_type", "cloud-watch-logs"),
        attr("log_destination", ref("aws_cloudwatch_log_group.flow_logs.arn")),
        attr("iam_role_arn", ref("aws_iam_role.flow_logs.arn")),
        attr("max_aggregation_interval", 60),
      ],
      [attr("tags", nameTags(ref("var.name")))],
    )),
  ];
}

const cidrList = (name: string, description: string): BodyItem =>
  variable(name, {
    description,
    type: listOf(STRING),
    validations: [
      {
        condition: op(call("length", ref(`var.${name}`)), "==", call("length", ref("var.private_subnet_cidrs"))),
        message: `${name} needs one CIDR block per Availability Zone, as many as private_subnet_cidrs.`,
      },
    ],
  });

function variables(): Body {
  return [
    nameVariable("Name of the VPC; prefixes the names of its resources.", 38),
    variable("cidr_block", {
      description: "IPv4 CIDR block of the VPC.",
      type: STRING,
      validations: [{ condition: call("can", call("cidrhost", ref("var.cidr_block"), 0)), message: "cidr_block must be an IPv4 CIDR block such as 10.0.0.0/16." }],
    }),
    variable("private_subnet_cidrs", {
      description: "CIDR blocks of the private subnets, one per Availability Zone (2 or 3); workloads run here and reach the internet through NAT.",
      type: listOf(STRING),
      validations: [
        {
          condition: op(op(call("length", ref("var.private_subnet_cidrs")), ">=", 2), "&&", op(call("length", ref("var.private_subnet_cidrs")), "<=", 3)),
          message: "private_subnet_cidrs needs 2 or 3 CIDR blocks, one per Availability Zone.",
        },
      ],
    }),
    cidrList("public_subnet_cidrs", "CIDR blocks of the public subnets, one per Availability Zone; only load balancers and NAT gateways live here."),
    cidrList("database_subnet_cidrs", "CIDR blocks of the isolated database subnets, one per Availability Zone; they have no route out of the VPC."),
    variable("single_nat_gateway", {
      description: "One NAT gateway for all Availability Zones (cheaper; egress stops if its zone fails) instead of one per zone.",
      type: BOOL,
      default: false,
    }),
    retentionVariable("flow_log_retention_days", "Days the flow log group keeps records.", LOG_RETENTION_DAYS, 365),
    variable("flow_log_traffic_type", {
      description: "Traffic recorded by the flow log: ALL, ACCEPT or REJECT.",
      type: STRING,
      default: "ALL",
      validations: [{ condition: call("contains", ["ALL", "ACCEPT", "REJECT"], ref("var.flow_log_traffic_type")), message: "flow_log_traffic_type must be ALL, ACCEPT or REJECT." }],
    }),
    variable("public_subnet_tags", { description: "Extra tags of the public subnets (e.g. kubernetes.io/role/elb for EKS load balancers).", type: mapOf(STRING), default: {} }),
    variable("private_subnet_tags", { description: "Extra tags of the private subnets (e.g. kubernetes.io/role/internal-elb).", type: mapOf(STRING), default: {} }),
    tagsVariable(),
  ];
}

function outputs(): Body {
  return [
    output("vpc_id", "ID of the VPC.", ref("aws_vpc.this.id")),
    output("vpc_cidr_block", "IPv4 CIDR block of the VPC.", ref("aws_vpc.this.cidr_block")),
    output("azs", "Availability Zones of the subnets, in order.", ref("local.azs")),
    output("public_subnet_ids", "IDs of the public subnets.", ids("aws_subnet.public")),
    output("private_subnet_ids", "IDs of the private subnets.", ids("aws_subnet.private")),
    output("database_subnet_ids", "IDs of the isolated database subnets.", ids("aws_subnet.database")),
    output("private_route_table_ids", "IDs of the private route tables (one per Availability Zone).", ids("aws_route_table.private")),
    output("nat_public_ips", "Public IPs of the NAT gateways (the VPC's egress addresses).", ref("aws_eip.nat[*].public_ip")),
    output("flow_log_group_name", "CloudWatch log group of the VPC flow logs.", ref("aws_cloudwatch_log_group.flow_logs.name")),
  ];
}

export function vpcFiles(): ModuleFiles {
  return { main: main(), variables: variables(), outputs: outputs() };
}

// ---------------------------------------------------------------------------
// Addressing: subnet CIDRs computed here so the root shows them literally.

function parseCidr(cidr: string): { base: number; prefix: number } {
  const [ip, p] = cidr.split("/");
  const base = (ip ?? "").split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, prefix: Number(p) };
}

function formatCidr(base: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/** Terraform's cidrsubnet(prefix, newbits, netnum). */
export function cidrSubnet(cidr: string, newbits: number, netnum: number): string {
  const { base, prefix } = parseCidr(cidr);
  const p = prefix + newbits;
  return formatCidr(base + netnum * 2 ** (32 - p), p);
}

/**
 * Three quarters of the VPC for private subnets (one per AZ); the last
 * quarter split in eight: public subnets in the first slots, database
 * subnets from the fifth. A /16 gives /18 private, /21 public and database.
 */
export function subnetPlan(cidr: string, azCount: number): { private: string[]; public: string[]; database: string[] } {
  const last = cidrSubnet(cidr, 2, 3);
  const az = Array.from({ length: azCount }, (_, i) => i);
  return {
    private: az.map((i) => cidrSubnet(cidr, 2, i)),
    public: az.map((i) => cidrSubnet(last, 3, i)),
    database: az.map((i) => cidrSubnet(last, 3, 4 + i)),
  };
}

export function vpcCall(r: ResourceOf<"vpc">, ctx: CallContext, eksUsesIt: boolean): ModuleCall {
  const plan = subnetPlan(r.cidr, r.az_count);
  const single = r.nat_gateways === "single";
  const args: [string, Plain][] = [
    ["name", ctx.name],
    ["cidr_block", r.cidr],
    ["private_subnet_cidrs", plan.private],
    ["public_subnet_cidrs", plan.public],
    ["database_subnet_cidrs", plan.database],
    ["single_nat_gateway", single],
    ["flow_log_retention_days", r.flow_log_retention_days],
    ["flow_log_traffic_type", r.flow_log_traffic_type],
  ];
  if (eksUsesIt) {
    args.push(["public_subnet_tags", { "kubernetes.io/role/elb": "1" }], ["private_subnet_tags", { "kubernetes.io/role/internal-elb": "1" }]);
  }
  if (r.tags !== undefined) args.push(["tags", r.tags]);
  const nat = single ? 1 : r.az_count;
  const az = Array.from({ length: r.az_count }, (_, i) => i);
  const instances: Instance[] = [
    { address: "aws_vpc.this", attributes: { cidr_block: r.cidr, enable_dns_support: true, enable_dns_hostnames: true } },
    { address: "aws_default_security_group.this", attributes: {} },
    { address: "aws_internet_gateway.this", attributes: {} },
    ...(["public", "private", "database"] as const).flatMap((tier) =>
      az.map((i) => ({ address: `aws_subnet.${tier}${key(i)}`, attributes: { cidr_block: plan[tier][i]!, map_public_ip_on_launch: false } })),
    ),
    ...Array.from({ length: nat }, (_, i) => [
      { address: `aws_eip.nat${key(i)}`, attributes: { domain: "vpc" } },
      { address: `aws_nat_gateway.this${key(i)}`, attributes: {} },
    ]).flat(),
    { address: "aws_route_table.public", attributes: {} },
    { address: "aws_route.public_internet", attributes: { destination_cidr_block: "0.0.0.0/0" } },
    ...az.map((i) => ({ address: `aws_route_table_association.public${key(i)}`, attributes: {} })),
    ...az.map((i) => ({ address: `aws_route_table.private${key(i)}`, attributes: {} })),
    ...az.map((i) => ({ address: `aws_route.private_nat${key(i)}`, attributes: { destination_cidr_block: "0.0.0.0/0" } })),
    ...az.map((i) => ({ address: `aws_route_table_association.private${key(i)}`, attributes: {} })),
    { address: "aws_route_table.database", attributes: {} },
    ...az.map((i) => ({ address: `aws_route_table_association.database${key(i)}`, attributes: {} })),
    { address: "aws_vpc_endpoint.s3", attributes: { vpc_endpoint_type: "Gateway" } },
    { address: "aws_kms_key.flow_logs", attributes: { enable_key_rotation: true } },
    { address: "aws_kms_alias.flow_logs", attributes: { name: `alias/${ctx.name}-vpc-flow-logs` } },
    { address: "aws_cloudwatch_log_group.flow_logs", attributes: { name: `/aws/vpc-flow-logs/${ctx.name}`, retention_in_days: r.flow_log_retention_days } },
    { address: "aws_iam_role.flow_logs", attributes: { name: `${ctx.name}-vpc-flow-logs` } },
    { address: "aws_iam_role_policy.flow_logs", attributes: {} },
    { address: "aws_flow_log.this", attributes: { traffic_type: r.flow_log_traffic_type, max_aggregation_interval: 60 } },
  ];
  return {
    args,
    instances,
    rootVariables: [],
    rootOutputs: [
      output(`${ctx.label}_id`, `ID of the ${r.name} VPC.`, ref(`module.${ctx.label}.vpc_id`)),
      output(`${ctx.label}_private_subnet_ids`, `Private subnets of the ${r.name} VPC.`, ref(`module.${ctx.label}.private_subnet_ids`)),
      output(`${ctx.label}_nat_public_ips`, `Egress IPs of the ${r.name} VPC (allow-list them where needed).`, ref(`module.${ctx.label}.nat_public_ips`)),
    ],
  };
}


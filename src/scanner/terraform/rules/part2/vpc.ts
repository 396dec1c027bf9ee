import type { Rule } from "../../../types.js";
import type { TfProject, TfResource } from "../../model.js";
import { attr, cis, fail, pass, readBool, refsThroughLocals, resourceRule, soc2 } from "./util.js";

/** Strip an index from a reference: `aws_vpc.this[0]` → `aws_vpc.this`. */
function bare(ref: string): string {
  return ref.replace(/\[[^\]]*\]$/, "");
}

function hasFlowLog(project: TfProject, vpc: TfResource): boolean {
  if (project.referencing(vpc, "aws_flow_log", "vpc_id").length > 0) return true;
  // Fall back to our own look-up, following locals (`vpc_id = local.vpc_id`).
  for (const fl of project.resources) {
    if (fl.mode !== "managed" || fl.resourceType !== "aws_flow_log" || fl.modulePath !== vpc.modulePath) continue;
    const refs = refsThroughLocals(project, fl, attr(fl, "vpc_id"));
    if (refs.some((ref) => bare(ref) === vpc.localAddress)) return true;
  }
  return false;
}

export const vpcFlowLogs: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-VPC-001",
    severity: "medium",
    title: "VPC has flow logs",
    message: "No aws_flow_log captures this VPC's traffic: there is no record of accepted or rejected connections for an investigation.",
    recommendation: "Add an aws_flow_log for the VPC (traffic_type ALL or REJECT) to CloudWatch Logs or S3, with a retention that matches your incident-response window.",
    fix:
      'resource "aws_flow_log" "main" {\n  vpc_id               = aws_vpc.main.id\n  traffic_type         = "ALL"\n  log_destination_type = "s3"\n  log_destination      = aws_s3_bucket.flow_logs.arn\n}',
    aliases: ["CKV2_AWS_11", "AVD-AWS-0178"],
    compliance: [cis("3.7", false), soc2("CC7.2", true)],
  },
  ["aws_vpc"],
  (r, project) => (hasFlowLog(project, r) ? pass() : fail("no aws_flow_log in this module references the VPC (vpc_id)")),
);

export const vpcNoDefault: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-VPC-002",
    severity: "medium",
    title: "The default VPC is not managed or used",
    message: "The configuration manages the default VPC (aws_default_vpc), whose public subnets and permissive defaults were not designed for workloads.",
    recommendation: "Create purpose-built VPCs with private subnets; leave the default VPC unused (or delete it) instead of adopting it with aws_default_vpc.",
    fix: 'resource "aws_vpc" "main" {\n  cidr_block           = "10.0.0.0/16"\n  enable_dns_support   = true\n  enable_dns_hostnames = true\n}',
    aliases: ["CKV_AWS_148", "AVD-AWS-0101"],
    compliance: [soc2("CC6.6")],
  },
  ["aws_vpc", "aws_default_vpc"],
  (r) => (r.resourceType === "aws_default_vpc" ? fail("the default VPC is adopted with aws_default_vpc") : pass()),
);

export const vpcSubnetPublicIp: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-VPC-003",
    severity: "low",
    title: "Subnet does not assign public IPs on launch",
    message: "Instances launched in this subnet get a public IP address by default.",
    recommendation: "Leave map_public_ip_on_launch false and give public addresses only to the few resources that need them (load balancers, NAT gateways).",
    fix: 'resource "aws_subnet" "private" {\n  # ...\n  map_public_ip_on_launch = false\n}',
    aliases: ["CKV_AWS_130", "AVD-AWS-0164"],
    compliance: [soc2("CC6.6")],
  },
  ["aws_subnet"],
  (r) => {
    const a = attr(r, "map_public_ip_on_launch");
    const v = readBool(a);
    return v.kind === "known" && v.value ? fail("map_public_ip_on_launch is true", a) : pass(a);
  },
);

export const vpcRules: readonly Rule<TfProject>[] = [vpcFlowLogs, vpcNoDefault, vpcSubnetPublicIp];

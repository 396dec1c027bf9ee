import type { Rule } from "../../../types.js";
import type { TfAttr, TfBlock, TfProject, TfResource } from "../../model.js";
import { findSecretsInText, literalText } from "./secrets.js";
import {
  attr,
  blocks,
  cis,
  fail,
  firstBlock,
  hasDynamic,
  isUnknown,
  pass,
  readBool,
  readString,
  resourceRule,
  soc2,
  type Verdict,
} from "./util.js";

/**
 * A region-wide `aws_ec2_instance_metadata_defaults` with `http_tokens =
 * "required"` makes IMDSv2 the default for instances that do not say otherwise.
 */
function regionRequiresTokens(project: TfProject): boolean {
  return project.resources.some((d) => {
    if (d.mode !== "managed" || d.resourceType !== "aws_ec2_instance_metadata_defaults") return false;
    const t = readString(attr(d, "http_tokens"));
    return t.kind === "known" && t.value.trim().toLowerCase() === "required";
  });
}

function imdsVerdict(r: TfResource, project: TfProject): Verdict {
  if (hasDynamic(r, "metadata_options")) return pass();
  const mo: TfBlock | undefined = firstBlock(r, "metadata_options");
  if (mo === undefined) {
    if (regionRequiresTokens(project)) return pass();
    return fail("no metadata_options block: IMDSv1 stays enabled (http_tokens defaults to \"optional\")");
  }
  const endpoint = readString(attr(mo, "http_endpoint"));
  if (endpoint.kind === "known" && endpoint.value.trim().toLowerCase() === "disabled") return pass(mo);
  const tokensAttr = attr(mo, "http_tokens");
  const tokens = readString(tokensAttr);
  if (tokens.kind === "unknown") return pass(mo);
  if (tokens.kind === "known" && tokens.value.trim().toLowerCase() === "required") return pass(mo);
  if (tokens.kind === "absent" && regionRequiresTokens(project)) return pass(mo);
  return fail(
    tokens.kind === "absent"
      ? "metadata_options does not set http_tokens = \"required\" (IMDSv1 stays enabled)"
      : `metadata_options.http_tokens is "${tokens.value}": IMDSv1 stays enabled`,
    tokensAttr ?? mo,
  );
}

const IMDS_FIX =
  'metadata_options {\n  http_endpoint               = "enabled"\n  http_tokens                 = "required"\n  http_put_response_hop_limit = 1\n}';

export const ec2InstanceImdsv2: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EC2-001",
    severity: "high",
    title: "EC2 instance requires IMDSv2",
    message: "The instance allows IMDSv1: an SSRF in any process on it can read the instance role's credentials.",
    recommendation: "Require session tokens for the instance metadata service (IMDSv2), or disable the endpoint if the instance does not use it.",
    fix: `resource "aws_instance" "app" {\n  # ...\n  ${IMDS_FIX.replaceAll("\n", "\n  ")}\n}`,
    aliases: ["CKV_AWS_79", "AVD-AWS-0028"],
    compliance: [cis("5.6", true), soc2("CC6.1")],
  },
  ["aws_instance"],
  imdsVerdict,
);

export const ec2LaunchTemplateImdsv2: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EC2-002",
    severity: "high",
    title: "Launch template or configuration requires IMDSv2",
    message: "Instances launched from this template or configuration allow IMDSv1.",
    recommendation: "Require session tokens (IMDSv2) in the launch template's or launch configuration's metadata options.",
    fix: `resource "aws_launch_template" "app" {\n  # ...\n  ${IMDS_FIX.replaceAll("\n", "\n  ")}\n}`,
    aliases: ["CKV_AWS_79", "AVD-AWS-0130"],
    compliance: [cis("5.6", true), soc2("CC6.1")],
  },
  ["aws_launch_template", "aws_launch_configuration"],
  imdsVerdict,
);

function isExplicitlyTrue(a: TfAttr | undefined): boolean {
  const v = readBool(a);
  return v.kind === "known" && v.value;
}

export const ec2PublicIp: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EC2-003",
    severity: "low",
    title: "EC2 instance does not request a public IP address",
    message: "The instance is explicitly given a public IP address and is reachable from the internet wherever its security groups allow.",
    recommendation: "Keep instances in private subnets without public addresses; reach them through a load balancer, SSM Session Manager or a VPN.",
    fix: 'resource "aws_instance" "app" {\n  # ...\n  associate_public_ip_address = false\n}',
    aliases: ["CKV_AWS_88", "AVD-AWS-0009"],
    compliance: [soc2("CC6.6")],
  },
  ["aws_instance", "aws_launch_template", "aws_launch_configuration"],
  (r) => {
    if (r.resourceType === "aws_launch_template") {
      for (const ni of blocks(r, "network_interfaces")) {
        const a = attr(ni, "associate_public_ip_address");
        if (isExplicitlyTrue(a)) return fail("network_interfaces.associate_public_ip_address is true", a);
      }
      return pass();
    }
    const a = attr(r, "associate_public_ip_address");
    if (isExplicitlyTrue(a)) return fail("associate_public_ip_address is true", a);
    return pass(a);
  },
);

function userDataVerdict(r: TfResource): Verdict {
  for (const name of ["user_data", "user_data_base64"]) {
    const a = attr(r, name);
    if (a === undefined || a.value === null) continue;
    const text = typeof a.value === "string" ? a.value : isUnknown(a.value) ? literalText(a.expr) : undefined;
    if (text === undefined) continue;
    const hits = findSecretsInText(text);
    if (hits.length > 0) {
      return fail(`${name} contains a hard-coded secret (${hits.map((h) => h.kind).join(", ")})`, a);
    }
  }
  return pass();
}

const USER_DATA_RECOMMENDATION =
  "Never put credentials in user data: anyone who can describe the instance or template can read it. Give the instance an IAM role and fetch secrets at boot from Secrets Manager or SSM Parameter Store.";

export const ec2InstanceUserDataSecrets: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EC2-004",
    severity: "critical",
    title: "EC2 instance user data contains no hard-coded secrets",
    message: "The instance's user data contains a hard-coded secret.",
    recommendation: USER_DATA_RECOMMENDATION,
    fix:
      'resource "aws_instance" "app" {\n  # ...\n  iam_instance_profile = aws_iam_instance_profile.app.name\n  user_data            = <<-EOT\n    #!/bin/bash\n    DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text)"\n  EOT\n}',
    aliases: ["CKV_AWS_46", "AVD-AWS-0029"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_instance"],
  userDataVerdict,
);

export const ec2LaunchTemplateUserDataSecrets: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EC2-005",
    severity: "critical",
    title: "Launch template or configuration user data contains no hard-coded secrets",
    message: "The user data of this launch template or launch configuration contains a hard-coded secret.",
    recommendation: USER_DATA_RECOMMENDATION,
    fix:
      'resource "aws_launch_template" "app" {\n  # ...\n  iam_instance_profile {\n    name = aws_iam_instance_profile.app.name\n  }\n  user_data = base64encode(templatefile("${path.module}/boot.sh", { secret_id = aws_secretsmanager_secret.db.id }))\n}',
    aliases: ["CKV_AWS_46", "AVD-AWS-0129", "AVD-AWS-0122"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_launch_template", "aws_launch_configuration"],
  userDataVerdict,
);

export const ec2Rules: readonly Rule<TfProject>[] = [
  ec2InstanceImdsv2,
  ec2LaunchTemplateImdsv2,
  ec2PublicIp,
  ec2InstanceUserDataSecrets,
  ec2LaunchTemplateUserDataSecrets,
];

import type { Rule } from "../../../types.js";
import type { TfProject } from "../../model.js";
import { attr, cis, fail, pass, readBool, readString, resourceRule, setOrUnknown, soc2 } from "./util.js";

const TRAIL = ["aws_cloudtrail"] as const;

export const cloudtrailMultiRegion: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-CLOUDTRAIL-001",
    severity: "medium",
    title: "CloudTrail trail records every region",
    message: "The CloudTrail trail records only its home region: activity in other regions goes unlogged.",
    recommendation: "Make the trail multi-region so API activity in every region, including ones you do not use, is recorded.",
    fix: 'resource "aws_cloudtrail" "main" {\n  # ...\n  is_multi_region_trail = true\n}',
    aliases: ["CKV_AWS_67", "AVD-AWS-0014"],
    compliance: [cis("3.1", true), soc2("CC7.2", true)],
  },
  TRAIL,
  (r) => {
    const a = attr(r, "is_multi_region_trail");
    const v = readBool(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    return fail(
      v.kind === "absent" ? "is_multi_region_trail is not set (defaults to false)" : "is_multi_region_trail is false",
      a,
    );
  },
);

export const cloudtrailLogValidation: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-CLOUDTRAIL-002",
    severity: "medium",
    title: "CloudTrail log file validation is enabled",
    message: "CloudTrail log file validation is off: tampering with or deleting delivered log files cannot be detected.",
    recommendation: "Enable log file validation so CloudTrail writes signed digest files for every delivered log.",
    fix: 'resource "aws_cloudtrail" "main" {\n  # ...\n  enable_log_file_validation = true\n}',
    aliases: ["CKV_AWS_36", "AVD-AWS-0016"],
    compliance: [cis("3.2", false), soc2("CC7.2", true)],
  },
  TRAIL,
  (r) => {
    const a = attr(r, "enable_log_file_validation");
    const v = readBool(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    return fail(
      v.kind === "absent" ? "enable_log_file_validation is not set (defaults to false)" : "enable_log_file_validation is false",
      a,
    );
  },
);

export const cloudtrailKms: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-CLOUDTRAIL-003",
    severity: "medium",
    title: "CloudTrail logs are encrypted with a KMS key",
    message: "CloudTrail logs are not encrypted with a customer managed KMS key (SSE-KMS).",
    recommendation: "Set kms_key_id to a customer managed KMS key whose policy lets CloudTrail encrypt and your auditors decrypt.",
    fix: 'resource "aws_cloudtrail" "main" {\n  # ...\n  kms_key_id = aws_kms_key.cloudtrail.arn\n}',
    aliases: ["CKV_AWS_35", "AVD-AWS-0015"],
    compliance: [cis("3.5", false), soc2("CC6.1", true)],
  },
  TRAIL,
  (r) => {
    const a = attr(r, "kms_key_id");
    if (setOrUnknown(a)) return pass(a);
    return fail("kms_key_id is not set", a);
  },
);

export const cloudtrailCloudWatch: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-CLOUDTRAIL-004",
    severity: "low",
    title: "CloudTrail trail delivers to CloudWatch Logs",
    message: "The CloudTrail trail does not send events to CloudWatch Logs: no real-time metric filters or alarms are possible.",
    recommendation: "Deliver the trail to a CloudWatch Logs group (with a role CloudTrail can assume) and alarm on sensitive API calls.",
    fix:
      'resource "aws_cloudtrail" "main" {\n  # ...\n  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_cloudwatch.arn\n}',
    aliases: ["CKV2_AWS_10", "AVD-AWS-0162"],
    compliance: [soc2("CC7.2")],
  },
  TRAIL,
  (r) => {
    const a = attr(r, "cloud_watch_logs_group_arn");
    const v = readString(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value.trim() !== "")) return pass(a);
    return fail("cloud_watch_logs_group_arn is not set", a);
  },
);

export const cloudtrailRules: readonly Rule<TfProject>[] = [
  cloudtrailMultiRegion,
  cloudtrailLogValidation,
  cloudtrailKms,
  cloudtrailCloudWatch,
];

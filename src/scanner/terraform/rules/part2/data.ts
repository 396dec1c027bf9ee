import type { Rule } from "../../../types.js";
import type { TfProject } from "../../model.js";
import { attr, fail, firstBlock, hasDynamic, pass, readBool, readString, resourceRule, setOrUnknown, soc2 } from "./util.js";

export const cloudwatchLogGroupKms: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-CLOUDWATCH-001",
    severity: "low",
    title: "CloudWatch log group is encrypted with a KMS key",
    message: "The CloudWatch log group is not encrypted with a customer managed KMS key.",
    recommendation: "Set kms_key_id to a customer managed key whose policy allows the logs service principal of the region.",
    fix: 'resource "aws_cloudwatch_log_group" "app" {\n  name              = "/app/api"\n  retention_in_days = 365\n  kms_key_id        = aws_kms_key.logs.arn\n}',
    aliases: ["CKV_AWS_158", "AVD-AWS-0017"],
    compliance: [soc2("CC6.1")],
  },
  ["aws_cloudwatch_log_group"],
  (r) => {
    const a = attr(r, "kms_key_id");
    return setOrUnknown(a) ? pass(a) : fail("kms_key_id is not set", a);
  },
);

export const dynamodbPitr: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-DYNAMODB-001",
    severity: "medium",
    title: "DynamoDB table has point-in-time recovery",
    message: "Point-in-time recovery is off: an accidental or malicious write or delete cannot be rolled back.",
    recommendation: "Enable point-in-time recovery (continuous backups for the last 35 days).",
    fix: 'resource "aws_dynamodb_table" "orders" {\n  # ...\n  point_in_time_recovery {\n    enabled = true\n  }\n}',
    aliases: ["CKV_AWS_28", "AVD-AWS-0024"],
    compliance: [soc2("A1.2", true)],
  },
  ["aws_dynamodb_table"],
  (r) => {
    if (hasDynamic(r, "point_in_time_recovery")) return pass();
    const pitr = firstBlock(r, "point_in_time_recovery");
    if (pitr === undefined) return fail("no point_in_time_recovery block (disabled by default)");
    const a = attr(pitr, "enabled");
    const v = readBool(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    return fail("point_in_time_recovery.enabled is not true", a ?? pitr);
  },
);

export const secretsManagerCmk: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-SECRETSMANAGER-001",
    severity: "low",
    title: "Secrets Manager secret uses a customer managed KMS key",
    message: "The secret is encrypted with the AWS managed key aws/secretsmanager, whose policy you cannot restrict or share across accounts.",
    recommendation: "Set kms_key_id to a customer managed KMS key so decryption is governed by a key policy you own.",
    fix: 'resource "aws_secretsmanager_secret" "db" {\n  name       = "app/db"\n  kms_key_id = aws_kms_key.secrets.arn\n}',
    aliases: ["CKV_AWS_149", "AVD-AWS-0098"],
    compliance: [soc2("CC6.1")],
  },
  ["aws_secretsmanager_secret"],
  (r) => {
    const a = attr(r, "kms_key_id");
    const v = readString(a);
    if (v.kind === "unknown") return pass(a);
    if (v.kind === "absent" || v.value.trim() === "") return fail("kms_key_id is not set (uses aws/secretsmanager)", a);
    if (v.value.includes("alias/aws/")) return fail(`kms_key_id is the AWS managed key ${v.value}`, a);
    return pass(a);
  },
);

export const dataRules: readonly Rule<TfProject>[] = [cloudwatchLogGroupKms, dynamodbPitr, secretsManagerCmk];

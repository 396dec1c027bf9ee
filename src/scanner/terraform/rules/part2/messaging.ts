import type { Rule } from "../../../types.js";
import type { TfProject } from "../../model.js";
import { attr, fail, pass, readBool, readString, resourceRule, setOrUnknown, soc2 } from "./util.js";

export const snsEncryption: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-SNS-001",
    severity: "medium",
    title: "SNS topic is encrypted at rest",
    message: "The SNS topic does not use server-side encryption (kms_master_key_id is not set).",
    recommendation: "Set kms_master_key_id, preferably to a customer managed KMS key whose policy lets the publishing services use it.",
    fix: 'resource "aws_sns_topic" "events" {\n  # ...\n  kms_master_key_id = aws_kms_key.sns.id\n}',
    aliases: ["CKV_AWS_26", "AVD-AWS-0095"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_sns_topic"],
  (r) => {
    const a = attr(r, "kms_master_key_id");
    return setOrUnknown(a) ? pass(a) : fail("kms_master_key_id is not set", a);
  },
);

export const snsCustomerKey: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-SNS-002",
    severity: "low",
    title: "SNS topic uses a customer managed KMS key",
    message: "The SNS topic is encrypted with the AWS managed key alias/aws/sns, whose policy you cannot change.",
    recommendation: "Use a customer managed KMS key so you control its policy, rotation and cross-account use.",
    fix: 'resource "aws_sns_topic" "events" {\n  # ...\n  kms_master_key_id = aws_kms_key.sns.id\n}',
    aliases: ["AVD-AWS-0136"],
    compliance: [soc2("CC6.1")],
  },
  ["aws_sns_topic"],
  (r) => {
    const a = attr(r, "kms_master_key_id");
    const v = readString(a);
    if (v.kind === "absent" || (v.kind === "known" && v.value.trim() === "")) return undefined;
    if (v.kind === "known" && v.value.trim() === "alias/aws/sns") return fail("kms_master_key_id is the AWS managed key alias/aws/sns", a);
    return pass(a);
  },
);

export const sqsEncryption: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-SQS-001",
    severity: "medium",
    title: "SQS queue is encrypted at rest",
    message: "The SQS queue enables neither SSE-KMS (kms_master_key_id) nor SSE-SQS (sqs_managed_sse_enabled).",
    recommendation: "Set kms_master_key_id to a KMS key, or at least sqs_managed_sse_enabled = true.",
    fix: 'resource "aws_sqs_queue" "jobs" {\n  # ...\n  kms_master_key_id                 = aws_kms_key.sqs.id\n  kms_data_key_reuse_period_seconds = 300\n}',
    aliases: ["CKV_AWS_27", "AVD-AWS-0096"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_sqs_queue"],
  (r) => {
    const key = attr(r, "kms_master_key_id");
    if (setOrUnknown(key)) return pass(key);
    const sseAttr = attr(r, "sqs_managed_sse_enabled");
    const sse = readBool(sseAttr);
    if (sse.kind === "unknown" || (sse.kind === "known" && sse.value)) return pass(sseAttr);
    return fail(
      sse.kind === "known" ? "sqs_managed_sse_enabled is false and no kms_master_key_id is set" : "neither kms_master_key_id nor sqs_managed_sse_enabled is set",
      sseAttr,
    );
  },
);

export const sqsCustomerKey: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-SQS-002",
    severity: "low",
    title: "SQS queue uses a customer managed KMS key",
    message: "The SQS queue is encrypted with the AWS managed key alias/aws/sqs, whose policy you cannot change.",
    recommendation: "Use a customer managed KMS key so you control its policy, rotation and cross-account use.",
    fix: 'resource "aws_sqs_queue" "jobs" {\n  # ...\n  kms_master_key_id = aws_kms_key.sqs.id\n}',
    aliases: ["AVD-AWS-0135"],
    compliance: [soc2("CC6.1")],
  },
  ["aws_sqs_queue"],
  (r) => {
    const a = attr(r, "kms_master_key_id");
    const v = readString(a);
    if (v.kind === "absent" || (v.kind === "known" && v.value.trim() === "")) return undefined;
    if (v.kind === "known" && v.value.trim() === "alias/aws/sqs") return fail("kms_master_key_id is the AWS managed key alias/aws/sqs", a);
    return pass(a);
  },
);

export const messagingRules: readonly Rule<TfProject>[] = [snsEncryption, snsCustomerKey, sqsEncryption, sqsCustomerKey];

/**
 * modules/s3-bucket: a bucket with ACLs disabled (BucketOwnerEnforced), every
 * public access block setting on, default SSE-KMS with a customer managed key
 * and bucket keys, versioning, lifecycle rules (incomplete uploads, old
 * versions, optional tiering and expiry), a policy denying plain HTTP and TLS
 * below 1.2, and server access logging to a log bucket of its own.
 *
 * The log bucket is encrypted with SSE-S3 because S3 server access logging
 * cannot deliver to a bucket whose default encryption is SSE-KMS; MFA delete
 * can only be turned on by the root user with an MFA code, outside Terraform.
 * Both deviations carry a reasoned suppression for the scanner.
 */
import type { Body, BodyItem, Expr, Plain } from "../hcl.js";
import { attr, blank, block, call, comment, cond, op, ref, section, tpl } from "../hcl.js";
import type { CallContext, Instance, ModuleCall, ModuleFiles } from "../model.js";
import type { ResourceOf } from "../schema.js";
import { fullName } from "../schema.js";
import { ACCOUNT_ID, NUMBER, STRING, contextData, data, kmsKey, output, res, suppression, tagsVariable, variable } from "./common.js";

const MFA_DELETE_REASON = "MFA delete can only be enabled by the root user with an MFA code (aws s3api put-bucket-versioning --mfa), not by Terraform in a pipeline";
const LOG_BUCKET_SSE_REASON = "S3 server access logs can only be delivered to a bucket encrypted with SSE-S3; SSE-KMS is not supported for log target buckets";

function bucketBasics(label: "this" | "access_logs", bucket: Expr): BodyItem[] {
  const id = ref(`aws_s3_bucket.${label}.id`);
  return [
    res("aws_s3_bucket", label, section([attr("bucket", bucket), attr("force_destroy", false)], [attr("tags", ref("var.tags"))])),
    comment("ACLs are disabled: access is granted by policies only."),
    res("aws_s3_bucket_ownership_controls", label, [attr("bucket", id), blank, block("rule", [], [attr("object_ownership", "BucketOwnerEnforced")])]),
    res("aws_s3_bucket_public_access_block", label, section(
      [attr("bucket", id)],
      [
        attr("block_public_acls", true),
        attr("block_public_policy", true),
        attr("ignore_public_acls", true),
        attr("restrict_public_buckets", true),
      ],
    )),
    suppression("DP-AWS-S3-013", MFA_DELETE_REASON),
    res("aws_s3_bucket_versioning", label, [attr("bucket", id), blank, block("versioning_configuration", [], [attr("status", "Enabled")])]),
  ];
}

function tlsOnly(label: string): BodyItem[] {
  const arn = ref(`aws_s3_bucket.${label}.arn`);
  const deny = (sid: string, test: string, variableName: string, value: string) =>
    block("statement", [], section(
      [attr("sid", sid), attr("effect", "Deny"), attr("actions", ["s3:*"]), attr("resources", [arn, tpl(arn, "/*")])],
      [block("principals", [], [attr("type", "*"), attr("identifiers", ["*"])])],
      [block("condition", [], [attr("test", test), attr("variable", variableName), attr("values", [value])])],
    ));
  return [deny("DenyInsecureTransport", "Bool", "aws:SecureTransport", "false"), blank, deny("DenyOutdatedTls", "NumericLessThan", "s3:TlsVersion", "1.2")];
}

function lifecycleRule(id: string, body: Body): BodyItem {
  return block("rule", [], section([attr("id", id), attr("status", "Enabled")], [block("filter", [], [])], body));
}

function main(): Body {
  const id = ref("aws_s3_bucket.this.id");
  const logsId = ref("aws_s3_bucket.access_logs.id");
  return [
    ...contextData(false),
    ...kmsKey("this", tpl("Default encryption of S3 bucket ", ref("var.name")), "s3"),
    ...bucketBasics("this", ref("var.name")),
    res("aws_s3_bucket_server_side_encryption_configuration", "this", [
      attr("bucket", id),
      blank,
      block("rule", [], section(
        [block("apply_server_side_encryption_by_default", [], [attr("sse_algorithm", "aws:kms"), attr("kms_master_key_id", ref("aws_kms_key.this.arn"))])],
        [comment("S3 Bucket Keys cut KMS requests (and their cost) by up to 99%."), attr("bucket_key_enabled", true)],
      )),
    ]),
    res("aws_s3_bucket_lifecycle_configuration", "this", section(
      [attr("bucket", id)],
      [lifecycleRule("abort-incomplete-multipart-uploads", [block("abort_incomplete_multipart_upload", [], [attr("days_after_initiation", 7)])])],
      [lifecycleRule("expire-noncurrent-versions", section(
        [block("noncurrent_version_expiration", [], [attr("noncurrent_days", ref("var.noncurrent_version_expiration_days"))])],
        [block("expiration", [], [attr("expired_object_delete_marker", true)])],
      ))],
      [block("dynamic", ["rule"], section(
        [attr("for_each", cond(op(ref("var.transition_to_ia_days"), "==", null), [], [ref("var.transition_to_ia_days")]))],
        [block("content", [], section(
          [attr("id", "transition-to-standard-ia"), attr("status", "Enabled")],
          [block("filter", [], [])],
          [block("transition", [], [attr("days", ref("rule.value")), attr("storage_class", "STANDARD_IA")])],
        ))],
      ))],
      [block("dynamic", ["rule"], section(
        [attr("for_each", cond(op(ref("var.expiration_days"), "==", null), [], [ref("var.expiration_days")]))],
        [block("content", [], section(
          [attr("id", "expire-current-objects"), attr("status", "Enabled")],
          [block("filter", [], [])],
          [block("expiration", [], [attr("days", ref("rule.value"))])],
        ))],
      ))],
      [attr("depends_on", [ref("aws_s3_bucket_versioning.this")])],
    )),
    data("aws_iam_policy_document", "this", tlsOnly("this")),
    res("aws_s3_bucket_policy", "this", section(
      [attr("bucket", id), attr("policy", ref("data.aws_iam_policy_document.this.json"))],
      [attr("depends_on", [ref("aws_s3_bucket_public_access_block.this")])],
    )),
    res("aws_s3_bucket_logging", "this", section(
      [attr("bucket", id), attr("target_bucket", logsId), attr("target_prefix", "logs/")],
      [block("target_object_key_format", [], [block("partitioned_prefix", [], [attr("partition_date_source", "EventTime")])])],
      [attr("depends_on", [ref("aws_s3_bucket_policy.access_logs")])],
    )),
    comment("Server access logs of the bucket above."),
    ...bucketBasics("access_logs", tpl(ref("var.name"), "-access-logs")),
    suppression("DP-AWS-S3-002", LOG_BUCKET_SSE_REASON),
    res("aws_s3_bucket_server_side_encryption_configuration", "access_logs", [
      attr("bucket", logsId),
      blank,
      block("rule", [], [block("apply_server_side_encryption_by_default", [], [attr("sse_algorithm", "AES256")])]),
    ]),
    res("aws_s3_bucket_lifecycle_configuration", "access_logs", section(
      [attr("bucket", logsId)],
      [lifecycleRule("expire-access-logs", section(
        [block("expiration", [], [attr("days", ref("var.access_log_retention_days"))])],
        [block("noncurrent_version_expiration", [], [attr("noncurrent_days", 7)])],
        [block("abort_incomplete_multipart_upload", [], [attr("days_after_initiation", 1)])],
      ))],
      [attr("depends_on", [ref("aws_s3_bucket_versioning.access_logs")])],
    )),
    data("aws_iam_policy_document", "access_logs", [
      ...tlsOnly("access_logs"),
      blank,
      block("statement", [], section(
        [attr("sid", "AllowServerAccessLogDelivery"), attr("actions", ["s3:PutObject"]), attr("resources", [tpl(ref("aws_s3_bucket.access_logs.arn"), "/logs/*")])],
        [block("principals", [], [attr("type", "Service"), attr("identifiers", ["logging.s3.amazonaws.com"])])],
        [
          block("condition", [], [attr("test", "ArnLike"), attr("variable", "aws:SourceArn"), attr("values", [ref("aws_s3_bucket.this.arn")])]),
          block("condition", [], [attr("test", "StringEquals"), attr("variable", "aws:SourceAccount"), attr("values", [ACCOUNT_ID])]),
        ],
      )),
    ]),
    res("aws_s3_bucket_policy", "access_logs", section(
      [attr("bucket", logsId), attr("policy", ref("data.aws_iam_policy_document.access_logs.json"))],
      [attr("depends_on", [ref("aws_s3_bucket_public_access_block.access_logs")])],
    )),
  ];
}

function variables(): Body {
  return [
    variable("name", {
      description: "Name of the bucket (globally unique); the log bucket is <name>-access-logs.",
      type: STRING,
      validations: [{
        condition: call("can", call("regex", "^[a-z0-9][a-z0-9-]{1,49}[a-z0-9]$", ref("var.name"))),
        message: "name must be 3 to 51 characters of lower-case letters, digits and '-' (the log bucket adds -access-logs).",
      }],
    }),
    variable("noncurrent_version_expiration_days", { description: "Days after which old versions of objects are deleted.", type: NUMBER, default: 90 }),
    variable("transition_to_ia_days", { description: "Move current objects to STANDARD_IA after this many days (at least 30); null keeps them in STANDARD.", type: NUMBER, default: null }),
    variable("expiration_days", { description: "Delete current objects after this many days; null keeps them.", type: NUMBER, default: null }),
    variable("access_log_retention_days", { description: "Days the server access logs are kept.", type: NUMBER, default: 365 }),
    tagsVariable(),
  ];
}

function outputs(): Body {
  return [
    output("bucket_id", "Name of the bucket.", ref("aws_s3_bucket.this.id")),
    output("bucket_arn", "ARN of the bucket.", ref("aws_s3_bucket.this.arn")),
    output("bucket_regional_domain_name", "Regional domain name of the bucket.", ref("aws_s3_bucket.this.bucket_regional_domain_name")),
    output("kms_key_arn", "KMS key of the bucket's default encryption (readers and writers need kms:Decrypt / kms:GenerateDataKey on it).", ref("aws_kms_key.this.arn")),
    output("access_log_bucket_id", "Bucket receiving the server access logs.", ref("aws_s3_bucket.access_logs.id")),
  ];
}

export function s3Files(): ModuleFiles {
  return { main: main(), variables: variables(), outputs: outputs() };
}

export function bucketName(r: ResourceOf<"s3_bucket">, project: string, env: string): string {
  return r.bucket_name ?? fullName(project, env, r.name);
}

export function s3Call(r: ResourceOf<"s3_bucket">, ctx: CallContext): ModuleCall {
  const name = bucketName(r, ctx.project, ctx.environment);
  const args: [string, Plain][] = [
    ["name", name],
    ["noncurrent_version_expiration_days", r.noncurrent_version_expiration_days],
  ];
  if (r.transition_to_ia_days !== undefined) args.push(["transition_to_ia_days", r.transition_to_ia_days]);
  if (r.expiration_days !== undefined) args.push(["expiration_days", r.expiration_days]);
  args.push(["access_log_retention_days", r.access_log_retention_days]);
  if (r.tags !== undefined) args.push(["tags", r.tags]);
  const logs = `${name}-access-logs`;
  const both = (suffix: string, attrs: Instance["attributes"] = {}): Instance[] => [
    { address: `${suffix}.this`, attributes: attrs },
    { address: `${suffix}.access_logs`, attributes: attrs },
  ];
  const instances: Instance[] = [
    { address: "aws_kms_key.this", attributes: { enable_key_rotation: true } },
    { address: "aws_kms_alias.this", attributes: { name: `alias/${name}-s3` } },
    { address: "aws_s3_bucket.this", attributes: { bucket: name, force_destroy: false } },
    { address: "aws_s3_bucket.access_logs", attributes: { bucket: logs, force_destroy: false } },
    ...both("aws_s3_bucket_ownership_controls", { "rule.0.object_ownership": "BucketOwnerEnforced" }),
    ...both("aws_s3_bucket_public_access_block", { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
    ...both("aws_s3_bucket_versioning", { "versioning_configuration.0.status": "Enabled" }),
    { address: "aws_s3_bucket_server_side_encryption_configuration.this", attributes: {} },
    { address: "aws_s3_bucket_server_side_encryption_configuration.access_logs", attributes: {} },
    ...both("aws_s3_bucket_lifecycle_configuration"),
    ...both("aws_s3_bucket_policy"),
    { address: "aws_s3_bucket_logging.this", attributes: { target_bucket: logs, target_prefix: "logs/" } },
  ];
  const l = ctx.label;
  return {
    args,
    instances,
    rootVariables: [],
    rootOutputs: [output(`${l}_bucket`, `Name of S3 bucket ${r.name}.`, ref(`module.${l}.bucket_id`))],
  };
}

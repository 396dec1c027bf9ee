/**
 * Building blocks shared by the modules and the environment roots: the
 * versions block, variables and outputs with descriptions and validation,
 * the account/partition/region data sources, and KMS keys with explicit key
 * policies.
 */
import type { Body, BodyItem, Expr, Plain } from "../hcl.js";
import { attr, attrs, block, blank, call, comment, list, obj, ref, section, tpl, type } from "../hcl.js";

/** Terraform itself: S3 native state locking (`use_lockfile`) is generally available from 1.11. */
export const TERRAFORM_VERSION_ROOT = "~> 1.11";
export const TERRAFORM_VERSION_MODULE = ">= 1.11";

/**
 * AWS provider 6.x, the current major: it has per-resource `region`, drops
 * arguments deprecated in 5.x (aws_eip.vpc, aws_flow_log.log_group_name…)
 * and is what terraform-aws-modules' current majors (vpc 6, eks 21) require.
 * Roots pin the major; modules state the range they are written for.
 */
export const AWS_PROVIDER_ROOT = "~> 6.0";
export const AWS_PROVIDER_MODULE = ">= 6.0, < 7.0";

export const res = (t: string, name: string, body: Body): BodyItem => block("resource", [t, name], body);
export const data = (t: string, name: string, body: Body = []): BodyItem => block("data", [t, name], body);

export function versionsFile(kind: "module" | "root"): Body {
  return [
    block("terraform", [], [
      attr("required_version", kind === "root" ? TERRAFORM_VERSION_ROOT : TERRAFORM_VERSION_MODULE),
      blank,
      block("required_providers", [], [
        attr("aws", {
          source: "hashicorp/aws",
          version: kind === "root" ? AWS_PROVIDER_ROOT : AWS_PROVIDER_MODULE,
        }),
      ]),
    ]),
  ];
}

export interface Validation {
  condition: Expr;
  message: string;
}

export interface VariableSpec {
  description: string;
  type: Expr;
  default?: Plain;
  nullable?: boolean;
  sensitive?: boolean;
  validations?: readonly Validation[];
}

export function variable(name: string, spec: VariableSpec): BodyItem {
  return block("variable", [name], [
    ...attrs({
      description: spec.description,
      type: spec.type,
      default: spec.default,
      nullable: spec.nullable,
      sensitive: spec.sensitive,
    }),
    ...(spec.validations ?? []).flatMap((val) => [blank, block("validation", [], [attr("condition", val.condition), attr("error_message", val.message)])]),
  ]);
}

export function output(name: string, description: string, value: Plain, sensitive = false): BodyItem {
  return block("output", [name], attrs({ description, value, sensitive: sensitive ? true : undefined }));
}

export const listOf = (t: Expr): Expr => call("list", t);
export const mapOf = (t: Expr): Expr => call("map", t);
export const STRING = type("string");
export const NUMBER = type("number");
export const BOOL = type("bool");

export const PARTITION = ref("data.aws_partition.current.partition");
export const ACCOUNT_ID = ref("data.aws_caller_identity.current.account_id");
/** `data.aws_region.current.region` (AWS provider 6 renamed `name` to `region`). */
export const REGION = ref("data.aws_region.current.region");

/** The data sources a module reads its account, partition and region from. */
export function contextData(withRegion: boolean): BodyItem[] {
  return [
    data("aws_caller_identity", "current"),
    data("aws_partition", "current"),
    ...(withRegion ? [data("aws_region", "current")] : []),
  ];
}

export const managedPolicy = (path: string): Expr => tpl("arn:", PARTITION, `:iam::aws:policy/${path}`);

/** `name` is a lower-case AWS-friendly name of at most `max` characters. */
export function nameVariable(description: string, max: number): BodyItem {
  return variable("name", {
    description,
    type: STRING,
    validations: [
      {
        condition: call("can", call("regex", `^[a-z][a-z0-9-]{1,${max - 1}}$`, ref("var.name"))),
        message: `name must be lower-case letters, digits and '-', starting with a letter, at most ${max} characters.`,
      },
    ],
  });
}

export function tagsVariable(): BodyItem {
  return variable("tags", { description: "Tags added to every resource of the module (the provider's default_tags apply as well).", type: mapOf(STRING), default: {} });
}

export function retentionVariable(name: string, description: string, allowed: readonly number[], dflt: number): BodyItem {
  return variable(name, {
    description,
    type: NUMBER,
    default: dflt,
    validations: [{ condition: call("contains", list(allowed), ref(`var.${name}`)), message: `${name} must be a CloudWatch Logs retention period: ${allowed.join(", ")}.` }],
  });
}

/** A service principal allowed to use a key, limited by a condition. */
export interface KeyGrant {
  sid: string;
  service: Expr;
  actions: readonly string[];
  condition: Plain;
}

/** Statement of a key policy that lets CloudWatch Logs of this region use the key for log groups matching `logGroupArnPattern`. */
export function logsKeyGrant(logGroupArnPattern: Expr): KeyGrant {
  return {
    sid: "AllowCloudWatchLogs",
    service: tpl("logs.", REGION, ".amazonaws.com"),
    actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArnPattern } },
  };
}

/** `arn:<partition>:logs:<region>:<account>:log-group:<name>`. */
export function logGroupArn(name: Expr | string): Expr {
  return tpl("arn:", PARTITION, ":logs:", REGION, ":", ACCOUNT_ID, ":log-group:", name);
}

/**
 * A customer managed KMS key with rotation and a 30-day deletion window,
 * and its alias. The key policy is written out (jsonencode) instead of
 * relying on the implicit default: the account may administer the key
 * through IAM, and only the named services may use it, under conditions.
 */
export function kmsKey(label: string, description: Expr | string, aliasSuffix: string, grants: readonly KeyGrant[] = []): BodyItem[] {
  const statements: Plain[] = [
    {
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: tpl("arn:", PARTITION, ":iam::", ACCOUNT_ID, ":root") },
      Action: "kms:*",
      Resource: "*",
    },
    ...grants.map((g) => ({
      Sid: g.sid,
      Effect: "Allow",
      Principal: { Service: g.service },
      Action: list([...g.actions]),
      Resource: "*",
      Condition: g.condition,
    })),
  ];
  return [
    res("aws_kms_key", label, [
      attr("description", description),
      attr("enable_key_rotation", true),
      attr("deletion_window_in_days", 30),
      attr("policy", call("jsonencode", { Version: "2012-10-17", Statement: list(statements, { multiline: true }) })),
      blank,
      attr("tags", ref("var.tags")),
    ]),
    res("aws_kms_alias", label, [attr("name", tpl("alias/", ref("var.name"), `-${aliasSuffix}`)), attr("target_key_id", ref(`aws_kms_key.${label}.key_id`))]),
  ];
}

/** An assume-role policy document for AWS service principals, with optional conditions. */
export function serviceAssumeRole(label: string, sid: string, services: readonly string[], conditions: readonly { test: string; variable: string; values: Plain }[] = [], actions: readonly string[] = ["sts:AssumeRole"]): BodyItem {
  return data("aws_iam_policy_document", label, [
    block("statement", [], section(
      [attr("sid", sid), attr("actions", [...actions])],
      [block("principals", [], [attr("type", "Service"), attr("identifiers", [...services])])],
      conditions.map((c) => block("condition", [], [attr("test", c.test), attr("variable", c.variable), attr("values", c.values)])),
    )),
  ]);
}

/** A suppression of one of our scanner's rules, with the reason a reviewer reads. */
export function suppression(ruleId: string, reason: string): BodyItem {
  return comment(`devops-pack:ignore ${ruleId} ${reason}`);
}

/** `merge(var.tags, { Name = … })`. */
export function nameTags(name: Expr | string, extra: Record<string, Plain> = {}, base: readonly Expr[] = [ref("var.tags")]): Expr {
  return call("merge", ...base, obj({ Name: name, ...extra }));
}


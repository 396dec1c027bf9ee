import type { Rule } from "../../../types.js";
import type { TfAttr, TfProject, TfValue } from "../../model.js";
import { findSecretsInPair, findSecretsInText, literalText, type SecretHit } from "./secrets.js";
import {
  asArray,
  attr,
  blocks,
  dynamicContents,
  fail,
  hasDynamic,
  isMap,
  isRecord,
  isUnknown,
  jsonDocument,
  pass,
  readString,
  resourceRule,
  soc2,
  stringOf,
  upper,
} from "./util.js";

function describe(hits: readonly SecretHit[]): string {
  return hits.map((h) => h.kind).join(", ");
}

/** Secrets in a map of environment variables, known or not. */
function mapSecrets(a: TfAttr): SecretHit[] {
  const v = a.value;
  if (isMap(v)) {
    const hits: SecretHit[] = [];
    for (const [name, value] of Object.entries(v)) {
      const s = stringOf(value);
      if (s.kind === "known") hits.push(...findSecretsInPair(name, s.value));
    }
    return hits;
  }
  if (isUnknown(v)) return findSecretsInText(literalText(a.expr));
  return [];
}

export const lambdaEnvSecrets: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-LAMBDA-001",
    severity: "critical",
    title: "Lambda environment variables contain no hard-coded secrets",
    message: "A Lambda environment variable holds a hard-coded secret: it is readable by anyone who can view the function's configuration, and it is in the Terraform state and source.",
    recommendation: "Store the secret in Secrets Manager or SSM Parameter Store, pass only its name or ARN in the environment, and read it at run time with the function's role.",
    fix:
      'resource "aws_lambda_function" "api" {\n  # ...\n  environment {\n    variables = {\n      DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db.arn\n    }\n  }\n}',
    aliases: ["CKV_AWS_45"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_lambda_function"],
  (r) => {
    for (const env of [...blocks(r, "environment"), ...dynamicContents(r, "environment")]) {
      const vars = attr(env, "variables");
      if (vars === undefined) continue;
      const hits = mapSecrets(vars);
      if (hits.length > 0) return fail(`environment.variables contains a hard-coded secret (${describe(hits)})`, vars);
    }
    return pass();
  },
);

export const lambdaUrlAuth: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-LAMBDA-002",
    severity: "medium",
    title: "Lambda function URL requires IAM authentication",
    message: "The Lambda function URL has authorization_type = \"NONE\": anyone on the internet can invoke the function.",
    recommendation: "Use authorization_type = \"AWS_IAM\", or put the function behind API Gateway or CloudFront with authentication; if it must be public, authenticate requests in the function and say so with a suppression.",
    fix: 'resource "aws_lambda_function_url" "api" {\n  function_name      = aws_lambda_function.api.function_name\n  authorization_type = "AWS_IAM"\n}',
    aliases: ["CKV_AWS_258"],
    compliance: [soc2("CC6.1")],
  },
  ["aws_lambda_function_url"],
  (r) => {
    const a = attr(r, "authorization_type");
    const v = readString(a);
    if (v.kind === "known" && upper(v.value) === "NONE") return fail("authorization_type is \"NONE\"", a);
    return pass(a);
  },
);

/** Secrets in one container definition (already parsed). */
function containerSecrets(container: unknown): SecretHit[] {
  if (!isRecord(container)) return [];
  const hits: SecretHit[] = [];
  for (const env of asArray(container.environment)) {
    if (!isRecord(env)) continue;
    const name = typeof env.name === "string" ? env.name : undefined;
    const value = env.value;
    if (name === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      hits.push(...findSecretsInPair(name, String(value)));
    }
  }
  return hits;
}

/** `{ name = "X", value = "y" }` pairs in source text, either order, HCL or JSON. */
const NAME_THEN_VALUE = /["']?name["']?\s*[:=]\s*"([^"\n]*)"\s*,?\s*["']?value["']?\s*[:=]\s*"([^"\n]*)"/g;
const VALUE_THEN_NAME = /["']?value["']?\s*[:=]\s*"([^"\n]*)"\s*,?\s*["']?name["']?\s*[:=]\s*"([^"\n]*)"/g;

function textContainerSecrets(text: string): SecretHit[] {
  const hits = findSecretsInText(text);
  for (const m of text.matchAll(NAME_THEN_VALUE)) hits.push(...findSecretsInPair(m[1] ?? "", m[2] ?? ""));
  for (const m of text.matchAll(VALUE_THEN_NAME)) hits.push(...findSecretsInPair(m[2] ?? "", m[1] ?? ""));
  return hits;
}

function definitionsSecrets(a: TfAttr): SecretHit[] {
  const v: TfValue = a.value;
  if (isUnknown(v)) return textContainerSecrets(literalText(a.expr));
  const doc = jsonDocument(v);
  if (doc === undefined) {
    return typeof v === "string" ? textContainerSecrets(v) : [];
  }
  const hits: SecretHit[] = [];
  for (const c of asArray(doc)) hits.push(...containerSecrets(c));
  // Known key formats anywhere else in the definitions (command, entryPoint…).
  hits.push(...findSecretsInText(typeof v === "string" ? v : JSON.stringify(doc)).filter((h) => !h.kind.startsWith("literal value")));
  return hits;
}

export const ecsEnvSecrets: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ECS-001",
    severity: "critical",
    title: "ECS container environment contains no hard-coded secrets",
    message: "A container definition passes a hard-coded secret in its plain-text environment.",
    recommendation: "Move the value to Secrets Manager or SSM Parameter Store and reference it from the container's \"secrets\" list (valueFrom); the task execution role needs read access to it.",
    fix:
      'container_definitions = jsonencode([{\n  name  = "app"\n  image = var.image\n  secrets = [{\n    name      = "DB_PASSWORD"\n    valueFrom = aws_secretsmanager_secret.db.arn\n  }]\n}])',
    aliases: ["AVD-AWS-0036"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_ecs_task_definition"],
  (r) => {
    const a = attr(r, "container_definitions");
    if (a === undefined) return undefined;
    const hits = definitionsSecrets(a);
    if (hits.length > 0) {
      const unique = [...new Map(hits.map((h) => [h.kind, h])).values()];
      return fail(`container_definitions holds a hard-coded secret (${describe(unique)})`, a);
    }
    return pass(a);
  },
);

/** `aws_ecs_account_setting_default` turning Container Insights on for new clusters of the account. */
function accountEnablesInsights(project: TfProject): boolean {
  return project.resources.some((d) => {
    if (d.mode !== "managed" || d.resourceType !== "aws_ecs_account_setting_default") return false;
    const name = readString(attr(d, "name"));
    const value = readString(attr(d, "value"));
    return (
      name.kind === "known" &&
      name.value === "containerInsights" &&
      value.kind === "known" &&
      ["enabled", "enhanced"].includes(value.value.trim().toLowerCase())
    );
  });
}

export const ecsContainerInsights: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ECS-002",
    severity: "low",
    title: "ECS cluster has Container Insights enabled",
    message: "Container Insights is not enabled on the ECS cluster: task-level metrics and performance logs are not collected.",
    recommendation: "Enable Container Insights (\"enabled\" or \"enhanced\") on the cluster.",
    fix: 'resource "aws_ecs_cluster" "main" {\n  name = "main"\n  setting {\n    name  = "containerInsights"\n    value = "enabled"\n  }\n}',
    aliases: ["CKV_AWS_65", "AVD-AWS-0034"],
    compliance: [soc2("CC7.2")],
  },
  ["aws_ecs_cluster"],
  (r, project) => {
    if (hasDynamic(r, "setting")) return pass();
    for (const s of blocks(r, "setting")) {
      const name = readString(attr(s, "name"));
      if (name.kind === "unknown") return pass(s);
      if (name.kind !== "known" || name.value !== "containerInsights") continue;
      const valueAttr = attr(s, "value");
      const value = readString(valueAttr);
      if (value.kind === "unknown") return pass(s);
      if (value.kind === "known" && ["enabled", "enhanced"].includes(value.value.trim().toLowerCase())) return pass(s);
      return fail(`containerInsights is "${value.kind === "known" ? value.value : ""}"`, valueAttr ?? s);
    }
    if (accountEnablesInsights(project)) return pass();
    return fail("no containerInsights setting (Container Insights is off by default)");
  },
);

export const workloadRules: readonly Rule<TfProject>[] = [lambdaEnvSecrets, lambdaUrlAuth, ecsEnvSecrets, ecsContainerInsights];

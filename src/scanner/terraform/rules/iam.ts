/**
 * IAM rules over every place a permission policy is written: `aws_iam_policy`,
 * the inline `aws_iam_role_policy` / `aws_iam_user_policy` /
 * `aws_iam_group_policy`, `inline_policy` blocks of `aws_iam_role`,
 * `aws_ssoadmin_permission_set_inline_policy`, and
 * `data "aws_iam_policy_document"` statements. Policies may be literal JSON,
 * heredocs, `jsonencode({...})` or a reference to a policy document in the same
 * module (then the document is the subject, not the resource).
 */
import type { Rule, RuleMeta } from "../../types.js";
import type { TfAttr, TfProject, TfResource } from "../model.js";
import { cis, soc2 } from "./compliance.js";
import { at, attr, blocks, dataSources, defineRule, resources, stringList, value } from "./helpers.js";
import type { Subject } from "./helpers.js";
import { actionMatches, isAllow, policyFromDocument, policyOf } from "./policy.js";
import type { Statement } from "./policy.js";

const POLICY_RESOURCES: readonly [string, string][] = [
  ["aws_iam_policy", "policy"],
  ["aws_iam_role_policy", "policy"],
  ["aws_iam_user_policy", "policy"],
  ["aws_iam_group_policy", "policy"],
  ["aws_ssoadmin_permission_set_inline_policy", "inline_policy"],
];

interface PolicyHolder {
  resource: TfResource;
  /** Statements, or null when the policy cannot be read statically. */
  statements: Statement[] | null;
  at: TfAttr | undefined;
}

/** Every policy in the project, once: documents as themselves, resources only when they hold the JSON. */
function policyHolders(p: TfProject): PolicyHolder[] {
  const out: PolicyHolder[] = [];
  const fromAttr = (r: TfResource, a: TfAttr | undefined): void => {
    if (a === undefined || a.value === null) return;
    const src = policyOf(p, r, a);
    if (src.kind === "document") return; // evaluated as the data source itself
    out.push({ resource: r, statements: src.kind === "policy" ? src.policy.statements : null, at: a });
  };
  for (const [type, name] of POLICY_RESOURCES) for (const r of resources(p, type)) fromAttr(r, attr(r, name));
  for (const role of resources(p, "aws_iam_role")) for (const b of blocks(role, "inline_policy")) fromAttr(role, attr(b, "policy"));
  for (const doc of dataSources(p, "aws_iam_policy_document")) {
    out.push({ resource: doc, statements: policyFromDocument(doc).statements, at: undefined });
  }
  return out;
}

function statementRule(meta: RuleMeta, bad: (s: Statement) => boolean): Rule<TfProject> {
  return defineRule(meta, function* (p) {
    for (const h of policyHolders(p)) {
      const found = h.statements?.find((s) => isAllow(s) && bad(s));
      const subject: Subject = { resource: h.resource, passed: found === undefined, at: found === undefined ? at(h.at) : { line: found.line, column: found.column } };
      yield subject;
    }
  });
}

const isStar = (x: string): boolean => x === "*" || x === "*:*";

export const iamAdmin = statementRule(
  {
    id: "DP-AWS-IAM-001",
    target: "terraform",
    severity: "critical",
    title: "IAM policy does not grant full administrative privileges",
    message: "A policy statement allows Action \"*\" on Resource \"*\" (full administrator access).",
    recommendation: "Grant only the actions and resources the principal needs; keep administrator access to a few break-glass roles managed outside application code.",
    fix: `data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["\${aws_s3_bucket.data.arn}/*"]
  }
}`,
    aliases: ["CKV_AWS_62", "CKV_AWS_1"],
    compliance: [cis("1.16"), soc2("CC6.1"), soc2("CC6.3")],
  },
  (s) => !s.notAction && !s.notResource && s.actions.some(isStar) && s.resources.some(isStar),
);

export const iamWildcardAction = statementRule(
  {
    id: "DP-AWS-IAM-002",
    target: "terraform",
    severity: "high",
    title: "IAM policy does not allow all actions (\"*\")",
    message: "A policy statement allows Action \"*\".",
    recommendation: "List the actions the principal needs instead of \"*\".",
    fix: `data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.jobs.arn]
  }
}`,
    aliases: ["CKV_AWS_63", "CKV_AWS_49"],
    compliance: [soc2("CC6.3")],
  },
  (s) => !s.notAction && s.actions.some(isStar),
);

const SERVICE_WILDCARD = /^[a-z0-9-]+:\*$/;

export const iamServiceWildcard = statementRule(
  {
    id: "DP-AWS-IAM-003",
    target: "terraform",
    severity: "medium",
    title: "IAM policy does not allow every action of a service (\"service:*\")",
    message: "A policy statement allows every action of a service (e.g. \"s3:*\").",
    recommendation: "Replace \"service:*\" with the specific actions needed (read-only access is usually a short list of Get/List/Describe actions).",
    fix: `data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn, "\${aws_s3_bucket.data.arn}/*"]
  }
}`,
    aliases: [],
    compliance: [soc2("CC6.3", false)],
  },
  (s) => !s.notAction && !s.hasPrincipals && s.actions.some((a) => SERVICE_WILDCARD.test(a)),
);

export const iamPassRoleStar = statementRule(
  {
    id: "DP-AWS-IAM-004",
    target: "terraform",
    severity: "high",
    title: "IAM policy does not allow iam:PassRole on all roles",
    message: "A policy statement allows iam:PassRole on Resource \"*\": the principal can hand any role, including administrator roles, to a service it controls.",
    recommendation: "Limit iam:PassRole to the ARNs of the roles the principal must pass, and add an iam:PassedToService condition.",
    fix: `data "aws_iam_policy_document" "deployer" {
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}`,
    aliases: [],
    compliance: [soc2("CC6.3")],
  },
  (s) => !s.notAction && !s.notResource && !s.hasPrincipals && s.resources.some(isStar) && s.actions.some((a) => actionMatches(a, "iam:PassRole")),
);

export const iamUserPolicies = defineRule(
  {
    id: "DP-AWS-IAM-005",
    target: "terraform",
    severity: "medium",
    title: "IAM policies are attached to groups or roles, not directly to users",
    message: "A policy is attached directly to an IAM user.",
    recommendation: "Attach policies to groups (and put users in groups) or to roles that users assume.",
    fix: `resource "aws_iam_group_policy_attachment" "developers" {
  group      = aws_iam_group.developers.name
  policy_arn = aws_iam_policy.developer.arn
}`,
    aliases: ["CKV_AWS_40", "AVD-AWS-0143"],
    compliance: [cis("1.15"), soc2("CC6.3")],
  },
  function* (p) {
    for (const r of resources(p, "aws_iam_user_policy", "aws_iam_user_policy_attachment")) yield { resource: r, passed: false };
    for (const r of resources(p, "aws_iam_policy_attachment")) {
      const users = stringList(value(r, "users"));
      yield { resource: r, passed: users.items.length === 0, at: at(attr(r, "users")) };
    }
  },
);

export const iamRules: Rule<TfProject>[] = [iamAdmin, iamWildcardAction, iamServiceWildcard, iamPassRoleStar, iamUserPolicies];

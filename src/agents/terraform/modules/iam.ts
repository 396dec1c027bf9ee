/**
 * modules/iam-role: a role trusted by named services, roles, GitHub Actions
 * workflows (OIDC, per repository and environment or branch) or Kubernetes
 * service accounts (IRSA), with an inline policy built from the declared
 * statements. The module refuses "*" and "service:*" actions itself, so the
 * guarantee holds for callers other than this pack.
 */
import type { Body, Expr, Plain } from "../hcl.js";
import { attr, blank, block, call, cond, forList, list, not, obj, op, ref, section, tpl } from "../hcl.js";
import type { CallContext, Instance, ModuleCall, ModuleFiles } from "../model.js";
import { key } from "../model.js";
import type { ResourceOf } from "../schema.js";
import { RESOURCE_REF } from "../schema.js";
import { ACCOUNT_ID, NUMBER, PARTITION, STRING, contextData, data, listOf, nameVariable, output, res, tagsVariable, variable } from "./common.js";

const GITHUB_OIDC = "token.actions.githubusercontent.com";

function trustStatement(sid: Plain, forEach: Plain, action: string, principal: { type: string; identifiers: Plain }, conditions: readonly { test: string; variable: Plain; values: Plain }[] = []) {
  return block("dynamic", ["statement"], section(
    [attr("for_each", forEach)],
    [block("content", [], section(
      [attr("sid", sid), attr("actions", [action])],
      [block("principals", [], [attr("type", principal.type), attr("identifiers", principal.identifiers)])],
      conditions.map((c) => block("condition", [], [attr("test", c.test), attr("variable", c.variable), attr("values", c.values)])),
    ))],
  ));
}

const whenAny = (v: string): Plain => cond(op(call("length", ref(v)), ">", 0), [ref(v)], []);

function main(): Body {
  return [
    ...contextData(false),
    data("aws_iam_policy_document", "assume_role", [
      trustStatement("TrustedServices", whenAny("var.trusted_services"), "sts:AssumeRole", { type: "Service", identifiers: ref("statement.value") }),
      blank,
      trustStatement("TrustedRoles", whenAny("var.trusted_role_arns"), "sts:AssumeRole", { type: "AWS", identifiers: ref("statement.value") }),
      blank,
      trustStatement(
        "GitHubActions",
        whenAny("var.github_subjects"),
        "sts:AssumeRoleWithWebIdentity",
        { type: "Federated", identifiers: [tpl("arn:", PARTITION, ":iam::", ACCOUNT_ID, `:oidc-provider/${GITHUB_OIDC}`)] },
        [
          { test: "StringEquals", variable: `${GITHUB_OIDC}:aud`, values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: `${GITHUB_OIDC}:sub`, values: ref("statement.value") },
        ],
      ),
      blank,
      trustStatement(
        tpl("KubernetesServiceAccounts", ref("statement.key")),
        ref("var.oidc_trusts"),
        "sts:AssumeRoleWithWebIdentity",
        { type: "Federated", identifiers: [ref("statement.value.provider_arn")] },
        [
          { test: "StringEquals", variable: tpl(ref("statement.value.issuer"), ":aud"), values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: tpl(ref("statement.value.issuer"), ":sub"), values: ref("statement.value.subjects") },
        ],
      ),
    ]),
    res("aws_iam_role", "this", section(
      [
        attr("name", ref("var.name")),
        attr("description", ref("var.description")),
        attr("assume_role_policy", ref("data.aws_iam_policy_document.assume_role.json")),
        attr("max_session_duration", ref("var.max_session_duration")),
        attr("permissions_boundary", ref("var.permissions_boundary")),
        attr("force_detach_policies", true),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    data("aws_iam_policy_document", "permissions", [
      block("dynamic", ["statement"], section(
        [attr("for_each", ref("var.policy_statements"))],
        [block("content", [], section(
          [
            attr("sid", ref("statement.value.sid")),
            attr("effect", ref("statement.value.effect")),
            attr("actions", ref("statement.value.actions")),
            attr("resources", ref("statement.value.resources")),
          ],
          [block("dynamic", ["condition"], section(
            [attr("for_each", ref("statement.value.conditions"))],
            [block("content", [], [
              attr("test", ref("condition.value.test")),
              attr("variable", ref("condition.value.variable")),
              attr("values", ref("condition.value.values")),
            ])],
          ))],
        ))],
      )),
    ]),
    res("aws_iam_role_policy", "this", section(
      [attr("count", cond(op(call("length", ref("var.policy_statements")), ">", 0), 1, 0))],
      [attr("name", "permissions"), attr("role", ref("aws_iam_role.this.id")), attr("policy", ref("data.aws_iam_policy_document.permissions.json"))],
    )),
    res("aws_iam_role_policy_attachment", "this", section(
      [attr("for_each", call("toset", ref("var.managed_policy_arns")))],
      [attr("role", ref("aws_iam_role.this.name")), attr("policy_arn", ref("each.value"))],
    )),
  ];
}

const STATEMENT_TYPE = listOf(call("object", obj({
  sid: call("optional", STRING),
  effect: call("optional", STRING, "Allow"),
  actions: listOf(STRING),
  resources: listOf(STRING),
  conditions: call("optional", listOf(call("object", obj({ test: STRING, variable: STRING, values: listOf(STRING) }))), []),
})));

const allStatements = (body: Plain): Expr => call("alltrue", forList("s", ref("var.policy_statements"), body));

function variables(): Body {
  return [
    nameVariable("Name of the role.", 64),
    variable("description", { description: "Description of the role.", type: STRING, default: null }),
    variable("trusted_services", { description: "AWS service principals that may assume the role, e.g. ecs-tasks.amazonaws.com.", type: listOf(STRING), default: [] }),
    variable("trusted_role_arns", {
      description: "IAM roles that may assume the role.",
      type: listOf(STRING),
      default: [],
      validations: [{ condition: call("alltrue", forList("a", ref("var.trusted_role_arns"), call("can", call("regex", "^arn:aws[a-z-]*:iam::[0-9]{12}:role/", ref("a"))))), message: "trusted_role_arns must be IAM role ARNs (not account roots or wildcards)." }],
    }),
    variable("github_subjects", {
      description: "GitHub Actions OIDC subjects that may assume the role, e.g. repo:acme/api:environment:production. The account needs the token.actions.githubusercontent.com OIDC provider.",
      type: listOf(STRING),
      default: [],
      validations: [{ condition: call("alltrue", forList("s", ref("var.github_subjects"), call("can", call("regex", "^repo:[^/*]+/[^:*]+:(environment:[^*]+|ref:refs/heads/[^*]+)$", ref("s"))))), message: "github_subjects must name one repository and one environment or branch, without wildcards." }],
    }),
    variable("oidc_trusts", {
      description: "Kubernetes service accounts (IRSA): the cluster's OIDC provider ARN, its issuer (without https://) and the subjects system:serviceaccount:<namespace>:<name>.",
      type: listOf(call("object", obj({ provider_arn: STRING, issuer: STRING, subjects: listOf(STRING) }))),
      default: [],
      validations: [{
        condition: op(
          op(op(op(call("length", ref("var.trusted_services")), "+", call("length", ref("var.trusted_role_arns"))), "+", call("length", ref("var.github_subjects"))), "+", call("length", ref("var.oidc_trusts"))),
          ">",
          0,
        ),
        message: "The role needs someone to trust: trusted_services, trusted_role_arns, github_subjects or oidc_trusts.",
      }],
    }),
    variable("policy_statements", {
      description: "Statements of the role's inline policy: actions on named resources, with optional conditions.",
      type: STATEMENT_TYPE,
      default: [],
      validations: [
        { condition: allStatements(op(not(call("contains", ref("s.actions"), "*")), "&&", call("alltrue", forList("a", ref("s.actions"), not(call("endswith", ref("a"), ":*")))))), message: "Actions must be named: \"*\" and \"service:*\" are not least privilege." },
        { condition: allStatements(call("contains", ["Allow", "Deny"], ref("s.effect"))), message: "effect must be Allow or Deny." },
      ],
    }),
    variable("managed_policy_arns", { description: "Managed policies attached to the role.", type: listOf(STRING), default: [] }),
    variable("max_session_duration", {
      description: "Maximum session length in seconds (3600 to 43200).",
      type: NUMBER,
      default: 3600,
      validations: [{ condition: op(op(ref("var.max_session_duration"), ">=", 3600), "&&", op(ref("var.max_session_duration"), "<=", 43200)), message: "max_session_duration must be between 3600 and 43200 seconds." }],
    }),
    variable("permissions_boundary", { description: "ARN of the permissions boundary policy; null for none.", type: STRING, default: null }),
    tagsVariable(),
  ];
}

function outputs(): Body {
  return [
    output("role_arn", "ARN of the role.", ref("aws_iam_role.this.arn")),
    output("role_name", "Name of the role.", ref("aws_iam_role.this.name")),
    output("role_unique_id", "Stable unique ID of the role (for policies that must survive a re-creation check).", ref("aws_iam_role.this.unique_id")),
  ];
}

export function iamFiles(): ModuleFiles {
  return { main: main(), variables: variables(), outputs: outputs() };
}

/** A statement resource: an ARN, "*", or `<type>.<name>[.kms_key][/path]` resolved to a module output. */
export function resolveResource(res: string, ctx: CallContext): Plain {
  const m = RESOURCE_REF.exec(res);
  if (!m) return res;
  const [, type, name, kms, suffix] = m;
  const target = ctx.labels.get(name!);
  if (target === undefined) throw new Error(`unresolved reference ${res}`);
  const l = target.label;
  const base =
    type === "s3_bucket" ? ref(kms !== undefined ? `module.${l}.kms_key_arn` : `module.${l}.bucket_arn`)
      : type === "iam_role" ? ref(`module.${l}.role_arn`)
        : type === "rds" ? ref(`module.${l}.db_instance_arn`)
          : type === "ecs_service" ? ref(`module.${l}.service_arn`)
            : ref(`module.${l}.cluster_arn`);
  return suffix === undefined ? base : tpl(base, suffix);
}

export function iamCall(r: ResourceOf<"iam_role">, ctx: CallContext): ModuleCall {
  const a = r.assumed_by;
  const args: [string, Plain][] = [["name", ctx.name]];
  if (r.description !== undefined) args.push(["description", r.description]);
  if (a.services.length > 0) args.push(["trusted_services", a.services]);
  if (a.roles.length > 0) args.push(["trusted_role_arns", a.roles]);
  if (a.github.length > 0) {
    args.push(["github_subjects", a.github.map((g) => (g.environment !== undefined ? `repo:${g.repository}:environment:${g.environment}` : `repo:${g.repository}:ref:refs/heads/${g.branch ?? ""}`))]);
  }
  if (a.eks_service_accounts.length > 0) {
    const byCluster = new Map<string, string[]>();
    for (const sa of a.eks_service_accounts) {
      const subject = `system:serviceaccount:${sa.namespace}:${sa.service_account}`;
      const subjects = byCluster.get(sa.cluster);
      if (subjects) subjects.push(subject);
      else byCluster.set(sa.cluster, [subject]);
    }
    args.push([
      "oidc_trusts",
      list([...byCluster].map(([cluster, subjects]) => {
        const l = ctx.labels.get(cluster)?.label ?? cluster;
        return obj({ provider_arn: ref(`module.${l}.oidc_provider_arn`), issuer: ref(`module.${l}.oidc_issuer`), subjects });
      })),
    ]);
  }
  if (r.permissions.length > 0) {
    args.push([
      "policy_statements",
      list(r.permissions.map((s, i) =>
        obj({
          sid: s.sid ?? `Statement${i + 1}`,
          effect: s.effect === "Allow" ? undefined : s.effect,
          actions: s.actions,
          resources: s.resources.map((x) => resolveResource(x, ctx)),
          conditions: s.conditions.length > 0 ? list(s.conditions.map((c) => obj({ test: c.test, variable: c.variable, values: c.values }))) : undefined,
        }),
      )),
    ]);
  }
  if (r.managed_policy_arns.length > 0) args.push(["managed_policy_arns", r.managed_policy_arns]);
  if (r.max_session_hours !== 1) args.push(["max_session_duration", r.max_session_hours * 3600]);
  if (r.permissions_boundary !== undefined) args.push(["permissions_boundary", r.permissions_boundary]);
  if (r.tags !== undefined) args.push(["tags", r.tags]);
  const instances: Instance[] = [
    { address: "aws_iam_role.this", attributes: { name: ctx.name, max_session_duration: r.max_session_hours * 3600 } },
    ...(r.permissions.length > 0 ? [{ address: "aws_iam_role_policy.this[0]", attributes: { name: "permissions" } }] : []),
    ...r.managed_policy_arns.map((p) => ({ address: `aws_iam_role_policy_attachment.this${key(p)}`, attributes: { policy_arn: p } })),
  ];
  return {
    args,
    instances,
    rootVariables: [],
    rootOutputs: [output(`${ctx.label}_role_arn`, `ARN of IAM role ${r.name}.`, ref(`module.${ctx.label}.role_arn`))],
  };
}


import type { Rule } from "../../../types.js";
import type { TfBlock, TfProject, TfResource } from "../../model.js";
import {
  asArray,
  attr,
  blocks,
  cis,
  dynamicContents,
  fail,
  isRecord,
  isUnknown,
  jsonDocument,
  pass,
  readBool,
  readList,
  readString,
  resolveRef,
  resourceRule,
  soc2,
  stringOf,
  upper,
} from "./util.js";

export const kmsRotation: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-KMS-001",
    severity: "medium",
    title: "KMS key has automatic rotation enabled",
    message: "Automatic rotation is not enabled on this symmetric customer managed KMS key.",
    recommendation: "Enable automatic key rotation; AWS keeps old key material so existing ciphertexts stay readable.",
    fix: 'resource "aws_kms_key" "main" {\n  # ...\n  enable_key_rotation = true\n}',
    aliases: ["CKV_AWS_7", "AVD-AWS-0065"],
    compliance: [cis("3.6", false), soc2("CC6.1")],
  },
  ["aws_kms_key"],
  (r) => {
    // Only symmetric encryption keys support automatic rotation.
    const spec = readString(attr(r, "customer_master_key_spec"));
    if (spec.kind === "known" && upper(spec.value) !== "SYMMETRIC_DEFAULT") return undefined;
    const usage = readString(attr(r, "key_usage"));
    if (usage.kind === "known" && upper(usage.value) !== "ENCRYPT_DECRYPT") return undefined;
    const a = attr(r, "enable_key_rotation");
    const v = readBool(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    return fail(v.kind === "absent" ? "enable_key_rotation is not set (defaults to false)" : "enable_key_rotation is false", a);
  },
);

/** Is a JSON policy principal the wildcard: "*" or {"AWS": "*"} / {"AWS": ["*", …]}? */
function jsonPrincipalIsWildcard(principal: unknown): boolean {
  if (principal === "*") return true;
  if (Array.isArray(principal)) return principal.includes("*");
  if (isRecord(principal)) {
    const aws = principal.AWS;
    return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
  }
  return false;
}

/** Allow statements with a wildcard principal and no condition, in a JSON policy document. */
function jsonWildcardStatements(doc: unknown): number {
  if (!isRecord(doc)) return 0;
  let n = 0;
  for (const st of asArray(doc.Statement)) {
    if (!isRecord(st)) continue;
    if (st.Effect === "Deny") continue;
    if (st.Condition !== undefined && st.Condition !== null && !(isRecord(st.Condition) && Object.keys(st.Condition).length === 0)) continue;
    if (jsonPrincipalIsWildcard(st.Principal)) n++;
  }
  return n;
}

/** The same, in a `data "aws_iam_policy_document"`. */
function documentWildcardStatements(doc: TfBlock): number {
  let n = 0;
  for (const st of [...blocks(doc, "statement"), ...dynamicContents(doc, "statement")]) {
    const effect = readString(attr(st, "effect"));
    if (effect.kind === "known" && upper(effect.value) === "DENY") continue;
    if (effect.kind === "unknown") continue;
    if (blocks(st, "condition").length > 0 || dynamicContents(st, "condition").length > 0) continue;
    for (const p of blocks(st, "principals")) {
      const type = readString(attr(p, "type"));
      const ids = readList(attr(p, "identifiers"));
      if (type.kind !== "known" || ids.kind !== "known") continue;
      const t = type.value.trim();
      if ((t === "*" || t === "AWS") && ids.value.some((id) => stringOf(id).kind === "known" && id === "*")) n++;
    }
  }
  return n;
}

function policyDocument(project: TfProject, r: TfResource, refs: readonly string[]): TfResource | undefined {
  for (const ref of refs) {
    if (!ref.startsWith("data.aws_iam_policy_document.")) continue;
    const doc = resolveRef(project, r, ref);
    if (doc !== undefined) return doc;
  }
  return undefined;
}

export const kmsWildcardPrincipal: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-KMS-002",
    severity: "high",
    title: "KMS key policy does not allow every principal",
    message: "The KMS key policy allows the wildcard principal (*) without a condition: any AWS account can use or manage the key.",
    recommendation: "Name the account root, roles or services that need the key, or restrict a wildcard principal with a condition such as kms:CallerAccount or aws:PrincipalOrgID.",
    fix:
      'data "aws_iam_policy_document" "key" {\n  statement {\n    sid       = "AccountAdmin"\n    actions   = ["kms:*"]\n    resources = ["*"]\n    principals {\n      type        = "AWS"\n      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]\n    }\n  }\n}',
    aliases: ["CKV_AWS_33"],
    compliance: [soc2("CC6.1", true)],
  },
  ["aws_kms_key"],
  (r, project) => {
    const a = attr(r, "policy");
    if (a === undefined || a.value === null) return pass();
    if (isUnknown(a.value)) {
      const doc = policyDocument(project, r, a.refs);
      if (doc === undefined) return pass(a);
      return documentWildcardStatements(doc) > 0 ? fail("the key policy document allows Principal \"*\" without a condition", a) : pass(a);
    }
    const doc = jsonDocument(a.value);
    if (doc === undefined) return pass(a);
    return jsonWildcardStatements(doc) > 0 ? fail("the key policy allows Principal \"*\" without a condition", a) : pass(a);
  },
);

export const kmsRules: readonly Rule<TfProject>[] = [kmsRotation, kmsWildcardPrincipal];

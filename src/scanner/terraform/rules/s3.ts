/**
 * S3 bucket rules. Each setting is read both from the legacy inline blocks of
 * `aws_s3_bucket` and from the separate resources AWS provider v4+ uses
 * (`aws_s3_bucket_versioning`, `…_server_side_encryption_configuration`,
 * `…_logging`, `…_acl`, `…_public_access_block`, `…_policy`) that reference
 * the bucket in the same module instance.
 */
import type { Rule } from "../../types.js";
import type { TfAttr, TfBlock, TfProject, TfResource } from "../model.js";
import { cis, soc2 } from "./compliance.js";
import { at, attr, blockPath, blocks, companions, defineRule, flag, isUnknown, moduleOf, resources, str, toStr, value } from "./helpers.js";
import type { Subject, Tri } from "./helpers.js";
import { isDeny, policyFromDocument, policyOf } from "./policy.js";
import type { Policy } from "./policy.js";

const BUCKET = "aws_s3_bucket";

function buckets(p: TfProject): TfResource[] {
  return resources(p, BUCKET);
}

interface Held {
  block: TfBlock;
  /** The separate resource the block belongs to, or undefined for the bucket's inline block. */
  holder: TfResource | undefined;
}

/** `apply_server_side_encryption_by_default` blocks configured for the bucket, inline or separate. */
function sseDefaults(p: TfProject, bucket: TfResource): Held[] {
  const out: Held[] = blockPath(bucket, ["server_side_encryption_configuration", "rule", "apply_server_side_encryption_by_default"]).map((block) => ({
    block,
    holder: undefined,
  }));
  for (const c of companions(p, bucket, "aws_s3_bucket_server_side_encryption_configuration", "bucket")) {
    for (const block of blockPath(c, ["rule", "apply_server_side_encryption_by_default"])) out.push({ block, holder: c });
  }
  return out;
}

function algorithmIn(b: TfBlock, allowed: readonly string[]): Tri {
  const v = value(b, "sse_algorithm");
  if (v === undefined) return false;
  if (isUnknown(v)) return "unknown";
  const s = toStr(v);
  return s !== null && allowed.includes(s);
}

function bestOf(results: Tri[]): Tri {
  if (results.includes(true)) return true;
  if (results.includes("unknown")) return "unknown";
  return false;
}

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"] as const;
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"] as const;

export const s3Encryption = defineRule(
  {
    id: "DP-AWS-S3-001",
    target: "terraform",
    severity: "high",
    title: "S3 bucket has default server-side encryption",
    message: "The S3 bucket has no default server-side encryption configuration.",
    recommendation:
      "Configure default encryption for the bucket with an aws_s3_bucket_server_side_encryption_configuration resource (SSE-S3 AES256, or SSE-KMS).",
    fix: `resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.s3.arn
    }
    bucket_key_enabled = true
  }
}`,
    aliases: ["CKV_AWS_19", "AVD-AWS-0088"],
    compliance: [soc2("CC6.1"), soc2("CC6.7", false)],
  },
  function* (p) {
    for (const b of buckets(p)) {
      const defaults = sseDefaults(p, b);
      const ok = bestOf(defaults.map((d) => algorithmIn(d.block, SSE_ALGORITHMS)));
      const bad = defaults.find((d) => algorithmIn(d.block, SSE_ALGORITHMS) === false);
      yield {
        resource: b,
        passed: ok !== false,
        at: at(bad === undefined ? undefined : (attr(bad.block, "sse_algorithm") ?? bad.block)),
        holder: bad?.holder,
        message: defaults.length > 0 ? "The bucket's default encryption does not use AES256, aws:kms or aws:kms:dsse." : undefined,
      };
    }
  },
);

export const s3Kms = defineRule(
  {
    id: "DP-AWS-S3-002",
    target: "terraform",
    severity: "low",
    title: "S3 bucket is encrypted with KMS by default",
    message: "The S3 bucket's default encryption does not use AWS KMS (aws:kms or aws:kms:dsse).",
    recommendation: "Use SSE-KMS with a customer-managed key so key use is logged in CloudTrail and access to the key can be restricted.",
    fix: `resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.s3.arn
    }
  }
}`,
    aliases: ["CKV_AWS_145"],
    compliance: [soc2("CC6.1", false)],
  },
  function* (p) {
    for (const b of buckets(p)) {
      const defaults = sseDefaults(p, b);
      const ok = bestOf(defaults.map((d) => algorithmIn(d.block, KMS_ALGORITHMS)));
      const bad = defaults.find((d) => algorithmIn(d.block, KMS_ALGORITHMS) === false);
      yield {
        resource: b,
        passed: ok !== false,
        at: at(bad === undefined ? undefined : (attr(bad.block, "sse_algorithm") ?? bad.block)),
        holder: bad?.holder,
      };
    }
  },
);

const PAB = "aws_s3_bucket_public_access_block";
const PAB_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

export const s3PublicAccessBlock = defineRule(
  {
    id: "DP-AWS-S3-003",
    target: "terraform",
    severity: "high",
    title: "S3 bucket has a public access block with all four settings enabled",
    message: "The S3 bucket has no aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
    recommendation: "Attach an aws_s3_bucket_public_access_block to every bucket and set all four settings to true.",
    fix: `resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}`,
    aliases: ["CKV2_AWS_6", "AVD-AWS-0094"],
    compliance: [cis("2.1.4"), soc2("CC6.1"), soc2("CC6.6")],
  },
  function* (p) {
    for (const b of buckets(p)) {
      const blocksFor = companions(p, b, PAB, "bucket");
      if (blocksFor.length === 0) {
        yield { resource: b, passed: false };
        continue;
      }
      let best: Subject = { resource: b, passed: false };
      for (const pab of blocksFor) {
        const off = PAB_FLAGS.find((f) => flag(pab, f, false) === false);
        if (off === undefined) {
          best = { resource: b, passed: true };
          break;
        }
        best = {
          resource: b,
          passed: false,
          at: at(attr(pab, off) ?? pab),
          holder: pab,
          message: `The bucket's public access block (${pab.address}) does not set ${off} = true.`,
        };
      }
      yield best;
    }
  },
);

function pabFlagRule(id: string, f: (typeof PAB_FLAGS)[number], title: string, what: string, aliases: string[]): Rule<TfProject> {
  return defineRule(
    {
      id,
      target: "terraform",
      severity: "high",
      title,
      message: `The public access block does not set ${f} = true, so ${what}.`,
      recommendation: `Set ${f} = true on the aws_s3_bucket_public_access_block (it defaults to false).`,
      fix: `resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}`,
      aliases,
      compliance: [cis("2.1.4"), soc2("CC6.1")],
    },
    function* (p) {
      for (const pab of resources(p, PAB)) {
        const v = flag(pab, f, false);
        yield { resource: pab, passed: v !== false, at: at(attr(pab, f)) };
      }
    },
  );
}

export const s3BlockPublicAcls = pabFlagRule(
  "DP-AWS-S3-004",
  "block_public_acls",
  "S3 public access block blocks public ACLs",
  "new public ACLs can still be put on the bucket and its objects",
  ["CKV_AWS_53", "AVD-AWS-0086"],
);
export const s3BlockPublicPolicy = pabFlagRule(
  "DP-AWS-S3-005",
  "block_public_policy",
  "S3 public access block blocks public bucket policies",
  "a bucket policy granting public access can still be attached",
  ["CKV_AWS_54", "AVD-AWS-0087"],
);
export const s3IgnorePublicAcls = pabFlagRule(
  "DP-AWS-S3-006",
  "ignore_public_acls",
  "S3 public access block ignores public ACLs",
  "existing public ACLs on the bucket and its objects still grant access",
  ["CKV_AWS_55", "AVD-AWS-0091"],
);
export const s3RestrictPublicBuckets = pabFlagRule(
  "DP-AWS-S3-007",
  "restrict_public_buckets",
  "S3 public access block restricts public buckets",
  "a public bucket policy still gives anyone access",
  ["CKV_AWS_56", "AVD-AWS-0093"],
);

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

interface AclFinding {
  acl: string;
  at: { line: number; column: number } | undefined;
  holder: TfResource | undefined;
}

/** Canned ACLs and public grants applied to the bucket (inline or through aws_s3_bucket_acl). */
function aclsOf(bucket: TfResource | null, aclResources: TfResource[]): AclFinding[] {
  const out: AclFinding[] = [];
  const fromBlock = (b: TfResource, holder: TfResource | undefined): void => {
    const acl = str(b, "acl");
    if (acl !== null) out.push({ acl, at: at(attr(b, "acl")), holder });
    // Legacy inline grants on aws_s3_bucket: grant { uri, permissions }.
    for (const g of blocks(b, "grant")) {
      const uri = str(g, "uri");
      const perms = value(g, "permissions");
      if (uri === ALL_USERS || uri === AUTH_USERS) {
        const list = Array.isArray(perms) ? perms.map((x) => toStr(x) ?? "") : [];
        for (const perm of list) out.push({ acl: `grant:${perm}`, at: at(g), holder });
      }
    }
    // aws_s3_bucket_acl: access_control_policy { grant { grantee { uri } permission } }.
    for (const g of blockPath(b, ["access_control_policy", "grant"])) {
      const perm = str(g, "permission");
      for (const grantee of blocks(g, "grantee")) {
        const uri = str(grantee, "uri");
        if ((uri === ALL_USERS || uri === AUTH_USERS) && perm !== null) out.push({ acl: `grant:${perm}`, at: at(g), holder });
      }
    }
  };
  if (bucket !== null) fromBlock(bucket, undefined);
  for (const a of aclResources) fromBlock(a, bucket === null ? undefined : a);
  return out;
}

function aclSubjects(p: TfProject): { subject: TfResource; findings: AclFinding[] }[] {
  const out: { subject: TfResource; findings: AclFinding[] }[] = [];
  const linked = new Set<TfResource>();
  for (const b of buckets(p)) {
    const acls = companions(p, b, "aws_s3_bucket_acl", "bucket");
    for (const a of acls) linked.add(a);
    out.push({ subject: b, findings: aclsOf(b, acls) });
  }
  for (const a of resources(p, "aws_s3_bucket_acl")) {
    if (!linked.has(a)) out.push({ subject: a, findings: aclsOf(null, [a]) });
  }
  return out;
}

const PUBLIC_READ = new Set(["public-read", "public-read-write", "website", "authenticated-read", "grant:READ", "grant:FULL_CONTROL"]);
const PUBLIC_WRITE = new Set(["public-read-write", "grant:WRITE", "grant:FULL_CONTROL"]);

export const s3PublicReadAcl = defineRule(
  {
    id: "DP-AWS-S3-008",
    target: "terraform",
    severity: "high",
    title: "S3 bucket ACL does not allow public read access",
    message: "The bucket ACL grants read access to everyone (public-read, public-read-write, website or authenticated-read).",
    recommendation: "Use the private canned ACL (or disable ACLs with object ownership BucketOwnerEnforced) and grant access through bucket policies to named principals.",
    fix: `resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}`,
    aliases: ["CKV_AWS_20", "AVD-AWS-0092"],
    compliance: [cis("2.1.4"), soc2("CC6.1")],
  },
  function* (p) {
    for (const { subject, findings } of aclSubjects(p)) {
      const bad = findings.find((f) => PUBLIC_READ.has(f.acl));
      yield {
        resource: subject,
        passed: bad === undefined,
        at: bad?.at,
        holder: bad?.holder,
        message: bad === undefined ? undefined : `The bucket ACL '${bad.acl.replace(/^grant:/, "grant ")}' gives everyone read access.`,
      };
    }
  },
);

export const s3PublicWriteAcl = defineRule(
  {
    id: "DP-AWS-S3-009",
    target: "terraform",
    severity: "critical",
    title: "S3 bucket ACL does not allow public write access",
    message: "The bucket ACL lets anyone write to the bucket (public-read-write).",
    recommendation: "Never use public-read-write: anyone can upload, overwrite and delete objects at your cost. Use the private ACL.",
    fix: `resource "aws_s3_bucket_acl" "this" {
  bucket = aws_s3_bucket.this.id
  acl    = "private"
}`,
    aliases: ["CKV_AWS_57"],
    compliance: [cis("2.1.4"), soc2("CC6.1")],
  },
  function* (p) {
    for (const { subject, findings } of aclSubjects(p)) {
      const bad = findings.find((f) => PUBLIC_WRITE.has(f.acl));
      yield { resource: subject, passed: bad === undefined, at: bad?.at, holder: bad?.holder };
    }
  },
);

/** Versioning settings of a bucket: inline `versioning` blocks and aws_s3_bucket_versioning's `versioning_configuration`. */
function versioningOf(p: TfProject, b: TfResource): { inline: TfBlock[]; separate: Held[] } {
  return {
    inline: blocks(b, "versioning"),
    separate: companions(p, b, "aws_s3_bucket_versioning", "bucket").flatMap((v) =>
      blocks(v, "versioning_configuration").map((block) => ({ block, holder: v })),
    ),
  };
}

/** The first explicit setting among inline and separate blocks (for the finding's line). */
function firstSetting(inline: TfBlock[], separate: Held[], inlineAttr: string, separateAttr: string): Pick<Subject, "at" | "holder"> {
  for (const v of inline) {
    const a = attr(v, inlineAttr);
    if (a !== undefined) return { at: at(a) };
  }
  for (const v of separate) {
    const a = attr(v.block, separateAttr);
    if (a !== undefined) return { at: at(a), holder: v.holder };
  }
  const first = separate[0];
  return first === undefined ? {} : { holder: first.holder };
}

function statusIs(b: TfBlock, attrName: string, want: string): Tri {
  const v = value(b, attrName);
  if (v === undefined) return false;
  if (isUnknown(v)) return "unknown";
  return toStr(v) === want;
}

export const s3Versioning = defineRule(
  {
    id: "DP-AWS-S3-010",
    target: "terraform",
    severity: "medium",
    title: "S3 bucket has versioning enabled",
    message: "Versioning is not enabled on the S3 bucket, so overwritten or deleted objects cannot be recovered.",
    recommendation: "Enable versioning with an aws_s3_bucket_versioning resource (status = \"Enabled\"), and expire old versions with a lifecycle rule.",
    fix: `resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}`,
    aliases: ["CKV_AWS_21", "AVD-AWS-0090"],
    compliance: [soc2("A1.2")],
  },
  function* (p) {
    for (const b of buckets(p)) {
      const { inline, separate } = versioningOf(p, b);
      const results = [...inline.map((v) => flag(v, "enabled", false)), ...separate.map((v) => statusIs(v.block, "status", "Enabled"))];
      const ok = bestOf(results);
      yield { resource: b, passed: ok !== false, ...(ok === false ? firstSetting(inline, separate, "enabled", "status") : {}) };
    }
  },
);

export const s3Logging = defineRule(
  {
    id: "DP-AWS-S3-011",
    target: "terraform",
    severity: "medium",
    title: "S3 bucket has server access logging enabled",
    message: "Server access logging is not enabled on the S3 bucket.",
    recommendation:
      "Log requests to the bucket with an aws_s3_bucket_logging resource targeting a dedicated log bucket (log buckets themselves are exempt).",
    fix: `resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/this/"
}`,
    aliases: ["CKV_AWS_18", "AVD-AWS-0089"],
    compliance: [soc2("CC7.2")],
  },
  function* (p) {
    const all = buckets(p);
    // Buckets named as the target of another bucket's inline logging block (same module).
    const key = (r: TfResource, local: string): string => `${moduleOf(p, r)?.dir ?? ""}|${local}`;
    const logTargets = new Set<string>();
    for (const o of all) for (const l of blocks(o, "logging")) for (const ref of attr(l, "target_bucket")?.refs ?? []) logTargets.add(key(o, ref));
    for (const b of all) {
      if (blocks(b, "logging").length > 0 || companions(p, b, "aws_s3_bucket_logging", "bucket").length > 0) {
        yield { resource: b, passed: true };
        continue;
      }
      // A bucket that receives access logs (or is set up for log delivery) is not itself required to log.
      const acls = [str(b, "acl"), ...companions(p, b, "aws_s3_bucket_acl", "bucket").map((a) => str(a, "acl"))];
      const isTarget =
        acls.includes("log-delivery-write") ||
        p.referencing(b, "aws_s3_bucket_logging", "target_bucket").length > 0 ||
        logTargets.has(key(b, b.localAddress));
      yield { resource: b, passed: isTarget };
    }
  },
);

function deniesInsecureTransport(pol: Policy): Tri {
  let unknown = pol.incomplete;
  for (const s of pol.statements) {
    if (!isDeny(s)) {
      if (s.effect === null) unknown = true;
      continue;
    }
    if (s.conditionsUnknown) unknown = true;
    for (const c of s.conditions) {
      if (c.variable !== null && c.variable.toLowerCase() === "aws:securetransport" && c.test !== null && /^bool(ifexists)?$/i.test(c.test) && c.values.includes("false")) {
        return true;
      }
    }
  }
  return unknown ? "unknown" : false;
}

export const s3SecureTransport = defineRule(
  {
    id: "DP-AWS-S3-012",
    target: "terraform",
    severity: "medium",
    title: "S3 bucket policy denies requests over plain HTTP",
    message: "No bucket policy denies requests where aws:SecureTransport is false, so the bucket accepts unencrypted HTTP requests.",
    recommendation: "Attach a bucket policy with a Deny statement for s3:* on the bucket and its objects when aws:SecureTransport is \"false\".",
    fix: `data "aws_iam_policy_document" "tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "\${aws_s3_bucket.this.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.tls_only.json
}`,
    aliases: [],
    compliance: [cis("2.1.1"), soc2("CC6.7")],
  },
  function* (p) {
    for (const b of buckets(p)) {
      const sources: { a: TfAttr; holder: TfResource | undefined }[] = [];
      const inlinePolicy = attr(b, "policy");
      if (inlinePolicy !== undefined && inlinePolicy.value !== null) sources.push({ a: inlinePolicy, holder: undefined });
      for (const r of companions(p, b, "aws_s3_bucket_policy", "bucket")) {
        const a = attr(r, "policy");
        if (a !== undefined && a.value !== null) sources.push({ a, holder: r });
      }
      if (sources.length === 0) {
        yield { resource: b, passed: false };
        continue;
      }
      const results: Tri[] = sources.map(({ a }) => {
        const src = policyOf(p, b, a);
        if (src.kind === "policy") return deniesInsecureTransport(src.policy);
        if (src.kind === "document") return deniesInsecureTransport(policyFromDocument(src.doc));
        return "unknown";
      });
      const first = sources[0]!;
      yield {
        resource: b,
        passed: bestOf(results) !== false,
        at: at(first.a),
        holder: first.holder,
        message: "The bucket policy has no Deny statement for requests where aws:SecureTransport is false.",
      };
    }
  },
);

export const s3MfaDelete = defineRule(
  {
    id: "DP-AWS-S3-013",
    target: "terraform",
    severity: "low",
    title: "S3 bucket has MFA delete enabled",
    message: "MFA delete is not enabled on the S3 bucket's versioning configuration.",
    recommendation:
      "For buckets holding critical data, enable MFA delete (versioning_configuration.mfa_delete = \"Enabled\", set by the root user with its MFA device) so versions cannot be removed without a second factor.",
    fix: `resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  mfa    = "\${var.root_mfa_serial} \${var.root_mfa_code}"
  versioning_configuration {
    status     = "Enabled"
    mfa_delete = "Enabled"
  }
}`,
    aliases: [],
    compliance: [cis("2.1.2", false)],
  },
  function* (p) {
    for (const b of buckets(p)) {
      const { inline, separate } = versioningOf(p, b);
      const results = [...inline.map((v) => flag(v, "mfa_delete", false)), ...separate.map((v) => statusIs(v.block, "mfa_delete", "Enabled"))];
      const ok = bestOf(results);
      yield { resource: b, passed: ok !== false, ...(ok === false ? firstSetting(inline, separate, "mfa_delete", "mfa_delete") : {}) };
    }
  },
);

export const s3Rules: Rule<TfProject>[] = [
  s3Encryption,
  s3Kms,
  s3PublicAccessBlock,
  s3BlockPublicAcls,
  s3BlockPublicPolicy,
  s3IgnorePublicAcls,
  s3RestrictPublicBuckets,
  s3PublicReadAcl,
  s3PublicWriteAcl,
  s3Versioning,
  s3Logging,
  s3SecureTransport,
  s3MfaDelete,
];

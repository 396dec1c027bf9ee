import type { Rule } from "../../../types.js";
import type { TfProject } from "../../model.js";
import { attr, fail, firstBlock, hasDynamic, pass, readBool, readString, resourceRule, soc2, upper } from "./util.js";

const REPO = ["aws_ecr_repository"] as const;

export const ecrScanOnPush: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ECR-001",
    severity: "medium",
    title: "ECR repository scans images on push",
    message: "Images pushed to this ECR repository are not scanned for vulnerabilities.",
    recommendation: "Enable scan on push (or registry-level enhanced scanning) so vulnerable images are found before they are deployed.",
    fix: 'resource "aws_ecr_repository" "app" {\n  # ...\n  image_scanning_configuration {\n    scan_on_push = true\n  }\n}',
    aliases: ["CKV_AWS_163", "AVD-AWS-0030"],
    compliance: [soc2("CC7.1")],
  },
  REPO,
  (r) => {
    if (hasDynamic(r, "image_scanning_configuration")) return pass();
    const cfg = firstBlock(r, "image_scanning_configuration");
    if (cfg === undefined) return fail("no image_scanning_configuration block (scan_on_push defaults to false)");
    const a = attr(cfg, "scan_on_push");
    const v = readBool(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    return fail(v.kind === "absent" ? "image_scanning_configuration does not set scan_on_push" : "scan_on_push is false", a ?? cfg);
  },
);

export const ecrImmutableTags: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ECR-002",
    severity: "medium",
    title: "ECR repository tags are immutable",
    message: "Image tags in this ECR repository are mutable: a pushed tag can be silently replaced with a different image.",
    recommendation: "Set image_tag_mutability = \"IMMUTABLE\" and deploy by unique tag or digest.",
    fix: 'resource "aws_ecr_repository" "app" {\n  # ...\n  image_tag_mutability = "IMMUTABLE"\n}',
    aliases: ["CKV_AWS_51", "AVD-AWS-0031"],
    compliance: [soc2("CC8.1")],
  },
  REPO,
  (r) => {
    const a = attr(r, "image_tag_mutability");
    const v = readString(a);
    if (v.kind === "unknown" || (v.kind === "known" && upper(v.value) === "IMMUTABLE")) return pass(a);
    return fail(
      v.kind === "absent" ? "image_tag_mutability is not set (defaults to MUTABLE)" : `image_tag_mutability is "${v.value}"`,
      a,
    );
  },
);

export const ecrKmsEncryption: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ECR-003",
    severity: "low",
    title: "ECR repository is encrypted with KMS",
    message: "The ECR repository uses the default AES-256 encryption rather than a KMS key you control.",
    recommendation: "Use KMS encryption with a customer managed key to control and audit who can decrypt the images.",
    fix:
      'resource "aws_ecr_repository" "app" {\n  # ...\n  encryption_configuration {\n    encryption_type = "KMS"\n    kms_key         = aws_kms_key.ecr.arn\n  }\n}',
    aliases: ["CKV_AWS_136", "AVD-AWS-0033"],
    compliance: [soc2("CC6.1")],
  },
  REPO,
  (r) => {
    if (hasDynamic(r, "encryption_configuration")) return pass();
    const cfg = firstBlock(r, "encryption_configuration");
    if (cfg === undefined) return fail("no encryption_configuration block (defaults to AES256)");
    const a = attr(cfg, "encryption_type");
    const v = readString(a);
    if (v.kind === "unknown" || (v.kind === "known" && upper(v.value).startsWith("KMS"))) return pass(a);
    return fail(v.kind === "absent" ? "encryption_type is not set (defaults to AES256)" : `encryption_type is "${v.value}"`, a ?? cfg);
  },
);

export const ecrRules: readonly Rule<TfProject>[] = [ecrScanOnPush, ecrImmutableTags, ecrKmsEncryption];

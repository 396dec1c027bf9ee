import type { Rule } from "../../../types.js";
import type { TfProject, TfResource } from "../../model.js";
import {
  attr,
  blocks,
  fail,
  firstBlock,
  hasDynamic,
  pass,
  readBool,
  readList,
  resourceRule,
  setOrUnknown,
  soc2,
  stringOf,
  type Read,
} from "./util.js";

const CLUSTER = ["aws_eks_cluster"] as const;
const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** `vpc_config.endpoint_public_access`, which defaults to true. */
function publicAccess(r: TfResource): Read<boolean> | "no-config" {
  if (hasDynamic(r, "vpc_config")) return { kind: "unknown" };
  const vpc = firstBlock(r, "vpc_config");
  if (vpc === undefined) return "no-config";
  return readBool(attr(vpc, "endpoint_public_access"));
}

export const eksPublicCidrs: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EKS-001",
    severity: "high",
    title: "EKS public endpoint is not open to the whole internet",
    message: "The EKS API server's public endpoint accepts connections from 0.0.0.0/0.",
    recommendation: "Disable the public endpoint (use the private one over VPN or Direct Connect), or restrict public_access_cidrs to your own egress ranges.",
    fix:
      'resource "aws_eks_cluster" "main" {\n  # ...\n  vpc_config {\n    subnet_ids              = var.private_subnet_ids\n    endpoint_private_access = true\n    endpoint_public_access  = true\n    public_access_cidrs     = ["203.0.113.0/24"]\n  }\n}',
    aliases: ["CKV_AWS_38", "AVD-AWS-0041"],
    compliance: [soc2("CC6.6", true)],
  },
  CLUSTER,
  (r) => {
    const pub = publicAccess(r);
    if (pub === "no-config") return undefined;
    if (pub.kind === "unknown" || (pub.kind === "known" && !pub.value)) return pass();
    const vpc = firstBlock(r, "vpc_config");
    const cidrsAttr = vpc === undefined ? undefined : attr(vpc, "public_access_cidrs");
    const cidrs = readList(cidrsAttr);
    if (cidrs.kind === "unknown") return pass(cidrsAttr);
    if (cidrs.kind === "absent") {
      return fail("the public endpoint is enabled and public_access_cidrs is not set (defaults to 0.0.0.0/0)", vpc);
    }
    if (cidrs.value.length === 0) return fail("public_access_cidrs is empty (AWS then allows 0.0.0.0/0)", cidrsAttr);
    for (const c of cidrs.value) {
      const s = stringOf(c);
      if (s.kind === "known" && WORLD.has(s.value.trim())) return fail(`public_access_cidrs contains ${s.value.trim()}`, cidrsAttr);
    }
    return pass(cidrsAttr);
  },
);

export const eksPublicEndpoint: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EKS-002",
    severity: "medium",
    title: "EKS public endpoint is disabled",
    message: "The EKS API server has a public endpoint (endpoint_public_access defaults to true).",
    recommendation: "Set endpoint_public_access = false and endpoint_private_access = true; reach the API from inside the VPC or over VPN.",
    fix:
      'resource "aws_eks_cluster" "main" {\n  # ...\n  vpc_config {\n    subnet_ids              = var.private_subnet_ids\n    endpoint_private_access = true\n    endpoint_public_access  = false\n  }\n}',
    aliases: ["CKV_AWS_39", "AVD-AWS-0040"],
    compliance: [soc2("CC6.6")],
  },
  CLUSTER,
  (r) => {
    const pub = publicAccess(r);
    if (pub === "no-config") return undefined;
    const vpc = firstBlock(r, "vpc_config");
    const a = vpc === undefined ? undefined : attr(vpc, "endpoint_public_access");
    if (pub.kind === "unknown" || (pub.kind === "known" && !pub.value)) return pass(a);
    return fail(
      pub.kind === "absent" ? "vpc_config.endpoint_public_access is not set (defaults to true)" : "vpc_config.endpoint_public_access is true",
      a ?? vpc,
    );
  },
);

export const eksSecretsEncryption: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EKS-003",
    severity: "high",
    title: "EKS cluster encrypts Kubernetes secrets with KMS",
    message: "Kubernetes secrets are not envelope-encrypted with a KMS key (no encryption_config for \"secrets\").",
    recommendation: "Add an encryption_config for the \"secrets\" resource with a customer managed KMS key.",
    fix:
      'resource "aws_eks_cluster" "main" {\n  # ...\n  encryption_config {\n    resources = ["secrets"]\n    provider {\n      key_arn = aws_kms_key.eks.arn\n    }\n  }\n}',
    aliases: ["CKV_AWS_58", "AVD-AWS-0039"],
    compliance: [soc2("CC6.1", true)],
  },
  CLUSTER,
  (r) => {
    if (hasDynamic(r, "encryption_config")) return pass();
    const configs = blocks(r, "encryption_config");
    if (configs.length === 0) return fail("no encryption_config block");
    for (const ec of configs) {
      const resources = readList(attr(ec, "resources"));
      const coversSecrets =
        resources.kind === "unknown" ||
        (resources.kind === "known" &&
          resources.value.some((v) => {
            const s = stringOf(v);
            return s.kind === "unknown" || (s.kind === "known" && s.value === "secrets");
          }));
      if (!coversSecrets) continue;
      if (hasDynamic(ec, "provider")) return pass(ec);
      const provider = firstBlock(ec, "provider");
      if (provider !== undefined && setOrUnknown(attr(provider, "key_arn"))) return pass(ec);
      return fail("encryption_config has no provider.key_arn", provider ?? ec);
    }
    return fail("encryption_config does not cover the \"secrets\" resource", configs[0]);
  },
);

const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export const eksControlPlaneLogging: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-EKS-004",
    severity: "medium",
    title: "EKS control-plane logging is enabled for every log type",
    message: "EKS control-plane logging does not cover every log type (api, audit, authenticator, controllerManager, scheduler).",
    recommendation: "Enable all five control-plane log types; audit and authenticator logs are what an investigation needs first.",
    fix:
      'resource "aws_eks_cluster" "main" {\n  # ...\n  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]\n}',
    aliases: ["CKV_AWS_37", "AVD-AWS-0038"],
    compliance: [soc2("CC7.2", true)],
  },
  CLUSTER,
  (r) => {
    const a = attr(r, "enabled_cluster_log_types");
    const types = readList(a);
    if (types.kind === "unknown") return pass(a);
    if (types.kind === "absent") return fail("enabled_cluster_log_types is not set: no control-plane logs are exported", a);
    const seen = new Set<string>();
    for (const v of types.value) {
      const s = stringOf(v);
      if (s.kind === "unknown") return pass(a);
      if (s.kind === "known") seen.add(s.value);
    }
    const missing = LOG_TYPES.filter((t) => !seen.has(t));
    if (missing.length === 0) return pass(a);
    return fail(`enabled_cluster_log_types is missing ${missing.join(", ")}`, a);
  },
);

export const eksRules: readonly Rule<TfProject>[] = [eksPublicCidrs, eksPublicEndpoint, eksSecretsEncryption, eksControlPlaneLogging];

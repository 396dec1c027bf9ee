import { z } from "zod";

const framework = z.enum(["cis-aws", "cis-k8s", "soc2"]);
const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes name: lower case letters, digits and '-'").max(63);

const secretSpec = z
  .object({
    name: k8sName.describe("Name of the Kubernetes Secret to create"),
    remote_key: z.string().min(1).describe("Key of the secret in the external store, e.g. prod/payments/db"),
    keys: z.array(z.string().regex(/^[-._a-zA-Z0-9]+$/)).min(1).describe("Properties of the remote secret to copy into the Kubernetes Secret"),
    refresh_interval: z.string().regex(/^\d+[smh]$/).default("1h").describe("How often External Secrets re-reads the store"),
  })
  .strict();

export const securityInputSchema = z
  .object({
    action: z
      .enum(["scan", "policies", "harden", "secrets"])
      .default("scan")
      .describe("scan: report findings for a path; harden: findings plus a fix for each; policies: Kyverno ClusterPolicies; secrets: secret-management setup"),
    path: z.string().min(1).default(".").describe("scan/harden: the directory or file to scan, relative to the project"),
    threshold: z.number().min(0).max(100).default(95).describe("scan/harden: the score (percent) the scanned code must reach"),
    frameworks: z.array(framework).default([]).describe("Compliance frameworks whose mandatory controls are checked"),
    rules: z.array(z.string().regex(/^DP-K8S-[A-Z]+-\d{3}$/)).optional().describe("policies: only these Kubernetes rule ids (default: every rule Kyverno can enforce)"),
    environment: z.string().min(1).optional().describe("The environment the output targets; production requires approval"),
    secrets: z
      .object({
        provider: z.enum(["external-secrets", "sops"]).describe("External Secrets Operator manifests, or a SOPS configuration"),
        namespace: k8sName.optional().describe("external-secrets: namespace of the application's secrets"),
        store: z
          .object({
            kind: z.enum(["aws-secrets-manager", "aws-parameter-store", "gcp-secret-manager", "vault"]).describe("Where the secret values live"),
            region: z.string().optional().describe("AWS region"),
            role_arn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/).optional().describe("AWS: IAM role for the store's service account (IRSA)"),
            project: z.string().optional().describe("GCP project id"),
            server: z.string().url().optional().describe("Vault address"),
            path: z.string().optional().describe("Vault KV mount path"),
          })
          .strict()
          .optional(),
        items: z.array(secretSpec).default([]).describe("external-secrets: the secrets to sync"),
        kms_arn: z.string().regex(/^arn:aws[a-z-]*:kms:/).optional().describe("sops: AWS KMS key ARN to encrypt with"),
        age_recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/)).default([]).describe("sops: age public keys to encrypt for"),
        path_regex: z.string().default("secrets/.*\\.ya?ml$").describe("sops: which files the rule encrypts"),
      })
      .strict()
      .optional()
      .describe("secrets: what to set up"),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.action === "secrets" && !v.secrets) ctx.addIssue({ code: "custom", path: ["secrets"], message: "action: secrets needs a `secrets` section (provider, store, items)" });
    if (v.secrets?.provider === "external-secrets") {
      if (!v.secrets.store) ctx.addIssue({ code: "custom", path: ["secrets", "store"], message: "external-secrets needs a store (kind and its settings)" });
      if (!v.secrets.namespace) ctx.addIssue({ code: "custom", path: ["secrets", "namespace"], message: "external-secrets needs the application's namespace" });
      const st = v.secrets.store;
      if (st?.kind.startsWith("aws") && !st.region) ctx.addIssue({ code: "custom", path: ["secrets", "store", "region"], message: "AWS stores need a region" });
      if (st?.kind === "gcp-secret-manager" && !st.project) ctx.addIssue({ code: "custom", path: ["secrets", "store", "project"], message: "gcp-secret-manager needs a project" });
      if (st?.kind === "vault" && !st.server) ctx.addIssue({ code: "custom", path: ["secrets", "store", "server"], message: "vault needs a server address" });
      if (v.secrets.items.length === 0) ctx.addIssue({ code: "custom", path: ["secrets", "items"], message: "list at least one secret to sync" });
    }
    if (v.secrets?.provider === "sops" && !v.secrets.kms_arn && v.secrets.age_recipients.length === 0) {
      ctx.addIssue({ code: "custom", path: ["secrets"], message: "sops needs kms_arn or age_recipients" });
    }
  });

export type SecurityInput = z.infer<typeof securityInputSchema>;

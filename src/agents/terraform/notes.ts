/**
 * Plan notes: how to run the roots, what must exist before the first apply,
 * state guidance (one state per environment, locking, import blocks), the
 * deliberate deviations from the scanner, the settings the task loosened,
 * and what the quality gate can and cannot check here.
 */
import type { Note } from "../../core/plans/plan.js";
import { attr, block, printFile, ref } from "./hcl.js";
import type { Resolved } from "./root.js";
import type { PlannedCall } from "./root.js";
import { AWS_PROVIDER_ROOT, TERRAFORM_VERSION_ROOT } from "./modules/common.js";
import { bucketName } from "./modules/s3.js";

export function layoutNote(resolved: Resolved, dirs: readonly string[]): Note {
  const envs = resolved.environments;
  const first = envs[0] ?? "";
  return {
    kind: "info",
    text:
      `Layout: modules/{${dirs.join(",")}}/ (main.tf, variables.tf, outputs.tf, versions.tf) hold the resources; ` +
      `envs/{${envs.join(",")}}/ are thin roots (versions.tf, backend.tf, providers.tf, main.tf, variables.tf, outputs.tf) that call the modules with each environment's values. ` +
      `Terraform ${TERRAFORM_VERSION_ROOT} and the AWS provider ${AWS_PROVIDER_ROOT} are pinned; run \`terraform -chdir=envs/${first} init\` and commit the .terraform.lock.hcl it writes ` +
      "(`terraform providers lock -platform=linux_amd64 -platform=darwin_arm64` records the hashes of every platform), then `terraform -chdir=envs/" +
      `${first} plan -out=tfplan\` and apply the reviewed plan file. Apply the files into an infrastructure directory of the repository, e.g. \`devops-pack apply <plan-id> --dir infra\`.`,
  };
}

export function stateNotes(resolved: Resolved, calls: readonly PlannedCall[]): Note[] {
  const b = resolved.backend;
  const lock =
    b.lock === "lockfile"
      ? "locking with use_lockfile = true: Terraform writes a .tflock object next to the state in S3 (Terraform >= 1.11, no DynamoDB table needed); the roles that run Terraform need s3:GetObject, s3:PutObject and s3:DeleteObject on the key and its .tflock"
      : `locking with the DynamoDB table ${b.dynamodbTable ?? ""} (partition key LockID, a string); Terraform 1.11 deprecates DynamoDB locking in favour of use_lockfile, so plan the switch`;
  const notes: Note[] = [
    {
      kind: "recommendation",
      text:
        `State: one state per environment, s3://${b.bucket}/${b.keyPrefix}/<environment>/terraform.tfstate in ${b.region}, encrypted, with ${lock}. ` +
        `Create the bucket once, before the first init, outside these roots: versioning on (a versioned bucket is the undo for a corrupted state), default encryption, Block Public Access, ` +
        `and a bucket policy that admits only the deploy roles; better still, one bucket per AWS account so production state is unreadable from staging. ` +
        `Backend blocks cannot read variables: a different bucket per environment is passed with \`terraform init -backend-config=backend.hcl\`. ` +
        "Never edit state by hand; use moved, removed and import blocks, or terraform state mv/rm.",
    },
  ];
  const example = importExample(resolved, calls);
  if (example !== undefined) {
    notes.push({
      kind: "recommendation",
      text:
        `Adopting existing resources: declare an import block in the environment root and review it in a plan like any change (\`terraform plan -generate-config-out=generated.tf\` drafts a body to compare). For example, for ${example.what}:\n` +
        example.hcl,
    });
  }
  return notes;
}

function importExample(resolved: Resolved, calls: readonly PlannedCall[]): { what: string; hcl: string } | undefined {
  if (calls.length === 0) return undefined;
  const pick = calls.find((c) => c.resource.type === "s3_bucket") ?? calls.find((c) => c.resource.type === "eks_cluster" || c.resource.type === "rds" || c.resource.type === "iam_role") ?? calls[0]!;
  const r = pick.resource;
  const environment = resolved.environments[0] ?? "";
  const [address, id] =
    r.type === "s3_bucket" ? ["aws_s3_bucket.this", bucketName(r, resolved.project, environment)]
      : r.type === "eks_cluster" ? ["aws_eks_cluster.this", pick.name]
        : r.type === "rds" ? ["aws_db_instance.this", pick.name]
          : r.type === "iam_role" ? ["aws_iam_role.this", pick.name]
            : r.type === "vpc" ? ["aws_vpc.this", "vpc-0123456789abcdef0"]
              : ["aws_ecs_cluster.this", pick.name];
  const hcl = printFile([block("import", [], [attr("to", ref(`module.${pick.label}.${address}`)), attr("id", id)])]);
  return { what: `an existing ${r.type} ${r.name} in envs/${environment}`, hcl: hcl.trimEnd() };
}

/** What has to exist or be supplied before the first apply. */
export function prerequisiteNotes(calls: readonly PlannedCall[]): Note[] {
  const notes: Note[] = [];
  const needs = [...new Set(calls.flatMap((c) => c.call.rootVariables.map((v) => v.name)))];
  if (needs.length > 0) {
    notes.push({
      kind: "warning",
      text: `Variables without a default must be set for each environment (in a terraform.tfvars next to the root, or TF_VAR_… in the pipeline): ${needs.join(", ")}.`,
    });
  }
  if (calls.some((c) => c.resource.type === "iam_role" && c.resource.assumed_by.github.length > 0)) {
    notes.push({
      kind: "recommendation",
      text: "GitHub Actions roles trust the IAM OIDC provider token.actions.githubusercontent.com (audience sts.amazonaws.com): create it once per account (aws_iam_openid_connect_provider, or the IAM console) before applying.",
    });
  }
  if (calls.some((c) => c.resource.type === "ecs_service")) {
    notes.push({
      kind: "recommendation",
      text:
        "ECS services: the image must run as a non-root user and write only to /tmp (the root file system is read-only). Secrets encrypted with a customer managed key also need kms:Decrypt for the execution role on that key. " +
        "Point a Route 53 alias record at the load balancer output, and put AWS WAF in front of internet-facing services (aws_wafv2_web_acl_association).",
    });
  }
  if (calls.some((c) => c.resource.type === "eks_cluster")) {
    notes.push({
      kind: "recommendation",
      text:
        "EKS: the API endpoint is private; run kubectl from the VPC, over VPN (api_allowed_cidrs) or from CI runners inside the VPC. Nodes allow one IMDS hop, so pods cannot use the node role: give workloads IAM roles through IRSA (iam_role with assumed_by.eks_service_accounts) and set the region explicitly in controllers that read it from instance metadata. " +
        "Pin add-on versions with the module's addon_versions once you have tested them.",
    });
  }
  if (calls.some((c) => c.resource.type === "rds")) {
    notes.push({
      kind: "info",
      text: "RDS creates and rotates the master user's secret in Secrets Manager (manage_master_user_password): applications should connect with IAM authentication (rds-db:connect) or read that secret at run time. Because the plan creates a secret, it needs an approval.",
    });
  }
  return notes;
}

/** Deliberate deviations the scanner reports as suppressed findings, and settings the task loosened. */
export function exceptionNotes(calls: readonly PlannedCall[]): Note[] {
  const notes: Note[] = [];
  const types = new Set(calls.map((c) => c.resource.type));
  const suppressed: string[] = [];
  if (types.has("s3_bucket")) {
    suppressed.push(
      "DP-AWS-S3-013 (MFA delete) on every bucket: only the root user with an MFA code can enable it (aws s3api put-bucket-versioning --bucket <name> --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa '<serial> <code>'); do it for buckets whose versions must never be deleted",
      "DP-AWS-S3-002 (KMS default encryption) on each access-log bucket: S3 server access logging only delivers to SSE-S3 buckets",
    );
  }
  if (types.has("ecs_service")) suppressed.push("DP-AWS-SG-003 (port 80 open) on the load balancer: port 80 only answers with a permanent redirect to HTTPS");
  if (suppressed.length > 0) {
    notes.push({ kind: "info", text: `Reasoned suppressions in the generated code (devops-pack:ignore comments, shown as suppressed findings by the scanner): ${suppressed.join("; ")}.` });
  }
  for (const c of calls) {
    const r = c.resource;
    const loosened: string[] = [];
    if (r.type === "rds") {
      if (!r.multi_az) loosened.push("multi_az is off: an Availability Zone failure takes the database down");
      if (!r.deletion_protection) loosened.push("deletion_protection is off");
    }
    if (r.type === "eks_cluster") {
      if (r.endpoint_public_access) loosened.push(`the API endpoint is public, limited to ${(r.public_access_cidrs ?? []).join(", ")}`);
      if (r.capacity_type === "SPOT" && r.node_groups === undefined) loosened.push("the default node group runs on Spot capacity, which AWS can reclaim with two minutes' notice");
    }
    if (r.type === "vpc" && r.nat_gateways === "single") loosened.push("one NAT gateway serves every Availability Zone: egress stops if its zone fails");
    if (r.type === "ecs_service" && r.image !== undefined && !r.image.includes("@sha256:")) loosened.push(`the image ${r.image} is referenced by tag; pin it by digest so a deploy runs exactly what was tested`);
    if (loosened.length > 0) notes.push({ kind: "warning", text: `${r.type} ${r.name}: ${loosened.join("; ")}.` });
  }
  return notes;
}

export function validationNote(): Note {
  return {
    kind: "info",
    text:
      "Quality gate: every .tf file is checked with `terraform fmt` (it must come back byte-identical), parsed, and every resource and data source is checked against the pack's attribute table of the AWS provider 6.x. " +
      "`terraform validate` needs the AWS provider, which cannot be downloaded in the pack's offline sandbox, so it is not run here: run `terraform init -backend=false && terraform validate` in each envs/<environment>/ directory in CI.",
  };
}

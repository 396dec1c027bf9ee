import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const awsAccessKeyRule = secretRule(
  {
    id: "DP-SECRET-001",
    severity: "critical",
    title: "No AWS access key ID in the file",
    message: "An AWS access key ID (AKIA…/ASIA…) is hard-coded.",
    recommendation:
      "Deactivate and rotate the key in IAM now, remove it from the file and its history, and use short-lived credentials (an IAM role, OIDC from CI, or a secrets manager) instead. AWS's documented example key AKIAIOSFODNN7EXAMPLE is treated as a placeholder and not reported.",
    fix: "# read the key from the environment or an IAM role instead of the file\naws_access_key_id = os.environ[\"AWS_ACCESS_KEY_ID\"]   # or nothing: let the SDK use the instance/task role",
    aliases: ["CKV_SECRET_2", "aws-access-key-id"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-001"),
);

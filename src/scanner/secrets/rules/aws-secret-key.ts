import type { TextFile } from "../model.js";
import { positionAt } from "../parse.js";
import { findAwsSecretKeys } from "../patterns.js";
import type { SecretHit } from "./common.js";
import { secretCompliance, secretRule } from "./common.js";

function find(doc: TextFile): SecretHit[] {
  return findAwsSecretKeys(doc.content, (i) => positionAt(doc, i).line).map((h) => ({ index: h.index, label: h.name, redacted: h.redacted }));
}

export const awsSecretKeyRule = secretRule(
  {
    id: "DP-SECRET-002",
    severity: "critical",
    title: "No AWS secret access key in the file",
    message: "A 40-character AWS secret access key is hard-coded next to an access key ID or under an aws_secret_access_key name.",
    recommendation:
      "Deactivate the key pair in IAM, remove it from the file and its history, and use an IAM role, OIDC federation or a secrets manager. AWS's documented example secret (…EXAMPLEKEY) is treated as a placeholder.",
    fix: "# ~/.aws/credentials is not for repositories; in CI use OIDC:\n- uses: aws-actions/configure-aws-credentials@<sha>\n  with:\n    role-to-assume: arn:aws:iam::123456789012:role/ci",
    aliases: ["CKV_SECRET_2", "aws-secret-access-key"],
    compliance: secretCompliance(true),
  },
  find,
);

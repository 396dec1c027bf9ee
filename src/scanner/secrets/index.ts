/**
 * The secrets target: hard-coded credentials in any text file, by known key
 * format (AWS, GitHub, GitLab, Slack, Stripe, Google, npm, private keys,
 * JWTs, URL credentials) and by entropy for generic password/token
 * assignments.
 */
import type { TargetScanner } from "../types.js";
import type { TextFile } from "./model.js";
import { claimsSecrets, parseSecrets } from "./parse.js";
import { SECRET_RULES } from "./rules/index.js";

export type { TextFile } from "./model.js";
export { findKnownSecrets, isLiteralSecretValue, isPlaceholder, isSecretName, redact, shannonEntropy } from "./patterns.js";

export const secretsTarget: TargetScanner<TextFile> = {
  target: "secrets",
  claims: claimsSecrets,
  parse: parseSecrets,
  rules: SECRET_RULES,
};

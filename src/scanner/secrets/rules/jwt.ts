import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const jwtRule = secretRule(
  {
    id: "DP-SECRET-009",
    severity: "low",
    title: "No JSON Web Token in the file",
    message: "A JSON Web Token (a signed eyJ….eyJ…. string whose header names an algorithm) is hard-coded.",
    recommendation:
      "Check whether the token is still valid (its exp claim) and revoke it or rotate the signing key if it is; do not commit bearer tokens, even for tests — mint them at test time.",
    fix: "const token = await mintTestToken({ sub: \"test-user\", expiresIn: \"5m\" });   // generated, not committed",
    aliases: ["CKV_SECRET_9", "jwt-token"],
    compliance: secretCompliance(false),
  },
  knownFormatHits("DP-SECRET-009"),
);

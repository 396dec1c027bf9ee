import type { TextFile } from "../model.js";
import { findKnownSecrets, KNOWN_FORMATS } from "../patterns.js";
import type { SecretHit } from "./common.js";
import { secretCompliance, secretRule } from "./common.js";

const FORMATS = KNOWN_FORMATS.filter((f) => f.ruleId === "DP-SECRET-008");

function find(doc: TextFile): SecretHit[] {
  return findKnownSecrets(doc.content, FORMATS).map((h) => {
    const end = doc.content.indexOf("-----END", h.index + h.secret.length);
    // The header names the key type and is safe to show; the key material is not shown.
    return { index: h.index, label: "Private key block", redacted: h.secret, ...(end >= 0 && end - h.index < 20_000 ? { endIndex: end } : {}) };
  });
}

export const privateKeyRule = secretRule(
  {
    id: "DP-SECRET-008",
    severity: "critical",
    title: "No private key in the file",
    message: "A private key block (-----BEGIN … PRIVATE KEY-----) with key material is hard-coded.",
    recommendation:
      "Treat the key as compromised: revoke or replace it (and any certificate issued for it), remove it from the file and its history, and mount it from a secret store at run time. Headers without key material (code that only names the header) are not reported.",
    fix: "# Kubernetes: mount the key from a Secret (synced by External Secrets) instead of committing it\nvolumes:\n  - name: tls\n    secret:\n      secretName: app-tls",
    aliases: ["CKV_SECRET_13", "private-key"],
    compliance: secretCompliance(true),
  },
  find,
);

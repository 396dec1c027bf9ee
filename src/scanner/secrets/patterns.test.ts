import { describe, expect, it } from "vitest";
import { findKnownSecrets, isLiteralSecretValue, isPlaceholder, isSecretName, redact, shannonEntropy } from "./patterns.js";
import { isGenericSecretValue, MIN_ENTROPY } from "./rules/generic.js";

describe("secret patterns", () => {
  it("measures Shannon entropy in bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });

  it("recognises placeholders, including AWS's documented example keys", () => {
    for (const v of ["changeme", "<your-token>", "${DB_PASSWORD}", "{{ .Values.password }}", "REPLACE_ME", "xxxxxxxx", "AKIAIOSFODNN7EXAMPLE", "process.env.TOKEN", "var.db_password", "1234567890abcdef"]) {
      expect(isPlaceholder(v), v).toBe(true);
    }
    for (const v of ["q7Vx2LmZ9pRt4KwN", "mysecretpass"]) expect(isPlaceholder(v), v).toBe(false);
  });

  it("tells secret names from names about secrets", () => {
    for (const n of ["DB_PASSWORD", "apiKey", "GITHUB_TOKEN", "client_secret", "AWS_SECRET_ACCESS_KEY", "password_wo"]) expect(isSecretName(n), n).toBe(true);
    for (const n of ["SECRET_NAME", "TOKEN_URL", "PASSWORD_FILE", "GPG_KEY", "max_tokens", "tokenizer", "secretKeyRef"]) expect(isSecretName(n), n).toBe(false);
  });

  it("treats references and paths as non-literals", () => {
    expect(isLiteralSecretValue("/run/secrets/db")).toBe(false);
    expect(isLiteralSecretValue("$DB_PASSWORD")).toBe(false);
    expect(isLiteralSecretValue("true")).toBe(false);
    expect(isLiteralSecretValue("abcd1234")).toBe(true);
  });

  it("finds known formats and redacts them", () => {
    const token = ["ghp", "_", "R8xT2vN9qL4mZ7wK3pY6sD1fH5jB0cQ2gE8a"].join("");
    const hits = findKnownSecrets(`auth: "${token}"`);
    expect(hits.map((h) => [h.ruleId, h.redacted])).toEqual([["DP-SECRET-003", "ghp_****"]]);
    expect(redact("abcdefgh")).toBe("ab****");
  });

  it("keeps the documented entropy calibration of the generic rule", () => {
    expect(MIN_ENTROPY).toBe(3.0);
    for (const v of ["Gn2YX6bwnGOc1UpHCz", "Pr0d-db-p4ss!", "hunter2-registry", "S3cure!Registry#2024", "q7Vx2LmZ9pRt4KwN"]) expect(isGenericSecretValue(v), v).toBe(true);
    for (const v of ["hunter2hunter2", "mysecretpass", "changeme123", "my-secret-name", "DB_PASSWORD", "?NoLineTerminatorHere", "/run/secrets/db", "${DB_PASSWORD}", "予期しないトークンです"]) {
      expect(isGenericSecretValue(v), v).toBe(false);
    }
  });
});

import { describe, expect, it } from "vitest";
import {
  decodedBase64Blobs,
  findSecretsInPair,
  findSecretsInText,
  isLiteralSecretValue,
  isSensitiveName,
  literalText,
} from "./secrets.js";

const kinds = (hits: { kind: string }[]): string[] => hits.map((h) => h.kind);

describe("secret detection for Terraform values", () => {
  it("finds known credential formats in scripts", () => {
    const script = [
      "#!/bin/bash",
      "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ].join("\n");
    expect(kinds(findSecretsInText(script))).toEqual(
      expect.arrayContaining(["AWS access key ID", "AWS secret access key"]),
    );
    expect(findSecretsInText("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")).toHaveLength(1);
    expect(findSecretsInText("TOKEN ghp_Abcdefghijklmnopqrstuvwxyz0123456789 end")).toHaveLength(1);
    expect(kinds(findSecretsInText("DATABASE_URL=postgres://app:s3cr3tpw@db.internal:5432/app"))).toContain(
      "URL with an embedded password",
    );
  });

  it("flags sensitive names bound to literals, including escaped quotes in heredocs", () => {
    expect(findSecretsInText('export DATABASE_PASSWORD=\\"SomeSortOfPassword\\"')).toHaveLength(1);
    expect(findSecretsInText("db_password: Sup3rS3cretValue")).toHaveLength(1);
  });

  it("does not flag references, commands, flags or paths", () => {
    const script = [
      'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text)"',
      "API_TOKEN=$API_TOKEN",
      'SECRET_ARN="arn:aws:secretsmanager:eu-west-1:123456789012:secret:app"',
      "PASSWORD_FILE=/run/secrets/db",
      "TOKEN_TTL=3600",
      "if [ \"$MODE\" == \"x\" ]; then echo; fi",
      "password = var.db_password",
      'secret = "${var.secret}"',
    ].join("\n");
    expect(findSecretsInText(script)).toEqual([]);
  });

  it("decodes base64 user data", () => {
    const b64 = Buffer.from('export DATABASE_PASSWORD="SomeSortOfPassword"\n').toString("base64");
    expect(decodedBase64Blobs(b64)[0]).toContain("DATABASE_PASSWORD");
    expect(findSecretsInText(b64)).toHaveLength(1);
    expect(findSecretsInText(Buffer.from("#!/bin/bash\necho hello world\n").toString("base64"))).toEqual([]);
  });

  it("judges environment variable pairs", () => {
    expect(findSecretsInPair("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).not.toEqual([]);
    expect(findSecretsInPair("DB_PASSWORD", "cheese-and-crackers")).not.toEqual([]);
    expect(findSecretsInPair("DB_PASSWORD_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:x")).toEqual([]);
    expect(findSecretsInPair("NODE_ENV", "production")).toEqual([]);
    expect(findSecretsInPair("GIT_SHA", "0123456789abcdef0123456789abcdef01234567")).toEqual([]);
  });

  it("classifies names and values", () => {
    for (const n of ["DB_PASSWORD", "api_key", "GITHUB_TOKEN", "client-secret", "SECRET_KEY_BASE", "DB_PASS"]) {
      expect(isSensitiveName(n), n).toBe(true);
    }
    for (const n of ["PASSWORD_FILE", "SECRET_ARN", "TOKEN_TYPE", "NODE_ENV", "AWS_ACCESS_KEY_ID", "PWD", "TOKEN_TTL"]) {
      expect(isSensitiveName(n), n).toBe(false);
    }
    expect(isLiteralSecretValue("hunter2-but-longer")).toBe(true);
    for (const v of ["", "true", "${var.x}", "$X", "<password>", "var.password", "aws_secretsmanager_secret_version.db.secret_string", "1234"]) {
      expect(isLiteralSecretValue(v), v).toBe(false);
    }
  });

  it("keeps only the literal parts of an expression's source", () => {
    expect(literalText('"a-${var.x}-b ${join(",", [for s in x : "${s}"])}"')).toBe('"a- -b  "');
  });
});

describe("secret detection on hostile input", () => {
  it("stays fast on long runs that almost match", () => {
    const started = performance.now();
    findSecretsInText("a.".repeat(200_000));
    findSecretsInText("x".repeat(300_000));
    findSecretsInText("postgres://" + "u".repeat(100_000) + ":" + "p".repeat(100_000));
    findSecretsInText("A1b2".repeat(100_000));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

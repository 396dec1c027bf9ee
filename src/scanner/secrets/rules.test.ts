import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Evaluation } from "../types.js";
import { secretsTarget } from "./index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

function fixture(ruleId: string, kind: "pass" | "fail"): { path: string; content: string } {
  const dir = `${FIXTURES}${ruleId}/`;
  const name = readdirSync(dir).find((f) => f.startsWith(`${kind}.`));
  if (name === undefined) throw new Error(`${ruleId} has no ${kind} fixture`);
  return { path: `fixtures/${ruleId}/${name}`, content: readFileSync(dir + name, "utf8") };
}

function evaluate(ruleId: string, kind: "pass" | "fail"): { evals: Evaluation[]; content: string } {
  const file = fixture(ruleId, kind);
  expect(secretsTarget.claims(file.path, file.content.slice(0, 4096))).toBe(true);
  const { docs, errors } = secretsTarget.parse([file]);
  expect(errors).toEqual([]);
  const rule = secretsTarget.rules.find((r) => r.meta.id === ruleId)!;
  return { evals: docs.flatMap((d) => rule.check(d)), content: file.content };
}

describe("secret rules", () => {
  it("every rule has complete metadata and both fixtures", () => {
    const ids = secretsTarget.rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    for (const { meta } of secretsTarget.rules) {
      expect(meta.id).toMatch(/^DP-SECRET-\d{3}$/);
      expect(meta.target).toBe("secrets");
      for (const field of [meta.title, meta.message, meta.recommendation, meta.fix]) expect(field.length).toBeGreaterThan(10);
      expect(meta.aliases.length).toBeGreaterThan(0);
      expect(meta.compliance.length).toBeGreaterThan(0);
      expect(() => fixture(meta.id, "pass")).not.toThrow();
      expect(() => fixture(meta.id, "fail")).not.toThrow();
    }
    expect(readdirSync(FIXTURES).sort()).toEqual([...ids].sort());
  });

  for (const { meta } of secretsTarget.rules) {
    it(`${meta.id} passes its pass fixture`, () => {
      const { evals } = evaluate(meta.id, "pass");
      expect(evals.length).toBeGreaterThan(0);
      expect(evals.filter((e) => !e.passed)).toEqual([]);
    });

    it(`${meta.id} fails its fail fixture without revealing the secret`, () => {
      const { evals, content } = evaluate(meta.id, "fail");
      const failed = evals.filter((e) => !e.passed);
      expect(failed.length).toBeGreaterThan(0);
      const lines = content.split("\n");
      for (const e of failed) {
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
        const secret = /[A-Za-z0-9_+/=.-]{12,}/.exec(lines[e.line - 1]!.slice(e.column - 1))?.[0];
        if (secret !== undefined) expect(e.message).not.toContain(secret.slice(-12));
      }
    });
  }
});

describe("secret scanning", () => {
  it("skips lock files, checksum lists and binary content", () => {
    expect(secretsTarget.claims("package-lock.json", "{}")).toBe(false);
    expect(secretsTarget.claims("go.sum", "x")).toBe(false);
    expect(secretsTarget.claims("infra/.terraform.lock.hcl", "x")).toBe(false);
    expect(secretsTarget.claims("logo.bin", "x\u0000y")).toBe(false);
    expect(secretsTarget.claims("app/.env", "A=1")).toBe(true);
  });

  it("reports files over 2 MiB as too large", () => {
    const { docs, errors } = secretsTarget.parse([{ path: "big.txt", content: "a".repeat(2 * 1024 * 1024 + 1) }]);
    expect(docs).toEqual([]);
    expect(errors[0]?.message).toMatch(/too large, skipped/);
  });

  it("emits one passed evaluation per rule for a clean file", () => {
    const { docs } = secretsTarget.parse([{ path: "README.md", content: "# Shop\n\nNothing to see here.\n" }]);
    for (const rule of secretsTarget.rules) expect(rule.check(docs[0]!)).toEqual([{ ruleId: rule.meta.id, passed: true, resource: "README.md", file: "README.md", line: 1, column: 1 }]);
  });

  it("never throws on hostile input", () => {
    const inputs = ["", "\n\n\n", "-----BEGIN RSA PRIVATE KEY-----", "eyJ.eyJ.", "password=" + "x".repeat(5000), "a://b:c@d".repeat(1000), "\r\n".repeat(100), "🙂".repeat(1000)];
    for (const content of inputs) {
      const { docs } = secretsTarget.parse([{ path: "x.env", content }]);
      for (const rule of secretsTarget.rules) expect(() => docs.forEach((d) => rule.check(d))).not.toThrow();
    }
  });
});

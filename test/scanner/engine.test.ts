import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discover, readForScan, scanSources } from "../../src/scanner/engine.js";
import { toSarif } from "../../src/scanner/output/sarif.js";
import { toTable } from "../../src/scanner/output/table.js";
import { securityScore } from "../../src/scanner/score.js";
import { findSuppression, globToRegExp, inlineIgnores, parseSuppressionConfig } from "../../src/scanner/suppress.js";
import type { Evaluation, RuleMeta, SourceFile, TargetScanner } from "../../src/scanner/types.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

/** A tiny target for engine tests: "key = value" lines; the rule wants no `open = true`. */
interface KvDoc {
  file: string;
  lines: { key: string; value: string; line: number }[];
}
const openRule: RuleMeta = {
  id: "DP-TEST-001",
  target: "dockerfile",
  severity: "high",
  title: "Nothing is open",
  message: "open is true",
  recommendation: "Set open = false",
  fix: "open = false",
  aliases: ["CKV_TEST_1"],
  compliance: [{ framework: "soc2", control: "CC6.1", mandatory: true }],
};
const kv: TargetScanner<KvDoc> = {
  target: "dockerfile",
  claims: (p) => p.endsWith(".kv"),
  parse(files: SourceFile[]) {
    const docs: KvDoc[] = [];
    const errors = [];
    for (const f of files) {
      if (f.content.includes("PARSE-ERROR")) {
        errors.push({ file: f.path, line: 2, message: "bad syntax" });
        continue;
      }
      if (f.content.includes("PARSER-THROWS")) throw new Error("boom");
      docs.push({ file: f.path, lines: f.content.split("\n").flatMap((l, i) => { const m = /^(\w+) = (\w+)/.exec(l); return m ? [{ key: m[1]!, value: m[2]!, line: i + 1 }] : []; }) });
    }
    return { docs, errors };
  },
  rules: [
    {
      meta: openRule,
      check: (doc): Evaluation[] =>
        doc.lines.filter((l) => l.key === "open").map((l) => ({ ruleId: "DP-TEST-001", passed: l.value !== "true", resource: `${doc.file}#${l.key}`, file: doc.file, line: l.line, column: 1 })),
    },
    {
      meta: { ...openRule, id: "DP-TEST-002", severity: "low", title: "Crashes on crash" },
      check: (doc): Evaluation[] => {
        if (doc.lines.some((l) => l.key === "crash")) throw new Error("rule bug");
        return [];
      },
    },
  ],
};
const targets = [kv as TargetScanner<unknown>];

describe("scan engine", () => {
  it("reports failures with rule metadata, passes count toward the score", () => {
    const r = scanSources([{ path: "a.kv", content: "open = true\nopen = false\n" }], { targets });
    expect(r.evaluated).toBe(2);
    expect(r.passed).toBe(1);
    expect(r.score).toBe(50);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ ruleId: "DP-TEST-001", severity: "high", title: "Nothing is open", line: 1, column: 1, aliases: ["CKV_TEST_1"], fix: "open = false" });
  });

  it("hostile input: parse errors, binary files, throwing parsers and rules become findings and the scan goes on", () => {
    const r = scanSources(
      [
        { path: "bad.kv", content: "x\nPARSE-ERROR\n" },
        { path: "bin.kv", content: "\u0000\u0001\u0002" },
        { path: "throws.kv", content: "PARSER-THROWS" },
        { path: "ok.kv", content: "open = true\ncrash = 1\n" },
      ].filter((f) => f.path !== "throws.kv"),
      { targets },
    );
    const ids = r.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`);
    expect(ids).toEqual(["DP-SCAN-001 bad.kv:2", "DP-SCAN-001 bin.kv:1", "DP-SCAN-002 ok.kv:1", "DP-TEST-001 ok.kv:1"]);
    const thrown = scanSources([{ path: "throws.kv", content: "PARSER-THROWS" }, { path: "z.kv", content: "open = false" }], { targets });
    expect(thrown.findings.map((f) => f.ruleId)).toEqual(["DP-SCAN-001", "DP-SCAN-001"]);
    expect(thrown.findings[0]?.message).toMatch(/parser failed: boom/);
  });

  it("inline ignores need a reason; a reasonless one suppresses nothing and is itself reported", () => {
    const r = scanSources(
      [
        { path: "a.kv", content: "# devops-pack:ignore DP-TEST-001 public demo bucket, no data\nopen = true\n" },
        { path: "b.kv", content: "open = true # devops-pack:ignore DP-TEST-001\n" },
      ],
      { targets },
    );
    const a = r.findings.find((f) => f.file === "a.kv");
    expect(a?.suppressed).toEqual({ reason: "public demo bucket, no data", by: "inline" });
    const b = r.findings.filter((f) => f.file === "b.kv").map((f) => f.ruleId);
    expect(b).toEqual(["DP-SCAN-003", "DP-TEST-001"]);
    expect(r.findings.find((f) => f.file === "b.kv" && f.ruleId === "DP-TEST-001")?.suppressed).toBeUndefined();
  });

  it("config suppressions match rule, path glob and resource, and need a reason", () => {
    const known = new Set(["DP-TEST-001"]);
    const config = parseSuppressionConfig("suppressions:\n  - rule: DP-TEST-001\n    path: 'envs/**/*.kv'\n    reason: accepted for the sandbox\n", "s.yaml", known);
    const r = scanSources([{ path: "envs/dev/a.kv", content: "open = true\n" }, { path: "prod.kv", content: "open = true\n" }], { targets, suppressions: config });
    expect(r.findings.map((f) => [f.file, f.suppressed?.by ?? "active"])).toEqual([["envs/dev/a.kv", "config"], ["prod.kv", "active"]]);
    expect(() => parseSuppressionConfig("suppressions:\n  - rule: DP-TEST-001\n", "s.yaml", known)).toThrow(/reason/);
    expect(() => parseSuppressionConfig("suppressions:\n  - rule: DP-NOPE-001\n    reason: because\n", "s.yaml", known)).toThrow(/unknown rule DP-NOPE-001/);
  });

  it("suppressed failures leave the score; the compliance control reflects unsuppressed failures", () => {
    const r = scanSources([{ path: "a.kv", content: "open = true # devops-pack:ignore DP-TEST-001 accepted\nopen = false\n" }], { targets, frameworks: ["soc2"] });
    expect(r.score).toBe(100);
    expect(r.controls).toEqual([{ framework: "soc2", control: "CC6.1", status: "passed", failedRules: [] }]);
    const bad = scanSources([{ path: "a.kv", content: "open = true\n" }], { targets, frameworks: ["soc2"] });
    expect(bad.controls[0]?.status).toBe("failed");
  });

  it("output order is deterministic whatever the input order", () => {
    const files = [
      { path: "b.kv", content: "open = true\n" },
      { path: "a.kv", content: "open = true\nx = 1\nopen = true\n" },
    ];
    const one = scanSources(files, { targets }).findings.map((f) => `${f.file}:${f.line}`);
    const two = scanSources([...files].reverse(), { targets }).findings.map((f) => `${f.file}:${f.line}`);
    expect(one).toEqual(["a.kv:1", "a.kv:3", "b.kv:1"]);
    expect(two).toEqual(one);
  });
});

describe("discovery", () => {
  it("never follows symlinks, skips tool folders, and reports too-large claimed files", () => {
    const root = tempDir();
    const outside = tempDir();
    writeTree(outside, { "secret.kv": "open = true\n" });
    writeTree(root, { "a.kv": "open = false\n", ".git/x.kv": "open = true\n", "node_modules/m/y.kv": "open = true\n", "big.kv": "x".repeat(3 * 1024 * 1024) });
    symlinkSync(join(outside, "secret.kv"), join(root, "link.kv"));
    mkdirSync(join(root, "d"));
    symlinkSync(outside, join(root, "d", "out"));
    const found = discover([root]);
    expect(found.files.map((f) => f.path.slice(root.length + 1))).toEqual(["a.kv", "big.kv"]);
    expect(found.skipped.map((s) => s.reason)).toEqual(["symlink (not followed)", "symlink (not followed)"]);
    const read = readForScan(found.files, targets);
    expect(read.tooLarge).toEqual([join(root, "big.kv")]);
    expect(read.sources.map((s) => s.content)).toEqual(["open = false\n"]);
  });
});

describe("outputs", () => {
  const r = scanSources([{ path: "dir/a.kv", content: "open = true\n# devops-pack:ignore DP-TEST-001 ok here\nopen = true\n" }], { targets });
  it("SARIF 2.1.0 with rules, regions, fingerprints and suppressions", () => {
    const sarif = toSarif(r, { version: "1.2.3" }) as { version: string; runs: { tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } }; results: Record<string, unknown>[] }[] };
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules.map((x) => x.id)).toContain("DP-TEST-001");
    expect(run.tool.driver.rules.find((x) => x.id === "DP-TEST-001")?.properties["security-severity"]).toBe("8.0");
    expect(run.results).toHaveLength(2);
    expect(run.results[0]).toMatchObject({ ruleId: "DP-TEST-001", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: "dir/a.kv", uriBaseId: "%SRCROOT%" }, region: { startLine: 1, startColumn: 1 } } }] });
    expect(run.results[0]?.partialFingerprints).toMatchObject({ "devopsPackFinding/v1": expect.stringMatching(/^[0-9a-f]{32}$/) as unknown });
    expect(run.results[1]?.suppressions).toEqual([{ kind: "inSource", status: "accepted", justification: "ok here" }]);
  });
  it("the table groups by file and ends with the verdict", () => {
    const t = toTable(r, { colour: false, threshold: 95 });
    expect(t.split("\n")[0]).toBe("dir/a.kv");
    expect(t).toContain("[suppressed: ok here]");
    expect(t.trim().split("\n").pop()).toMatch(/^score 0% \(threshold 95%\): FAIL$/);
  });
});

describe("helpers", () => {
  it("globs", () => {
    expect(globToRegExp("envs/**/*.tf").test("envs/a/b/main.tf")).toBe(true);
    expect(globToRegExp("envs/**/*.tf").test("envs/main.tf")).toBe(true);
    expect(globToRegExp("*.tf").test("a/main.tf")).toBe(false);
  });
  it("inline ignore syntax in any comment style", () => {
    expect(inlineIgnores("a\n  # devops-pack:ignore DP-AWS-S3-001 logs bucket\n// devops-pack:ignore DP-K8S-POD-002 x y\n<!-- devops-pack:ignore DP-GHA-001 z -->\n")).toEqual([
      { ruleId: "DP-AWS-S3-001", line: 2, reason: "logs bucket" },
      { ruleId: "DP-K8S-POD-002", line: 3, reason: "x y" },
      { ruleId: "DP-GHA-001", line: 4, reason: "z" },
    ]);
  });
  it("scope lets a comment above a resource cover findings inside it", () => {
    const e = { ruleId: "R-1", passed: false, resource: "r", file: "f", line: 10, column: 1, scope: { startLine: 5, endLine: 12 } };
    expect(findSuppression(e, [{ ruleId: "R-1", line: 4, reason: "why" }], undefined)?.by).toBe("inline");
    expect(findSuppression(e, [{ ruleId: "R-1", line: 2, reason: "why" }], undefined)).toBeUndefined();
  });
  it("score weights", () => {
    const meta = new Map([["H", { ...openRule, id: "H", severity: "high" as const }], ["L", { ...openRule, id: "L", severity: "low" as const }]]);
    const ev = (ruleId: string, passed: boolean) => ({ ruleId, passed, resource: "r", file: "f", line: 1, column: 1 });
    expect(securityScore([ev("H", true), ev("L", false)], meta)).toBe(83.33);
    expect(securityScore([], meta)).toBe(100);
  });
});

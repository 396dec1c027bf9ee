import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../core/findings.js";
import { analyzeWorkflow, analyzeWorkflows, RULES } from "./analyze.js";
import { cicdSpecialist } from "./index.js";
import { PINS } from "./pins.js";
import { cicdInputSchema } from "./schema.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const FIXTURES = "test/fixtures/workflows";

function load(kind: "bad" | "good"): Map<string, string> {
  const dir = `${FIXTURES}/${kind}`;
  return new Map(
    readdirSync(join(ROOT, dir))
      .sort()
      .map((f) => [`${dir}/${f}`, readFileSync(join(ROOT, dir, f), "utf8")] as const),
  );
}

const bad = analyzeWorkflows(load("bad"));
const good = analyzeWorkflows(load("good"));

function find(findings: Finding[], ruleId: string, file: string, resource?: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId && f.file.endsWith(file) && (resource === undefined || f.resource === resource));
}

describe("pipeline analysis rules", () => {
  it("has stable, unique ids", () => {
    const ids = Object.values(RULES).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^DP-CICD-\d{3}$/);
  });

  it("every rule fires on the bad fixtures and none on the good ones", () => {
    expect(good).toEqual([]);
    const fired = new Set(bad.map((f) => f.ruleId));
    for (const rule of Object.values(RULES)) expect(fired.has(rule.id), `${rule.id} ${rule.title}`).toBe(true);
  });

  it("DP-CICD-001: tags, branches and docker tags are unpinned; SHAs, local actions and digests are not", () => {
    expect(find(bad, RULES.unpinned.id, "bad/ci.yml").map((f) => f.resource)).toEqual([
      "jobs.lint.steps[0]",
      "jobs.lint.steps[1]",
      "jobs.lint-again.steps[0]",
      "jobs.lint-again.steps[1]",
      "jobs.test.steps[1]",
    ]);
    const main = find(bad, RULES.unpinned.id, "bad/release.yaml", "jobs.publish.steps[0]")[0];
    expect(main?.message).toMatch(/'main' is a tag or branch/);
    expect(main?.fix).toBe(`uses: actions/checkout@${PINS.checkout.sha} # ${PINS.checkout.tag}`);
    expect(main?.line).toBe(11);
    expect(main?.aliases).toEqual(["unpinned-uses"]);
    expect(find(bad, RULES.unpinned.id, "bad/release.yaml", "jobs.publish.steps[1]")[0]?.fix).toMatch(/docker:\/\/alpine@sha256:/);
  });

  it("DP-CICD-001 never suggests a pin older than the version in use", () => {
    const text = "on: pull_request\npermissions: {}\nconcurrency: x\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - uses: actions/checkout@v99\n        with:\n          persist-credentials: false\n";
    const [f] = analyzeWorkflow("w.yml", text);
    expect(f?.fix).toBe("uses: actions/checkout@<40-hex commit SHA of v99> # v99");
  });

  it("DP-CICD-002: write-all, workflow-level write scopes and missing permissions", () => {
    const writeAll = find(bad, RULES.permissions.id, "bad/ci.yml")[0];
    expect(writeAll).toMatchObject({ severity: "high", resource: "workflow", line: 7 });
    expect(find(bad, RULES.permissions.id, "bad/comment.yml").map((f) => [f.resource, f.severity])).toEqual([
      ["workflow", "medium"],
      ["jobs.reply", "high"],
    ]);
    expect(find(bad, RULES.permissions.id, "bad/release.yaml")[0]?.message).toMatch(/No permissions are declared/);
  });

  it("DP-CICD-003: jobs without timeout-minutes, but not reusable-workflow calls", () => {
    expect(find(bad, RULES.timeout.id, "bad/ci.yml").map((f) => [f.resource, f.line])).toEqual([
      ["jobs.lint", 9],
      ["jobs.lint-again", 18],
    ]);
  });

  it("DP-CICD-004: setup-node/python/java without cache, setup-go with cache: false", () => {
    expect(find(bad, RULES.cache.id, "bad/ci.yml").map((f) => f.resource)).toEqual(["jobs.lint.steps[1]", "jobs.lint-again.steps[1]", "jobs.test.steps[1]"]);
    expect(find(bad, RULES.cache.id, "bad/release.yaml").map((f) => f.resource)).toEqual(["jobs.publish.steps[2]", "jobs.publish.steps[3]"]);
    expect(find(bad, RULES.cache.id, "bad/ci.yml")[0]?.fix).toContain("cache: npm");
  });

  it("DP-CICD-005: checkout without persist-credentials: false", () => {
    expect(find(bad, RULES.credentials.id, "bad/ci.yml").map((f) => f.resource)).toEqual(["jobs.lint.steps[0]", "jobs.lint-again.steps[0]"]);
    expect(find(bad, RULES.credentials.id, "bad/ci.yml")[0]?.aliases).toEqual(["artipacked"]);
  });

  it("DP-CICD-006: untrusted event text and head_ref in run: and github-script", () => {
    const [run] = find(bad, RULES.injection.id, "bad/ci.yml");
    expect(run?.resource).toBe("jobs.greet.steps[0]");
    expect(run?.message).toContain("github.event.pull_request.title");
    expect(run?.message).toContain("github.head_ref");
    expect(run?.fix).toContain("env:");
    expect(find(bad, RULES.injection.id, "bad/comment.yml")[0]?.message).toContain("github.event.comment.body");
  });

  it("DP-CICD-007: push/pull_request workflows without concurrency", () => {
    expect(find(bad, RULES.concurrency.id, "bad/ci.yml")).toHaveLength(1);
    // release.yaml has a job-level concurrency group on its only job; comment.yml is not a push/PR workflow.
    expect(find(bad, RULES.concurrency.id, "bad/release.yaml")).toEqual([]);
    expect(find(bad, RULES.concurrency.id, "bad/comment.yml")).toEqual([]);
  });

  it("DP-CICD-008: identical jobs", () => {
    const [dup] = find(bad, RULES.redundant.id, "bad/ci.yml");
    expect(dup?.resource).toBe("jobs.lint-again");
    expect(dup?.message).toContain("job lint");
  });

  it("DP-CICD-009: malformed YAML is a finding, not a crash", () => {
    const [f] = find(bad, RULES.malformed.id, "bad/malformed.yml");
    expect(f?.line).toBeGreaterThan(0);
    const bomb = `x: &x 1\njobs:\n  j:\n    steps: [${"*x, ".repeat(150)}*x]\n`;
    expect(analyzeWorkflow("bomb.yml", bomb).map((f) => f.ruleId)).toEqual([RULES.malformed.id]);
    expect(analyzeWorkflow("empty.yml", "")).toEqual([]);
  });

  it("every finding has the full shape", () => {
    for (const f of bad) {
      expect(f.message.length).toBeGreaterThan(0);
      expect(f.recommendation.length).toBeGreaterThan(0);
      expect(f.fix.length).toBeGreaterThan(0);
      expect(f.file.startsWith(FIXTURES)).toBe(true);
      expect(f.line).toBeGreaterThan(0);
    }
  });

  it("the specialist reports findings from ctx.files only and writes no artifacts", () => {
    const input = cicdInputSchema.parse({ analyze: `${FIXTURES}/bad` });
    const files = new Map([...load("bad"), [`${FIXTURES}/bad/README.md`, "not yaml: ["]]);
    const plan = cicdSpecialist.plan(input, { files });
    expect(plan.artifacts).toEqual([]);
    expect(plan.findings).toEqual(bad);
    const empty = cicdSpecialist.plan(input, { files: new Map() });
    expect(empty.notes[0]?.kind).toBe("warning");
  });
});

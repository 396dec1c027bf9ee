import { describe, expect, it } from "vitest";
import { ACTIONLINT_TOOL, lintWorkflow } from "./actionlint.js";

const VALID = `name: CI
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - run: echo "hello"
`;

describe("lintWorkflow (real actionlint)", () => {
  it("names the tool and its version", () => {
    expect(ACTIONLINT_TOOL).toMatch(/^actionlint \d+\.\d+\.\d+/);
  });

  it("passes a valid workflow", async () => {
    const r = await lintWorkflow(VALID, ".github/workflows/ci.yml");
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("fails a workflow with an unknown job key, with line and column", async () => {
    const broken = VALID.replace("timeout-minutes: 10", "timeout-minutes: 10\n    runs_on: ubuntu-24.04");
    const r = await lintWorkflow(broken, ".github/workflows/ci.yml");
    expect(r.ok).toBe(false);
    const issue = r.errors[0];
    expect(issue).toBeDefined();
    expect(issue?.line).toBe(10);
    expect(issue?.column).toBeGreaterThan(0);
    expect(issue?.kind).toBe("syntax-check");
    expect(issue?.path).toBe(".github/workflows/ci.yml");
  });

  it("flags an untrusted context in run:", async () => {
    const injected = VALID.replace('echo "hello"', "echo ${{ github.event.pull_request.title }}");
    const r = await lintWorkflow(injected, "x.yml");
    expect(r.ok).toBe(false);
    expect(r.errors.some((e) => e.kind === "expression" && e.line === 11)).toBe(true);
  });

  it("reports malformed YAML as data, not as a throw", async () => {
    const r = await lintWorkflow("on: push\njobs: [", "bad.yml");
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.line).toBe(2);
  });

  it("lints many files concurrently with one wasm runtime", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => lintWorkflow(VALID, `w${i}.yml`)));
    expect(results.every((r) => r.ok)).toBe(true);
  });
});

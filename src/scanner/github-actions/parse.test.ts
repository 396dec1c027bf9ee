import { describe, expect, it } from "vitest";
import { claimsWorkflow, locateIn, parseWorkflow } from "./parse.js";
import { contextPaths, isPinned } from "./rules/common.js";
import { untrustedExpressions } from "./rules/injection.js";
import { githubActionsTarget } from "./index.js";

describe("workflow parser", () => {
  it("claims only workflow files", () => {
    expect(claimsWorkflow(".github/workflows/ci.yml")).toBe(true);
    expect(claimsWorkflow("repo/.github/workflows/release.yaml")).toBe(true);
    expect(claimsWorkflow(".github/workflows/sub/ci.yml")).toBe(false);
    expect(claimsWorkflow(".github/dependabot.yml")).toBe(false);
    expect(claimsWorkflow("ci.yml")).toBe(false);
  });

  it("reads triggers in all three forms and keeps positions", () => {
    const forms = ["on: push\n", "on: [push, pull_request]\n", "on:\n  push:\n    tags: ['v*']\n"];
    for (const f of forms) {
      const wf = parseWorkflow(".github/workflows/x.yml", `${f}jobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n`);
      if (!("jobs" in wf)) throw new Error(wf.message);
      expect(wf.triggers[0]!.event).toBe("push");
      expect(wf.jobs[0]!.steps[0]!.run).toMatchObject({ value: "echo hi" });
    }
  });

  it("locates an expression inside a block scalar", () => {
    const text = "on: issues\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n          echo start\n          echo \"${{ github.event.issue.title }}\"\n";
    const wf = parseWorkflow(".github/workflows/x.yml", text);
    if (!("jobs" in wf)) throw new Error(wf.message);
    expect(locateIn(wf, wf.jobs[0]!.steps[0]!.run!, "${{ github.event.issue.title }}")).toEqual({ line: 8, column: 17 });
  });

  it("turns malformed YAML, alias bombs, duplicate keys and non-workflows into parse errors", () => {
    const bomb = `a: &a ["x","x"]\n${Array.from({ length: 120 }, (_, i) => `k${i}: *a`).join("\n")}\njobs: {}\n`;
    for (const bad of ["on: [push\njobs:", bomb, "on: push\non: pull_request\njobs:\n  a: {}\n", "name: not a workflow\n", "- a\n- b\n", ""]) {
      const r = parseWorkflow(".github/workflows/x.yml", bad);
      expect("jobs" in r, bad.slice(0, 30)).toBe(false);
    }
  });

  it("never throws on arbitrary input and rules never throw on what it accepts", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const parts = ["on: push\n", "jobs:\n", "  a:\n", "    steps:\n", "      - run: x\n", "      - uses: a/b@v1\n", "    permissions: write-all\n", "    runs-on: [self-hosted]\n", "${{ github.head_ref }}", ":", "-", " ", "\n", "[", "{", "&x", "*x", "'", '"'];
    for (let n = 0; n < 400; n++) {
      let s = "";
      for (let i = 0; i < Math.floor(rnd() * 25); i++) s += parts[Math.floor(rnd() * parts.length)]!;
      expect(() => {
        const { docs } = githubActionsTarget.parse([{ path: ".github/workflows/f.yml", content: s }]);
        for (const d of docs) for (const r of githubActionsTarget.rules) r.check(d);
      }).not.toThrow();
    }
  });
});

describe("expression helpers", () => {
  it("normalises context paths", () => {
    expect(contextPaths("github.event['pull_request'].title")).toEqual(["github.event.pull_request.title"]);
    expect(contextPaths("github.event.commits[0].message")).toEqual(["github.event.commits.*.message"]);
  });

  it("finds untrusted expressions but not safe ones", () => {
    expect(untrustedExpressions("echo ${{ github.event.pull_request.title }}").map((e) => e.path)).toEqual(["github.event.pull_request.title"]);
    expect(untrustedExpressions("echo '${{ toJSON(github.event) }}'")).toHaveLength(1);
    expect(untrustedExpressions("echo ${{ github.event.pull_request.number }} ${{ github.sha }} ${{ github.event.issue.user.login }}")).toEqual([]);
  });

  it("knows what a pinned reference is", () => {
    expect(isPinned("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683")).toBe(true);
    expect(isPinned("./.github/actions/x")).toBe(true);
    expect(isPinned("docker://alpine@sha256:" + "a".repeat(64))).toBe(true);
    expect(isPinned("actions/checkout@v4")).toBe(false);
    expect(isPinned("docker://alpine:3.21")).toBe(false);
  });
});

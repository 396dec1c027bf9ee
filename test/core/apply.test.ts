import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan, previewApply, recoverInterruptedApply } from "../../src/core/apply/apply.js";
import { unifiedDiff } from "../../src/core/apply/diff.js";
import { isDevopsPackError } from "../../src/core/errors.js";
import type { Plan } from "../../src/core/plans/plan.js";
import { markerLine } from "../../src/core/plans/plan.js";
import { ledgerWith, savePlans } from "../helpers/ledger.js";
import { fakePlan } from "../helpers/plans.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

async function refusedWith(fn: () => unknown, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    expect(isDevopsPackError(e) && e.code).toBe("REFUSED");
    expect(isDevopsPackError(e) && e.exitCode).toBe(3);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  expect.fail("expected a refusal");
}

/** Applies with a fresh store-backed ledger that knows the plan. */
async function apply(plan: Plan, dir: string, opts: { force?: boolean } = {}) {
  const { ledger } = await ledgerWith(plan);
  return applyPlan(plan, dir, ledger, opts);
}

const CRASH_PLAN_ID = "c0ffee000001";

/** Runs the crash script: applies the crash plan into `dir` and is killed after `after` renames. */
async function crashApply(dir: string, after: number) {
  const l = await ledgerWith(fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" }, { id: CRASH_PLAN_ID }));
  const child = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "scripts/crash.ts"), "rename", dir, String(after), l.path], { encoding: "utf8" });
  expect(child.signal, child.stderr).toBe("SIGKILL");
  return l;
}

describe("apply", () => {
  it("writes every artifact and reports creates, updates and unchanged files", async () => {
    const dir = tempDir();
    const plan = fakePlan({ ".github/workflows/ci.yml": "on: push\n", "b.yml": "b: 1\n" });
    const next = fakePlan({ ".github/workflows/ci.yml": "on: pull_request\n", "b.yml": "b: 1\n" }, { id: "abc123def457" });
    const { ledger } = await ledgerWith(plan, next);
    const first = await applyPlan(plan, dir, ledger);
    expect(first.written.sort()).toEqual([".github/workflows/ci.yml", "b.yml"]);
    expect(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")).toBe(plan.artifacts[0]!.content);
    const again = await applyPlan(plan, dir, ledger);
    expect(again.changes.map((c) => c.action)).toEqual(["unchanged", "unchanged"]);
    const third = await applyPlan(next, dir, ledger);
    expect(third.changes[0]?.action).toBe("update");
    expect(third.changes[0]?.diff).toContain("-on: push\n+on: pull_request");
    // nothing left behind
    expect(readdirSync(join(dir, ".devops-pack"))).toEqual([]);
  });

  it.each([["../outside.yml"], ["/etc/passwd"], ["a/../../x.yml"], ["./a.yml"], [".git/hooks/pre-commit"], [".devops-pack/state.db"], ["a\\..\\b"], [""]])(
    "refuses the unsafe path %j",
    async (path) => {
      const dir = tempDir();
      await refusedWith(() => apply(fakePlan({ [path]: "x: 1\n" }), dir), /Refused: artifact path/);
      expect(readdirSync(dir).filter((f) => f !== ".devops-pack")).toEqual([]);
    },
  );

  it("refuses to write through a symlinked directory or file", async () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, ".github"));
    await refusedWith(() => apply(fakePlan({ ".github/workflows/ci.yml": "x: 1\n" }), dir), /\.github is a symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
    const dir2 = tempDir();
    writeFileSync(join(elsewhere, "target.yml"), "mine\n");
    symlinkSync(join(elsewhere, "target.yml"), join(dir2, "ci.yml"));
    await refusedWith(() => apply(fakePlan({ "ci.yml": "x: 1\n" }), dir2), /ci\.yml is a symlink/);
    expect(readFileSync(join(elsewhere, "target.yml"), "utf8")).toBe("mine\n");
  });

  it("never overwrites a file without the generated marker unless forced, and writes nothing in that case", async () => {
    const dir = tempDir();
    writeTree(dir, { "mine.yml": "hand: written\n" });
    const plan = fakePlan({ "new.yml": "n: 1\n", "mine.yml": "x: 1\n" });
    await refusedWith(() => apply(plan, dir), /mine\.yml exists and has no devops-pack marker.*--force/);
    expect(existsSync(join(dir, "new.yml"))).toBe(false);
    expect(readFileSync(join(dir, "mine.yml"), "utf8")).toBe("hand: written\n");
    await apply(plan, dir, { force: true });
    expect(readFileSync(join(dir, "mine.yml"), "utf8")).toBe(`${markerLine("test")}\nx: 1\n`);
  });

  it("overwrites a generated file that still carries the marker", async () => {
    const dir = tempDir();
    writeTree(dir, { "gen.yml": `${markerLine("test")}\nold: 1\n` });
    const r = await apply(fakePlan({ "gen.yml": "new: 1\n" }), dir);
    expect(r.changes[0]?.action).toBe("update");
  });

  it("a crash in the middle of an apply is rolled back: all or nothing", async () => {
    const dir = tempDir();
    writeTree(dir, { "a.yml": `${markerLine("test")}\na: old\n` });
    const { ledger } = await crashApply(dir, 2);
    // The crash left a half-applied tree and a journal behind.
    expect(existsSync(join(dir, ".devops-pack/apply-journal.json"))).toBe(true);
    const report = await recoverInterruptedApply(dir, ledger);
    expect(report?.outcome).toBe("rolled-back");
    expect(report?.restored).toEqual(["a.yml"]);
    expect(report?.removed).toEqual(["b.yml"]);
    expect(readFileSync(join(dir, "a.yml"), "utf8")).toBe(`${markerLine("test")}\na: old\n`);
    expect(existsSync(join(dir, "b.yml"))).toBe(false);
    expect(existsSync(join(dir, "sub"))).toBe(false);
    expect(existsSync(join(dir, ".devops-pack/apply-journal.json"))).toBe(false);
  });

  it("the next apply recovers an interrupted one first, then completes", async () => {
    const dir = tempDir();
    const { ledger, store } = await crashApply(dir, 1);
    const plan = fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" });
    await savePlans(store, [plan]);
    const r = await applyPlan(plan, dir, ledger);
    expect(r.recovered?.removed).toEqual(["a.yml"]);
    expect(r.written.sort()).toEqual(["a.yml", "b.yml", "sub/c.yml"]);
  });

  it("a second apply into the same directory while one runs is refused", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".devops-pack"));
    // A live process (this one's parent) holds the lock.
    writeFileSync(join(dir, ".devops-pack/apply.lock"), `${process.ppid} 0123abcd\n`);
    await refusedWith(() => apply(fakePlan({ "a.yml": "a: 1\n" }), dir), /another apply \(pid \d+\)/);
    // A lock left by a dead process is stale and taken over.
    writeFileSync(join(dir, ".devops-pack/apply.lock"), "999999 0123abcd\n");
    expect((await apply(fakePlan({ "a.yml": "a: 1\n" }), dir)).written).toEqual(["a.yml"]);
  });

  it("preview touches nothing", () => {
    const dir = tempDir();
    const changes = previewApply(fakePlan({ "a.yml": "a: 1\n" }), dir);
    expect(changes[0]?.action).toBe("create");
    expect(changes[0]?.diff).toContain("+a: 1");
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("unifiedDiff", () => {
  it("produces hunks with context", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const b = a.replace("line 10", "LINE 10");
    const d = unifiedDiff(a, b, "a/x", "b/x");
    expect(d).toBe("--- a/x\n+++ b/x\n@@ -8,7 +8,7 @@\n line 7\n line 8\n line 9\n-line 10\n+LINE 10\n line 11\n line 12\n line 13\n");
    expect(unifiedDiff(a, a, "a", "b")).toBe("");
  });
});

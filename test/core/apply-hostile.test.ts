/**
 * Issue 12, apply slice, at the library level: failures in the middle of an
 * apply (full disk, kill -9 while staging), journals that name unsafe
 * directories, and the record of what apply wrote.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan, checkArtifactPath } from "../../src/core/apply/apply.js";
import { isDevopsPackError } from "../../src/core/errors.js";
import { hasMarker, markerLine, sha256 } from "../../src/core/plans/plan.js";
import { ledgerWith } from "../helpers/ledger.js";
import { fakePlan } from "../helpers/plans.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error");
}

describe("finding 13: a full disk while staging", () => {
  it("is a clean IO error; the staging files are removed and nothing in the tree changes", async () => {
    const dir = tempDir();
    const old = `${markerLine("test")}\na: old\n`;
    writeTree(dir, { "a.yml": old });
    const plan = fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" });
    const { ledger, store } = await ledgerWith(plan);
    const e = await caught(() =>
      applyPlan(plan, dir, ledger, {
        afterStage: (n) => {
          if (n === 2) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        },
      }),
    );
    expect(isDevopsPackError(e) && e.code).toBe("IO");
    expect(e.message).toMatch(/failed while staging its files; nothing in .* changed: .*no space left on the device \(ENOSPC\)/);
    expect(readFileSync(join(dir, "a.yml"), "utf8")).toBe(old);
    expect(existsSync(join(dir, "b.yml"))).toBe(false);
    expect(readdirSync(join(dir, ".devops-pack"))).toEqual([]);
    expect((await store.auditLog()).map((a) => a.action)).toContain("apply.rolled_back");
    // The directory is not bricked: the next apply goes through.
    expect((await applyPlan(plan, dir, ledger)).written.sort()).toEqual(["a.yml", "b.yml", "sub/c.yml"]);
  });
});

describe("finding 8: kill -9 in the middle of an apply", () => {
  it("leaves a whole journal (written atomically) that the next apply rolls back", async () => {
    const dir = tempDir();
    const { path, ledger, store } = await ledgerWith(fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" }, { id: "c0ffee000002" }));
    const child = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "scripts/crash.ts"), "stage", dir, "2", path], { encoding: "utf8" });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    const journal = JSON.parse(readFileSync(join(dir, ".devops-pack/apply-journal.json"), "utf8")) as { phase: string; id: string };
    expect(journal.phase).toBe("prepare");
    const next = fakePlan({ "a.yml": "a: 2\n" });
    await store.startRun({ id: "r2", taskType: "devops.test", agent: "test", source: "t", actor: "test" });
    await store.savePlan("r2", next, [], "test");
    const r = await applyPlan(next, dir, ledger);
    expect(r.recovered).toMatchObject({ planId: "c0ffee000002", outcome: "rolled-back", restored: [], removed: [] });
    expect(readdirSync(dir).sort()).toEqual([".devops-pack", "a.yml"]);
    expect((await store.applyJournal(journal.id))?.status).toBe("rolled_back");
  });
});

describe("finding 1: journal validation", () => {
  it("a journal the store knows, edited to add an unsafe created directory, is refused and left alone", async () => {
    const dir = tempDir();
    const plan = fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" }, { id: "c0ffee000001" });
    const l = await ledgerWith(plan);
    const child = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "scripts/crash.ts"), "rename", dir, "2", l.path], { encoding: "utf8" });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    const file = join(dir, ".devops-pack/apply-journal.json");
    const outside = tempDir();
    mkdirSync(join(outside, "keep"));
    const j = JSON.parse(readFileSync(file, "utf8")) as { createdDirs: string[] };
    j.createdDirs.push(`../${outside.split("/").pop()!}/keep`);
    writeFileSync(file, JSON.stringify(j));
    const e = await caught(() => applyPlan(plan, dir, l.ledger));
    expect(isDevopsPackError(e) && e.code).toBe("REFUSED");
    expect(e.message).toMatch(/apply-journal\.json lists a created directory .* that holds none of its files/);
    expect(existsSync(join(outside, "keep"))).toBe(true);
    expect(existsSync(file)).toBe(true);
  });
});

describe("finding 14a: apply records what it wrote", () => {
  it("records the sha256 of every file of the plan, so the next apply can tell a hand edit", async () => {
    const dir = tempDir();
    const plan = fakePlan({ "a.yml": "a: 1\n", "b.yml": "b: 1\n" });
    const { ledger, store } = await ledgerWith(plan);
    await applyPlan(plan, dir, ledger);
    const last = await store.lastWritten(dir, ["a.yml", "b.yml", "c.yml"]);
    expect(Object.fromEntries(last)).toEqual({ "a.yml": sha256(plan.artifacts[0]!.content), "b.yml": sha256(plan.artifacts[1]!.content) });
  });

  it("the marker counts only as the exact header line", () => {
    expect(hasMarker(`${markerLine("devops_cicd")}\nx: 1\n`)).toBe(true);
    expect(hasMarker(`# NOT ${markerLine("devops_cicd", "").trim()}\n`)).toBe(false);
    expect(hasMarker(`# ${markerLine("devops_cicd", "").trim()} (edited)\n`)).toBe(false);
    expect(hasMarker(`x: "${markerLine("devops_cicd", "").trim()}"\n`)).toBe(false);
    expect(hasMarker(`<!-- ${markerLine("devops_incident_response", "").trim()} -->\n`)).toBe(true);
    expect(hasMarker(`{{/* ${markerLine("devops_kubernetes", "").trim()} */}}\n`)).toBe(true);
    expect(hasMarker(`{\n  "$comment": "${markerLine("devops_kubernetes", "").trim()}",\n`)).toBe(true);
  });
});

describe("finding 14b: forbidden segments", () => {
  it.each(["sub/.git/config", ".GIT/hooks/x", "a/.Devops-Pack/x", ".devops-pack/state.db"])("refuses %s", (p) => {
    expect(() => checkArtifactPath("/repo", p)).toThrow(/writes into/);
  });
  it("allows names that only contain those words", () => {
    expect(checkArtifactPath("/repo", ".github/workflows/git.yml")).toBe("/repo/.github/workflows/git.yml");
    expect(checkArtifactPath("/repo", "docs/.gitignore")).toBe("/repo/docs/.gitignore");
  });
});

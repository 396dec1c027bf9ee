/**
 * Issue 12, apply slice: hostile input to `apply` and the other write paths,
 * through the built CLI. Each test reproduces an attack or a failure that
 * used to write outside the target, lose a hand edit, or print a stack trace.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plans/plan.js";
import { artifact, markerLine, planDigest } from "../../src/core/plans/plan.js";
import { openRawSqlite } from "../../src/core/store/driver.js";
import type { CliResult } from "../helpers/cli.js";
import { cli, cliJson } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const STAGING_ONLY = "task:\n  type: devops.cicd\n  input:\n    project_type: node\n    stages: [lint, test, build, deploy]\n    environments: [staging]\n";

interface RunJson {
  plan: { id: string; artifacts: { path: string; content: string }[] };
}

/** A project with a staging-only CI/CD plan in its store (no approval needed). */
function stagingPlan(): { dir: string; id: string; paths: string[] } {
  const dir = tempDir();
  const run = cliJson<RunJson>(["run", "-"], { cwd: dir, input: STAGING_ONLY });
  expect(run.code).toBe(0);
  return { dir, id: run.json.plan.id, paths: run.json.plan.artifacts.map((a) => a.path) };
}

/** A clean error: the expected exit code, an `error:` line, and no stack trace. */
function cleanError(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

/**
 * Forges a hostile plan in the store from a stored one: a new id, edited artifacts
 * (re-hashed, so integrity holds) and the audit entries devops-pack would have
 * written. Anyone who can write the store can do this (docs/security.md: local mode
 * detects edits, not forgeries); apply's own path checks are what still stands.
 */
function forgePlan(dir: string, id: string, edit: (plan: Plan) => void): string {
  const db = openRawSqlite(join(dir, ".devops-pack/state.db"));
  const row = db.all("select * from plans where id = ?", id)[0]!;
  const plan = JSON.parse(row.plan_json as string) as Plan;
  plan.id = randomBytes(6).toString("hex"); // a new plan, not an edit of the stored one
  edit(plan);
  plan.digest = planDigest(plan);
  const at = new Date().toISOString();
  db.run(
    "insert into plans (id, run_id, created_at, task_type, agent, environment, digest, touches_secrets, plan_json) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    plan.id, row.run_id, at, row.task_type, row.agent, row.environment, plan.digest, row.touches_secrets, JSON.stringify(plan),
  );
  db.run("insert into audit_log (at, actor, action, subject, data_json) values (?, 'mallory', 'plan.saved', ?, ?)", at, `plan:${plan.id}`, JSON.stringify({ digest: plan.digest }));
  const gates = db.all("select gate, status, score, threshold, result_json from gate_results where plan_id = ? order by seq", id);
  for (const g of gates) {
    db.run("insert into gate_results (plan_id, gate, status, score, threshold, result_json, recorded_at) values (?, ?, ?, ?, ?, ?, ?)", plan.id, g.gate, g.status, g.score, g.threshold, g.result_json, at);
  }
  db.run("insert into audit_log (at, actor, action, subject, data_json) values (?, 'mallory', 'gates.recorded', ?, ?)", at, `plan:${plan.id}`, JSON.stringify({ gates: gates.map((g) => ({ gate: g.gate, status: g.status })) }));
  db.close();
  return plan.id;
}

function plantJournal(repo: string, journal: unknown): string {
  mkdirSync(join(repo, ".devops-pack/apply-staging/outside"), { recursive: true });
  const file = join(repo, ".devops-pack/apply-journal.json");
  writeFileSync(file, typeof journal === "string" ? journal : JSON.stringify(journal));
  return file;
}

describe("finding 1: a planted journal", () => {
  it.each([true, false])("is refused and never acted on (existed: %s): nothing outside --dir is written or deleted", (existed) => {
    const { dir, id } = stagingPlan();
    const outside = join(dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "config.sh"), "original\n");
    const repo = join(dir, "repo");
    const journal = plantJournal(repo, { planId: "x", phase: "commit", pid: 1, entries: [{ path: "../outside/config.sh", existed }], createdDirs: [] });
    writeFileSync(join(repo, ".devops-pack/apply-staging/outside/config.sh"), "echo PWNED\n");
    const r = cli(["apply", id, "--dir", "repo"], { cwd: dir });
    cleanError(r, 3, /apply-journal\.json.*did not act on it.*delete both/s);
    expect(readFileSync(join(outside, "config.sh"), "utf8")).toBe("original\n");
    expect(existsSync(journal)).toBe(true); // left alone for the user to inspect
    // A second try says the same; nothing is written into the repository meanwhile.
    cleanError(cli(["apply", id, "--dir", "repo"], { cwd: dir }), 3, /apply-journal\.json/);
    expect(readdirSync(repo)).toEqual([".devops-pack"]);
  });

  it("a well-formed journal with safe paths that the store does not know is refused too", () => {
    const { dir, id, paths } = stagingPlan();
    writeTree(dir, { [paths[0]!]: "name: mine\n" });
    plantJournal(dir, { version: 1, id: "0".repeat(32), planId: id, phase: "commit", pid: 1, entries: [{ path: paths[0], existed: false, sha256: "a".repeat(64) }], createdDirs: [] });
    cleanError(cli(["apply", id, "--force"], { cwd: dir }), 3, /store does not know/);
    expect(readFileSync(join(dir, paths[0]!), "utf8")).toBe("name: mine\n");
  });

  it("a malformed journal is a clean refusal (exit 3) naming the file, every time, not a stack trace", () => {
    const { dir, id } = stagingPlan();
    plantJournal(dir, { planId: 7, entries: "nope" });
    for (let i = 0; i < 2; i++) cleanError(cli(["apply", id], { cwd: dir }), 3, /apply-journal\.json is not a journal devops-pack wrote/);
  });
});

describe("finding 8: a torn (empty) journal", () => {
  it("is reported and cleared when the staging area shows nothing was committed; the apply then completes", () => {
    const { dir, id, paths } = stagingPlan();
    mkdirSync(join(dir, ".devops-pack/apply-staging/new"), { recursive: true });
    writeFileSync(join(dir, ".devops-pack/apply-journal.json"), "");
    const r = cli(["apply", id], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cleared an empty or unparsable apply journal/);
    expect(existsSync(join(dir, paths[0]!))).toBe(true);
    expect(existsSync(join(dir, ".devops-pack/apply-journal.json"))).toBe(false);
  });

  it("is refused, and left alone, when the staging area shows files were already renamed into place", () => {
    const { dir, id } = stagingPlan();
    writeTree(dir, { ".devops-pack/apply-staging/backup/a.yml": "old\n", "a.yml": "new\n" });
    writeFileSync(join(dir, ".devops-pack/apply-journal.json"), "{\"planId\":");
    cleanError(cli(["apply", id], { cwd: dir }), 3, /not valid JSON.*part-way/);
    expect(readFileSync(join(dir, ".devops-pack/apply-staging/backup/a.yml"), "utf8")).toBe("old\n");
  });
});

describe("finding 11: writes never follow symlinks", () => {
  it("a symlinked .devops-pack in --dir is refused; nothing is written where it points", () => {
    const { dir, id } = stagingPlan();
    const elsewhere = tempDir();
    mkdirSync(join(dir, "repo"));
    symlinkSync(elsewhere, join(dir, "repo/.devops-pack"));
    cleanError(cli(["apply", id, "--dir", "repo"], { cwd: dir }), 3, /\.devops-pack is a symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("a symlinked staging directory is refused", () => {
    const { dir, id } = stagingPlan();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, ".devops-pack/apply-staging"));
    cleanError(cli(["apply", id], { cwd: dir }), 3, /apply-staging is a symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("a dangling journal symlink is refused, and its target is not created", () => {
    const { dir, id } = stagingPlan();
    const elsewhere = tempDir();
    symlinkSync(join(elsewhere, "planted.json"), join(dir, ".devops-pack/apply-journal.json"));
    cleanError(cli(["apply", id], { cwd: dir }), 3, /apply-journal\.json is a symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("a symlinked .devops-pack in the project is refused before the store is created through it", () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, ".devops-pack"));
    cleanError(cli(["run", "-"], { cwd: dir, input: STAGING_ONLY }), 3, /\.devops-pack is a symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe("finding 13: clean errors instead of stack traces", () => {
  it("very long artifact paths are refused (exit 3), not ENAMETOOLONG", () => {
    const { dir, id: made } = stagingPlan();
    const id = forgePlan(dir, made, (plan) => {
      plan.artifacts.push(artifact(`deep/${"x".repeat(300)}.yml`, "yaml", `${markerLine("devops_cicd")}\nx: 1\n`));
    });
    cleanError(cli(["apply", id], { cwd: dir }), 3, /longer than 255 bytes/);
    expect(existsSync(join(dir, "deep"))).toBe(false);
  });

  it("a corrupt plan in the store is a STORE error naming the plan", () => {
    const { dir, id } = stagingPlan();
    const db = openRawSqlite(join(dir, ".devops-pack/state.db"));
    db.run("update plans set plan_json = ? where id = ?", "{not json", id);
    db.close();
    cleanError(cli(["apply", id], { cwd: dir }), 1, new RegExp(`Plan ${id} in the store at .* is corrupt \\(plan_json is not JSON`));
    const db2 = openRawSqlite(join(dir, ".devops-pack/state.db"));
    db2.run("update plans set plan_json = ? where id = ?", JSON.stringify({ id, artifacts: 3 }), id);
    db2.close();
    cleanError(cli(["apply", id], { cwd: dir }), 1, new RegExp(`Plan ${id} .* is corrupt`));
  });

  it("a read-only --dir is a clean IO error", () => {
    const { dir, id } = stagingPlan();
    const ro = join(dir, "ro");
    mkdirSync(ro);
    const root = process.getuid?.() === 0;
    // As root, permissions do not stop writes; the immutable attribute does.
    const lock = root ? spawnSync("chattr", ["+i", ro]) : spawnSync("chmod", ["0555", ro]);
    expect(lock.status, String(lock.stderr)).toBe(0);
    try {
      cleanError(cli(["apply", id, "--dir", "ro"], { cwd: dir }), 1, /Cannot create the directory .*ro\/\.devops-pack: (the operation is not permitted|permission denied)/);
    } finally {
      spawnSync(root ? "chattr" : "chmod", root ? ["-i", ro] : ["0755", ro]);
    }
    expect(readdirSync(ro)).toEqual([]);
  });

  it("scan --output <a directory> is a clean bad-input error", () => {
    const dir = tempDir();
    writeTree(dir, { "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n' });
    mkdirSync(join(dir, "out"));
    cleanError(cli(["scan", ".", "--output", "out"], { cwd: dir }), 2, /--output out is a directory/);
  });
});

describe("finding 14a: hand edits", () => {
  it("a hand edit that keeps the marker line is not overwritten without --force", () => {
    const { dir, id, paths } = stagingPlan();
    expect(cli(["apply", id], { cwd: dir }).code).toBe(0);
    const file = join(dir, paths[0]!);
    const edited = readFileSync(file, "utf8") + "# my own step\n";
    writeFileSync(file, edited);
    cleanError(cli(["apply", id], { cwd: dir }), 3, /was edited after devops-pack last wrote it.*--force/);
    expect(readFileSync(file, "utf8")).toBe(edited);
    expect(cli(["apply", id, "--dry-run"], { cwd: dir }).code).toBe(3);
    expect(cli(["apply", id, "--force"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain("# my own step");
  });

  it('a header saying "NOT Generated by devops-pack" is not the marker', () => {
    const { dir, id, paths } = stagingPlan();
    const mine = `# NOT ${markerLine("devops_cicd", "").trim()}\nname: mine\n`;
    writeTree(dir, { [paths[0]!]: mine });
    cleanError(cli(["apply", id], { cwd: dir }), 3, /no devops-pack marker/);
    expect(readFileSync(join(dir, paths[0]!), "utf8")).toBe(mine);
  });
});

describe("finding 14b: .git and .devops-pack as any segment", () => {
  it.each(["sub/.git/hooks/pre-commit", ".Git/config", "a/.DEVOPS-PACK/state.db"])("a stored plan writing %s is refused", (path) => {
    const { dir, id: made } = stagingPlan();
    const id = forgePlan(dir, made, (plan) => {
      plan.artifacts.push(artifact(path, "yaml", `${markerLine("devops_cicd")}\nx: 1\n`));
    });
    cleanError(cli(["apply", id], { cwd: dir }), 3, /Refused: artifact path .*writes into \.git\/|Refused: artifact path .*writes into \.devops-pack\//i);
    expect(existsSync(join(dir, path.split("/")[0]!))).toBe(false);
  });
});

describe("finding 11: story --tasks-out", () => {
  it("a symlinked directory under --tasks-out is refused; nothing is written where it points", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "docs"), { recursive: true });
    spawnSync("cp", ["-r", join(import.meta.dirname, "../../examples/stories"), join(dir, "docs/stories")]);
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, "tasks"));
    cleanError(cli(["story", "7.2.1", "--tasks-out", "tasks"], { cwd: dir }), 3, /tasks is a symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

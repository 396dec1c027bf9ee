/**
 * `devops-pack story` / `doe` through the built CLI: the files tracker on the
 * example story, and the Jira tracker against the local server that follows
 * Atlassian's REST v3 reference (src/trackers/testing/jira-server.ts).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { FakeJira } from "../../src/trackers/testing/jira-server.js";
import { cli, cliAsync, cliJson, REPO } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

function project(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "docs"), { recursive: true });
  cpSync(join(REPO, "examples/stories"), join(dir, "docs/stories"), { recursive: true });
  return dir;
}

const STORY = "docs/stories/7.2.1-order-history-api.md";

interface Out {
  created: boolean;
  dryRun: boolean;
  task?: { id: string; location: string; title: string };
  draft: { title: string; labels: string[]; priority: string; storyPoints: number; body: string };
  needs: { id: string }[];
  targets: { p95Ms: number; availability: number; rto: string; rpo: string };
  warnings: string[];
  tasksWritten: string[];
}

describe("devops-pack story (files tracker)", () => {
  it("--dry-run shows the task and creates nothing", () => {
    const dir = project();
    const r = cliJson<Out>(["story", "7.2.1", "--dry-run"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.json.dryRun).toBe(true);
    expect(r.json.created).toBe(false);
    expect(r.json.draft.title).toBe("Order History API - DevOps");
    expect(readdirSync(join(dir, "docs/stories"))).toEqual(["7.2.1-order-history-api.md"]);
  });

  it("creates one linked task with derived needs, targets from the story, labels, priority and points; a second run creates nothing", () => {
    const dir = project();
    const r = cliJson<Out>(["doe", "7.2.1"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.created).toBe(true);
    expect(r.json.needs.map((n) => n.id)).toEqual(expect.arrayContaining(["api", "database"]));
    expect(r.json.targets).toMatchObject({ p95Ms: 250, availability: 99.95, rto: "1h", rpo: "15m" });
    expect(r.json.draft.labels).toEqual(expect.arrayContaining(["devops", "infrastructure", "database", "api"]));
    expect(r.json.draft.priority).toBe("high");
    expect([1, 2, 3, 5, 8, 13, 21]).toContain(r.json.draft.storyPoints);
    const task = readFileSync(join(dir, r.json.task!.location), "utf8");
    expect(task).toContain("Order History API - DevOps");
    expect(task).toMatch(/Story[\s\S]*7\.2\.1-order-history-api\.md/);
    const story = readFileSync(join(dir, STORY), "utf8");
    expect(story.match(/\*\*DevOps Task:\*\*/g)).toHaveLength(1);

    const again = cliJson<Out>(["story", "7.2.1"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.json.created).toBe(false);
    expect(again.json.task?.location).toBe(r.json.task!.location);
    expect(readFileSync(join(dir, STORY), "utf8")).toBe(story);
    expect(cli(["story", "7.2.1"], { cwd: dir }).stdout).toMatch(/already exists, not created again/);
  });

  it("two concurrent runs create one task", async () => {
    const dir = project();
    const runs = await Promise.all([cliAsync(["story", "7.2.1", "--json"], { cwd: dir }), cliAsync(["story", "7.2.1", "--json"], { cwd: dir })]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const created = runs.map((r) => (JSON.parse(r.stdout) as Out).created);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(readdirSync(join(dir, "docs/stories")).sort()).toEqual(["7.2.1-devops.md", "7.2.1-order-history-api.md"]);
  });

  it("an unknown id lists the most similar ids; a missing id without a terminal exits 2 with usage", () => {
    const dir = project();
    writeTree(dir, { "docs/stories/7.2.2.md": "# Story 7.2.2: Returns\n\n**Story ID:** 7.2.2\n", "docs/stories/9.1.md": "# Story 9.1: Other\n\n**Story ID:** 9.1\n" });
    const r = cli(["story", "7.2.3"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Story 7\.2\.3 not found in the files tracker\. Most similar ids: 7\.2\.1, 7\.2\.2, 9\.1\./);
    const missing = cli(["doe"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/A story id is required\. Usage: devops-pack story <story-id>/);
    expect(cli(["story", "7.2.1", "--tracker", "jria"], { cwd: dir }).stderr).toMatch(/Unknown tracker 'jria'.*Did you mean jira\?/);
    const noEnv = cli(["story", "KAN-1", "--tracker", "jira"], { cwd: dir, env: { JIRA_BASE_URL: "", JIRA_EMAIL: "", JIRA_API_TOKEN: "" } });
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toMatch(/JIRA_BASE_URL/);
  });

  it("--tasks-out writes a starting devops.* task per need, which `run` accepts", () => {
    const dir = project();
    const r = cliJson<Out>(["story", "7.2.1", "--tasks-out", "tasks"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.json.tasksWritten.length).toBeGreaterThanOrEqual(2);
    for (const f of r.json.tasksWritten) {
      const doc = parse(readFileSync(join(dir, f), "utf8")) as { task: { type: string } };
      expect(doc.task.type).toMatch(/^devops\./);
    }
    const cicd = r.json.tasksWritten.find((f) => readFileSync(join(dir, f), "utf8").includes("devops.cicd"));
    expect(cicd).toBeDefined();
    expect(cli(["run", cicd!], { cwd: dir }).code).toBe(0);
    expect(cli(["story", "7.2.1", "--tasks-out", "../outside"], { cwd: dir }).code).toBe(3);
    expect(existsSync(join(dir, "../outside"))).toBe(false);
  });
});

describe("devops-pack story --tracker jira (local server following Atlassian's REST v3 reference)", () => {
  let jira: FakeJira | undefined;
  afterEach(async () => {
    await jira?.stop();
    jira = undefined;
  });

  it("creates the task once, linked to the story, through 429 and 500 answers, and never prints the token", async () => {
    jira = new FakeJira();
    const url = await jira.start();
    jira.addIssue("KAN-15", { summary: "User dashboard analytics", labels: ["api"] });
    jira.fault("search", { status: 429, retryAfter: "1" });
    jira.fault("createIssue", { status: 500 });
    const env = { JIRA_BASE_URL: url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.token };
    const first = await cliAsync(["story", "KAN-15", "--tracker", "jira", "--json"], { cwd: tempDir(), env });
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as Out;
    expect(out.created).toBe(true);
    expect(out.draft.title).toBe("User dashboard analytics - DevOps");
    expect(jira.created).toBe(1);
    expect(jira.links).toHaveLength(1);
    expect(first.stdout + first.stderr).not.toContain(jira.token);
    const second = await cliAsync(["story", "KAN-15", "--tracker", "jira", "--json"], { cwd: tempDir(), env });
    expect((JSON.parse(second.stdout) as Out).created).toBe(false);
    expect(jira.created).toBe(1);
    const unknown = await cliAsync(["story", "KAN-19", "--tracker", "jira"], { cwd: tempDir(), env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Most similar ids: KAN-15/);
  }, 60_000);
});

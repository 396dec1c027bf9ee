import { copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { artifact, planDigest } from "../../src/core/plans/plan.js";
import { openRawSqlite } from "../../src/core/store/driver.js";
import type { Plan } from "../../src/core/plans/plan.js";
import { cli, cliAsync, cliJson, REPO } from "../helpers/cli.js";
import { agentMd, packYaml } from "../helpers/packs.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

interface RunJson {
  ok: boolean;
  verdict: string;
  plan: { id: string; digest: string; agent: string; environment: string[]; artifacts: { path: string; kind: string; sha256: string }[] };
  gates: { gate: string; status: string }[];
}

function project(): string {
  const dir = tempDir();
  copyFileSync(join(REPO, "examples/cicd.yaml"), join(dir, "cicd.yaml"));
  return dir;
}

const STAGING_ONLY = "task:\n  type: devops.cicd\n  input:\n    project_type: node\n    stages: [lint, test, build, deploy]\n    environments: [staging]\n";

describe("cli basics", () => {
  it("--version, --help and unknown commands", () => {
    const dir = tempDir();
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(cli(["--version"], { cwd: dir }).stdout.trim()).toBe(pkg.version);
    const help = cli(["--help"], { cwd: dir });
    expect(help.code).toBe(0);
    for (const c of ["agents", "agent <id>", "pack lint", "run <task-file|->", "plan list", "plan show", "approve", "reject", "apply"]) expect(help.stdout).toContain(c);
    expect(cli(["run", "--help"], { cwd: dir }).stdout).toContain("Examples:");
    const unknown = cli(["aply"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'aply'. Did you mean apply?");
    const badFlag = cli(["run", "x.yaml", "--evn", "prod"], { cwd: dir });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--evn'/);
  });

  it("agents lists the eight agents, all built, and says when a project pack declares a type no specialist implements", () => {
    const dir = tempDir();
    const r = cliJson<{ agents: { id: string; built: boolean; handles: string[]; status: string }[] }>(["agents"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.json.agents.map((a) => a.id).sort()).toEqual([
      "devops_alerting", "devops_cicd", "devops_incident_response", "devops_kubernetes", "devops_monitoring", "devops_pack_manager", "devops_security", "devops_terraform",
    ]);
    for (const built of ["devops_cicd", "devops_terraform", "devops_kubernetes", "devops_security", "devops_monitoring", "devops_alerting", "devops_incident_response"]) {
      expect(r.json.agents.find((a) => a.id === built)?.built, built).toBe(true);
    }
    writeTree(dir, {
      ".devops-pack/packs/acme/pack.yaml": packYaml("acme", ["acme_backup"]),
      ".devops-pack/packs/acme/agents/acme_backup.md": agentMd("acme_backup", { handles: ["acme.backup"] }),
      "t.yaml": "task:\n  type: acme.backup\n  input: {}\n",
    });
    const withPack = cliJson<{ agents: { id: string; built: boolean; status: string }[] }>(["agents"], { cwd: dir });
    const backup = withPack.json.agents.find((a) => a.id === "acme_backup");
    expect(backup?.built).toBe(false);
    expect(backup?.status).toBe("not built yet: will take acme.backup");
    expect(cli(["agents"], { cwd: dir }).stdout).toMatch(/acme_backup\s+.*not built yet: will take acme\.backup/);
    const run = cli(["run", "t.yaml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/acme_backup, whose specialist is not built yet/);
  });

  it("agent <id> greets with persona and commands; a typo suggests the id", () => {
    const dir = tempDir();
    const r = cli(["agent", "devops_cicd"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Hello, I am \w+, your Pipeline Automation Specialist \(devops_cicd\)/);
    expect(r.stdout).toContain("Commands:");
    expect(r.stdout).toContain("data/cicd-pipeline-patterns.md");
    const typo = cli(["agent", "devops_cicdd"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean devops_cicd?");
    expect(cli(["agent"], { cwd: dir }).code).toBe(2);
  });

  it("pack lint passes on the built-in pack and fails on a broken overlay", () => {
    const dir = tempDir();
    expect(cli(["pack", "lint"], { cwd: dir }).code).toBe(0);
    writeTree(dir, { ".devops-pack/packs/devops/data/unused.md": "# nobody\n" });
    const r = cli(["pack", "lint"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("orphan file");
  });
});

describe("run → approve → apply", () => {
  it("the seed example: quality gate passes, production awaits approval, apply is refused until approved", () => {
    const dir = project();
    const run = cliJson<RunJson>(["run", "cicd.yaml"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.json.verdict).toBe("awaiting_approval");
    const { plan } = run.json;
    expect(plan.agent).toBe("devops_cicd");
    expect(plan.environment).toEqual(["production", "staging"]);
    expect(plan.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.artifacts.length).toBeGreaterThanOrEqual(2);
    for (const a of plan.artifacts) {
      expect(a.path).toMatch(/^\.github\/workflows\/.+\.ya?ml$/);
      expect(a.kind).toBe("github-workflow");
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(run.json.gates.find((g) => g.gate === "gate.quality.github-workflow")?.status).toBe("passed");
    expect(run.json.gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("awaiting");

    const refusedApply = cli(["apply", plan.id, "--dir", "out"], { cwd: dir });
    expect(refusedApply.code).toBe(3);
    expect(refusedApply.stderr).toMatch(/approval required/);
    expect(existsSync(join(dir, "out"))).toBe(false);

    const prefix = plan.id.slice(0, 6);
    const approve = cli(["approve", prefix, "--by", "alice", "--reason", "reviewed"], { cwd: dir });
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`approved plan ${plan.id}`);

    const apply = cli(["apply", prefix, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("+++ b/.github/workflows/");
    for (const a of plan.artifacts) {
      const written = readFileSync(join(dir, "out", a.path), "utf8");
      expect(written.split("\n")[0]).toBe("# Generated by devops-pack devops_cicd — review before applying");
    }
    const show = cliJson<{ approvals: { by: string; digest: string }[]; applies: unknown[] }>(["plan", "show", prefix], { cwd: dir });
    expect(show.json.approvals[0]).toMatchObject({ by: "alice", digest: plan.digest });
    expect(show.json.applies).toHaveLength(1);
    // Applying again changes nothing.
    expect(cli(["apply", prefix, "--dir", "out"], { cwd: dir }).stdout).toMatch(/0 file\(s\) written/);
  });

  it("a plan changed after its approval is stale and refused", () => {
    const dir = project();
    const run = cliJson<RunJson>(["run", "cicd.yaml"], { cwd: dir });
    expect(cli(["approve", run.json.plan.id, "--by", "alice"], { cwd: dir }).code).toBe(0);
    // Someone rewrites the stored plan, consistently re-hashed, after the approval.
    const db = openRawSqlite(join(dir, ".devops-pack/state.db"));
    const plan = JSON.parse(db.value("select plan_json from plans where id = ?", run.json.plan.id) as string) as Plan;
    const first = plan.artifacts[0]!;
    plan.artifacts[0] = artifact(first.path, first.kind, first.content.replace("timeout-minutes", "timeout-minutes") + "# injected\n");
    plan.digest = planDigest(plan);
    db.run("update plans set plan_json = ?, digest = ? where id = ?", JSON.stringify(plan), plan.digest, plan.id);
    db.close();
    const apply = cli(["apply", run.json.plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/stale/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("a plan edited without re-hashing is refused as tampered", () => {
    const dir = project();
    const run = cliJson<RunJson>(["run", "cicd.yaml"], { cwd: dir });
    const db = openRawSqlite(join(dir, ".devops-pack/state.db"));
    const json = db.value("select plan_json from plans where id = ?", run.json.plan.id) as string;
    db.run("update plans set plan_json = ? where id = ?", json.replace("timeout-minutes", "timeout-minutez"), run.json.plan.id);
    db.close();
    const approve = cli(["approve", run.json.plan.id, "--by", "alice"], { cwd: dir });
    expect(approve.code).toBe(3);
    expect(approve.stderr).toMatch(/modified after it was made/);
  });

  it("a rejected plan cannot be applied", () => {
    const dir = project();
    const run = cliJson<RunJson>(["run", "cicd.yaml"], { cwd: dir });
    expect(cli(["reject", run.json.plan.id, "--by", "bob", "--reason", "wrong env"], { cwd: dir }).code).toBe(0);
    const apply = cli(["apply", run.json.plan.id, "--dir", "."], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/rejected by bob/);
  });

  it("a staging-only plan needs no approval, reads from stdin, and refuses to overwrite a hand-written file", () => {
    const dir = tempDir();
    const run = cliJson<RunJson>(["run", "-"], { cwd: dir, input: STAGING_ONLY });
    expect(run.code).toBe(0);
    expect(run.json.verdict).toBe("passed");
    expect(run.json.gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("skipped");
    const target = run.json.plan.artifacts[0]!.path;
    writeTree(dir, { [target]: "name: mine\n" });
    const refused = cli(["apply", run.json.plan.id], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/no devops-pack marker.*--force/);
    expect(readFileSync(join(dir, target), "utf8")).toBe("name: mine\n");
    const dry = cli(["apply", run.json.plan.id, "--force", "--dry-run"], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("-name: mine");
    expect(readFileSync(join(dir, target), "utf8")).toBe("name: mine\n");
    expect(cli(["apply", run.json.plan.id, "--force"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, target), "utf8")).toContain("Generated by devops-pack");
  });

  it("--env narrows the environments", () => {
    const dir = project();
    const run = cliJson<RunJson>(["run", "cicd.yaml", "--env", "staging"], { cwd: dir });
    expect(run.json.plan.environment).toEqual(["staging"]);
    expect(run.json.verdict).toBe("passed");
  });
});

describe("bad input", () => {
  const cases: [string, string, RegExp][] = [
    ["unknown type", "task:\n  type: devops.cicdd\n  input: {}\n", /Unknown task type 'devops\.cicdd'\. Did you mean devops\.cicd\?/],
    ["unknown field", "task:\n  type: devops.cicd\n  input:\n    project_type: node\n    stagse: [lint]\n", /Unknown field 'stagse' in task\.input\. Did you mean stages\?/],
    ["bad project type", "task:\n  type: devops.cicd\n  input:\n    project_type: rust\n", /Valid values: .*typescript_fullstack/],
    ["malformed yaml", "task:\n  type: devops.cicd\n  input: {project_type: node\n", /not a valid task file/],
    ["alias bomb", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n", /alias/],
  ];
  it.each(cases)("%s exits 2 with a clear message", (_name, text, pattern) => {
    const dir = tempDir();
    writeTree(dir, { "t.yaml": text });
    const r = cli(["run", "t.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    const j = cliJson<{ ok: boolean; error: { code: string; message: string } }>(["run", "t.yaml"], { cwd: dir });
    expect(j.code).toBe(2);
    expect(j.json.ok).toBe(false);
    expect(j.json.error.message).toMatch(pattern);
  });

  it("a missing file, a missing --by and an unknown plan exit 2", () => {
    const dir = tempDir();
    expect(cli(["run", "nope.yaml"], { cwd: dir }).stderr).toContain("Task file nope.yaml does not exist.");
    expect(cli(["approve", "abc"], { cwd: dir }).code).toBe(2);
    const unknown = cli(["plan", "show", "ffff"], { cwd: dir });
    expect(unknown.code).toBe(2);
  });

  it("an analyze path outside the project is refused with exit 3", () => {
    const dir = tempDir();
    writeTree(dir, { "t.yaml": "task:\n  type: devops.cicd\n  input:\n    project_type: node\n    analyze: ../../etc\n" });
    const r = cli(["run", "t.yaml"], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/outside the project directory/);
  });
});

describe("concurrency", () => {
  it("ten run processes in parallel on one store lose nothing", async () => {
    const dir = project();
    const results = await Promise.all(Array.from({ length: 10 }, () => cliAsync(["run", "cicd.yaml", "--json"], { cwd: dir })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const ids = results.map((r) => (JSON.parse(r.stdout) as RunJson).plan.id);
    expect(new Set(ids).size).toBe(10);
    const digests = new Set(results.map((r) => (JSON.parse(r.stdout) as RunJson).plan.digest));
    expect(digests.size).toBe(1); // same task, same digest
    const list = cliJson<{ plans: { id: string }[] }>(["plan", "list", "--limit", "50"], { cwd: dir });
    expect(list.json.plans.map((p) => p.id).sort()).toEqual([...ids].sort());
    const db = openRawSqlite(join(dir, ".devops-pack/state.db"), { readonly: true });
    expect(db.value("select count(*) from runs where status = 'succeeded'")).toBe(10);
    expect(db.value("select count(distinct plan_id) from gate_results")).toBe(10);
    expect(db.value("pragma integrity_check")).toBe("ok");
    db.close();
    expect(readdirSync(join(dir, ".devops-pack")).sort()).toContain("state.db");
  });
});

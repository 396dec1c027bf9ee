/**
 * Issue 12 (security hardening), approvals and gate policy, through the built CLI:
 * each test reproduces an attack and checks it is now refused or reported.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plans/plan.js";
import { planDigest } from "../../src/core/plans/plan.js";
import { openRawSqlite } from "../../src/core/store/driver.js";
import { cliAsync, REPO } from "../helpers/cli.js";
import type { CliResult } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

interface RunJson {
  verdict: string;
  plan: { id: string; digest: string; environment: string[]; environmentClasses: { environment: string; class: string; approval: boolean; source: string; pattern: string; reason: string }[]; approval: { required: boolean; reasons: string[] } };
  gates: { gate: string; status: string; blocking: string[] }[];
}

// Asynchronous runs: a test that runs the CLI many times must not block the worker's event loop.
function cli(args: string[], opts: { cwd: string }): Promise<CliResult> {
  return cliAsync(args, opts);
}

async function cliJson<T>(args: string[], opts: { cwd: string }): Promise<{ code: number; json: T; stderr: string }> {
  const r = await cliAsync([...args, "--json"], opts);
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

function project(): string {
  const dir = tempDir();
  copyFileSync(join(REPO, "examples/cicd.yaml"), join(dir, "cicd.yaml"));
  return dir;
}

/** A production plan (examples/cicd.yaml targets staging and production), awaiting approval. */
async function productionPlan(dir: string, env?: string): Promise<RunJson> {
  const run = await cliJson<RunJson>(["run", "cicd.yaml", ...(env ? ["--env", env] : [])], { cwd: dir });
  expect(run.code, run.stderr).toBe(0);
  expect(run.json.verdict).toBe("awaiting_approval");
  return run.json;
}

function db(dir: string) {
  return openRawSqlite(join(dir, ".devops-pack/state.db"));
}

const EVIL_PACK = "id: evil\nversion: 1.0.0\ngates:\n  - {id: gate.approval.production, type: compliance, threshold: 0}\n";

const SECRETS_IN_STAGING = [
  "task:",
  "  type: devops.security",
  "  input:",
  "    action: secrets",
  "    environment: staging",
  "    secrets:",
  "      provider: external-secrets",
  "      namespace: payments",
  "      store:",
  "        kind: aws-secrets-manager",
  "        region: eu-west-1",
  "        role_arn: arn:aws:iam::123456789012:role/payments-external-secrets",
  "      items:",
  "        - name: payments-db",
  "          remote_key: staging/payments/db",
  "          keys: [username, password]",
  "",
].join("\n");

describe("finding 2: a project pack cannot switch off the production approval", () => {
  it("a pack dropped in after the plan was made does not let an unapproved production plan apply", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    writeTree(dir, { ".devops-pack/packs/evil/pack.yaml": EVIL_PACK });

    const apply = await cli(["apply", plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/approval required: the plan targets production \(production\)/);
    expect(existsSync(join(dir, "out"))).toBe(false);

    const lint = await cli(["pack", "lint"], { cwd: dir });
    expect(lint.code).toBe(1);
    expect(lint.stdout).toMatch(/evil\/pack\.yaml: gate gate\.approval\.production changes its type from approval to compliance, lowers its threshold from 100 to 0/);
    expect(lint.stdout).not.toMatch(/^ok/m);

    const run = await cli(["run", "cicd.yaml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot be removed or weakened by a pack/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe("finding 5: environments are classified by policy, not by two exact names", () => {
  it.each(["production-us", "prod-eu", "prd", "live"])("%s awaits approval and apply is refused", async (env) => {
    const dir = project();
    const { plan } = await productionPlan(dir, env);
    expect(plan.environmentClasses).toEqual([expect.objectContaining({ environment: env, class: "production", approval: true, source: "default" })]);
    expect(plan.approval).toMatchObject({ required: true });
    const apply = await cli(["apply", plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("an unknown environment needs approval; config.yaml can name it non-production; plan show says why", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir, "demo");
    expect(plan.environmentClasses[0]).toMatchObject({ environment: "demo", class: "unknown", approval: true, pattern: "*" });
    const show = await cli(["plan", "show", plan.id], { cwd: dir });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/demo: unknown, approval required \(default \*: matches no production or non-production word or pattern/);
    expect(show.stdout).toMatch(/approval: required \(the plan targets demo \(not known to be non-production\)\)/);

    writeTree(dir, { ".devops-pack/config.yaml": "environments:\n  non_production: [demo]\n" });
    const again = await cliJson<RunJson>(["run", "cicd.yaml", "--env", "demo"], { cwd: dir });
    expect(again.json.verdict).toBe("passed");
    expect(again.json.plan.environmentClasses[0]).toMatchObject({ class: "non-production", source: "config", pattern: "demo" });
    // The config cannot take a production word out.
    writeTree(dir, { ".devops-pack/config.yaml": "environments:\n  non_production: [prod-eu]\n" });
    expect((await cliJson<RunJson>(["run", "cicd.yaml", "--env", "prod-eu"], { cwd: dir })).json.verdict).toBe("awaiting_approval");
  });

  it("a bad config.yaml is refused with the valid fields", async () => {
    const dir = project();
    writeTree(dir, { ".devops-pack/config.yaml": "environments:\n  nonproduction: [demo]\n" });
    const r = await cli(["run", "cicd.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.yaml: Unknown field 'nonproduction' in config\.environments\. Did you mean non_production\?/);
  });

  it("run shows each environment's class in text", async () => {
    const dir = project();
    const r = await cli(["run", "cicd.yaml"], { cwd: dir });
    expect(r.stdout).toMatch(/ {2}production: production, approval required \(default production: the word 'production' matches the default production word 'production'\)/);
    expect(r.stdout).toMatch(/ {2}staging: non-production \(default staging:/);
  });
});

describe("finding 6: store tampering is detected", () => {
  it("touchesSecrets set to false in plan_json no longer skips the approval", async () => {
    const dir = tempDir();
    const run = (writeTree(dir, { "secrets.yaml": SECRETS_IN_STAGING }), await cliJson<RunJson>(["run", "secrets.yaml"], { cwd: dir }));
    expect(run.json.verdict).toBe("awaiting_approval");
    const raw = db(dir);
    const json = raw.value("select plan_json from plans where id = ?", run.json.plan.id) as string;
    raw.run("update plans set plan_json = ?, touches_secrets = 0 where id = ?", json.replace('"touchesSecrets":true', '"touchesSecrets":false'), run.json.plan.id);
    raw.close();
    const apply = await cli(["apply", run.json.plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/modified after it was made/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("the same edit with the digest recomputed is caught by the audit log", async () => {
    const dir = tempDir();
    const run = (writeTree(dir, { "secrets.yaml": SECRETS_IN_STAGING }), await cliJson<RunJson>(["run", "secrets.yaml"], { cwd: dir }));
    const raw = db(dir);
    const plan = JSON.parse(raw.value("select plan_json from plans where id = ?", run.json.plan.id) as string) as Plan;
    plan.touchesSecrets = false;
    plan.digest = planDigest(plan);
    raw.run("update plans set plan_json = ?, digest = ?, touches_secrets = 0 where id = ?", JSON.stringify(plan), plan.digest, plan.id);
    raw.close();
    const apply = await cli(["apply", plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/does not match its audit log .* it was saved with sha256:/);
    expect(existsSync(join(dir, "out"))).toBe(false);
    const verify = await cli(["audit", "verify"], { cwd: dir });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/FAIL {2}plans: .*\n.*the plan was rewritten/);
  });

  it("an approvals row edited from rejected to approved is refused (exit 3) and reported by audit verify", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    expect((await cli(["reject", plan.id, "--by", "bob", "--reason", "wrong region"], { cwd: dir })).code).toBe(0);
    const raw = db(dir);
    raw.run("update approvals set decision = 'approved' where plan_id = ?", plan.id);
    raw.close();
    const apply = await cli(["apply", plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/the store does not match its audit log .* the decision is 'approved' but the audit log recorded 'rejected'/);
    expect(apply.stderr).toMatch(/audit verify/);
    expect(existsSync(join(dir, "out"))).toBe(false);

    const verify = await cliJson<{ ok: boolean; checks: { id: string; ok: boolean; problems: { kind: string; subject: string }[] }[] }>(["audit", "verify"], { cwd: dir });
    expect(verify.code).toBe(1);
    expect(verify.json.ok).toBe(false);
    const decisions = verify.json.checks.find((c) => c.id === "decisions");
    expect(decisions?.problems).toEqual([expect.objectContaining({ kind: "approval-mismatch" })]);
  });

  it("a forged approvals row with no plan.approved audit entry is refused", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    const raw = db(dir);
    raw.run(
      "insert into approvals (id, plan_id, digest, decision, decided_by, reason, decided_at) values (?, ?, ?, 'approved', 'mallory', null, ?)",
      "forged-1",
      plan.id,
      plan.digest,
      new Date().toISOString(),
    );
    raw.close();
    const apply = await cli(["apply", plan.id, "--dir", "out"], { cwd: dir });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(/approved decision by mallory \(forged-1\) has no entry in the audit log/);
    expect(existsSync(join(dir, "out"))).toBe(false);
    const verify = await cli(["audit", "verify"], { cwd: dir });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/FAIL {2}decisions/);
  });

  it("a deleted approvals row shows as an audit entry without its row", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    expect((await cli(["reject", plan.id, "--by", "bob"], { cwd: dir })).code).toBe(0);
    const raw = db(dir);
    raw.run("delete from approvals where plan_id = ?", plan.id);
    raw.close();
    const verify = await cliJson<{ ok: boolean; checks: { id: string; problems: { kind: string }[] }[] }>(["audit", "verify"], { cwd: dir });
    expect(verify.code).toBe(1);
    expect(verify.json.checks.find((c) => c.id === "decisions")?.problems).toEqual([expect.objectContaining({ kind: "audit-without-approval" })]);
  });

  it("audit verify passes on an untouched store and fails when the append-only triggers are dropped", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    expect((await cli(["approve", plan.id, "--by", "alice", "--reason", "reviewed"], { cwd: dir })).code).toBe(0);
    const clean = await cli(["audit", "verify"], { cwd: dir });
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toMatch(/PASS {2}append-only/);
    expect(clean.stdout).toMatch(/^ok: the store at .* matches its audit log$/m);

    const raw = db(dir);
    raw.run("drop trigger audit_log_no_update");
    raw.run("drop trigger audit_log_no_delete");
    raw.run("create trigger audit_log_no_delete before delete on audit_log begin select 1; end");
    raw.close();
    const verify = await cliJson<{ ok: boolean; checks: { id: string; problems: { kind: string; subject: string; message: string }[] }[] }>(["audit", "verify"], { cwd: dir });
    expect(verify.code).toBe(1);
    const guards = verify.json.checks.find((c) => c.id === "append-only")?.problems ?? [];
    expect(guards.map((p) => p.subject).sort()).toEqual(["trigger:audit_log_no_delete", "trigger:audit_log_no_update"]);
    expect(guards.map((p) => p.message).join("\n")).toMatch(/audit_log_no_update is missing/);
    expect(guards.map((p) => p.message).join("\n")).toMatch(/audit_log_no_delete on audit_log no longer refuses DELETE: it was replaced/);
  });

  it("a plan made by an older version is refused cleanly, and still shown", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    const raw = db(dir);
    const stored = JSON.parse(raw.value("select plan_json from plans where id = ?", plan.id) as string) as Record<string, unknown>;
    delete stored.format;
    delete stored.environmentClasses;
    raw.run("update plans set plan_json = ? where id = ?", JSON.stringify(stored), plan.id);
    raw.close();
    for (const args of [["approve", plan.id, "--by", "alice"], ["apply", plan.id, "--dir", "out"]]) {
      const r = await cli(args, { cwd: dir });
      expect(r.code, args[0]).toBe(3);
      expect(r.stderr).toMatch(/was made by an older version of devops-pack .* run the task again/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const show = await cli(["plan", "show", plan.id], { cwd: dir });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/not classified: the plan was made by an older version/);
  });
});

describe("finding 14c: --by and --reason are checked", () => {
  const bad: [string, string[], RegExp][] = [
    ["an ANSI escape in --by", ["--by", "\u001b[2J\u001b[Halice"], /--by contains a control character \(U\+001B/],
    ["a newline in --by", ["--by", "alice\napproved by: the CTO"], /--by contains a line break/],
    ["a zero-width space in --by", ["--by", "ali\u200bce"], /--by contains an invisible or bidirectional character \(U\+200B/],
    ["a bidi override in --reason", ["--by", "alice", "--reason", "ok \u202edesrever"], /--reason contains an invisible or bidirectional character \(U\+202E/],
    ["100 KB in --by", ["--by", "a".repeat(100 * 1024)], /--by is 102400 characters long; the limit is 100/],
    ["2,001 characters in --reason", ["--by", "alice", "--reason", "r".repeat(2001)], /--reason is 2001 characters long; the limit is 2000/],
  ];
  it("each is refused (exit 2), printed without the raw characters, and nothing is recorded", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    for (const [name, flags, message] of bad) {
      const r = await cli(["approve", plan.id, ...flags], { cwd: dir });
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
      for (const ch of ["\u001b", "\u200b", "\u202e"]) expect(r.stderr, name).not.toContain(ch);
    }
    const show = await cliJson<{ approvals: unknown[] }>(["plan", "show", plan.id], { cwd: dir });
    expect(show.json.approvals).toEqual([]);
  });

  it("a multi-line --reason is kept on one line", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    expect((await cli(["approve", plan.id, "--by", "Zoë Ångström", "--reason", "reviewed deploy.yml\nand ci.yml"], { cwd: dir })).code).toBe(0);
    const show = await cliJson<{ approvals: { by: string; reason: string }[] }>(["plan", "show", plan.id], { cwd: dir });
    expect(show.json.approvals[0]).toMatchObject({ by: "Zoë Ångström", reason: "reviewed deploy.yml and ci.yml" });
  });
});

describe("finding 14d: a plan id prefix needs 4 characters", () => {
  it("approve with a 1-character prefix is refused; 4 characters and the full id work", async () => {
    const dir = project();
    const { plan } = await productionPlan(dir);
    for (const prefix of [plan.id.slice(0, 1), plan.id.slice(0, 3)]) {
      const r = await cli(["approve", prefix, "--by", "alice"], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`Plan id prefix '${prefix}' is too short: give at least 4 characters`));
      expect((await cli(["apply", prefix, "--dir", "out"], { cwd: dir })).code).toBe(2);
    }
    expect((await cliJson<{ approvals: unknown[] }>(["plan", "show", plan.id], { cwd: dir })).json.approvals).toEqual([]);
    expect((await cli(["approve", plan.id.slice(0, 4), "--by", "alice"], { cwd: dir })).code).toBe(0);
    expect((await cli(["reject", plan.id, "--by", "bob"], { cwd: dir })).code).toBe(0);
  });
});

describe("finding 14c: story titles are printed escaped", () => {
  it("a story file whose title carries escapes and zero-width characters prints them neutralised", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "docs/stories/9.9.9-evil.md": `# Story 9.9.9: Orders \u001b]8;;http://evil\u0007API\u200b\u202e\n\n**Story ID:** 9.9.9\n\n## Story\n\nAs a customer I want an API with a database.\n`,
    });
    const r = await cli(["story", "9.9.9", "--dry-run"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const ch of ["\u001b", "\u0007", "\u200b", "\u202e"]) expect(r.stdout).not.toContain(ch);
    expect(r.stdout).toContain("Orders \\u{1b}]8;;http://evil\\u{7}API\\u{200b}\\u{202e}");
    const json = await cliJson<{ draft: { title: string } }>(["story", "9.9.9", "--dry-run"], { cwd: dir });
    expect(json.json.draft.title).toBe("Orders \\u{1b}]8;;http://evil\\u{7}API\\u{200b}\\u{202e} - DevOps");
  });
});

describe("audit verify is registered like the other commands", () => {
  it("has usage, summary and examples in --help", async () => {
    const dir = tempDir();
    expect((await cli(["--help"], { cwd: dir })).stdout).toMatch(/audit verify +Check the store against its append-only audit log/);
    expect((await cli(["help", "audit", "verify"], { cwd: dir })).stdout).toContain("devops-pack audit verify --json");
    expect(readFileSync(join(REPO, "README.md"), "utf8")).toContain("devops-pack audit verify");
  });
});

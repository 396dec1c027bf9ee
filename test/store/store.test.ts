import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openRawSqlite } from "../../src/core/store/driver.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DevopsPackError } from "../../src/core/errors.js";
import { planDigest } from "../../src/core/plans/plan.js";
import { defaultStoreConfig, openStore } from "../../src/core/store/index.js";
import type { Store } from "../../src/core/store/index.js";
import { MIGRATIONS, migrate } from "../../src/core/store/migrations.js";
import { openSqliteBackend } from "../../src/core/store/sqlite.js";
import { gate, makePlan, tempDir } from "./fixtures.js";

const NO_ENV = { env: {} };

async function caught(p: Promise<unknown>): Promise<DevopsPackError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DevopsPackError);
    return e as DevopsPackError;
  }
  throw new Error("expected the promise to reject");
}

function caughtSync(fn: () => unknown): DevopsPackError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DevopsPackError);
    return e as DevopsPackError;
  }
  throw new Error("expected the call to throw");
}

let tmp: { dir: string; cleanup: () => void };
let dbPath: string;
let store: Store | undefined;

beforeEach(() => {
  tmp = tempDir();
  dbPath = join(tmp.dir, "project", ".devops-pack", "state.db");
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  tmp.cleanup();
});

async function open(): Promise<Store> {
  store = await openStore({ kind: "sqlite", path: dbPath }, NO_ENV);
  return store;
}

async function seedRun(s: Store, id = "run-1"): Promise<void> {
  await s.startRun({ id, taskType: "devops.cicd", agent: "devops_cicd", source: "examples/cicd.yaml", actor: "alice" });
}

describe("configuration", () => {
  it("puts the store at <project>/.devops-pack/state.db", () => {
    expect(defaultStoreConfig("/repo", NO_ENV)).toEqual({ kind: "sqlite", path: "/repo/.devops-pack/state.db", noFollowBelow: "/repo" });
  });

  it("refuses DEVOPS_PACK_DATABASE_URL instead of falling back to SQLite", async () => {
    const env = { env: { DEVOPS_PACK_DATABASE_URL: "postgres://u:p@localhost/db" } };
    const e1 = caughtSync(() => defaultStoreConfig("/repo", env));
    expect(e1.code).toBe("BAD_INPUT");
    expect(e1.message).toMatch(/PostgreSQL team mode is not available yet/);
    expect(e1.message).not.toContain("u:p@");
    const e2 = await caught(openStore({ kind: "sqlite", path: dbPath }, env));
    expect(e2.code).toBe("BAD_INPUT");
    expect(existsSync(dbPath)).toBe(false);
  });

  it("creates the directory and opens the file in WAL mode with the schema", async () => {
    const s = await open();
    expect(s.location).toBe(dbPath);
    expect(existsSync(dbPath)).toBe(true);
    const raw = openRawSqlite(dbPath, { readonly: true });
    try {
      expect(raw.value("pragma journal_mode")).toBe("wal");
      const tables = raw.all("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").map((r) => Object.values(r)[0]);
      expect(tables).toEqual(["applied_files", "applies", "apply_journals", "approvals", "audit_log", "gate_results", "plans", "runs", "schema_migrations", "workflow_steps"]);
    } finally {
      raw.close();
    }
  });
});

describe("round trip", () => {
  it("stores runs, plans, gates, approvals, applies and audit entries and reads them back exactly", async () => {
    const s = await open();
    await seedRun(s);
    const plan = makePlan("p-0001");
    const gates = [gate("gate.quality.github-workflow", "passed"), gate("gate.approval.production", "awaiting", 0)];
    await s.savePlan("run-1", plan, gates, "alice");

    let stored = await s.getPlan("p-0001");
    expect(stored).toBeDefined();
    expect(stored?.runId).toBe("run-1");
    expect(stored?.plan).toEqual(plan);
    expect(JSON.stringify(stored?.plan)).toBe(JSON.stringify(plan));
    expect(planDigest(stored!.plan)).toBe(plan.digest);
    expect(stored?.gates).toEqual(gates);
    expect(stored?.approvals).toEqual([]);
    expect(stored?.applies).toEqual([]);

    // Approval, then re-evaluation: a new row per gate, and the latest wins.
    const approval = await s.recordDecision({
      planId: "p-0001",
      digest: plan.digest,
      decision: "approved",
      by: "bob",
      reason: "reviewed",
    });
    expect(approval).toMatchObject({ planId: "p-0001", digest: plan.digest, decision: "approved", by: "bob", reason: "reviewed" });
    const regated = gate("gate.approval.production", "passed");
    await s.recordGates("p-0001", [regated], "bob");

    await s.recordApply({ planId: "p-0001", dir: "/repo", files: [".github/workflows/ci.yml", "docs/runbook.md"], actor: "carol" });
    await s.finishRun("run-1", "succeeded");

    stored = await s.getPlan("p-0001");
    expect(stored?.gates).toEqual([gates[0], regated]);
    expect(stored?.approvals).toEqual([approval]);
    expect(stored?.applies).toHaveLength(1);
    expect(stored?.applies[0]).toMatchObject({
      planId: "p-0001",
      dir: "/repo",
      files: [".github/workflows/ci.yml", "docs/runbook.md"],
      actor: "carol",
    });
    expect(await s.approvals("p-0001")).toEqual([approval]);

    const run = await s.getRun("run-1");
    expect(run).toMatchObject({ id: "run-1", taskType: "devops.cicd", agent: "devops_cicd", actor: "alice", status: "succeeded" });
    expect(run?.finishedAt).toBeDefined();
    expect(run).not.toHaveProperty("error");
    expect(await s.getRun("nope")).toBeUndefined();
    expect(await s.getPlan("nope")).toBeUndefined();

    await s.audit({ actor: "dave", action: "custom.note", subject: "plan:p-0001", data: { n: 1, list: ["a"] } });
    const log = await s.auditLog({ subject: "plan:p-0001" });
    expect(log.map((e) => [e.action, e.actor])).toEqual([
      ["plan.saved", "alice"],
      ["gates.recorded", "alice"],
      ["plan.approved", "bob"],
      ["gates.recorded", "bob"],
      ["plan.applied", "carol"],
      ["custom.note", "dave"],
    ]);
    expect(log.at(-1)?.data).toEqual({ n: 1, list: ["a"] });
    expect(log[0]?.data).toMatchObject({ runId: "run-1", digest: plan.digest });

    const all = await s.auditLog();
    expect(all.map((e) => e.action)).toEqual([
      "run.started",
      "plan.saved",
      "gates.recorded",
      "plan.approved",
      "gates.recorded",
      "plan.applied",
      "run.finished",
      "custom.note",
    ]);
    const seqs = all.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    // A limit keeps the latest entries, still oldest first.
    expect((await s.auditLog({ limit: 2 })).map((e) => e.action)).toEqual(["run.finished", "custom.note"]);
  });

  it("records a failed run with its error", async () => {
    const s = await open();
    await seedRun(s);
    await s.finishRun("run-1", "failed", "actionlint crashed");
    expect(await s.getRun("run-1")).toMatchObject({ status: "failed", error: "actionlint crashed" });
    const finished = await s.auditLog({ subject: "run:run-1" });
    expect(finished.at(-1)).toMatchObject({ action: "run.finished", actor: "alice", data: { status: "failed", error: "actionlint crashed" } });
    const again = await caught(s.finishRun("run-1", "succeeded"));
    expect(again.code).toBe("BAD_INPUT");
    expect(again.message).toMatch(/already finished/);
  });

  it("lists plans newest first with their latest gate statuses and approval state", async () => {
    const s = await open();
    await seedRun(s);
    const a = makePlan("plan-a", { createdAt: "2025-01-01T00:00:00.000Z" });
    const b = makePlan("plan-b", { createdAt: "2025-01-02T00:00:00.000Z", environment: ["staging"] });
    const c = makePlan("plan-c", { createdAt: "2025-01-03T00:00:00.000Z", touchesSecrets: true });
    const d = makePlan("plan-d", { createdAt: "2025-01-04T00:00:00.000Z" });
    await s.savePlan("run-1", a, [gate("gate.quality.github-workflow", "failed")], "alice");
    await s.savePlan("run-1", b, [], "alice");
    await s.savePlan("run-1", c, [gate("gate.approval.production", "awaiting", 0)], "alice");
    await s.savePlan("run-1", d, [], "alice");
    await s.recordGates("plan-a", [gate("gate.quality.github-workflow", "passed")], "alice");
    await s.recordDecision({ planId: "plan-a", digest: a.digest, decision: "rejected", by: "bob" });
    await s.recordDecision({ planId: "plan-a", digest: a.digest, decision: "approved", by: "bob" });
    await s.recordDecision({ planId: "plan-c", digest: c.digest, decision: "approved", by: "bob" });
    await s.recordDecision({ planId: "plan-c", digest: c.digest, decision: "rejected", by: "erin" });
    await s.recordDecision({ planId: "plan-d", digest: "sha256:something-else", decision: "approved", by: "bob" });

    const list = await s.listPlans();
    expect(list.map((p) => p.id)).toEqual(["plan-d", "plan-c", "plan-b", "plan-a"]);
    expect(list.map((p) => p.approval)).toEqual(["stale", "rejected", "none", "approved"]);
    expect(list[3]).toEqual({
      id: "plan-a",
      runId: "run-1",
      createdAt: "2025-01-01T00:00:00.000Z",
      agent: "devops_cicd",
      taskType: "devops.cicd",
      environment: ["production", "staging"],
      digest: a.digest,
      touchesSecrets: false,
      gates: [{ gate: "gate.quality.github-workflow", status: "passed" }],
      approval: "approved",
    });
    expect(list[1]?.touchesSecrets).toBe(true);
    expect(list[2]).toMatchObject({ environment: ["staging"], gates: [] });
    expect((await s.listPlans({ limit: 2 })).map((p) => p.id)).toEqual(["plan-d", "plan-c"]);
    expect((await caught(s.listPlans({ limit: 0 }))).code).toBe("BAD_INPUT");
  });

  it("saves a plan and its gates all or nothing", async () => {
    const s = await open();
    await seedRun(s);
    const bad = { ...gate("gate.x", "passed"), status: "exploded" } as unknown as ReturnType<typeof gate>;
    const e = await caught(s.savePlan("run-1", makePlan("p-1"), [gate("gate.ok", "passed"), bad], "alice"));
    expect(e.code).toBe("STORE");
    expect(e.message).toContain(dbPath);
    expect(await s.getPlan("p-1")).toBeUndefined();
    expect((await s.auditLog()).map((x) => x.action)).toEqual(["run.started"]);
    // The store is still usable after the rollback.
    await s.savePlan("run-1", makePlan("p-1"), [gate("gate.ok", "passed")], "alice");
    expect((await s.getPlan("p-1"))?.gates).toHaveLength(1);
  });

  it("names what is missing or duplicated", async () => {
    const s = await open();
    const noRun = await caught(s.savePlan("run-x", makePlan("p-1"), [], "alice"));
    expect(noRun.code).toBe("NOT_FOUND");
    expect(noRun.message).toContain("run-x");
    await seedRun(s);
    expect((await caught(seedRun(s))).code).toBe("BAD_INPUT");
    await s.savePlan("run-1", makePlan("p-1"), [], "alice");
    const dup = await caught(s.savePlan("run-1", makePlan("p-1"), [], "alice"));
    expect(dup.code).toBe("BAD_INPUT");
    expect(dup.message).toContain("p-1");
    for (const p of [
      s.recordGates("p-x", [gate("g", "passed")], "a"),
      s.recordDecision({ planId: "p-x", digest: "sha256:x", decision: "approved", by: "bob" }),
      s.recordApply({ planId: "p-x", dir: "/d", files: [], actor: "a" }),
      s.finishRun("run-x", "succeeded"),
    ]) {
      expect((await caught(p)).code).toBe("NOT_FOUND");
    }
    const noBy = await caught(s.recordDecision({ planId: "p-1", digest: "sha256:x", decision: "approved", by: " " }));
    expect(noBy.code).toBe("BAD_INPUT");
    const notJson = await caught(s.audit({ actor: "a", action: "x", subject: "y", data: { n: 1n } }));
    expect(notJson.code).toBe("BAD_INPUT");
    expect(await s.approvals("p-x")).toEqual([]);
  });

  it("refuses to work once closed", async () => {
    const s = await open();
    await s.close();
    const e = await caught(s.listPlans());
    expect(e.code).toBe("STORE");
    expect(e.message).toContain(dbPath);
    await s.close(); // idempotent
  });
});

describe("plan id prefixes", () => {
  beforeEach(async () => {
    const s = await open();
    await seedRun(s);
    const ids = ["abc123", "abdd456", "abdd789", "xyz", "xyz-longer", "a_b%c", "aXb%c9"];
    for (const [i, id] of ids.entries()) {
      await s.savePlan("run-1", makePlan(id, { createdAt: `2025-01-0${i + 1}T00:00:00.000Z` }), [], "alice");
    }
  });

  it("resolves an exact id or a unique prefix", async () => {
    const s = store!;
    expect(await s.resolvePlanId("abc123")).toBe("abc123");
    expect(await s.resolvePlanId("abc1")).toBe("abc123");
    expect(await s.resolvePlanId("abdd4")).toBe("abdd456");
    // An exact id wins even when it is a prefix of another id, and even when it is shorter than a prefix may be.
    expect(await s.resolvePlanId("xyz")).toBe("xyz");
    expect(await s.resolvePlanId("xyz-")).toBe("xyz-longer");
    // `%` and `_` are literal characters, not wildcards (as wildcards `a_b%` would also match aXb%c9).
    expect(await s.resolvePlanId("a_b%")).toBe("a_b%c");
    // Case matters (SQLite's LIKE would ignore it).
    expect(await s.resolvePlanId("aXb%")).toBe("aXb%c9");
  });

  it("refuses a prefix shorter than 4 characters (issue 12, 14d)", async () => {
    for (const input of ["a", "ab", "abd", "a_b"]) {
      const e = await caught(store!.resolvePlanId(input));
      expect(e.code).toBe("BAD_INPUT");
      expect(e.message).toContain(`Plan id prefix '${input}' is too short: give at least 4 characters`);
    }
  });

  it("reports an ambiguous prefix with its matches", async () => {
    const e = await caught(store!.resolvePlanId("abdd"));
    expect(e.code).toBe("AMBIGUOUS");
    expect(e.message).toContain("abdd456");
    expect(e.message).toContain("abdd789");
    expect(e.data).toMatchObject({ matches: ["abdd789", "abdd456"] });
  });

  it("reports an unknown id with up to five recent plans", async () => {
    for (const input of ["zzzz", "ab%d", "AXB%", "abc1234"]) {
      const e = await caught(store!.resolvePlanId(input));
      expect(e.code).toBe("NOT_FOUND");
      expect(e.message).toContain(`'${input}'`);
      expect(e.data?.["recent"]).toEqual(["aXb%c9", "a_b%c", "xyz-longer", "xyz", "abdd789"]);
      expect(e.message).toContain("Recent plans: aXb%c9, a_b%c, xyz-longer, xyz, abdd789");
    }
    expect((await caught(store!.resolvePlanId("  "))).code).toBe("BAD_INPUT");
  });

  it("says when there are no plans at all", async () => {
    await store!.close();
    tmp.cleanup();
    tmp = tempDir();
    dbPath = join(tmp.dir, "state.db");
    const e = await caught((await open()).resolvePlanId("abcd"));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toMatch(/no plans yet/);
  });
});

describe("migrations", () => {
  function appliedMigrations(): string[] {
    const raw = openRawSqlite(dbPath, { readonly: true });
    try {
      return raw.all("select name from schema_migrations order by name").map((r) => Object.values(r)[0]) as string[];
    } finally {
      raw.close();
    }
  }

  it("are recorded by name and re-running them is a no-op", async () => {
    let s = await open();
    await seedRun(s);
    await s.savePlan("run-1", makePlan("p-1"), [gate("g", "passed")], "alice");
    await s.close();
    expect(appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.name));
    expect(appliedMigrations()).toEqual(["0001_init", "0002_workflow_steps", "0003_apply_journals"]);

    s = await open();
    expect((await s.getPlan("p-1"))?.plan.id).toBe("p-1");
    await s.close();
    store = undefined;

    // Straight through the locked path again, on a live connection.
    const backend = openSqliteBackend({ kind: "sqlite", path: dbPath });
    try {
      await migrate(backend);
      await migrate(backend);
    } finally {
      await backend.close();
    }
    expect(appliedMigrations()).toEqual(["0001_init", "0002_workflow_steps", "0003_apply_journals"]);
    s = await open();
    expect(await s.listPlans()).toHaveLength(1);
  });

  it("apply a new migration to an existing database once", async () => {
    const s = await open();
    await s.close();
    store = undefined;
    let runs = 0;
    const extra = [
      ...MIGRATIONS,
      {
        name: "0099_test_extra",
        async up(): Promise<void> {
          runs += 1;
          return Promise.resolve();
        },
      },
    ];
    const backend = openSqliteBackend({ kind: "sqlite", path: dbPath });
    try {
      await migrate(backend, extra);
      await migrate(backend, extra);
    } finally {
      await backend.close();
    }
    expect(runs).toBe(1);
    expect(appliedMigrations()).toEqual(["0001_init", "0002_workflow_steps", "0003_apply_journals", "0099_test_extra"]);
  });

  it("refuse a database written by a newer version", async () => {
    const s = await open();
    await s.close();
    store = undefined;
    const raw = openRawSqlite(dbPath);
    raw.run("insert into schema_migrations (name, applied_at) values (?, ?)", "0099_from_the_future", "2030-01-01T00:00:00.000Z");
    raw.close();
    const e = await caught(openStore({ kind: "sqlite", path: dbPath }, NO_ENV));
    expect(e.code).toBe("STORE");
    expect(e.message).toContain("0099_from_the_future");
    expect(e.message).toContain(dbPath);
    expect(e.message).toMatch(/newer devops-pack/);
  });
});

describe("audit log", () => {
  it("rejects UPDATE and DELETE at the database", async () => {
    const s = await open();
    await s.audit({ actor: "alice", action: "x.happened", subject: "thing", data: { a: 1 } });
    await s.close();
    store = undefined;
    const raw = openRawSqlite(dbPath);
    try {
      expect(() => raw.run("update audit_log set actor = 'mallory'")).toThrow(/append-only/);
      expect(() => raw.run("delete from audit_log")).toThrow(/append-only/);
      expect(raw.all("select actor from audit_log").map((r) => Object.values(r)[0])).toEqual(["alice"]);
    } finally {
      raw.close();
    }
  });
});

describe("a broken database file", () => {
  it("gives a STORE error naming the path, not a stack", async () => {
    const dir = join(tmp.dir, "broken");
    const path = join(dir, "state.db");
    mkdirSync(dir);
    writeFileSync(path, "this is not a database\n".repeat(300));
    const e = await caught(openStore({ kind: "sqlite", path }, NO_ENV));
    expect(e.code).toBe("STORE");
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/not a SQLite database or is corrupt/);
    expect(e.data).toMatchObject({ path, cause: "SQLITE_NOTADB" });
  });

  it("gives a STORE error when the path is a directory", async () => {
    const e = await caught(openStore({ kind: "sqlite", path: tmp.dir }, NO_ENV));
    expect(e.code).toBe("STORE");
    expect(e.message).toContain(tmp.dir);
  });
});

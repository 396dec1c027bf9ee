import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openRawSqlite } from "../../src/core/store/driver.js";
import { openStore } from "../../src/core/store/index.js";
import { tempDir } from "./fixtures.js";

const WORKERS = 10;
const AUDIT_ENTRIES = 20;
/** Audit entries each worker's store calls write besides its own `test.tick` ones. */
const STORE_AUDIT_ENTRIES = 7; // run.started, plan.saved, gates.recorded ×2, plan.approved, plan.applied, run.finished

const root = fileURLToPath(new URL("../..", import.meta.url));
const worker = fileURLToPath(new URL("./parallel-worker.ts", import.meta.url));

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.cleanup();
});

function runWorker(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", worker, ...args], {
      cwd: root,
      env: { ...process.env, DEVOPS_PACK_DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

it("ten processes writing to one fresh database at once lose nothing", async () => {
  const dbPath = join(tmp.dir, "project", ".devops-pack", "state.db");
  // A barrier: every process is loaded before any opens the store, so they
  // create and migrate the fresh database together.
  const barrier = join(tmp.dir, "barrier");
  mkdirSync(barrier);
  const running = Promise.all(
    Array.from({ length: WORKERS }, (_, n) => runWorker([dbPath, String(n), barrier, String(AUDIT_ENTRIES)])),
  );
  let settled = false;
  void running.finally(() => (settled = true));
  while (!settled && readdirSync(barrier).length < WORKERS) await sleep(10);
  writeFileSync(join(barrier, "go"), "");
  const results = await running;
  for (const [n, r] of results.entries()) {
    expect({ n, code: r.code, stderr: r.stderr }).toEqual({ n, code: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({ n, ok: true });
  }

  const store = await openStore({ kind: "sqlite", path: dbPath }, { env: {} });
  try {
    const plans = await store.listPlans({ limit: 100 });
    expect(plans.map((p) => p.id).sort()).toEqual(Array.from({ length: WORKERS }, (_, n) => `plan-${n}`).sort());
    for (let n = 0; n < WORKERS; n++) {
      const run = await store.getRun(`run-${n}`);
      expect(run).toMatchObject({ status: "succeeded", actor: `worker-${n}` });
      const stored = await store.getPlan(`plan-${n}`);
      expect(stored?.runId).toBe(`run-${n}`);
      expect(stored?.gates.map((g) => [g.gate, g.status])).toEqual([
        ["gate.quality.github-workflow", "passed"],
        ["gate.security.infra", "passed"],
        ["gate.approval.production", "passed"],
      ]);
      expect(stored?.approvals).toHaveLength(1);
      expect(stored?.applies).toHaveLength(1);
      const ticks = await store.auditLog({ subject: `worker:${n}`, limit: 1_000 });
      expect(ticks.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: AUDIT_ENTRIES }, (_, i) => i));
    }
    expect(plans.every((p) => p.approval === "approved")).toBe(true);
    const log = await store.auditLog({ limit: 10_000 });
    expect(log).toHaveLength(WORKERS * (AUDIT_ENTRIES + STORE_AUDIT_ENTRIES));
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
  } finally {
    await store.close();
  }

  const raw = openRawSqlite(dbPath, { readonly: true });
  try {
    expect(raw.value("pragma integrity_check")).toBe("ok");
    expect(raw.value("select count(*) from runs")).toBe(WORKERS);
    expect(raw.value("select count(*) from plans")).toBe(WORKERS);
    expect(raw.value("select count(*) from gate_results")).toBe(WORKERS * 4);
    expect(raw.value("select count(*) from approvals")).toBe(WORKERS);
    expect(raw.value("select count(*) from applies")).toBe(WORKERS);
    expect(raw.all("select name from schema_migrations").map((r) => Object.values(r)[0])).toEqual(["0001_init", "0002_workflow_steps", "0003_apply_journals"]);
  } finally {
    raw.close();
  }
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyStored } from "../../src/agents/manager/runtime.js";
import { checkDecisions, checkGates } from "../../src/core/audit.js";
import { isDevopsPackError } from "../../src/core/errors.js";
import { openRawSqlite } from "../../src/core/store/driver.js";
import { defaultStoreConfig, openStore } from "../../src/core/store/index.js";
import { gate, makePlan } from "../store/fixtures.js";
import { cliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const NO_ENV = {};

describe("gate results are checked against the audit log (issue 12, finding 6)", () => {
  it("a failed gate edited to passed in gate_results is refused at apply", async () => {
    const dir = tempDir();
    const store = await openStore(defaultStoreConfig(dir), NO_ENV);
    const plan = makePlan("abcd12345678", { environment: ["staging"] });
    try {
      await store.startRun({ id: "run-1", taskType: "devops.cicd", agent: "devops_cicd", source: "t.yaml", actor: "alice" });
      await store.savePlan("run-1", plan, [gate("gate.quality.github-workflow", "failed")], "alice");
    } finally {
      await store.close();
    }
    const raw = openRawSqlite(join(dir, ".devops-pack/state.db"));
    raw.run("update gate_results set status = 'passed', result_json = ? where plan_id = ?", JSON.stringify(gate("gate.quality.github-workflow", "passed")), plan.id);
    raw.close();

    let error: unknown;
    try {
      await applyStored(plan.id, { dir: join(dir, "out") }, { projectDir: dir, actor: "mallory" });
    } catch (e) {
      error = e;
    }
    expect(isDevopsPackError(error) && error.code).toBe("REFUSED");
    expect((error as Error).message).toMatch(/gate gate\.quality\.github-workflow is 'passed' but the audit log recorded 'failed'/);

    const verify = await cliAsync(["audit", "verify", "--json"], { cwd: dir });
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout) as { ok: boolean; checks: { id: string; ok: boolean; problems: { kind: string }[] }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === "gates")?.problems).toEqual([expect.objectContaining({ kind: "gate-mismatch" })]);
  });

  it("checkGates takes the latest recording of each gate", () => {
    const entries = [
      { seq: 1, at: "t", actor: "a", action: "gates.recorded", subject: "plan:p", data: { gates: [{ gate: "g.a", status: "failed" }, { gate: "g.b", status: "passed" }] } },
      { seq: 2, at: "t", actor: "a", action: "gates.recorded", subject: "plan:p", data: { gates: [{ gate: "g.a", status: "passed" }] } },
    ];
    expect(checkGates("p", [{ gate: "g.a", status: "passed" }, { gate: "g.b", status: "passed" }], entries)).toEqual([]);
    expect(checkGates("p", [{ gate: "g.c", status: "passed" }], entries)[0]?.message).toMatch(/has no gates.recorded entry/);
  });

  it("checkDecisions names every edited field", () => {
    const approval = { id: "a1", planId: "p", digest: "sha256:x", decision: "approved" as const, by: "mallory", reason: "fine", decidedAt: "2026-01-01T00:00:00Z" };
    const entry = { seq: 1, at: "2026-01-01T00:00:00Z", actor: "bob", action: "plan.rejected", subject: "plan:p", data: { approvalId: "a1", digest: "sha256:x", reason: "wrong region" } };
    const [problem] = checkDecisions([approval], [entry]);
    expect(problem?.kind).toBe("approval-mismatch");
    expect(problem?.message).toMatch(/the decision is 'approved' but the audit log recorded 'rejected'; decided by 'mallory' but the audit log recorded 'bob'; the reason differs/);
  });
});

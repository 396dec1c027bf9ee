/**
 * Issue 13, defect 3: the security gate failed open. Without a scanner it
 * recorded `skipped`, and apply only blocked on `failed`, so an unscanned plan
 * could be applied. Now a plan whose security gate did not run is refused
 * (exit 3), unless the project's config turns the gate off on purpose, with a
 * reason that is recorded in the gate result and in the audit log.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyStored, decide, runTask } from "../../src/agents/manager/runtime.js";
import { parseProjectConfig } from "../../src/core/config.js";
import { DevopsPackError, EXIT_CODES } from "../../src/core/errors.js";
import { defaultStoreConfig, openStore } from "../../src/core/store/index.js";
import { gate, makePlan } from "../store/fixtures.js";
import { REPO } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const TASK = readFileSync(join(REPO, "examples/cicd-node.yaml"), "utf8");

async function refusal(p: Promise<unknown>): Promise<DevopsPackError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DevopsPackError);
    return e as DevopsPackError;
  }
  throw new Error("expected a refusal");
}

describe("the security gate fails closed", () => {
  it("no scanner registered: the gate fails and apply is refused with exit 3; nothing is written", async () => {
    const dir = tempDir();
    // The agents layer's runtime on its own has no scanner (the interfaces wire it in).
    const outcome = await runTask(TASK, "cicd-node.yaml", { projectDir: dir, actor: "test" });
    const security = outcome.gates.find((g) => g.gate === "gate.security.infra");
    expect(security?.status).toBe("failed");
    expect(security?.blocking.join(" ")).toMatch(/not scanned/);
    expect(outcome.verdict).toBe("failed");
    const e = await refusal(applyStored(outcome.plan.id, { dir: join(dir, "out") }, { projectDir: dir, actor: "test" }));
    expect(e.code).toBe("REFUSED");
    expect(EXIT_CODES[e.code]).toBe(3);
    expect(e.message).toMatch(/gate\.security\.infra failed/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("a plan recorded with a skipped security gate (as before issue 13) can be neither approved nor applied", async () => {
    const dir = tempDir();
    const store = await openStore(defaultStoreConfig(dir));
    try {
      const plan = makePlan("0123456789ab", { environment: ["staging"], touchesSecrets: false });
      await store.startRun({ id: "r1", taskType: plan.task.type, agent: plan.agent, source: "t", actor: "test" });
      const skipped = { ...gate("gate.security.infra", "skipped", 100), checks: [{ name: "scanner", ok: true, message: "no security scanner is registered in this build" }] };
      await store.savePlan("r1", plan, [gate("gate.quality.github-workflow", "passed"), skipped], "test");
      const apply = await refusal(applyStored(plan.id, { dir: join(dir, "out") }, { projectDir: dir, actor: "test", store }));
      expect(EXIT_CODES[apply.code]).toBe(3);
      expect(apply.message).toMatch(/gate\.security\.infra did not run \(skipped\), so the plan was never scanned/);
      const approve = await refusal(decide(plan.id, { decision: "approved", by: "alice" }, { projectDir: dir, store }));
      expect(EXIT_CODES[approve.code]).toBe(3);
      expect(existsSync(join(dir, "out"))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("turned off on purpose in config.yaml: the gate is skipped with the reason, the plan applies, and the audit log records it", async () => {
    const dir = tempDir();
    const reason = "scanned by the platform pipeline (SEC-123)";
    writeTree(dir, { ".devops-pack/config.yaml": `gates:\n  security:\n    disabled: true\n    reason: "${reason}"\n` });
    const outcome = await runTask(TASK, "cicd-node.yaml", { projectDir: dir, actor: "test" });
    const security = outcome.gates.find((g) => g.gate === "gate.security.infra");
    expect(security?.status).toBe("skipped");
    expect(security?.disabled).toEqual({ reason, by: join(".devops-pack", "config.yaml") });
    expect(security?.checks[0]?.message).toContain(reason);
    const out = await applyStored(outcome.plan.id, { dir: join(dir, "out") }, { projectDir: dir, actor: "test" });
    expect(out.changes.length).toBeGreaterThan(0);
    const store = await openStore(defaultStoreConfig(dir));
    try {
      const entries = await store.auditEntries({ actions: ["gates.recorded"], subject: `plan:${outcome.plan.id}` });
      const recorded = entries.flatMap((e) => (e.data as { gates: { gate: string; status: string; disabled?: unknown }[] }).gates);
      expect(recorded.find((g) => g.gate === "gate.security.infra")).toMatchObject({ status: "skipped", disabled: { reason } });
    } finally {
      await store.close();
    }
  });

  it("the switch is narrow: it needs disabled: true and a reason, and nothing else", () => {
    const file = "/p/.devops-pack/config.yaml";
    expect(() => parseProjectConfig("gates:\n  security:\n    disabled: true\n", file)).toThrow(/reason/);
    expect(() => parseProjectConfig('gates:\n  security:\n    disabled: true\n    reason: "  "\n', file)).toThrow(/reason/);
    expect(() => parseProjectConfig('gates:\n  security:\n    disabled: false\n    reason: "x"\n', file)).toThrow(/disabled/);
    expect(() => parseProjectConfig('gates:\n  compliance:\n    disabled: true\n    reason: "x"\n', file)).toThrow(/security/);
    expect(parseProjectConfig("environments:\n  production: [blue]\n", file).gates).toEqual({});
  });
});

describe("the audit log guards the switch", () => {
  it("a gate row edited to claim it was turned off does not match the log", async () => {
    const { checkGates } = await import("../../src/core/audit.js");
    const recorded = [{ seq: 1, at: "t", actor: "test", action: "gates.recorded", subject: "plan:p", data: { gates: [{ gate: "gate.security.infra", status: "skipped" }] } }];
    const problems = checkGates("p", [{ gate: "gate.security.infra", status: "skipped", disabled: { reason: "forged" } }], recorded);
    expect(problems.map((p) => p.kind)).toEqual(["gate-mismatch"]);
    expect(problems[0]?.message).toMatch(/turned off \(forged\)/);
    const honest = [{ ...recorded[0]!, data: { gates: [{ gate: "gate.security.infra", status: "skipped", disabled: { reason: "forged", by: "x" } }] } }];
    expect(checkGates("p", [{ gate: "gate.security.infra", status: "skipped", disabled: { reason: "forged" } }], honest)).toEqual([]);
  });
});

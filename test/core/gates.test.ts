import { describe, expect, it } from "vitest";
import type { GateSpec } from "../../src/core/packs/schema.js";
import { approvalGate, evaluateGates, verdict, verifyIntegrity } from "../../src/core/gates/engine.js";
import { artifact, planDigest } from "../../src/core/plans/plan.js";
import { fail, ok } from "../../src/core/result.js";
import { fakePlan } from "../helpers/plans.js";

const approval: GateSpec = { id: "gate.approval.production", type: "approval", threshold: 100, description: "" };
const quality: GateSpec = { id: "gate.quality", type: "quality", threshold: 100, description: "" };
const security: GateSpec = { id: "gate.security.infra", type: "security", threshold: 95, description: "" };
const compliance: GateSpec = { id: "gate.compliance.audit", type: "compliance", threshold: 100, description: "", frameworks: ["soc2"] };

describe("plan digest", () => {
  it("ignores id and time and changes with content", () => {
    const a = fakePlan({ "a.yml": "a: 1\n" }, { id: "one" });
    const b = { ...fakePlan({ "a.yml": "a: 1\n" }, { id: "two" }), createdAt: "2030-01-01T00:00:00Z" };
    expect(a.digest).toBe(b.digest);
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fakePlan({ "a.yml": "a: 2\n" }).digest).not.toBe(a.digest);
    expect(fakePlan({ "a.yml": "a: 1\n" }, { environment: ["production"] }).digest).not.toBe(a.digest);
  });
  it("integrity catches edited content", () => {
    const p = fakePlan({ "a.yml": "a: 1\n" });
    expect(verifyIntegrity(p)).toEqual([]);
    const tampered = { ...p, artifacts: [{ ...p.artifacts[0]!, content: "evil: true\n" }] };
    expect(verifyIntegrity(tampered).join()).toMatch(/does not match its sha256/);
    const rehashed = { ...p, artifacts: [artifact("a.yml", "yaml", "evil: true\n")] };
    expect(verifyIntegrity(rehashed).join()).toMatch(/digest .* does not match/);
    expect(verifyIntegrity({ ...rehashed, digest: planDigest(rehashed) })).toEqual([]);
  });
});

describe("approval gate", () => {
  const prod = fakePlan({ "a.yml": "a: 1\n" }, { environment: ["staging", "production"] });
  it("is not required without production or secrets", () => {
    expect(approvalGate(fakePlan({ "a.yml": "a\n" }, { environment: ["staging"] }), approval, []).status).toBe("skipped");
  });
  it("awaits a person for production", () => {
    const g = approvalGate(prod, approval, []);
    expect(g.status).toBe("awaiting");
    expect(g.blocking[0]).toMatch(/approval required: the plan targets production.*devops-pack approve/);
  });
  it("secrets require approval too", () => {
    expect(approvalGate({ ...fakePlan({ "a.yml": "a\n" }), touchesSecrets: true }, approval, []).status).toBe("awaiting");
  });
  it("passes only for the approved digest", () => {
    const at = "2026-01-01T00:00:00Z";
    expect(approvalGate(prod, approval, [{ digest: prod.digest, decision: "approved", by: "alice", decidedAt: at }]).status).toBe("passed");
    const stale = approvalGate(prod, approval, [{ digest: "sha256:old", decision: "approved", by: "alice", decidedAt: at }]);
    expect(stale.status).toBe("failed");
    expect(stale.blocking[0]).toMatch(/stale/);
    expect(approvalGate(prod, approval, [{ digest: prod.digest, decision: "rejected", by: "bob", decidedAt: at }]).status).toBe("failed");
  });
});

describe("gate engine", () => {
  const plan = fakePlan({ "a.yml": "a: 1\n", "b.yml": "b: 1\n" });
  it("runs the validator per kind and records checks with lines", async () => {
    const gates = await evaluateGates(plan, [quality], {
      decisions: [],
      validators: { yaml: async () => ({ kind: "yaml", tool: "fake-lint", validate: async (a) => (a.path === "b.yml" ? fail([{ message: "bad key", line: 2 }]) : ok(null)) }) },
    });
    expect(gates).toHaveLength(1);
    expect(gates[0]).toMatchObject({ gate: "gate.quality.yaml", status: "failed", score: 50, threshold: 100 });
    expect(gates[0]?.blocking).toEqual(["b.yml:2: fake-lint: bad key"]);
    expect(verdict(gates)).toBe("failed");
  });
  it("records kinds without a validator as skipped, visibly", async () => {
    const gates = await evaluateGates(plan, [quality], { decisions: [], validators: {} });
    expect(gates[0]?.status).toBe("skipped");
    expect(gates[0]?.checks[0]?.message).toMatch(/no validator/);
  });
  it("security gate fails on a critical finding or a low score, and fails closed without a scanner (issue 13)", async () => {
    const none = await evaluateGates(plan, [security], { decisions: [], validators: {} });
    expect(none[0]?.status).toBe("failed");
    expect(none[0]?.blocking[0]).toMatch(/not scanned/);
    const off = await evaluateGates(plan, [security], { decisions: [], validators: {}, securityDisabled: { reason: "scanned elsewhere", by: ".devops-pack/config.yaml" } });
    expect(off[0]).toMatchObject({ status: "skipped", disabled: { reason: "scanned elsewhere" } });
    const finding = { ruleId: "DP-X-001", severity: "critical" as const, message: "m", recommendation: "r", fix: "f", resource: "x", file: "a.yml", aliases: [] };
    const failed = await evaluateGates(plan, [security], { decisions: [], validators: {}, securityScan: async () => ({ findings: [finding], score: 99 }) });
    expect(failed[0]?.status).toBe("failed");
    const low = await evaluateGates(plan, [security], { decisions: [], validators: {}, securityScan: async () => ({ findings: [], score: 90 }) });
    expect(low[0]?.blocking[0]).toMatch(/90% is below 95%/);
  });
  it("compliance fails closed when frameworks are selected and nothing can check them", async () => {
    const g = await evaluateGates(plan, [compliance], { decisions: [], validators: {} });
    expect(g[0]?.status).toBe("failed");
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateGates } from "../../src/core/gates/engine.js";
import type { GateSpec } from "../../src/core/packs/schema.js";
import { artifact, sealPlan } from "../../src/core/plans/plan.js";
import type { Plan } from "../../src/core/plans/plan.js";
import { securityGateEnv } from "../../src/scanner/index.js";
import { REPO } from "../helpers/cli.js";

const specs: GateSpec[] = [
  { id: "gate.security.infra", type: "security", threshold: 95, description: "" },
  { id: "gate.compliance.audit", type: "compliance", threshold: 100, description: "", frameworks: ["cis-k8s"] },
];

function planOf(path: string, content: string): Plan {
  const body = { task: { type: "devops.test", input: {} }, agent: "test", environment: [], artifacts: [artifact(path, "kubernetes", content)] };
  return sealPlan({ id: "p", createdAt: "2026-01-01T00:00:00Z", ...body, findings: [], notes: [], touchesSecrets: false });
}

describe("security and compliance gates on a plan", () => {
  it("a privileged pod fails both: a critical finding and CIS Kubernetes 5.2.2", async () => {
    const pod = readFileSync(join(REPO, "src/scanner/kubernetes/fixtures/DP-K8S-CONTAINER-001/fail.yaml"), "utf8");
    const gates = await evaluateGates(planOf("k8s/pod.yaml", pod), specs, { validators: {}, decisions: [], ...securityGateEnv() });
    const [security, compliance] = gates;
    expect(security?.status).toBe("failed");
    expect(security?.blocking.some((b) => b.startsWith("critical DP-K8S-CONTAINER-001"))).toBe(true);
    expect(compliance?.status).toBe("failed");
    expect(compliance?.checks.find((c) => c.name === "cis-k8s 5.2.2")?.ok).toBe(false);
    expect(compliance?.checks.every((c) => c.name.startsWith("cis-k8s "))).toBe(true);
  });

  it("a hardened application passes both", async () => {
    const app = readFileSync(join(REPO, "src/scanner/kubernetes/fixtures/DP-K8S-POD-001/pass.yaml"), "utf8");
    const gates = await evaluateGates(planOf("k8s/app.yaml", app), specs, { validators: {}, decisions: [], ...securityGateEnv() });
    expect(gates.map((g) => g.status)).toEqual(["passed", "passed"]);
    expect(gates[1]?.checks.some((c) => c.name === "cis-k8s 5.2.2" && c.ok)).toBe(true);
  });
});

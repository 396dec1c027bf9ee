import { describe, expect, it } from "vitest";
import { artifact } from "../../src/core/plans/plan.js";
import { scanArtifacts } from "../../src/scanner/index.js";

describe("kubernetes rules and other YAML with Kubernetes kind names", () => {
  it("do not apply to an OpenSLO Service, and still apply to a Kubernetes Service", async () => {
    const openslo = artifact("slo/svc.yaml", "yaml", "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: checkout\nspec:\n  description: Checkout\n");
    const k8s = artifact("k8s/svc.yaml", "kubernetes", "apiVersion: v1\nkind: Service\nmetadata:\n  name: checkout\nspec:\n  ports: [{ port: 80 }]\n");
    const onlySlo = await scanArtifacts([openslo]);
    expect(onlySlo.findings.filter((f) => f.ruleId === "DP-K8S-NS-001")).toEqual([]);
    const both = await scanArtifacts([openslo, k8s]);
    expect(both.findings.filter((f) => f.ruleId === "DP-K8S-NS-001").map((f) => f.file)).toEqual(["k8s/svc.yaml"]);
  });
});

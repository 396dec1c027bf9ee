import { describe, expect, it } from "vitest";
import { estimate } from "./cost.js";
import { environmentRoot, resolve } from "./root.js";
import { PRICES_DATE } from "./prices.js";
import { input, planExample } from "./testing/examples.js";

function costOf(raw: Record<string, unknown>) {
  const r = resolve(input(raw));
  const env = r.environments[0]!;
  return estimate(env, r.region, environmentRoot(r, env).calls);
}

describe("cost estimate", () => {
  it("prices the example's cluster: control plane, three nodes, their volumes and the key", () => {
    const e = costOf({ environment: "production", resources: [{ type: "eks_cluster", name: "production", node_count: 3 }] });
    expect(e.prices).toEqual({ date: PRICES_DATE, region: "us-east-1", hours_per_month: 730 });
    expect(e.resources[0]?.lines).toEqual([
      { item: "EKS control plane (standard support)", monthly: 73, basis: "1 × 730 h × $0.10/h" },
      { item: "node group default: 3 × m6i.large", monthly: 210.24, basis: "3 × 730 h × $0.096/h" },
      { item: "node group default: gp3 root volumes", monthly: 12, basis: "150 × $0.08/GB-month" },
      { item: "KMS key", monthly: 1, basis: "1 × $1.00/month" },
    ]);
    expect(e.total).toBe(296.24);
  });

  it("doubles RDS instance and storage for Multi-AZ", () => {
    const multi = costOf({ environment: "prod", resources: [{ type: "rds", name: "db", instance_class: "db.m6g.large", allocated_storage_gb: 100 }] });
    const single = costOf({ environment: "prod", resources: [{ type: "rds", name: "db", instance_class: "db.m6g.large", allocated_storage_gb: 100, multi_az: false }] });
    expect(multi.resources[0]?.lines[0]).toMatchObject({ monthly: 232.14, basis: "2 × 730 h × $0.159/h" });
    expect(single.resources[0]?.lines[0]).toMatchObject({ monthly: 116.07 });
    expect(multi.resources[0]?.lines[1]).toMatchObject({ monthly: 23 });
  });

  it("prices NAT gateways and their addresses per AZ, and one with nat_gateways: single", () => {
    const three = costOf({ environment: "prod", resources: [{ type: "vpc", name: "main" }] });
    const one = costOf({ environment: "prod", resources: [{ type: "vpc", name: "main", nat_gateways: "single" }] });
    expect(three.resources[0]?.monthly).toBe(110.5);
    expect(one.resources[0]?.monthly).toBe(37.5);
    expect(three.resources[0]?.usage[0]).toBe("NAT data processing $0.045/GB");
  });

  it("prices Fargate by vCPU and memory, per architecture", () => {
    const e = costOf({ environment: "prod", resources: [{ type: "ecs_service", name: "api", cpu: 1024, memory: 2048, desired_count: 2, architecture: "ARM64", internal: true }] });
    expect(e.resources[0]?.lines[0]).toMatchObject({ monthly: 57.67, basis: "2 × 730 h × (1 × $0.03238 + 2 × $0.00356)" });
    expect(e.resources[0]?.lines.map((l) => l.item)).not.toContain("load balancer public IPv4 addresses (one per AZ)");
  });

  it("says what it cannot price instead of guessing", () => {
    const e = costOf({ environment: "prod", resources: [{ type: "eks_cluster", name: "k", instance_types: ["x9z.large"] }, { type: "rds", name: "db", instance_class: "db.x9.large" }] });
    expect(e.resources[0]?.unpriced).toEqual(["instance type x9z.large (node group default) is not in the price table"]);
    expect(e.resources[1]?.unpriced).toEqual(["instance class db.x9.large (postgres) is not in the price table"]);
  });

  it("appears in the notes and as envs/<env>/cost-estimate.json, with the same total", () => {
    const plan = planExample("terraform-platform.yaml");
    for (const env of ["staging", "production"]) {
      const json = JSON.parse(plan.artifacts.find((a) => a.path === `envs/${env}/cost-estimate.json`)!.content) as { total: number; currency: string; resources: unknown[] };
      expect(json.currency).toBe("USD");
      expect(json.resources).toHaveLength(10);
      const note = plan.notes.find((n) => n.kind === "cost" && n.text.startsWith(`Estimated monthly cost of ${env}:`));
      expect(note?.text).toContain(`$${json.total.toFixed(2)} in fixed charges`);
    }
  });
});

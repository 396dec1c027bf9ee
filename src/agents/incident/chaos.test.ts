/**
 * Chaos experiments: every fault on both engines passes the real Kubernetes
 * validator (whose Chaos Mesh and LitmusChaos schemas are strict), selects
 * only the service's pods, is bounded, and is documented in the README with
 * its hypothesis, steady state and abort conditions.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { validateKubernetes } from "../../core/validators/kubernetes.js";
import { FAULTS } from "./schema.js";
import { codeBlocks, hasNote, planExample, planInput } from "./testing/support.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

const services = [
  { name: "api", kind: "http", namespace: "shop" },
  { name: "db", kind: "database", namespace: "data" },
];
const experiments = (engine: string) =>
  FAULTS.filter((f) => !(engine === "litmus" && f === "pod_failure")).map((fault) => ({
    service: "api",
    fault,
    ...(fault.startsWith("network_") ? { target_service: "db" } : {}),
    ...(fault === "memory_stress" ? { mode: "fixed-percent", percent: 50, memory_size: "1GB" } : {}),
  }));

for (const engine of ["chaos_mesh", "litmus"] as const) {
  describe(`${engine} experiments`, () => {
    const { plan } = planInput({ incident_type: "high_error_rate", services, environments: ["staging"], chaos: { engine, experiments: experiments(engine) } });
    const manifests = plan.artifacts.filter((a) => a.path.startsWith("chaos/") && a.path.endsWith(".yaml"));

    it("one file per experiment, kind kubernetes, named chaos/<service>-<fault>.yaml", () => {
      expect(manifests.map((a) => a.path)).toEqual(experiments(engine).map((e) => `chaos/api-${e.fault.replaceAll("_", "-")}.yaml`));
      for (const a of manifests) expect(a.kind).toBe("kubernetes");
    });

    it("every manifest passes the Kubernetes validator without errors or skips", async () => {
      for (const a of manifests) {
        const r = await validateKubernetes(a.content, a.path);
        expect(r.errors, a.path).toEqual([]);
        // A custom resource the validator has no schema for would only be skipped with a warning.
        expect(r.warnings, a.path).toEqual([]);
      }
    });

    it("selects only the service's pods, is bounded, and carries the hypothesis and abort conditions", () => {
      for (const a of manifests) {
        const docs = parseAllDocuments(a.content).map((d) => obj(d.toJS()));
        expect(docs, a.path).toHaveLength(1);
        const o = docs[0]!;
        const meta = obj(o["metadata"]);
        const spec = obj(o["spec"]);
        expect(meta["namespace"]).toBe("shop");
        const ann = obj(meta["annotations"]);
        expect(ann["devops-pack.io/hypothesis"], a.path).toMatch(/^When we .* stays below 1% and no page fires/);
        expect(ann["devops-pack.io/abort-conditions"], a.path).toMatch(/^Abort when any page fires, or slo:sli_error:ratio_rate5m\{service="api"\} is above 0\.05 .* Stop: kubectl delete -f chaos\//);
        if (engine === "chaos_mesh") {
          expect(o["apiVersion"]).toBe("chaos-mesh.org/v1alpha1");
          expect(spec["selector"]).toEqual({ namespaces: ["shop"], labelSelectors: { "app.kubernetes.io/name": "api" } });
          expect(["one", "fixed-percent"]).toContain(spec["mode"]);
          expect(spec["duration"], a.path).toBe("5m");
          if (spec["mode"] === "fixed-percent") expect(spec["value"]).toBe("50");
        } else {
          expect(o["apiVersion"]).toBe("litmuschaos.io/v1alpha1");
          expect(o["kind"]).toBe("ChaosEngine");
          expect(spec["appinfo"]).toEqual({ appns: "shop", applabel: "app.kubernetes.io/name=api", appkind: "deployment" });
          const exp = obj((spec["experiments"] as unknown[])[0]);
          const env = (obj(obj(exp["spec"])["components"])["env"] as { name: string; value: string }[]) ?? [];
          expect(env.find((e) => e.name === "TOTAL_CHAOS_DURATION")?.value, a.path).toBe("300");
          const probe = obj((obj(exp["spec"])["probe"] as unknown[])[0]);
          expect(probe["type"]).toBe("promProbe");
          expect(obj(probe["runProperties"])["stopOnFailure"]).toBe(true);
          expect(obj(probe["promProbe/inputs"])["query"]).toBe('max(slo:sli_error:ratio_rate5m{service="api"}) or vector(0)');
        }
      }
    });

    it("network faults aim at the dependency's pods", () => {
      const latency = manifests.find((a) => a.path === "chaos/api-network-latency.yaml")!.content;
      if (engine === "chaos_mesh") {
        expect(latency).toMatch(/target:\n {4}mode: all\n {4}selector:\n {6}namespaces:\n {8}- data\n {6}labelSelectors:\n {8}app.kubernetes.io\/name: db/);
        expect(latency).toMatch(/delay:\n {4}latency: 200ms\n {4}jitter: 20ms/);
      } else {
        expect(latency).toContain("value: db.data.svc.cluster.local");
      }
    });

    it("the README lists every experiment with its hypothesis, steady state, abort conditions and stop command", () => {
      const readme = plan.artifacts.find((a) => a.path === "chaos/README.md")!;
      expect(readme.kind).toBe("markdown");
      for (const a of manifests) {
        const name = a.path.slice("chaos/".length, -".yaml".length);
        const section = readme.content.split(`\n### ${name}\n`)[1]?.split("\n### ")[0] ?? "";
        expect(section, name).toMatch(/\| Hypothesis \| When we /);
        expect(section, name).toMatch(/\| Abort when \| any page fires/);
        const promql = codeBlocks(section, "promql");
        expect(promql[0], name).toMatch(/^slo:sli_error:ratio_rate5m\{service="api"\} < 0\.01\n\(sum\(rate\(http_requests_total\{job="api",code=~"5\.\."\}\[5m\]\)\)/);
        expect(promql[1], name).toBe('ALERTS{alertstate="firing",severity="page"}\nslo:sli_error:ratio_rate5m{service="api"} > 0.05');
        expect(codeBlocks(section, "bash")[0], name).toMatch(engine === "litmus" ? /patch chaosengine api-[a-z-]+ --type merge -p .{"spec":{"engineState":"stop"}}./ : new RegExp(`kubectl delete -f ${a.path}`));
      }
    });
  });
}

describe("default experiments and notes", () => {
  it("derive a set per incident type, skipping faults that do not fit the service", () => {
    const { plan } = planInput({ incident_types: ["high_error_rate", "high_latency"], services: ["api", { name: "jobs", kind: "worker" }], chaos: {} });
    expect(plan.artifacts.filter((a) => a.path.endsWith(".yaml")).map((a) => a.path)).toEqual([
      "chaos/api-pod-kill.yaml",
      "chaos/jobs-pod-kill.yaml",
      "chaos/api-http-abort.yaml",
      "chaos/api-network-latency.yaml",
      "chaos/jobs-network-latency.yaml",
      "chaos/api-cpu-stress.yaml",
      "chaos/jobs-cpu-stress.yaml",
    ]);
    expect(plan.notes.some((n) => /HTTP fault injection assumes .* port 8080/.test(n.text))).toBe(true);
  });

  it("point database latency at a listed database, and say when no experiment fits a type", () => {
    const { plan } = planInput({ incident_types: ["database_connection_failure", "certificate_expiry"], services: ["api", { name: "pg", kind: "database" }], chaos: {} });
    expect(plan.artifacts.filter((a) => a.path.endsWith(".yaml")).map((a) => a.path)).toEqual(["chaos/api-network-latency.yaml"]);
    expect(plan.artifacts.find((a) => a.path === "chaos/api-network-latency.yaml")!.content).toContain("app.kubernetes.io/name: pg");
    expect(plan.notes.some((n) => /No chaos experiment is written for certificate expiry/.test(n.text))).toBe(true);
  });

  it("need approval in production, and recommend chaos when it was not asked for", () => {
    const prod = planInput({ incident_type: "pod_crash_loop", services: ["api"], environments: ["production"], chaos: {} }).plan;
    expect(hasNote(prod, "warning", /Chaos experiments in production need approval \(gate\.approval\.production\)/), JSON.stringify(prod.notes)).toBe(true);
    expect(prod.artifacts.find((a) => a.path === "chaos/README.md")!.content).toContain("**Production**: this plan targets production");
    const none = planInput({ incident_type: "pod_crash_loop", services: ["api"] }).plan;
    expect(none.artifacts.some((a) => a.path.startsWith("chaos/"))).toBe(false);
    expect(hasNote(none, "recommendation", /add chaos: \{\} to write Chaos Mesh experiments \(container_kill, memory_stress\)/), JSON.stringify(none.notes)).toBe(true);
  });

  it("name the page alerts of the service as abort conditions when the task has them", () => {
    const plan = planExample("incident-postmortem.yaml");
    const kill = plan.artifacts.find((a) => a.path === "chaos/checkout-api-pod-kill.yaml")!.content;
    expect(kill).toContain("Abort when the page alert CheckoutAvailabilityErrorBudgetFastBurn or CheckoutApiHighErrorRate fires");
    const readme = plan.artifacts.find((a) => a.path === "chaos/README.md")!.content;
    expect(readme).toContain('ALERTS{alertstate="firing",alertname=~"CheckoutAvailabilityErrorBudgetFastBurn|CheckoutApiHighErrorRate"}');
  });
});

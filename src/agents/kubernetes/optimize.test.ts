import { describe, expect, it } from "vitest";
import { diffObjects } from "./kustomize.js";
import { optimizationNotes, sizeFromUsage } from "./optimize.js";
import { formatCpu, formatMemory, parseCpu, parseMemory } from "./quantity.js";
import { kubernetesInputSchema } from "./schema.js";
import { at, docs, planInput } from "./testing/support.js";

const usage = (o: Record<string, unknown>) => kubernetesInputSchema.parse({ name: "w", image: "ghcr.io/a/w:1.0.0", optimize: o }).optimize!;

describe("quantities", () => {
  it("parse CPU and memory the way Kubernetes writes them", () => {
    expect([parseCpu("250m"), parseCpu("0.5"), parseCpu(2), parseCpu("1.1"), parseCpu("0.0001"), parseCpu("1k")]).toEqual([250, 500, 2000, 1100, undefined, undefined]);
    expect([parseMemory("256Mi"), parseMemory("1Gi"), parseMemory("500M"), parseMemory("0.5Gi"), parseMemory("12"), parseMemory("1x")]).toEqual([256 * 2 ** 20, 2 ** 30, 5e8, 2 ** 29, undefined, undefined]);
  });

  it("format canonically", () => {
    expect([formatCpu(1000), formatCpu(1500), formatCpu(5)]).toEqual(["1", "1500m", "5m"]);
    // 5e8 bytes is not a whole number of KiB (488281.25): it stays in bytes.
    expect([formatMemory(2 ** 30), formatMemory(384 * 2 ** 20), formatMemory(1536 * 2 ** 20), formatMemory(5e8)]).toEqual(["1Gi", "384Mi", "1536Mi", "500000000"]);
  });
});

describe("resource optimization", () => {
  it("sizes requests from p95 and the memory limit from p99, times the headroom, and keeps CPU limits generous", () => {
    const s = sizeFromUsage(usage({ cpu: { p50: "100m", p95: "200m", p99: "900m" }, memory: { p50: "200Mi", p95: "300Mi", p99: "400Mi" }, headroom: 1.25 }));
    expect(s).toEqual({
      requests: { cpu: 250, memory: 376 * 2 ** 20 }, // 200m × 1.25; 300Mi × 1.25 = 375Mi, rounded up to 4Mi
      limits: { cpu: 1125, memory: 500 * 2 ** 20 }, // max(900m × 1.25, 2 × 250m); 400Mi × 1.25
    });
    const flat = sizeFromUsage(usage({ cpu: { p50: "1m", p95: "2m", p99: "3m" }, memory: { p50: "1Mi", p95: "2Mi", p99: "3Mi" } }));
    expect(flat).toEqual({ requests: { cpu: 10, memory: 16 * 2 ** 20 }, limits: { cpu: 20, memory: 16 * 2 ** 20 } });
  });

  it("reports savings per pod and per fleet, in money when prices are given", () => {
    const o = usage({ cpu: { p50: "100m", p95: "200m", p99: "300m" }, memory: { p50: "200Mi", p95: "400Mi", p99: "500Mi" }, headroom: 1, current: { cpu: "1", memory: "1Gi" }, prices: { cpu_core_month: 20, memory_gib_month: 4 } });
    const notes = optimizationNotes(o, "w", [{ environment: "production", replicas: 10, autoscaled: true }]);
    expect(notes.map((n) => n.kind)).toEqual(["info", "recommendation", "cost"]);
    expect(notes[0]?.text).toContain("CPU request 200m = p95 200m × 1; memory request 400Mi = p95 400Mi × 1; memory limit 500Mi = p99 500Mi × 1; CPU limit 400m = max(p99 300m × 1, 2 × request)");
    // Per replica: 0.8 cores × 20 + 0.609375 GiB × 4 = 18.4375.
    expect(notes[2]?.text).toBe(
      "Savings report, requests per pod: CPU 1 → 200m (−800m, 80 % less); memory 1Gi → 400Mi (−624Mi, 60.9 % less). production (10 replica(s) at the autoscaling minimum, so at least this much): −8 CPU cores, −6.09 GiB of memory requested; 184.38 USD per month saved.",
    );
    expect(notes[1]?.text).toContain('container_cpu_cfs_throttled_periods_total{container="w"}');
  });

  it("says when the new requests are larger", () => {
    const o = usage({ cpu: { p50: "1", p95: "2", p99: "3" }, memory: { p50: "1Gi", p95: "1Gi", p99: "1Gi" }, current: { cpu: "1" } });
    expect(optimizationNotes(o, "w", [{ environment: "w", replicas: 2, autoscaled: false }])[2]?.text).toBe(
      "Savings report, requests per pod: CPU 1 → 2400m (+1400m, 140 % more). w (2 replica(s)): +2.8 CPU cores requested. Give optimize.prices {cpu_core_month, memory_gib_month} to express this in money.",
    );
  });

  it("writes the sized requests and limits into the manifests", () => {
    const { plan } = planInput({ name: "w", image: "ghcr.io/a/w:1.0.0", kustomize: false, chart: false, optimize: { cpu: { p50: "100m", p95: "200m", p99: "900m" }, memory: { p50: "200Mi", p95: "300Mi", p99: "400Mi" } } });
    const deployment = plan.artifacts.flatMap((a) => docs(a.content)).find((o) => o["kind"] === "Deployment");
    expect(at(deployment, "spec", "template", "spec", "containers", 0, "resources")).toEqual({ requests: { cpu: "240m", memory: "360Mi" }, limits: { cpu: "1080m", memory: "480Mi" } });
    expect(plan.notes.find((n) => n.kind === "cost")?.text).toMatch(/^No savings report/);
  });
});

describe("overlay patches", () => {
  it("are the RFC 6902 operations between the base and the environment, with escaped pointers", () => {
    const base = { metadata: { annotations: { "checksum/config": "a" } }, spec: { replicas: 2, list: [1, 2], gone: true } };
    const env = { metadata: { annotations: { "checksum/config": "b" } }, spec: { replicas: 3, list: [1, 2, 3], added: { x: 1 } } };
    expect(diffObjects(base, env)).toEqual([
      { op: "replace", path: "/metadata/annotations/checksum~1config", value: "b" },
      { op: "remove", path: "/spec/gone" },
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "replace", path: "/spec/list", value: [1, 2, 3] },
      { op: "add", path: "/spec/added", value: { x: 1 } },
    ]);
    expect(diffObjects(base, structuredClone(base))).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { validateTaskInput } from "../../core/tasks/parse.js";
import { resolveConfig } from "./config.js";
import { monitoringSpecialist } from "./index.js";
import { monitoringInputSchema } from "./schema.js";

const API = { name: "api", kind: "http" };
const MIN = { services: [API] };

/** The message a user sees: the task parser's error for this input. */
function error(input: Record<string, unknown>): string {
  try {
    validateTaskInput({ type: "devops.monitoring", input }, monitoringSpecialist, "task.yaml");
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("devops.monitoring input schema", () => {
  it("needs only one service and fills the documented defaults", () => {
    const input = monitoringInputSchema.parse(MIN);
    expect(input).toMatchObject({
      slos: [],
      discovery: "kubernetes_sd",
      scrape_interval: "30s",
      links: {},
      tracing: { endpoint: "tempo.monitoring.svc:4317", sample_percentage: 10, insecure: false },
      environments: [],
    });
    expect(input.services[0]).toMatchObject({ name: "api", kind: "http", team: "platform", tier: "standard" });
    const cfg = resolveConfig(input);
    expect(cfg.services[0]).toMatchObject({ job: "api", namespace: "api", isStatic: false, metrics: { port: 9090, path: "/metrics", scheme: "http" } });
    expect(cfg.tracing).toMatchObject({ slowThresholdMs: 1000, slowThresholdSource: "default" });
  });

  it("takes the trace slow threshold from the smallest latency SLO unless one is given", () => {
    const latency = (name: string, s: number) => ({ name, service: "api", objective: 99, sli: { latency: { histogram: "http_request_duration_seconds", threshold_seconds: s } } });
    const input = monitoringInputSchema.parse({ ...MIN, slos: [latency("api-fast", 0.25), latency("api-slow", 2)] });
    expect(resolveConfig(input).tracing).toMatchObject({ slowThresholdMs: 250, slowThresholdSource: "latency-slo" });
    expect(resolveConfig(input).services[0]?.latencyThresholdMs).toBe(250);
    const given = monitoringInputSchema.parse({ ...MIN, slos: [latency("api-fast", 0.25)], tracing: { slow_threshold_ms: 800 } });
    expect(resolveConfig(given).tracing).toMatchObject({ slowThresholdMs: 800, slowThresholdSource: "input" });
  });

  it("names an unknown field and suggests the nearest, at every depth", () => {
    expect(error({ ...MIN, scrape_intervall: "15s" })).toContain("Unknown field 'scrape_intervall' in task.input. Did you mean scrape_interval?");
    expect(error({ ...MIN, tracing: { sample_percent: 5 } })).toContain("Unknown field 'sample_percent' in task.input.tracing. Did you mean sample_percentage?");
    expect(error({ services: [{ ...API, namspace: "shop" }] })).toContain("Unknown field 'namspace' in task.input.services[0]. Did you mean namespace?");
  });

  it("lists the discovery modes and service kinds", () => {
    expect(error({ ...MIN, discovery: "prometheus-operator" })).toContain('Invalid value "prometheus-operator" for task.input.discovery. Did you mean prometheus_operator? Valid values: kubernetes_sd, prometheus_operator.');
    expect(error({ services: [{ name: "api", kind: "htp" }] })).toContain('Invalid value "htp" for task.input.services[0].kind. Did you mean http? Valid values: http, grpc, worker, database.');
  });

  it("refuses an SLO that names a service not in services, suggesting the nearest", () => {
    expect(error({ ...MIN, slos: [{ name: "api-availability", service: "apii", objective: 99.9 }] })).toMatch(
      /task\.input\.slos\[0\]\.service: SLO api-availability names service apii, which is not in services\. Did you mean api\?/,
    );
  });

  it("refuses a worker SLO without an sli: workers have no default", () => {
    const msg = error({ services: [{ name: "jobs", kind: "worker" }], slos: [{ name: "jobs-success", service: "jobs", objective: 99 }] });
    expect(msg).toMatch(/task\.input\.slos\[0\]\.sli: SLO jobs-success: worker services have no default SLI; give sli\.ratio/);
    expect(error({ services: [{ name: "jobs", kind: "worker" }], slos: [{ name: "jobs-success", service: "jobs", objective: 99, sli: { ratio: { bad: "jobs_failed_total", total: "jobs_processed_total" } } }] })).toBe("");
  });

  it("refuses duplicate services and SLOs, and an empty service list", () => {
    expect(error({ services: [API, API] })).toMatch(/task\.input\.services\[1\]\.name: service api is listed twice/);
    const slo = { name: "api-availability", service: "api", objective: 99.9 };
    expect(error({ ...MIN, slos: [slo, slo] })).toMatch(/task\.input\.slos\[1\]\.name: SLO api-availability is listed twice/);
    expect(error({ services: [] })).toMatch(/task\.input\.services: give at least one service to monitor/);
  });

  it("keeps the scrape interval where 5m rates still have samples", () => {
    expect(error({ ...MIN, scrape_interval: "2m" })).toMatch(/task\.input\.scrape_interval: a scrape interval between 5s and 1m/);
    expect(error({ ...MIN, scrape_interval: "1s" })).toMatch(/task\.input\.scrape_interval/);
    expect(error({ ...MIN, scrape_interval: "thirty" })).toMatch(/task\.input\.scrape_interval: a Prometheus duration/);
    expect(error({ ...MIN, scrape_interval: "15s" })).toBe("");
  });

  it("refuses contradictory tracing TLS settings and bad endpoints", () => {
    expect(error({ ...MIN, tracing: { insecure: true, ca_file: "/etc/ca.crt" } })).toMatch(/task\.input\.tracing\.ca_file: ca_file configures TLS, which insecure: true turns off/);
    expect(error({ ...MIN, tracing: { endpoint: "https://tempo:4317" } })).toMatch(/task\.input\.tracing\.endpoint: host:port/);
    expect(error({ ...MIN, tracing: { sample_percentage: 0 } })).toMatch(/task\.input\.tracing\.sample_percentage/);
  });

  it("refuses a service with both a pod port and a static target", () => {
    expect(error({ services: [{ ...API, metrics: { port: 9100, target: "db:9187" } }] })).toMatch(/give port \(pod discovery\) or target \(static\), not both/);
  });

  it("targets its environments for the production approval gate", () => {
    const input = monitoringInputSchema.parse({ ...MIN, environments: ["staging", "production"] });
    expect(monitoringSpecialist.environments(input)).toEqual(["staging", "production"]);
    expect(error({ ...MIN, environments: ["prod", "prod"] })).toMatch(/environments must not repeat/);
  });

  it("describes every field of the input", () => {
    const shape = (monitoringInputSchema as unknown as { _zod: { def: { in?: unknown; shape?: Record<string, { description?: string }> } } })._zod.def;
    const fields = shape.shape ?? {};
    expect(Object.keys(fields).sort()).toEqual(["discovery", "environments", "links", "scrape_interval", "services", "slos", "tracing"]);
    for (const [name, f] of Object.entries(fields)) expect(f.description, name).toBeTruthy();
  });
});

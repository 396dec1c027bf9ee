/** Inputs the examples do not cover: no SLOs, insecure export, relative links, custom endpoints, SLI forms. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateGrafanaDashboard } from "../../core/validators/grafana.js";
import { OVERVIEW_DASHBOARD_UID, PATHS, resolveLink } from "../observability/index.js";
import type { Obj } from "./testing/support.js";
import { artifactAt, docs, planInput, promtool, withArtifacts } from "./testing/support.js";

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
interface Dash {
  panels: Panel[];
  links?: { url: string }[];
  annotations: { list: { name: string }[] };
}

const dash = (content: string) => JSON.parse(content) as Dash;

describe("devops_monitoring combinations", () => {
  it("without SLOs: no SLO files, a placeholder panel instead of budget panels, and a warning naming every service", async () => {
    const { plan } = planInput({ services: [{ name: "api", kind: "http" }, { name: "jobs", kind: "worker" }] });
    expect(plan.artifacts.filter((a) => a.path.includes("-slo.rules.yml") || a.path.startsWith("monitoring/slo/"))).toEqual([]);
    const api = dash(artifactAt(plan, PATHS.dashboard("api")).content);
    expect(api.panels[1]).toMatchObject({ type: "text", title: "No SLO defined" });
    const overview = artifactAt(plan, PATHS.overviewDashboard);
    expect(dash(overview.content).panels.map((p) => p.type)).toEqual(["text"]);
    expect(dash(overview.content).links?.map((l) => l.url)).toEqual(["/d/svc-api", "/d/svc-jobs"]);
    expect((await validateGrafanaDashboard(overview.content, overview.path)).errors).toEqual([]);
    expect(plan.notes).toContainEqual(expect.objectContaining({ kind: "warning", text: expect.stringMatching(/^No SLO for api, jobs:/) as unknown }));
  });

  it("links dashboards relatively when no Grafana URL is given, and they resolve", () => {
    const { input, plan } = planInput({ services: [{ name: "api", kind: "http" }], slos: [{ name: "api-availability", service: "api", objective: 99.9 }] });
    const api = dash(artifactAt(plan, PATHS.dashboard("api")).content);
    expect(api.links?.map((l) => l.url)).toEqual(["/d/slo-overview"]);
    expect(resolveLink(api.links![0]!.url, input.links)).toEqual({ dashboardUid: OVERVIEW_DASHBOARD_UID });
  });

  it("exports traces without TLS only when asked, and warns", () => {
    const { plan } = planInput({ services: [{ name: "api", kind: "http" }], tracing: { insecure: true, endpoint: "localhost:4317" } });
    const c = parse(artifactAt(plan, PATHS.otelCollector).content) as { exporters: { otlp: Obj } };
    expect(c.exporters.otlp).toEqual({ endpoint: "localhost:4317", tls: { insecure: true } });
    expect(plan.notes).toContainEqual(expect.objectContaining({ kind: "warning", text: expect.stringContaining("without TLS") as unknown }));
    const safe = parse(artifactAt(planInput({ services: [{ name: "api", kind: "http" }] }).plan, PATHS.otelCollector).content) as { exporters: { otlp: Obj } };
    expect(safe.exporters.otlp).toEqual({ endpoint: "tempo.monitoring.svc:4317", tls: { insecure: false } });
  });

  it("carries a custom metrics path, scheme and port into the scrape job and the PodMonitor", () => {
    const service = { name: "api", kind: "http", namespace: "shop", metrics: { port: 9443, path: "/internal/metrics", scheme: "https" } };
    const sd = parse(artifactAt(planInput({ services: [service] }).plan, PATHS.prometheusConfig).content) as { scrape_configs: Obj[] };
    expect(sd.scrape_configs[0]).toMatchObject({ job_name: "api", metrics_path: "/internal/metrics", scheme: "https" });
    expect(JSON.stringify(sd.scrape_configs[0])).toContain("metrics;\\\\d+|[^;]*;9443");
    const op = planInput({ services: [service], discovery: "prometheus_operator" }).plan;
    expect(docs(artifactAt(op, PATHS.podMonitor("api")).content)[0]).toMatchObject({
      metadata: { namespace: "shop" },
      spec: { podMetricsEndpoints: [{ port: "metrics", path: "/internal/metrics", scheme: "https", interval: "30s" }] },
    });
  });

  it("with the Operator and no static target, prometheus.yml keeps only rule files and Alertmanager, and promtool accepts it as is", () => {
    const { plan } = planInput({ services: [{ name: "api", kind: "http" }], discovery: "prometheus_operator", slos: [{ name: "api-availability", service: "api", objective: 99.9 }] });
    const config = parse(artifactAt(plan, PATHS.prometheusConfig).content) as Obj;
    expect(config["scrape_configs"]).toEqual([]);
    withArtifacts(plan.artifacts, (dir) => {
      const r = promtool(["check", "config", PATHS.prometheusConfig], dir);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain("SUCCESS: 2 rule files found");
    });
  });

  it("writes OpenSLO queries for each SLI form: integer latency bucket, [$window] expressions, bad events", () => {
    const { plan } = planInput({
      services: [{ name: "api", kind: "http" }, { name: "db", kind: "database" }, { name: "rpc", kind: "grpc" }],
      slos: [
        { name: "api-latency", service: "api", objective: 99, sli: { latency: { histogram: "http_request_duration_seconds", threshold_seconds: 1, matchers: '{job="api",route!="/health"}' } } },
        { name: "db-up", service: "db", objective: 99.9 },
        { name: "rpc-availability", service: "rpc", objective: 0.999 },
      ],
    });
    const ratio = (slo: string) => (((docs(artifactAt(plan, PATHS.openSlo(slo)).content)[1]!["spec"] as Obj)["indicator"] as Obj)["spec"] as Obj)["ratioMetric"] as Obj;
    expect(ratio("api-latency")).toEqual({
      counter: true,
      good: { metricSource: { type: "Prometheus", spec: { query: 'sum(http_request_duration_seconds_bucket{job="api",route!="/health",le=~"1|1.0"})' } } },
      total: { metricSource: { type: "Prometheus", spec: { query: 'sum(http_request_duration_seconds_count{job="api",route!="/health"})' } } },
    });
    expect(ratio("db-up")).toMatchObject({ counter: false, good: { metricSource: { spec: { query: 'sum(sum_over_time(pg_up{job="db"}[5m]))' } } } });
    expect(ratio("rpc-availability")).toMatchObject({ counter: true, bad: { metricSource: { spec: { query: expect.stringContaining("grpc_server_handled_total{") as unknown } } } });
    expect(docs(artifactAt(plan, PATHS.openSlo("rpc-availability")).content)[1]).toMatchObject({ spec: { objectives: [{ target: 0.999 }] } });
  });

  it("shows a static database's target health and connection use, without pod panels or deploy annotations", () => {
    const { plan } = planInput({ services: [{ name: "pg", kind: "database", metrics: { target: "pg-exporter.db.svc:9187" } }] });
    const d = dash(artifactAt(plan, PATHS.dashboard("pg")).content);
    const use = d.panels.slice(d.panels.findIndex((p) => p.type === "row" && p.title.startsWith("USE")) + 1);
    expect(use.map((p) => p.title)).toEqual(["Targets up", "Saturation"]);
    expect(use[1]!.targets?.[0]?.expr).toBe('job:pg_connections_used:ratio{job="pg"}');
    expect(d.annotations.list.map((a) => a.name)).toEqual(["Annotations & Alerts"]);
    const config = parse(artifactAt(plan, PATHS.prometheusConfig).content) as { scrape_configs: Obj[] };
    expect(config.scrape_configs[0]).toMatchObject({ static_configs: [{ targets: ["pg-exporter.db.svc:9187"], labels: { namespace: "pg" } }] });
  });

  it("puts a worker's queue depth in its USE row", () => {
    const { plan } = planInput({ services: [{ name: "jobs", kind: "worker", namespace: "shop" }] });
    const d = dash(artifactAt(plan, PATHS.dashboard("jobs")).content);
    const saturation = d.panels.find((p) => p.title === "Saturation");
    expect(saturation?.targets?.[0]?.expr).toBe('job_queue:queue_depth:max{job="jobs"}');
    expect(d.panels.findIndex((p) => p.title === "Saturation")).toBeGreaterThan(d.panels.findIndex((p) => p.type === "row" && p.title.startsWith("USE")));
    expect(d.annotations.list.map((a) => a.name)).toEqual(["Annotations & Alerts", "Deploys"]);
  });
});

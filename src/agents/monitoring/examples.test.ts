/**
 * Every example task runs through the real task parser, the planner, the real
 * promtool (check config and check rules, on the plan written to disk with its
 * paths), the quality-gate validators (promtool, the Grafana dashboard schema,
 * the prometheus-operator models) and the security scanner; then the
 * properties the bundle depends on are asserted one by one.
 */
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Artifact } from "../../core/plans/plan.js";
import { hasMarker } from "../../core/plans/plan.js";
import { validateGrafanaDashboard } from "../../core/validators/grafana.js";
import { validatePrometheusConfigs, validatePrometheusRules } from "../../core/validators/prometheus.js";
import {
  dashboardUid,
  dashboardUrl,
  objectiveRatio,
  OVERVIEW_DASHBOARD_UID,
  PATHS,
  resolveLink,
  SLO_BUDGET_RECORD,
  SLO_BUDGET_REMAINING_RECORD,
  SLO_OBJECTIVE_RECORD,
  sloErrorRatioRecord,
  sloRulesFile,
} from "../observability/index.js";
import { resolveConfig } from "./config.js";
import { monitoringSpecialist } from "./index.js";
import { TRACE_PROCESSORS } from "./otel.js";
import { scanFiles } from "../testing/scan.js";
import type { Obj } from "./testing/support.js";
import { artifactAt, docs, exampleFiles, planExample, promtool, withArtifacts } from "./testing/support.js";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string }[];
  links?: { url: string }[];
}

interface Dashboard {
  description: string;
  uid: string;
  title: string;
  panels: Panel[];
  links?: { url: string; title: string }[];
}

function dashboardOf(a: Artifact): Dashboard {
  return JSON.parse(a.content) as Dashboard;
}

function exprs(p: Panel): string[] {
  return (p.targets ?? []).map((t) => t.expr);
}

/** Every recording-rule name a PromQL expression reads (names with a colon are recorded series). */
function recordedNames(expr: string): string[] {
  return [...expr.matchAll(/[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*/g)].map((m) => m[0]);
}

function recordedInPlan(artifacts: readonly Artifact[]): Set<string> {
  const names = new Set<string>();
  for (const a of artifacts.filter((x) => x.kind === "prometheus-rules")) {
    const data = parse(a.content) as { groups: { rules: { record?: string }[] }[] };
    for (const g of data.groups) for (const r of g.rules) if (r.record !== undefined) names.add(r.record);
  }
  return names;
}

/** Panels between one row and the next. */
function rows(d: Dashboard): { title: string; panels: Panel[] }[] {
  const out: { title: string; panels: Panel[] }[] = [];
  for (const p of d.panels) {
    if (p.type === "row") out.push({ title: p.title, panels: [] });
    else out[out.length - 1]?.panels.push(p);
  }
  return out;
}

describe.each(exampleFiles())("%s", (file) => {
  const { input, plan } = planExample(file);
  const cfg = resolveConfig(input);

  it("writes exactly the bundle's paths, each with the generated-file marker in its header", () => {
    const expected = [
      PATHS.prometheusConfig,
      ...cfg.services.map((s) => PATHS.recordingRules(s.service.name)),
      ...cfg.services.filter((s) => s.slos.length > 0).map((s) => PATHS.sloRules(s.service.name)),
      ...cfg.services.map((s) => PATHS.dashboard(s.service.name)),
      PATHS.overviewDashboard,
      ...input.slos.map((o) => PATHS.openSlo(o.name)),
      ...cfg.services.map((s) => PATHS.logql(s.service.name)),
      PATHS.otelCollector,
      ...(input.discovery === "prometheus_operator" ? cfg.services.filter((s) => !s.isStatic).map((s) => PATHS.podMonitor(s.service.name)) : []),
    ];
    expect(plan.artifacts.map((a) => a.path).sort()).toEqual([...expected].sort());
    for (const a of plan.artifacts) expect(hasMarker(a.content), a.path).toBe(true);
    expect(plan.findings).toEqual([]);
  });

  it("passes the real promtool: check rules on every rule file, check config on the plan written to disk", () => {
    const rules = plan.artifacts.filter((a) => a.kind === "prometheus-rules");
    expect(rules.length).toBeGreaterThanOrEqual(cfg.services.length);
    withArtifacts(plan.artifacts, (dir) => {
      const r = promtool(["check", "rules", ...rules.map((a) => a.path)], dir);
      expect(r.output).not.toMatch(/FAILED/);
      expect(r.code, r.output).toBe(0);
      for (const a of rules) expect(r.output).toContain(`Checking ${a.path}\n  SUCCESS`);
      const c = promtool(["check", "config", PATHS.prometheusConfig], dir);
      if (input.discovery === "kubernetes_sd") {
        // Debian's promtool is built without Kubernetes discovery (NEWS.Debian, 1.5.0): that, and nothing else, may fail.
        const failure = /FAILED: (.*)/s.exec(c.output)?.[1] ?? "";
        if (c.code !== 0) {
          const lines = failure.split("\n").filter((l) => /line \d+:/.test(l));
          expect(lines.length, c.output).toBe(cfg.services.filter((s) => !s.isStatic).length);
          for (const l of lines) expect(l).toMatch(/field kubernetes_sd_configs not found in type config\.ScrapeConfig/);
        }
      } else {
        expect(c.code, c.output).toBe(0);
        expect(c.output).toContain(`SUCCESS: ${rules.length} rule files found`);
      }
    });
  });

  it("passes the quality-gate validators: promtool (Kubernetes discovery checked against the reference), the dashboard schema, the PodMonitor model", async () => {
    const config = await validatePrometheusConfigs([artifactAt(plan, PATHS.prometheusConfig)], plan.artifacts);
    const c = config.get(PATHS.prometheusConfig)!;
    expect(c.errors).toEqual([]);
    // Only the Debian build's missing discoverer may be reported, as a partial check.
    expect(c.warnings.filter((w) => !(w.kind === "partial-check" && /kubernetes_sd_configs/.test(w.message)))).toEqual([]);
    const rules = await validatePrometheusRules(plan.artifacts.filter((a) => a.kind === "prometheus-rules"));
    for (const [path, r] of rules) {
      expect(r.errors, path).toEqual([]);
      expect(r.warnings, path).toEqual([]);
    }
    for (const a of plan.artifacts.filter((x) => x.kind === "grafana-dashboard")) {
      const r = await validateGrafanaDashboard(a.content, a.path);
      expect(r.errors, a.path).toEqual([]);
      expect(r.warnings, a.path).toEqual([]);
    }
    for (const a of plan.artifacts.filter((x) => x.kind === "kubernetes")) {
      for (const d of docs(a.content)) expect(() => new PodMonitor(d as never).validate(), a.path).not.toThrow();
    }
  });

  it("scans clean but for the scanner reading OpenSLO's kind: Service as a Kubernetes Service", async () => {
    const r = await scanFiles(plan.artifacts.map((a) => ({ path: a.path, content: a.content })));
    const active = r.findings.filter((f) => !f.suppressed);
    for (const f of active) {
      expect(f.ruleId, `${f.file}: ${f.message}`).toBe("DP-K8S-NS-001");
      expect(f.file).toMatch(/^monitoring\/slo\/[a-z0-9-]+\.yaml$/);
      expect(docs(artifactAt(plan, f.file ?? "").content)[0]).toMatchObject({ apiVersion: "openslo/v1", kind: "Service" });
    }
    expect(active.some((f) => f.severity === "critical" || f.severity === "high")).toBe(false);
    expect(r.score).toBeGreaterThanOrEqual(95);
  });

  it("emits the shared SLO rule file byte for byte", () => {
    for (const s of cfg.services) {
      const shared = sloRulesFile(s.service, input.slos);
      if (shared === undefined) expect(plan.artifacts.some((a) => a.path === PATHS.sloRules(s.service.name))).toBe(false);
      else expect(artifactAt(plan, shared.path).content).toBe(shared.content);
    }
  });

  it("names every scrape job after its service, so SLIs written as {job=\"<service>\"} match", () => {
    const config = parse(artifactAt(plan, PATHS.prometheusConfig).content) as Obj;
    expect(config["rule_files"]).toEqual([PATHS.ruleGlob]);
    expect(config["alerting"]).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager.monitoring.svc:9093"] }] }] });
    expect(config["global"]).toEqual({ scrape_interval: input.scrape_interval, evaluation_interval: input.scrape_interval });
    const jobs = config["scrape_configs"] as Obj[];
    const scraped = cfg.services.filter((s) => s.isStatic || input.discovery === "kubernetes_sd");
    expect(jobs.map((j) => j["job_name"])).toEqual(scraped.map((s) => s.service.name));
    for (const [i, s] of scraped.entries()) {
      const job = jobs[i]!;
      const relabel = job["relabel_configs"] as Obj[];
      expect(relabel.at(-1), s.service.name).toEqual({ target_label: "job", replacement: s.service.name, action: "replace" });
      if (s.isStatic) {
        expect(job["static_configs"]).toEqual([{ targets: [s.metrics.target], labels: { namespace: s.namespace } }]);
        continue;
      }
      expect(job["kubernetes_sd_configs"]).toEqual([{ role: "pod", namespaces: { names: [s.namespace] } }]);
      expect(relabel).toContainEqual({ source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: s.service.name, action: "keep" });
      const port = relabel.find((r) => (r["source_labels"] as string[] | undefined)?.[0] === "__meta_kubernetes_pod_container_port_name")!;
      expect(new RegExp(`^(?:${String(port["regex"])})$`).test("metrics;8080")).toBe(true);
      expect(new RegExp(`^(?:${String(port["regex"])})$`).test(`http;${s.metrics.port}`)).toBe(true);
      expect(new RegExp(`^(?:${String(port["regex"])})$`).test("http;8080")).toBe(false);
      expect(relabel).toContainEqual({ source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace", action: "replace" });
      expect(relabel).toContainEqual({ source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod", action: "replace" });
    }
    for (const a of plan.artifacts.filter((x) => x.kind === "kubernetes")) {
      const pm = docs(a.content)[0]!;
      const name = (pm["metadata"] as Obj)["name"] as string;
      expect(pm).toMatchObject({
        kind: "PodMonitor",
        metadata: { labels: { release: "kube-prometheus-stack" } },
        spec: { selector: { matchLabels: { "app.kubernetes.io/name": name } }, podMetricsEndpoints: [{ port: "metrics", relabelings: [{ action: "replace", targetLabel: "job", replacement: name }] }] },
      });
    }
  });

  it("gives every SLO panels that read its own recording rules: budget left, burn rate against 1/6/14.4, SLI against objective", () => {
    for (const s of cfg.services) {
      const d = dashboardOf(artifactAt(plan, PATHS.dashboard(s.service.name)));
      const [sloRow] = rows(d);
      expect(sloRow?.title).toMatch(/^SLOs/);
      for (const slo of s.slos) {
        const sel = `{slo="${slo.name}"}`;
        const reads = (p: Panel, text: string) => exprs(p).some((e) => e.includes(text));
        const budget = sloRow!.panels.find((p) => reads(p, `${SLO_BUDGET_REMAINING_RECORD}${sel}`));
        expect(budget, `${slo.name} budget panel`).toBeDefined();
        const burn = sloRow!.panels.find((p) => reads(p, `${sloErrorRatioRecord("1h")}${sel} / on (slo) ${SLO_BUDGET_RECORD}${sel}`)) as Panel & { fieldConfig: { defaults: { thresholds: { steps: { value: number | null }[] } } } };
        expect(burn, `${slo.name} burn-rate panel`).toBeDefined();
        expect(burn.fieldConfig.defaults.thresholds.steps.map((x) => x.value)).toEqual([null, 1, 6, 14.4]);
        const sli = sloRow!.panels.find((p) => reads(p, `${SLO_OBJECTIVE_RECORD}${sel}`));
        expect(sli, `${slo.name} SLI panel`).toBeDefined();
        expect(exprs(sli!)).toContain(`1 - ${sloErrorRatioRecord(slo.window)}${sel}`);
      }
    }
  });

  it("lays out each service dashboard SLO, RED, USE with unique panel ids, and links it to the overview", () => {
    for (const s of cfg.services) {
      const a = artifactAt(plan, PATHS.dashboard(s.service.name));
      expect(a.content.split("\n")[1]).toMatch(/^ {2}"description": "Generated by devops-pack devops_monitoring — review before applying\./);
      const d = dashboardOf(a);
      expect(d.uid).toBe(dashboardUid(s.service.name));
      expect(rows(d).map((r) => r.title.split(":")[0])).toEqual(["SLOs", "RED", "USE"]);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(d.links?.map((l) => resolveLink(l.url, input.links).dashboardUid)).toEqual([OVERVIEW_DASHBOARD_UID]);
      const [, red, use] = rows(d);
      expect(red!.panels.map((p) => p.title).slice(0, 3)).toEqual(["Rate", "Errors", "Duration"]);
      expect(use!.panels.some((p) => p.title === "Targets up")).toBe(true);
      if (!s.isStatic) expect(use!.panels.map((p) => p.title)).toEqual(expect.arrayContaining(["CPU", "CPU throttling", "Memory", "Memory used / limit", "Restarts and OOM kills", "Network"]));
      for (const p of d.panels) for (const t of p.targets ?? []) expect(t.expr, p.title).toMatch(new RegExp(`\\{(job|service|slo)="(${s.service.name}|${s.slos.map((o) => o.name).join("|") || "-"})"\\}`));
    }
  });

  it("reads only recorded series in dashboards, and every one of them is recorded by a rule file of the plan", () => {
    const recorded = recordedInPlan(plan.artifacts);
    for (const a of plan.artifacts.filter((x) => x.kind === "grafana-dashboard")) {
      for (const p of dashboardOf(a).panels) {
        for (const e of exprs(p)) {
          const names = recordedNames(e);
          expect(names.length, `${a.path} ${p.title}: ${e}`).toBeGreaterThan(0);
          for (const n of names) expect(recorded.has(n), `${a.path} ${p.title} reads ${n}`).toBe(true);
        }
      }
    }
  });

  it("builds an overview with one row per SLO and links that resolve to every service dashboard", () => {
    const a = artifactAt(plan, PATHS.overviewDashboard);
    const d = dashboardOf(a);
    expect(d.uid).toBe(OVERVIEW_DASHBOARD_UID);
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const r = rows(d);
    expect(r.map((x) => x.title.split(" ")[0])).toEqual(cfg.services.flatMap((s) => s.slos.map((o) => o.name)));
    expect(d.links?.map((l) => resolveLink(l.url, input.links).dashboardUid)).toEqual(cfg.services.map((s) => dashboardUid(s.service.name)));
    for (const s of cfg.services) {
      for (const slo of s.slos) {
        const row = r.find((x) => x.title.startsWith(`${slo.name} `))!;
        expect(row.panels.some((p) => exprs(p).includes(`${SLO_BUDGET_REMAINING_RECORD}{slo="${slo.name}"}`))).toBe(true);
        for (const p of row.panels) expect(p.links?.map((l) => l.url)).toEqual([dashboardUrl(dashboardUid(s.service.name), input.links)]);
      }
    }
  });

  it("defines each SLO in OpenSLO v1 with the same objective, window and SLI", () => {
    for (const slo of input.slos) {
      const [service, def] = docs(artifactAt(plan, PATHS.openSlo(slo.name)).content);
      expect(service).toMatchObject({ apiVersion: "openslo/v1", kind: "Service", metadata: { name: slo.service } });
      expect(def).toMatchObject({
        apiVersion: "openslo/v1",
        kind: "SLO",
        metadata: { name: slo.name },
        spec: { service: slo.service, budgetingMethod: "Occurrences", timeWindow: [{ duration: slo.window, isRolling: true }], objectives: [{ target: Number(objectiveRatio(slo).toPrecision(12)) }] },
      });
      const ratio = ((((def!["spec"] as Obj)["indicator"] as Obj)["spec"] as Obj)["ratioMetric"] as Obj);
      expect(typeof ratio["counter"]).toBe("boolean");
      expect(("good" in ratio) !== ("bad" in ratio)).toBe(true);
      for (const k of ["good", "bad", "total"].filter((x) => x in ratio)) {
        expect(ratio[k]).toMatchObject({ metricSource: { type: "Prometheus", spec: { query: expect.stringMatching(/^sum\(/) as unknown } } });
      }
    }
  });

  it("writes the five LogQL investigations per service, on its namespace and app labels", () => {
    for (const s of cfg.services) {
      const md = artifactAt(plan, PATHS.logql(s.service.name)).content;
      expect(md.split("\n")[0]).toBe("<!-- Generated by devops-pack devops_monitoring — review before applying -->");
      for (const h of ["## Error rate from logs", "## Slow ", "## Top error messages", "## Restarts and crashes", "## Logs of one trace"]) expect(md).toContain(h);
      const queries = [...md.matchAll(/```logql\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
      expect(queries.length).toBeGreaterThanOrEqual(6);
      const selector = `{namespace="${s.namespace}", app="${s.service.name}"}`;
      expect(queries.filter((q) => q.includes(selector)).length).toBeGreaterThanOrEqual(5);
      expect(md).toContain(`> ${s.latencyThresholdMs ?? cfg.tracing.slowThresholdMs}`);
    }
  });

  it("configures the Collector: memory_limiter first, tail sampling keeps errors and slow traces, OTLP export over TLS", () => {
    const c = parse(artifactAt(plan, PATHS.otelCollector).content) as Obj;
    const service = c["service"] as { pipelines: { traces: { processors: string[]; receivers: string[]; exporters: string[] } } };
    expect(service.pipelines.traces).toEqual({ receivers: ["otlp"], processors: [...TRACE_PROCESSORS], exporters: ["otlp"] });
    expect(TRACE_PROCESSORS[0]).toBe("memory_limiter");
    const sampling = (c["processors"] as Obj)["tail_sampling"] as { policies: Obj[] };
    expect(sampling.policies).toEqual([
      { name: "keep-errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
      { name: "keep-slow", type: "latency", latency: { threshold_ms: cfg.tracing.slowThresholdMs } },
      { name: "sample-the-rest", type: "probabilistic", probabilistic: { sampling_percentage: input.tracing.sample_percentage } },
    ]);
    const otlp = (c["exporters"] as Obj)["otlp"] as Obj;
    expect(otlp["endpoint"]).toBe(input.tracing.endpoint);
    expect((otlp["tls"] as Obj)["insecure"]).toBe(false);
    expect(JSON.stringify(c)).not.toContain("0.0.0.0");
  });

  it("warns about services without SLOs, cardinality, and says what to install", () => {
    const text = plan.notes.map((n) => `${n.kind}: ${n.text}`).join("\n");
    for (const s of cfg.services.filter((x) => x.slos.length === 0)) expect(text).toMatch(new RegExp(`warning: No SLO for [^\\n]*${s.service.name}`));
    expect(text).toMatch(/warning: Cardinality/);
    for (const tool of ["Prometheus", "Grafana", "Loki", "OpenTelemetry Collector", "kube-state-metrics"]) expect(text).toContain(tool);
    expect(monitoringSpecialist.environments(input)).toEqual(input.environments);
  });

  it("is deterministic: planning twice gives identical bytes", () => {
    expect(JSON.stringify(planExample(file).plan)).toBe(JSON.stringify(plan));
  });
});

it("the examples cover pod discovery and the Operator, every service kind and both SLI types", () => {
  const inputs = exampleFiles().map((f) => planExample(f).input);
  expect(new Set(inputs.map((i) => i.discovery))).toEqual(new Set(["kubernetes_sd", "prometheus_operator"]));
  expect(new Set(inputs.flatMap((i) => i.services.map((s) => s.kind)))).toEqual(new Set(["http", "grpc", "worker", "database"]));
  const slos = inputs.flatMap((i) => i.slos);
  expect(slos.some((o) => o.sli?.latency !== undefined)).toBe(true);
  expect(slos.some((o) => o.sli === undefined)).toBe(true);
  expect(inputs.some((i) => i.services.some((s) => s.metrics?.target !== undefined))).toBe(true);
});

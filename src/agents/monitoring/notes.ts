/** Plan notes: what to install and where each file goes, what the rules assume, and what to watch. */
import type { Note } from "../../core/plans/plan.js";
import { effectiveSli, PATHS } from "../observability/index.js";
import type { MonitoringConfig } from "./config.js";
import { ALERTMANAGER_TARGET } from "./config.js";
import { WORKER_METRICS } from "./recording.js";

function installNote(cfg: MonitoringConfig): Note {
  const prom =
    cfg.discovery === "kubernetes_sd"
      ? `Prometheus: mount ${PATHS.prometheusDir}/ as /etc/prometheus (prometheus.yml reads ${PATHS.ruleGlob} beside it) and give its service account get/list/watch on pods in ${[...new Set(cfg.services.filter((s) => !s.isStatic).map((s) => s.namespace))].join(", ") || "the services' namespaces"}; check with promtool check config ${PATHS.prometheusConfig}.`
      : `Prometheus Operator (kube-prometheus-stack): kubectl apply -f monitoring/kubernetes/ (PodMonitors labelled release: kube-prometheus-stack); load the rule files as PrometheusRule objects (same groups under spec.groups) or through the Prometheus resource; prometheus.yml documents the rule files, Alertmanager and any static targets.`;
  return {
    kind: "info",
    text: [
      prom,
      `Alertmanager is expected at ${ALERTMANAGER_TARGET}.`,
      "cAdvisor (kubelet) and kube-state-metrics must be scraped for the USE rules (kube-prometheus-stack does both).",
      `Grafana: provision ${"monitoring/grafana/dashboards"}/ with a file provider (e.g. /etc/grafana/provisioning/dashboards/devops-pack.yaml, options.path pointing at the mounted folder); each dashboard asks for a Prometheus data source through its datasource variable.`,
      "Loki with Grafana Alloy or Promtail labelling streams namespace, app (from app.kubernetes.io/name) and container; add loki.source.kubernetes_events for the restart queries.",
      `OpenTelemetry Collector: the contrib distribution (otel/opentelemetry-collector-contrib) with ${PATHS.otelCollector}, RBAC get/list/watch on pods, namespaces and replicasets for k8sattributes, and MY_POD_IP from the downward API.`,
    ].join(" "),
  };
}

function sloNotes(cfg: MonitoringConfig): Note[] {
  const notes: Note[] = [];
  const without = cfg.services.filter((s) => s.slos.length === 0).map((s) => s.service.name);
  if (without.length > 0) {
    notes.push({
      kind: "warning",
      text: `No SLO for ${without.join(", ")}: their dashboards have RED and USE rows but no error budget, and devops_alerting can only alert on symptoms for them. Agree an availability or latency objective with the owners and add it under slos.`,
    });
  }
  const latency = cfg.services.flatMap((s) =>
    s.slos.flatMap((slo) => {
      const sli = effectiveSli(slo, s.service).latency;
      return sli ? [`${slo.name} needs a ${sli.histogram} bucket at le=${sli.threshold_seconds}`] : [];
    }),
  );
  if (latency.length > 0) {
    notes.push({ kind: "recommendation", text: `Latency SLOs count requests under a bucket boundary, which must equal the threshold or the ratio is interpolated: ${latency.join("; ")}.` });
  }
  const dbDefaults = cfg.services.filter((s) => s.service.kind === "database" && s.slos.some((o) => o.sli === undefined)).map((s) => s.service.name);
  if (dbDefaults.length > 0) {
    notes.push({ kind: "info", text: `Database SLOs without an sli (${dbDefaults.join(", ")}) measure the share of scrapes in which postgres_exporter reached the database (pg_up); give sli.ratio for a query-level objective.` });
  }
  return notes;
}

function metricNotes(cfg: MonitoringConfig): Note[] {
  const notes: Note[] = [];
  const kinds = new Set(cfg.services.map((s) => s.service.kind));
  const labels = [
    ...(kinds.has("http") ? ["route (the route template, never the raw URL)", "code"] : []),
    ...(kinds.has("grpc") ? ["grpc_service, grpc_method, grpc_code"] : []),
    ...(kinds.has("worker") ? ["queue"] : []),
  ];
  notes.push({
    kind: "warning",
    text: `Cardinality: the recording rules keep ${labels.length > 0 ? `${labels.join("; ")} and ` : ""}namespace/pod labels. Each must stay a small, fixed set: user, request, order or trace ids belong in logs and traces, not in metric labels. A runaway label multiplies every series here; consider sample_limit on the scrape jobs once the normal series count is known.`,
  });
  if (kinds.has("worker")) {
    notes.push({
      kind: "info",
      text: `Worker RED and saturation assume these metrics: ${WORKER_METRICS.processed} and ${WORKER_METRICS.failed} (counters, label queue), ${WORKER_METRICS.duration} (histogram) and ${WORKER_METRICS.depth} (gauge, label queue). Rename them in the worker or adapt ${PATHS.recordingRules("<worker>")}.`,
    });
  }
  const statics = cfg.services.filter((s) => s.isStatic).map((s) => `${s.service.name} (${s.metrics.target ?? ""})`);
  if (statics.length > 0) {
    notes.push({
      kind: "info",
      text: `Static targets ${statics.join(", ")} have no pods here, so no USE rules; their dashboards show target health instead.${cfg.discovery === "prometheus_operator" ? " With the Operator, pass their jobs from prometheus.yml as additionalScrapeConfigs." : ""}`,
    });
  }
  notes.push({
    kind: "recommendation",
    text: "Link metrics to traces with exemplars: instrument histograms with exemplars, run Prometheus with --enable-feature=exemplar-storage and set the Tempo data source as the exemplar target in Grafana.",
  });
  return notes;
}

function tracingNotes(cfg: MonitoringConfig): Note[] {
  const t = cfg.tracing;
  const source = { input: "as given", "latency-slo": "the smallest latency-SLO threshold", default: "the default; no latency SLO was given" }[t.slowThresholdSource];
  const notes: Note[] = [
    {
      kind: "info",
      text: `Tail sampling keeps every trace with an error and every trace over ${t.slowThresholdMs} ms (${source}), and ${t.samplePercentage}% of the rest. All spans of a trace must reach the same Collector: run one replica, or put a loadbalancing exporter tier (routing by trace id) in front.`,
    },
  ];
  if (t.insecure) notes.push({ kind: "warning", text: `The trace exporter to ${t.endpoint} runs without TLS (tracing.insecure: true): spans, with their attributes, cross the network in clear text.` });
  return notes;
}

export function generationNotes(cfg: MonitoringConfig): Note[] {
  return [installNote(cfg), ...sloNotes(cfg), ...metricNotes(cfg), ...tracingNotes(cfg)];
}

/**
 * prometheus.yml as a typed object: one scrape job per service, whose
 * relabelling sets `job` to the service name, so every SLI written as
 * {job="<service>"} matches what is scraped.
 */
import { PATHS } from "../observability/index.js";
import type { MonitoringConfig, ServiceConfig } from "./config.js";
import { ALERTMANAGER_TARGET } from "./config.js";
import { renderYamlFile } from "./render.js";

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: "replace" | "keep" | "drop" | "labelmap";
}

export interface ScrapeConfig {
  job_name: string;
  scrape_interval: string;
  metrics_path: string;
  scheme: "http" | "https";
  kubernetes_sd_configs?: { role: "pod"; namespaces: { names: string[] } }[];
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs: RelabelConfig[];
}

export interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string };
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

/** The relabelling that names the job after the service; every job ends with it. */
export function jobRelabel(s: ServiceConfig): RelabelConfig {
  return { target_label: "job", replacement: s.job, action: "replace" };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function podJob(s: ServiceConfig, interval: string): ScrapeConfig {
  const port = s.metrics.port ?? 9090;
  return {
    job_name: s.job,
    scrape_interval: interval,
    metrics_path: s.metrics.path,
    scheme: s.metrics.scheme,
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [s.namespace] } }],
    relabel_configs: [
      // Pods of this service only: the recommended label the Kubernetes specialist sets.
      { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: escapeRegex(s.service.name), action: "keep" },
      // One target per pod: the container port named metrics (or, failing a name, its number).
      { source_labels: ["__meta_kubernetes_pod_container_port_name", "__meta_kubernetes_pod_container_port_number"], separator: ";", regex: `metrics;\\d+|[^;]*;${port}`, action: "keep" },
      // Finished and not-yet-started pods have no metrics to give.
      { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Pending|Succeeded|Failed", action: "drop" },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace", action: "replace" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod", action: "replace" },
      jobRelabel(s),
    ],
  };
}

function staticJob(s: ServiceConfig, interval: string): ScrapeConfig {
  return {
    job_name: s.job,
    scrape_interval: interval,
    metrics_path: s.metrics.path,
    scheme: s.metrics.scheme,
    static_configs: [{ targets: [s.metrics.target ?? ""], labels: { namespace: s.namespace } }],
    relabel_configs: [jobRelabel(s)],
  };
}

/**
 * With kubernetes_sd every service is a job; with the Prometheus Operator the
 * PodMonitors replace the pod jobs and only static targets stay here (loaded
 * through the Prometheus resource's additionalScrapeConfigs).
 */
export function prometheusConfig(cfg: MonitoringConfig): PrometheusConfig {
  const jobs = cfg.services
    .filter((s) => s.isStatic || cfg.discovery === "kubernetes_sd")
    .map((s) => (s.isStatic ? staticJob(s, cfg.scrapeInterval) : podJob(s, cfg.scrapeInterval)));
  return {
    global: { scrape_interval: cfg.scrapeInterval, evaluation_interval: cfg.scrapeInterval },
    rule_files: [PATHS.ruleGlob],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER_TARGET] }] }] },
    scrape_configs: jobs,
  };
}

export function renderPrometheusConfig(cfg: MonitoringConfig): string {
  const comment =
    cfg.discovery === "kubernetes_sd"
      ? [
          "One job per service; relabelling sets job=<service>, keeps the namespace and pod labels.",
          "cAdvisor and kube-state-metrics (read by the USE recording rules) are scraped by the cluster stack, not here.",
        ]
      : [
          "Prometheus Operator: the PodMonitors in monitoring/kubernetes/ scrape the pods; this file lists the rule files,",
          "Alertmanager and any static targets (give those to the Prometheus resource as additionalScrapeConfigs).",
        ];
  return renderYamlFile([prometheusConfig(cfg)], comment);
}

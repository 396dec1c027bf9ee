/**
 * Prometheus Operator discovery: one PodMonitor per service. Pods expose the
 * container port named `metrics` (the Kubernetes specialist keeps it off the
 * Service), so a PodMonitor, not a ServiceMonitor, reaches it.
 */
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PATHS } from "../observability/index.js";
import type { MonitoringConfig, ServiceConfig } from "./config.js";
import { renderYamlFile } from "./render.js";

/** The label kube-prometheus-stack's Prometheus selects PodMonitors by (its default podMonitorSelector). */
export const OPERATOR_RELEASE_LABEL = { release: "kube-prometheus-stack" } as const;

export function podMonitor(s: ServiceConfig, cfg: MonitoringConfig): IPodMonitor {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: {
      name: s.service.name,
      namespace: s.namespace,
      labels: { "app.kubernetes.io/name": s.service.name, "app.kubernetes.io/managed-by": "devops-pack", ...OPERATOR_RELEASE_LABEL },
    },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": s.service.name } },
      namespaceSelector: { matchNames: [s.namespace] },
      podMetricsEndpoints: [
        {
          port: "metrics",
          path: s.metrics.path,
          scheme: s.metrics.scheme,
          interval: cfg.scrapeInterval,
          // The operator sets namespace and pod; job would default to <namespace>/<name>.
          relabelings: [{ action: "replace", targetLabel: "job", replacement: s.job }],
        },
      ],
    },
  };
}

export function podMonitorFiles(cfg: MonitoringConfig): { path: string; content: string }[] {
  if (cfg.discovery !== "prometheus_operator") return [];
  return cfg.services
    .filter((s) => !s.isStatic)
    .map((s) => ({
      path: PATHS.podMonitor(s.service.name),
      content: renderYamlFile([podMonitor(s, cfg)], [`PodMonitor for ${s.service.name}: scrapes the container port named metrics; job=${s.job}.`]),
    }));
}

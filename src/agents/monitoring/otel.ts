/**
 * OpenTelemetry Collector (otelcol-contrib) for traces: OTLP in, Kubernetes
 * metadata added, tail sampling that keeps every error and every slow trace
 * and samples the rest, OTLP out over TLS.
 */
import { PATHS } from "../observability/index.js";
import type { MonitoringConfig } from "./config.js";
import { renderYamlFile } from "./render.js";

type Policy =
  | { name: string; type: "status_code"; status_code: { status_codes: string[] } }
  | { name: string; type: "latency"; latency: { threshold_ms: number } }
  | { name: string; type: "probabilistic"; probabilistic: { sampling_percentage: number } };

export interface CollectorConfig {
  extensions: { health_check: { endpoint: string } };
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: {
    memory_limiter: { check_interval: string; limit_percentage: number; spike_limit_percentage: number };
    k8sattributes: {
      auth_type: "serviceAccount";
      passthrough: false;
      extract: { metadata: string[]; labels: { tag_name: string; key: string; from: "pod" }[] };
      pod_association: { sources: { from: string; name?: string }[] }[];
    };
    tail_sampling: { decision_wait: string; num_traces: number; expected_new_traces_per_sec: number; policies: Policy[] };
    batch: { send_batch_size: number; timeout: string };
  };
  exporters: { otlp: { endpoint: string; tls: { insecure: boolean; ca_file?: string } } };
  service: {
    extensions: string[];
    pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } };
  };
}

/** Pipeline order: memory_limiter first, tail_sampling after enrichment, batch last. */
export const TRACE_PROCESSORS = ["memory_limiter", "k8sattributes", "tail_sampling", "batch"] as const;

export function collectorConfig(cfg: MonitoringConfig): CollectorConfig {
  const t = cfg.tracing;
  return {
    extensions: { health_check: { endpoint: "${env:MY_POD_IP}:13133" } },
    receivers: {
      otlp: {
        protocols: {
          // The pod's own address (downward API), not 0.0.0.0: the Collector listens where it is reached.
          grpc: { endpoint: "${env:MY_POD_IP}:4317" },
          http: { endpoint: "${env:MY_POD_IP}:4318" },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
      k8sattributes: {
        auth_type: "serviceAccount",
        passthrough: false,
        extract: {
          metadata: ["k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.deployment.name", "k8s.node.name"],
          labels: [{ tag_name: "app.kubernetes.io/name", key: "app.kubernetes.io/name", from: "pod" }],
        },
        pod_association: [
          { sources: [{ from: "resource_attribute", name: "k8s.pod.ip" }] },
          { sources: [{ from: "resource_attribute", name: "k8s.pod.uid" }] },
          { sources: [{ from: "connection" }] },
        ],
      },
      tail_sampling: {
        decision_wait: "10s",
        num_traces: 50000,
        expected_new_traces_per_sec: 100,
        policies: [
          { name: "keep-errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
          { name: "keep-slow", type: "latency", latency: { threshold_ms: t.slowThresholdMs } },
          { name: "sample-the-rest", type: "probabilistic", probabilistic: { sampling_percentage: t.samplePercentage } },
        ],
      },
      batch: { send_batch_size: 8192, timeout: "5s" },
    },
    exporters: {
      otlp: {
        endpoint: t.endpoint,
        tls: t.insecure ? { insecure: true } : { insecure: false, ...(t.caFile !== undefined ? { ca_file: t.caFile } : {}) },
      },
    },
    service: {
      extensions: ["health_check"],
      pipelines: { traces: { receivers: ["otlp"], processors: [...TRACE_PROCESSORS], exporters: ["otlp"] } },
    },
  };
}

export function collectorFile(cfg: MonitoringConfig): { path: string; content: string } {
  return {
    path: PATHS.otelCollector,
    content: renderYamlFile(
      [collectorConfig(cfg)],
      [
        "OpenTelemetry Collector (otelcol-contrib: k8sattributes and tail_sampling are contrib components) for traces.",
        `Keeps every error trace and every trace slower than ${cfg.tracing.slowThresholdMs} ms; samples ${cfg.tracing.samplePercentage}% of the rest.`,
        "Set MY_POD_IP from status.podIP (downward API). Metrics stay with Prometheus scraping and logs with the Loki agent.",
      ],
    ),
  };
}

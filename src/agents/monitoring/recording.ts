/**
 * RED and USE recording rules of one service, named level:metric:operations
 * (operations newest first, as in the Prometheus naming guide and the shared
 * `slo:sli_error:ratio_rate1h`). The dashboards read these series, never the
 * raw metrics, so a panel costs one cheap lookup.
 */
import type { PromRule, RuleGroup } from "../observability/index.js";
import { PATHS, renderRuleFile } from "../observability/index.js";
import type { ServiceConfig } from "./config.js";
import { AGENT_ID } from "./render.js";

export const QUANTILES = ["0.5", "0.9", "0.99"] as const;

/** gRPC codes that are the server's fault: the same set as the default gRPC SLI. */
export const GRPC_ERROR_CODES = "Unknown|Internal|Unavailable|DeadlineExceeded|DataLoss";

/** Job-queue metric names a worker is expected to expose (documented in the notes and the rule file). */
export const WORKER_METRICS = {
  processed: "jobs_processed_total",
  failed: "jobs_failed_total",
  duration: "job_duration_seconds",
  depth: "queue_depth",
} as const;

/** What a RED row shows for one kind: recorded series names and their units. */
export interface RedSeries {
  rate: { record: string; unit: string; what: string };
  /** More rate panels: the rate by status code or route, or another count (deadlocks). */
  breakdowns: { record: string; title: string; legend: string; what: string }[];
  errorRatio: { record: string; what: string };
  /** Latency quantiles (a histogram) or a single duration gauge. */
  duration: { record: string; unit: string; what: string; quantiles: boolean };
  /** Kind-specific saturation series (queue depth, connection use). */
  saturation?: { record: string; unit: string; what: string };
}

export interface UseSeries {
  cpu: string;
  cpuRequests: string;
  cpuPerRequest: string;
  cpuThrottled: string;
  memory: string;
  memoryPerLimit: string;
  restarts: string;
  oomKilled: string;
  networkReceive: string;
  networkTransmit: string;
  networkDropped: string;
}

export const UP_RECORD = "job:up:avg";

export const USE: UseSeries = {
  cpu: "namespace_pod:container_cpu_usage_seconds:rate5m",
  cpuRequests: "namespace_pod:kube_pod_container_resource_requests_cpu_cores:sum",
  cpuPerRequest: "namespace_pod:cpu_usage_per_request:ratio_rate5m",
  cpuThrottled: "namespace_pod:container_cpu_cfs_throttled_periods_per_period:ratio_rate5m",
  memory: "namespace_pod:container_memory_working_set_bytes:sum",
  memoryPerLimit: "namespace_pod:memory_working_set_per_limit:ratio",
  restarts: "namespace_pod:kube_pod_container_status_restarts:increase1h",
  oomKilled: "namespace_pod:kube_pod_container_status_last_terminated_oomkilled:max",
  networkReceive: "namespace_pod:container_network_receive_bytes:rate5m",
  networkTransmit: "namespace_pod:container_network_transmit_bytes:rate5m",
  networkDropped: "namespace_pod:container_network_packets_dropped:rate5m",
};

const r = (record: string, expr: string, labels?: Record<string, string>): PromRule => (labels ? { record, expr, labels } : { record, expr });

/** `sum by (job) (rate(x[5m])) or 0 * …`: 0 rather than no data when no error has happened yet. */
function orZero(errors: string, total: string): string {
  return `${errors} or 0 * ${total}`;
}

function histogramRules(job: string, histogram: string): PromRule[] {
  const buckets = `job_le:${histogram}_bucket:rate5m`;
  return [
    r(buckets, `sum by (job, le) (rate(${histogram}_bucket{job="${job}"}[5m]))`),
    ...QUANTILES.map((q) => r(`job_quantile:${histogram}:histogram_quantile_rate5m`, `histogram_quantile(${q}, ${buckets}{job="${job}"})`, { quantile: q })),
  ];
}

interface KindRules {
  rules: PromRule[];
  red: RedSeries;
}

function httpRules(job: string): KindRules {
  const sel = `{job="${job}"}`;
  const total = `sum by (job) (rate(http_requests_total${sel}[5m]))`;
  return {
    rules: [
      r("job:http_requests:rate5m", total),
      r("job_code:http_requests:rate5m", `sum by (job, code) (rate(http_requests_total${sel}[5m]))`),
      r("job_route:http_requests:rate5m", `sum by (job, route) (rate(http_requests_total${sel}[5m]))`),
      r("job:http_request_errors:rate5m", orZero(`sum by (job) (rate(http_requests_total{job="${job}",code=~"5.."}[5m]))`, total)),
      r("job:http_request_errors_per_request:ratio_rate5m", `job:http_request_errors:rate5m${sel} / job:http_requests:rate5m${sel}`),
      ...histogramRules(job, "http_request_duration_seconds"),
    ],
    red: {
      rate: { record: "job:http_requests:rate5m", unit: "reqps", what: "requests per second" },
      breakdowns: [
        { record: "job_code:http_requests:rate5m", title: "Rate by code", legend: "{{code}}", what: "requests per second by status code" },
        { record: "job_route:http_requests:rate5m", title: "Rate by route", legend: "{{route}}", what: "requests per second by route template" },
      ],
      errorRatio: { record: "job:http_request_errors_per_request:ratio_rate5m", what: "share of requests answered 5xx" },
      duration: { record: "job_quantile:http_request_duration_seconds:histogram_quantile_rate5m", unit: "s", what: "request latency p50/p90/p99 from the histogram", quantiles: true },
    },
  };
}

function grpcRules(job: string): KindRules {
  const sel = `{job="${job}"}`;
  const total = `sum by (job) (rate(grpc_server_handled_total${sel}[5m]))`;
  return {
    rules: [
      r("job:grpc_server_handled:rate5m", total),
      r("job_grpc_code:grpc_server_handled:rate5m", `sum by (job, grpc_code) (rate(grpc_server_handled_total${sel}[5m]))`),
      r("job_grpc_service_grpc_method:grpc_server_handled:rate5m", `sum by (job, grpc_service, grpc_method) (rate(grpc_server_handled_total${sel}[5m]))`),
      r("job:grpc_server_handled_errors:rate5m", orZero(`sum by (job) (rate(grpc_server_handled_total{job="${job}",grpc_code=~"${GRPC_ERROR_CODES}"}[5m]))`, total)),
      r("job:grpc_server_handled_errors_per_handled:ratio_rate5m", `job:grpc_server_handled_errors:rate5m${sel} / job:grpc_server_handled:rate5m${sel}`),
      ...histogramRules(job, "grpc_server_handling_seconds"),
    ],
    red: {
      rate: { record: "job:grpc_server_handled:rate5m", unit: "reqps", what: "RPCs handled per second" },
      breakdowns: [
        { record: "job_grpc_code:grpc_server_handled:rate5m", title: "Rate by code", legend: "{{grpc_code}}", what: "RPCs per second by status code" },
        { record: "job_grpc_service_grpc_method:grpc_server_handled:rate5m", title: "Rate by method", legend: "{{grpc_service}}/{{grpc_method}}", what: "RPCs per second by method" },
      ],
      errorRatio: { record: "job:grpc_server_handled_errors_per_handled:ratio_rate5m", what: `share of RPCs ending ${GRPC_ERROR_CODES.split("|").join(", ")}` },
      duration: { record: "job_quantile:grpc_server_handling_seconds:histogram_quantile_rate5m", unit: "s", what: "RPC latency p50/p90/p99 from the histogram", quantiles: true },
    },
  };
}

function workerRules(job: string): KindRules {
  const sel = `{job="${job}"}`;
  const m = WORKER_METRICS;
  const total = `sum by (job) (rate(${m.processed}${sel}[5m]))`;
  return {
    rules: [
      r("job:jobs_processed:rate5m", total),
      r("job_queue:jobs_processed:rate5m", `sum by (job, queue) (rate(${m.processed}${sel}[5m]))`),
      r("job:jobs_failed:rate5m", orZero(`sum by (job) (rate(${m.failed}${sel}[5m]))`, total)),
      r("job:jobs_failed_per_processed:ratio_rate5m", `job:jobs_failed:rate5m${sel} / job:jobs_processed:rate5m${sel}`),
      ...histogramRules(job, m.duration),
      r("job_queue:queue_depth:max", `max by (job, queue) (${m.depth}${sel})`),
    ],
    red: {
      rate: { record: "job:jobs_processed:rate5m", unit: "ops", what: "jobs processed per second" },
      breakdowns: [{ record: "job_queue:jobs_processed:rate5m", title: "Rate by queue", legend: "{{queue}}", what: "jobs processed per second by queue" }],
      errorRatio: { record: "job:jobs_failed_per_processed:ratio_rate5m", what: "share of jobs that failed" },
      duration: { record: `job_quantile:${m.duration}:histogram_quantile_rate5m`, unit: "s", what: "job duration p50/p90/p99 from the histogram", quantiles: true },
      saturation: { record: "job_queue:queue_depth:max", unit: "short", what: "jobs waiting per queue" },
    },
  };
}

function databaseRules(job: string): KindRules {
  const sel = `{job="${job}"}`;
  return {
    rules: [
      r("job:pg_stat_database_xact_commit:rate5m", `sum by (job) (rate(pg_stat_database_xact_commit${sel}[5m]))`),
      r("job:pg_stat_database_xact_rollback:rate5m", `sum by (job) (rate(pg_stat_database_xact_rollback${sel}[5m]))`),
      r("job:pg_transactions:rate5m", `job:pg_stat_database_xact_commit:rate5m${sel} + job:pg_stat_database_xact_rollback:rate5m${sel}`),
      r("job:pg_rollbacks_per_transaction:ratio_rate5m", `job:pg_stat_database_xact_rollback:rate5m${sel} / job:pg_transactions:rate5m${sel}`),
      r("job:pg_stat_database_deadlocks:rate5m", `sum by (job) (rate(pg_stat_database_deadlocks${sel}[5m]))`),
      r("job:pg_stat_activity_max_tx_duration:max", `max by (job) (pg_stat_activity_max_tx_duration${sel})`),
      r("job:pg_connections_used:ratio", `sum by (job) (pg_stat_activity_count${sel}) / max by (job) (pg_settings_max_connections${sel})`),
      r("job:pg_up:min", `min by (job) (pg_up${sel})`),
    ],
    red: {
      rate: { record: "job:pg_transactions:rate5m", unit: "ops", what: "transactions (commits + rollbacks) per second" },
      breakdowns: [{ record: "job:pg_stat_database_deadlocks:rate5m", title: "Deadlocks", legend: "deadlocks", what: "deadlocks per second" }],
      errorRatio: { record: "job:pg_rollbacks_per_transaction:ratio_rate5m", what: "share of transactions rolled back" },
      duration: { record: "job:pg_stat_activity_max_tx_duration:max", unit: "s", what: "longest running transaction", quantiles: false },
      saturation: { record: "job:pg_connections_used:ratio", unit: "percentunit", what: "connections in use / max_connections" },
    },
  };
}

/** Pods of the service: the targets scraped as job=<service> (no kube-state-metrics label allowlist needed). */
export function podSet(job: string): string {
  return `group by (namespace, pod) (up{job="${job}"})`;
}

function useRules(s: ServiceConfig): PromRule[] {
  const ns = `namespace="${s.namespace}"`;
  const pods = podSet(s.job);
  const onPods = (expr: string) => `${expr} * on (namespace, pod) ${pods}`;
  const labels = { service: s.service.name };
  const sel = `{service="${s.service.name}"}`;
  const u = USE;
  return [
    r(u.cpu, onPods(`sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${ns},container!="",container!="POD"}[5m]))`), labels),
    r(u.cpuRequests, onPods(`sum by (namespace, pod) (kube_pod_container_resource_requests{${ns},resource="cpu"})`), labels),
    r(u.cpuPerRequest, `${u.cpu}${sel} / on (namespace, pod) ${u.cpuRequests}${sel}`, labels),
    r(
      u.cpuThrottled,
      onPods(`sum by (namespace, pod) (rate(container_cpu_cfs_throttled_periods_total{${ns},container!=""}[5m])) / sum by (namespace, pod) (rate(container_cpu_cfs_periods_total{${ns},container!=""}[5m]))`),
      labels,
    ),
    r(u.memory, onPods(`sum by (namespace, pod) (container_memory_working_set_bytes{${ns},container!="",container!="POD"})`), labels),
    r(u.memoryPerLimit, `${u.memory}${sel} / on (namespace, pod) (sum by (namespace, pod) (kube_pod_container_resource_limits{${ns},resource="memory"}) > 0)`, labels),
    r(u.restarts, onPods(`sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`), labels),
    r(u.oomKilled, onPods(`max by (namespace, pod) (kube_pod_container_status_last_terminated_reason{${ns},reason="OOMKilled"})`), labels),
    r(u.networkReceive, onPods(`sum by (namespace, pod) (rate(container_network_receive_bytes_total{${ns}}[5m]))`), labels),
    r(u.networkTransmit, onPods(`sum by (namespace, pod) (rate(container_network_transmit_bytes_total{${ns}}[5m]))`), labels),
    r(
      u.networkDropped,
      onPods(`sum by (namespace, pod) (rate(container_network_receive_packets_dropped_total{${ns}}[5m]) + rate(container_network_transmit_packets_dropped_total{${ns}}[5m]))`),
      labels,
    ),
  ];
}

export function redSeries(s: ServiceConfig): RedSeries {
  return kindRules(s).red;
}

function kindRules(s: ServiceConfig): KindRules {
  switch (s.service.kind) {
    case "http":
      return httpRules(s.job);
    case "grpc":
      return grpcRules(s.job);
    case "worker":
      return workerRules(s.job);
    case "database":
      return databaseRules(s.job);
  }
}

export function recordingGroups(s: ServiceConfig): RuleGroup[] {
  const red: RuleGroup = { name: `${s.service.name}-red`, rules: [...kindRules(s).rules, r(UP_RECORD, `avg by (job) (up{job="${s.job}"})`)] };
  return s.isStatic ? [red] : [red, { name: `${s.service.name}-use`, rules: useRules(s) }];
}

const SOURCES: Record<ServiceConfig["service"]["kind"], string> = {
  http: "http_requests_total (labels code, route) and the http_request_duration_seconds histogram",
  grpc: "grpc_server_handled_total (grpc_code, grpc_service, grpc_method) and the grpc_server_handling_seconds histogram (go-grpc-prometheus / grpc-ecosystem)",
  worker: `${WORKER_METRICS.processed} and ${WORKER_METRICS.failed} (label queue), the ${WORKER_METRICS.duration} histogram and the ${WORKER_METRICS.depth} gauge`,
  database: "postgres_exporter: pg_stat_database_*, pg_stat_activity_*, pg_settings_max_connections, pg_up",
};

export function recordingRulesFile(s: ServiceConfig): { path: string; content: string } {
  const comment = [
    `RED${s.isStatic ? "" : " and USE"} recording rules for ${s.service.name} (${s.service.kind}), read by its Grafana dashboard.`,
    `RED from ${SOURCES[s.service.kind]}.`,
    ...(s.isStatic ? [] : [`USE from cAdvisor and kube-state-metrics, for the pods scraped as job="${s.job}".`]),
  ].join("\n");
  return { path: PATHS.recordingRules(s.service.name), content: renderRuleFile(recordingGroups(s), AGENT_ID, comment) };
}

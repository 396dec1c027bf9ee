/**
 * Concrete commands and queries for one service: kubectl with its namespace
 * and `app.kubernetes.io/name` label, PromQL on its `job` and on the SLO
 * series devops_monitoring records (`slo:sli_error:ratio_rate5m{service=…}`),
 * and LogQL on `{namespace, app}`. Metric names follow the service kind, as
 * the shared SLI defaults in observability/names.ts do.
 */
import type { Service } from "../observability/index.js";
import { jobOf, metricsOf, namespaceOf, SLO_BUDGET_REMAINING_RECORD, sloErrorRatioRecord } from "../observability/index.js";

export type Lang = "bash" | "promql" | "logql" | "sql" | "text";

/** One diagnosis step: a command or a query and what a bad result looks like. */
export interface Check {
  title: string;
  lang: Lang;
  code: string;
  bad: string;
}

export interface Ref {
  name: string;
  ns: string;
  job: string;
  team: string;
  /** `app.kubernetes.io/name=api` */
  selector: string;
  /** `deploy/api` or `statefulset/db` */
  workload: string;
  /** Regex matching the service's pod names in cAdvisor and kube-state-metrics series. */
  pods: string;
  kind: Service["kind"];
  /** `http://localhost:9090/metrics` (pod discovery) or the static target's URL. */
  metricsUrl: string;
  /** True when metrics come from a fixed host:port, not the pods. */
  staticTarget: boolean;
}

export function ref(s: Service): Ref {
  const sts = s.kind === "database";
  const m = metricsOf(s);
  return {
    name: s.name,
    ns: namespaceOf(s),
    job: jobOf(s),
    team: s.team,
    selector: `app.kubernetes.io/name=${s.name}`,
    workload: `${sts ? "statefulset" : "deploy"}/${s.name}`,
    pods: sts ? `${s.name}-[0-9]+` : `${s.name}-[a-z0-9]+-[a-z0-9]{5}`,
    kind: s.kind,
    metricsUrl: m.target !== undefined ? `${m.scheme}://${m.target}${m.path}` : `${m.scheme}://localhost:${m.port ?? 9090}${m.path}`,
    staticTarget: m.target !== undefined,
  };
}

export const kubectl = (r: Ref, args: string) => `kubectl -n ${r.ns} ${args}`;

/** `{namespace="api",pod=~"api-…"}` for cAdvisor and kube-state-metrics series. */
export const podMatchers = (r: Ref, extra = "") => `{namespace="${r.ns}",pod=~"${r.pods}"${extra}}`;

export const logStream = (r: Ref) => `{namespace="${r.ns}", app="${r.name}"}`;

export const sloError = (r: Ref, window = "5m") => `${sloErrorRatioRecord(window)}{service="${r.name}"}`;
export const budgetRemaining = (r: Ref) => `${SLO_BUDGET_REMAINING_RECORD}{service="${r.name}"}`;

const GRPC_ERRORS = 'grpc_code=~"Unknown|Internal|Unavailable|DeadlineExceeded|DataLoss"';

/** Request rate, or undefined for kinds without request metrics. */
export function requestRate(r: Ref, by = ""): string | undefined {
  const sum = by ? `sum by (${by}) ` : "sum";
  if (r.kind === "http") return `${sum}(rate(http_requests_total{job="${r.job}"}[5m]))`;
  if (r.kind === "grpc") return `${sum}(rate(grpc_server_handled_total{job="${r.job}"}[5m]))`;
  return undefined;
}

/** Error ratio from the raw counters (the SLO series may not exist for every service). */
export function errorRatio(r: Ref, by = ""): string | undefined {
  const sum = by ? `sum by (${by}) ` : "sum";
  if (r.kind === "http") return `${sum}(rate(http_requests_total{job="${r.job}",code=~"5.."}[5m])) / ${sum}(rate(http_requests_total{job="${r.job}"}[5m]))`;
  if (r.kind === "grpc") return `${sum}(rate(grpc_server_handled_total{job="${r.job}",${GRPC_ERRORS}}[5m])) / ${sum}(rate(grpc_server_handled_total{job="${r.job}"}[5m]))`;
  if (r.kind === "database") return `1 - avg_over_time(pg_up{job="${r.job}"}[5m])`;
  return undefined;
}

/** Responses by status code (http) or code and method (grpc). */
export function byCode(r: Ref): string | undefined {
  if (r.kind === "http") return `sum by (code) (rate(http_requests_total{job="${r.job}"}[5m]))`;
  if (r.kind === "grpc") return `sum by (grpc_code, grpc_method) (rate(grpc_server_handled_total{job="${r.job}"}[5m]))`;
  return undefined;
}

export function latencyP99(r: Ref, by = ""): string | undefined {
  const group = by ? `le, ${by}` : "le";
  if (r.kind === "http") return `histogram_quantile(0.99, sum by (${group}) (rate(http_request_duration_seconds_bucket{job="${r.job}"}[5m])))`;
  if (r.kind === "grpc") return `histogram_quantile(0.99, sum by (${group}) (rate(grpc_server_handling_seconds_bucket{job="${r.job}"}[5m])))`;
  return undefined;
}

export const restarts = (r: Ref) => `sum by (pod) (increase(kube_pod_container_status_restarts_total${podMatchers(r)}[15m]))`;
export const throttling = (r: Ref) =>
  `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total${podMatchers(r, ',container!=""')}[5m])) / sum by (pod) (rate(container_cpu_cfs_periods_total${podMatchers(r, ',container!=""')}[5m]))`;
export const memoryVsLimit = (r: Ref) =>
  `max by (pod) (container_memory_working_set_bytes${podMatchers(r, ',container!=""')}) / max by (pod) (kube_pod_container_resource_limits${podMatchers(r, ',resource="memory"')})`;

/** The checks every runbook starts its diagnosis of a service with. */
export function baseChecks(r: Ref): Check[] {
  const checks: Check[] = [
    {
      title: "Pods running and ready",
      lang: "bash",
      code: kubectl(r, `get pods -l ${r.selector} -o wide`),
      bad: "STATUS CrashLoopBackOff, Pending or Error; READY 0/1; RESTARTS climbing; every pod on the same node.",
    },
    {
      title: "Recent events",
      lang: "bash",
      code: `${kubectl(r, "get events --sort-by=.lastTimestamp")} | grep -E '${r.name}' | tail -n 20`,
      bad: "BackOff, FailedScheduling, Unhealthy (probe failures), FailedMount, OOMKilling.",
    },
    {
      title: "Recent changes",
      lang: "bash",
      code: `${kubectl(r, `rollout history ${r.workload}`)}\nhelm -n ${r.ns} history ${r.name} --max 5`,
      bad: "A revision deployed shortly before the symptoms started.",
    },
  ];
  const ratio = errorRatio(r);
  checks.push({
    title: "SLO error ratio over 5 minutes (devops_monitoring recording rule)",
    lang: "promql",
    code: sloError(r),
    bad: "Above the SLO's error budget (0.001 for 99.9 %); the 1 h series tells whether it is sustained.",
  });
  if (ratio !== undefined) {
    checks.push({ title: "Error ratio from the raw counters", lang: "promql", code: ratio, bad: "Above 0.01 (1 %) and rising; compare with the hour before the incident." });
  }
  checks.push(
    { title: "Scrape target up", lang: "promql", code: `up{job="${r.job}"}`, bad: "0 for some or all instances: the pods are down or Prometheus cannot reach them." },
    {
      title: "Error log lines per pod (Loki)",
      lang: "logql",
      code: `sum by (pod) (count_over_time(${logStream(r)} |~ "(?i)(error|exception|panic|fatal)" [5m]))`,
      bad: "A step up at the start of the incident; one pod far above the others.",
    },
  );
  return checks;
}

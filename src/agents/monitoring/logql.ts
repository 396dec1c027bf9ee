/**
 * LogQL for the questions metrics cannot answer: which requests failed and
 * why, which were slow, what crashed, and the logs of one trace. Concrete
 * queries for each service's namespace and stream labels.
 */
import { PATHS } from "../observability/index.js";
import type { MonitoringConfig, ServiceConfig } from "./config.js";
import { slowMs } from "./config.js";
import { GRPC_ERROR_CODES, USE } from "./recording.js";
import { renderMarkdown } from "./render.js";

export interface Query {
  caption: string;
  language: "logql" | "promql";
  query: string;
}

export interface Investigation {
  id: "error-rate" | "slow" | "top-errors" | "restarts" | "trace";
  title: string;
  text: string;
  queries: Query[];
}

/** The stream selector: Loki's Kubernetes discovery labels (namespace, app from app.kubernetes.io/name). */
export function streamSelector(s: ServiceConfig): string {
  return `{namespace="${s.namespace}", app="${s.service.name}"}`;
}

const logql = (caption: string, query: string): Query => ({ caption, language: "logql", query });
const promql = (caption: string, query: string): Query => ({ caption, language: "promql", query });

/** Line format per kind: JSON with known fields, or PostgreSQL's text log. */
function fieldsNote(s: ServiceConfig): string {
  switch (s.service.kind) {
    case "http":
      return "Structured JSON lines with `level`, `msg`, `route` (the route template), `status`, `duration_ms` and `trace_id`.";
    case "grpc":
      return "Structured JSON lines with `level`, `msg`, `grpc_method`, `grpc_code`, `duration_ms` and `trace_id` (nested `grpc.code` is flattened to `grpc_code` by the json parser).";
    case "worker":
      return "Structured JSON lines with `level`, `msg`, `queue`, `job_type`, `duration_ms` and `trace_id`.";
    case "database":
      return "PostgreSQL's text log (`log_line_prefix` with the severity), with `log_min_duration_statement` set so slow statements log their duration.";
  }
}

function errorRate(s: ServiceConfig, sel: string): Investigation {
  const queries: Query[] =
    s.service.kind === "database"
      ? [logql("Share of log lines at ERROR, FATAL or PANIC", `sum(rate(${sel} |~ "ERROR|FATAL|PANIC" [5m]))\n/\nsum(rate(${sel} [5m]))`)]
      : [logql("Share of log lines at error or fatal level", `sum(rate(${sel} | json | level=~"error|fatal" [5m]))\n/\nsum(rate(${sel} [5m]))`)];
  if (s.service.kind === "http") queries.push(logql("Server errors per second by route", `sum by (route) (rate(${sel} | json | status >= 500 [5m]))`));
  if (s.service.kind === "grpc") queries.push(logql("Server-fault RPCs per second by method", `sum by (grpc_method) (rate(${sel} | json | grpc_code=~"${GRPC_ERROR_CODES}" [5m]))`));
  if (s.service.kind === "worker") queries.push(logql("Failed jobs per second by queue", `sum by (queue) (rate(${sel} | json | level=~"error|fatal" [5m]))`));
  return { id: "error-rate", title: "Error rate from logs", text: "When the error-ratio panel moves: confirm it in the logs and find where the errors are.", queries };
}

function slow(s: ServiceConfig, sel: string, ms: number): Investigation {
  if (s.service.kind === "database") {
    const parse = `|= "duration:" | regexp "duration: (?P<duration_ms>[0-9.]+) ms"`;
    return {
      id: "slow",
      title: `Slow statements (over ${ms} ms)`,
      text: "Statements PostgreSQL logged with their duration (log_min_duration_statement), slowest first in Explore.",
      queries: [
        logql("Statements slower than the threshold", `${sel} ${parse} | duration_ms > ${ms}`),
        logql("p99 statement duration (ms)", `quantile_over_time(0.99, ${sel} ${parse} | unwrap duration_ms | __error__="" [5m])`),
      ],
    };
  }
  const by = s.service.kind === "http" ? "route" : s.service.kind === "grpc" ? "grpc_method" : "queue";
  const what = s.service.kind === "worker" ? "jobs" : "requests";
  return {
    id: "slow",
    title: `Slow ${what} (over ${ms} ms)`,
    text: `${s.latencyThresholdMs !== undefined ? "The threshold is the latency SLO's" : "The threshold is the trace sampler's slow threshold"}; each line carries its trace_id, so a slow ${what.slice(0, -1)} opens as a trace.`,
    queries: [
      logql(`${what[0]!.toUpperCase()}${what.slice(1)} slower than the threshold`, `${sel} | json | duration_ms > ${ms} | line_format "{{.${by}}} {{.duration_ms}}ms trace_id={{.trace_id}}"`),
      logql(`p99 duration (ms) by ${by}, from the logs`, `quantile_over_time(0.99, ${sel} | json | unwrap duration_ms | __error__="" [5m]) by (${by})`),
    ],
  };
}

function topErrors(s: ServiceConfig, sel: string): Investigation {
  const query =
    s.service.kind === "database"
      ? `topk(10, sum by (message) (count_over_time(${sel} | regexp "(?P<severity>ERROR|FATAL|PANIC):\\\\s+(?P<message>.*)" | severity!="" [1h])))`
      : `topk(10, sum by (msg) (count_over_time(${sel} | json | level=~"error|fatal" [1h])))`;
  return {
    id: "top-errors",
    title: "Top error messages",
    text: "The ten most frequent error messages of the last hour: the message is grouped at query time, never stored as a label.",
    queries: [logql("Ten most frequent error messages, last hour", query)],
  };
}

function restarts(s: ServiceConfig, sel: string): Investigation {
  const queries: Query[] = [
    logql(
      "Kubernetes events of the service's pods (Grafana Alloy loki.source.kubernetes_events)",
      `{job="loki.source.kubernetes_events", namespace="${s.namespace}"} | logfmt | name=~"${s.service.name}-.*" | reason=~"BackOff|Killing|OOMKilling|Unhealthy|FailedScheduling|Evicted"`,
    ),
    logql("Last words before a crash", `${sel} |~ "(?i)panic|fatal|out of memory|shutting down|SIGTERM"`),
  ];
  if (!s.isStatic) queries.push(promql("Restarts per pod in the last hour (recording rule)", `${USE.restarts}{service="${s.service.name}"} > 0`));
  return {
    id: "restarts",
    title: "Restarts and crashes",
    text: "Why pods restarted: the Kubernetes events, then the service's own last lines before each restart (kubectl logs --previous shows the same for a live pod).",
    queries,
  };
}

function traceLookup(s: ServiceConfig, sel: string): Investigation {
  const query = s.service.kind === "database" ? `${sel} |= "traceparent" |= "<trace_id>"` : `${sel} |= "<trace_id>" | json | trace_id="<trace_id>"`;
  return {
    id: "trace",
    title: "Logs of one trace",
    text:
      s.service.kind === "database"
        ? "Statements tagged by sqlcommenter carry the caller's traceparent; replace <trace_id> with the 32-hex id from Tempo."
        : "Replace <trace_id> with the 32-hex id from Tempo or an exemplar. The line filter runs first and is cheap; the json filter makes the match exact. Configure a derived field on the Loki data source (regex \"trace_id\":\"(\\w+)\") to jump back to the trace.",
    queries: [logql("Every line of one trace", query)],
  };
}

export function investigations(s: ServiceConfig, cfg: MonitoringConfig): Investigation[] {
  const sel = streamSelector(s);
  return [errorRate(s, sel), slow(s, sel, slowMs(s, cfg)), topErrors(s, sel), restarts(s, sel), traceLookup(s, sel)];
}

export function logqlFile(s: ServiceConfig, cfg: MonitoringConfig): { path: string; content: string } {
  const lines: string[] = [
    `# LogQL investigations: ${s.service.name}`,
    "",
    `Stream selector \`${streamSelector(s)}\`: the namespace and the \`app\` label your log agent (Grafana Alloy or Promtail) copies from \`app.kubernetes.io/name\`. Keep stream labels to namespace, app and container; request and user ids stay in the line.`,
    "",
    `Log format assumed: ${fieldsNote(s)}`,
    "",
    "Run the queries in Grafana Explore on the Loki data source, or with `logcli query '<query>'`.",
  ];
  for (const inv of investigations(s, cfg)) {
    lines.push("", `## ${inv.title}`, "", inv.text);
    for (const q of inv.queries) lines.push("", `${q.caption}:`, "", "```" + q.language, q.query, "```");
  }
  return { path: PATHS.logql(s.service.name), content: renderMarkdown(lines) };
}

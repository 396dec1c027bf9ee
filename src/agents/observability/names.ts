/**
 * Names and paths that cross specialist boundaries. devops_monitoring writes
 * the SLO recording rules, devops_alerting reads them, devops_incident_response
 * writes the runbooks alerts link to, and the lifecycle workflow checks that
 * every link resolves — all through these functions.
 */
import type { Links, Service, Severity, Slo } from "./model.js";
import { errorBudget, jobOf, pascal } from "./model.js";

/** The windows the burn-rate alerts read, shortest first. */
export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** One multi-window, multi-burn-rate condition (Google SRE workbook, chapter 5). */
export interface BurnCondition {
  severity: Severity;
  burnRate: number;
  long: SloWindow;
  short: SloWindow;
}

/** page 14.4× 1h/5m and 6× 6h/30m; ticket 3× 1d/2h and 1× 3d/6h. */
export const BURN_CONDITIONS: readonly BurnCondition[] = [
  { severity: "page", burnRate: 14.4, long: "1h", short: "5m" },
  { severity: "page", burnRate: 6, long: "6h", short: "30m" },
  { severity: "ticket", burnRate: 3, long: "1d", short: "2h" },
  { severity: "ticket", burnRate: 1, long: "3d", short: "6h" },
];

/** Recording rule of an SLO's error ratio over a window: `slo:sli_error:ratio_rate1h`. */
export function sloErrorRatioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}
export const SLO_OBJECTIVE_RECORD = "slo:objective:ratio";
export const SLO_BUDGET_RECORD = "slo:error_budget:ratio";
export const SLO_BUDGET_REMAINING_RECORD = "slo:error_budget_remaining:ratio";

/** The label set every SLO series carries; alerts and dashboards select on `slo`. */
export function sloLabels(slo: Slo, service: Service): Record<string, string> {
  return { slo: slo.name, service: service.name, team: service.team };
}

/** `{slo="checkout-availability"}` */
export function sloSelector(slo: Pick<Slo, "name">): string {
  return `{slo="${slo.name}"}`;
}

/** Alert names. */
export function sloAlertName(slo: Pick<Slo, "name">, severity: Severity): string {
  return `${pascal(slo.name)}ErrorBudget${severity === "page" ? "FastBurn" : "SlowBurn"}`;
}
export const SYMPTOMS = ["HighErrorRate", "HighLatency", "Saturation", "TargetDown"] as const;
export type Symptom = (typeof SYMPTOMS)[number];
export function symptomAlertName(service: Pick<Service, "name">, symptom: Symptom): string {
  return `${pascal(service.name)}${symptom}`;
}

/** Paths inside the bundle. */
export const PATHS = {
  prometheusDir: "monitoring/prometheus",
  prometheusConfig: "monitoring/prometheus/prometheus.yml",
  /** Relative to prometheus.yml: every rule file of the bundle. */
  ruleGlob: "rules/*.rules.yml",
  sloRules: (service: string) => `monitoring/prometheus/rules/${service}-slo.rules.yml`,
  recordingRules: (service: string) => `monitoring/prometheus/rules/${service}-recording.rules.yml`,
  alertRules: (service: string) => `monitoring/prometheus/rules/${service}-alerts.rules.yml`,
  ruleTest: (service: string) => `monitoring/prometheus/tests/${service}-alerts.test.yml`,
  alertmanagerConfig: "monitoring/alertmanager/alertmanager.yml",
  alertmanagerTemplates: "monitoring/alertmanager/templates/devops-pack.tmpl",
  dashboard: (service: string) => `monitoring/grafana/dashboards/${service}.json`,
  overviewDashboard: "monitoring/grafana/dashboards/slo-overview.json",
  podMonitor: (service: string) => `monitoring/kubernetes/${service}-podmonitor.yaml`,
  openSlo: (slo: string) => `monitoring/slo/${slo}.yaml`,
  logql: (service: string) => `monitoring/loki/${service}.md`,
  otelCollector: "monitoring/otel/collector.yaml",
  alertRunbook: (alert: string) => `runbooks/alerts/${alert}.md`,
  incidentRunbook: (incidentType: string) => `runbooks/incidents/${incidentType}.md`,
} as const;

/** Where an alert's `runbook_url` points: the runbook's path under `links.runbook_base_url`. */
export function runbookUrl(alert: string, links: Links): string {
  return joinUrl(links.runbook_base_url, PATHS.alertRunbook(alert));
}

/** Grafana dashboard uid (at most 40 characters, as Grafana requires). */
export function dashboardUid(service: string): string {
  return `svc-${service}`.slice(0, 40);
}
export const OVERVIEW_DASHBOARD_UID = "slo-overview";

export function dashboardUrl(uid: string, links: Links): string {
  return joinUrl(links.grafana_url, `d/${uid}`);
}

function joinUrl(base: string | undefined, path: string): string {
  if (base === undefined) return path.startsWith("d/") ? `/${path}` : path;
  return `${base.replace(/\/+$/, "")}/${path}`;
}

/** Resolve a link produced by runbookUrl/dashboardUrl back to a bundle path or dashboard uid. */
export function resolveLink(url: string, links: Links): { runbook?: string; dashboardUid?: string } {
  const strip = (base: string | undefined, u: string) => (base !== undefined && u.startsWith(base.replace(/\/+$/, "") + "/") ? u.slice(base.replace(/\/+$/, "").length + 1) : u.replace(/^\//, ""));
  const asRunbook = strip(links.runbook_base_url, url);
  if (asRunbook.startsWith("runbooks/")) return { runbook: asRunbook };
  const asDash = strip(links.grafana_url, url);
  const m = /^d\/([^/?#]+)/.exec(asDash);
  return m ? { dashboardUid: m[1]! } : {};
}

// ---------------------------------------------------------------------------
// SLI expressions

function rangeOf(expr: string, window: string): string {
  const e = expr.trim();
  return e.includes("$window") ? `(${e.replaceAll("$window", window)})` : `sum(rate(${e}[${window}]))`;
}

/** `{job="api"}` + `le="0.3"` → `{job="api",le="0.3"}` */
export function withMatcher(matchers: string, extra: string): string {
  const inner = matchers.trim().replace(/^\{/, "").replace(/\}$/, "").trim();
  return `{${inner ? `${inner},` : ""}${extra}}`;
}

/** Bucket `le` values clients print for a threshold: Go prints 1, Python and Java 1.0. */
export function leMatcher(threshold: number): string {
  const s = String(threshold);
  return Number.isInteger(threshold) ? `le=~"${s}|${s}.0"` : `le="${s}"`;
}

/** The SLI's default per service kind; worker services must give their own. */
export function effectiveSli(slo: Slo, service: Service): NonNullable<Slo["sli"]> {
  if (slo.sli) return slo.sli;
  const job = jobOf(service);
  switch (service.kind) {
    case "http":
      return { ratio: { good: `http_requests_total{job="${job}",code!~"5.."}`, total: `http_requests_total{job="${job}"}` } };
    case "grpc":
      return {
        ratio: {
          bad: `grpc_server_handled_total{job="${job}",grpc_code=~"Unknown|Internal|Unavailable|DeadlineExceeded|DataLoss"}`,
          total: `grpc_server_handled_total{job="${job}"}`,
        },
      };
    case "database":
      // Share of scrapes in which the exporter could reach the database.
      return { ratio: { good: `sum(sum_over_time(pg_up{job="${job}"}[$window]))`, total: `sum(count_over_time(pg_up{job="${job}"}[$window]))` } };
    case "worker":
      throw new Error(`SLO ${slo.name}: worker services need an explicit sli (the schema rejects this)`);
  }
}

/** The SLO's error ratio over one window, as PromQL: bad / total. */
export function errorRatioExpr(slo: Slo, service: Service, window: string): string {
  const sli = effectiveSli(slo, service);
  if (sli.latency) {
    const m = sli.latency.matchers ?? `{job="${jobOf(service)}"}`;
    const good = `sum(rate(${sli.latency.histogram}_bucket${withMatcher(m, leMatcher(sli.latency.threshold_seconds))}[${window}]))`;
    const total = `sum(rate(${sli.latency.histogram}_count${m}[${window}]))`;
    return `1 - (${good} / ${total})`;
  }
  const r = sli.ratio!;
  const total = rangeOf(r.total, window);
  if (r.bad !== undefined) return `${rangeOf(r.bad, window)} / ${total}`;
  return `1 - (${rangeOf(r.good!, window)} / ${total})`;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

/**
 * The SLO recording group: the error ratio over every burn-rate window and
 * over the compliance window, the objective, the budget and the budget left.
 * devops_monitoring and devops_alerting both emit it, byte-identical, at
 * PATHS.sloRules(service), so either plan is complete on its own and the
 * lifecycle bundle holds it once.
 */
export function sloRecordingRules(slo: Slo, service: Service): RecordingRule[] {
  const labels = sloLabels(slo, service);
  const sel = sloSelector(slo);
  const rules: RecordingRule[] = SLO_WINDOWS.map((w) => ({ record: sloErrorRatioRecord(w), expr: errorRatioExpr(slo, service, w), labels }));
  if (!(SLO_WINDOWS as readonly string[]).includes(slo.window)) {
    rules.push({
      record: sloErrorRatioRecord(slo.window),
      expr: `sum_over_time(${sloErrorRatioRecord("5m")}${sel}[${slo.window}]) / count_over_time(${sloErrorRatioRecord("5m")}${sel}[${slo.window}])`,
      labels,
    });
  }
  const budget = errorBudget(slo);
  rules.push(
    { record: SLO_OBJECTIVE_RECORD, expr: `vector(${Number((1 - budget).toPrecision(12))})`, labels },
    { record: SLO_BUDGET_RECORD, expr: `vector(${budget})`, labels },
    { record: SLO_BUDGET_REMAINING_RECORD, expr: `1 - (${sloErrorRatioRecord(slo.window)}${sel} / ${budget})`, labels },
  );
  return rules;
}

/**
 * Grafana dashboards built with @grafana/grafana-foundation-sdk: per service
 * an SLO row first (budget left, burn rate, SLI against objective), then RED,
 * then USE; and one SLO overview linking to every service dashboard. Every
 * panel reads recording rules and states its unit and window.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as text from "@grafana/grafana-foundation-sdk/text";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type { Slo } from "../observability/index.js";
import {
  dashboardUid,
  dashboardUrl,
  errorBudget,
  objectivePercent,
  OVERVIEW_DASHBOARD_UID,
  PATHS,
  SLO_BUDGET_RECORD,
  SLO_BUDGET_REMAINING_RECORD,
  SLO_OBJECTIVE_RECORD,
  sloErrorRatioRecord,
  sloSelector,
} from "../observability/index.js";
import type { MonitoringConfig, ServiceConfig } from "./config.js";
import type { RedSeries } from "./recording.js";
import { redSeries, UP_RECORD, USE } from "./recording.js";
import { markerText, renderJson } from "./render.js";

/** Panels query the Prometheus data source picked in the dashboard's `datasource` variable. */
export const DATASOURCE: common.DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** Burn-rate thresholds: 1× spends the budget exactly over the window; 6× and 14.4× are the paging rates. */
export const BURN_THRESHOLDS = [1, 6, 14.4] as const;

type Panel = dashboard.PanelBuilder | timeseries.PanelBuilder | stat.PanelBuilder | text.PanelBuilder;

/** Panel ids: unique within a dashboard, rows included, in layout order. */
class Ids {
  private last = 0;
  next(): number {
    return ++this.last;
  }
}

function query(expr: string, legend: string, refId: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId).range();
}

function steps(...s: [number | null, string][]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(s.map(([value, color]) => ({ value, color })));
}

function series(title: string, description: string, unit: string, w: number, targets: prometheus.DataqueryBuilder[]): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(w)
    .height(8)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .targets(targets);
}

function single(title: string, description: string, unit: string, w: number, h: number, target: prometheus.DataqueryBuilder): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(w)
    .height(h)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .withTarget(target);
}

function burnRateExpr(slo: Slo, window: string): string {
  const sel = sloSelector(slo);
  return `${sloErrorRatioRecord(window)}${sel} / on (slo) ${SLO_BUDGET_RECORD}${sel}`;
}

function budgetPanel(slo: Slo, w: number, h: number): stat.PanelBuilder {
  return single(
    `Error budget left: ${slo.name}`,
    `Share of the ${slo.window} error budget (${Number((errorBudget(slo) * 100).toPrecision(12))}% of events) not yet spent; below 0 the SLO is missed. Unit: percent of budget. Window: rolling ${slo.window}.`,
    "percentunit",
    w,
    h,
    query(`${SLO_BUDGET_REMAINING_RECORD}${sloSelector(slo)}`, "budget left", "A"),
  ).thresholds(steps([null, "red"], [0, "orange"], [0.25, "green"]));
}

function burnRatePanel(slo: Slo, w: number): timeseries.PanelBuilder {
  return series(
    `Burn rate: ${slo.name}`,
    `Error ratio divided by the budget (${Number((errorBudget(slo) * 100).toPrecision(12))}%): 1× spends the budget exactly over ${slo.window}; 6× over 6h and 14.4× over 1h page. Unit: multiple of the budget rate. Windows: 1h and 6h.`,
    "short",
    w,
    [query(burnRateExpr(slo, "1h"), "1h", "A"), query(burnRateExpr(slo, "6h"), "6h", "B")],
  )
    .thresholds(steps([null, "green"], [BURN_THRESHOLDS[0], "yellow"], [BURN_THRESHOLDS[1], "orange"], [BURN_THRESHOLDS[2], "red"]))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
    .axisSoftMin(0)
    .axisLabel("× budget rate");
}

function sliPanel(slo: Slo, w: number): timeseries.PanelBuilder {
  const sel = sloSelector(slo);
  return series(
    `SLI vs objective: ${slo.name}`,
    `Share of good events against the ${objectivePercent(slo)} objective. Unit: percent. Windows: 1h and the ${slo.window} compliance window.`,
    "percentunit",
    w,
    [
      query(`1 - ${sloErrorRatioRecord("1h")}${sel}`, "SLI (1h)", "A"),
      query(`1 - ${sloErrorRatioRecord(slo.window)}${sel}`, `SLI (${slo.window})`, "B"),
      query(`${SLO_OBJECTIVE_RECORD}${sel}`, "objective", "C"),
    ],
  ).decimals(3);
}

function redPanels(red: RedSeries, job: string): Panel[] {
  const sel = `{job="${job}"}`;
  const panels: Panel[] = [
    series("Rate", `${red.rate.what}. Unit: ${red.rate.unit}. Window: 5m rate.`, red.rate.unit, 8, [query(`${red.rate.record}${sel}`, "total", "A")]),
    series("Errors", `${red.errorRatio.what}. Unit: percent. Window: 5m rate.`, "percentunit", 8, [query(`${red.errorRatio.record}${sel}`, "error ratio", "A")]).axisSoftMin(0),
    series(
      "Duration",
      `${red.duration.what}. Unit: seconds. Window: ${red.duration.quantiles ? "5m rate of the histogram buckets" : "instant"}.`,
      red.duration.unit,
      8,
      [query(`${red.duration.record}${sel}`, red.duration.quantiles ? "p{{quantile}}" : "longest", "A")],
    ),
  ];
  for (const b of red.breakdowns) {
    panels.push(series(b.title, `${b.what}. Unit: ${red.rate.unit}. Window: 5m rate.`, red.rate.unit, 12, [query(`${b.record}${sel}`, b.legend, "A")]));
  }
  return panels;
}

function usePanels(s: ServiceConfig, red: RedSeries): Panel[] {
  const up = series("Targets up", `Share of scrape targets of job=${s.job} that answered the last scrape. Unit: percent. Window: instant.`, "percentunit", 8, [
    query(`${UP_RECORD}{job="${s.job}"}`, "up", "A"),
  ])
    .min(0)
    .max(1);
  const saturation = red.saturation
    ? [series("Saturation", `${red.saturation.what}. Unit: ${red.saturation.unit}. Window: instant.`, red.saturation.unit, 8, [query(`${red.saturation.record}{job="${s.job}"}`, red.saturation.record.startsWith("job_queue") ? "{{queue}}" : "used", "A")])]
    : [];
  if (s.isStatic) return [up, ...saturation];
  const sel = `{service="${s.service.name}"}`;
  return [
    series("CPU", "CPU used and requested per pod. Unit: cores. Window: 5m rate.", "short", 8, [query(`${USE.cpu}${sel}`, "{{pod}} used", "A"), query(`${USE.cpuRequests}${sel}`, "{{pod}} requested", "B")]),
    series("CPU used / requested", "Utilisation against the CPU request per pod. Unit: percent. Window: 5m rate.", "percentunit", 8, [query(`${USE.cpuPerRequest}${sel}`, "{{pod}}", "A")]),
    series("CPU throttling", "Share of CFS periods in which the pod was throttled (saturation). Unit: percent. Window: 5m rate.", "percentunit", 8, [query(`${USE.cpuThrottled}${sel}`, "{{pod}}", "A")]).thresholds(
      steps([null, "green"], [0.25, "orange"]),
    ),
    series("Memory", "Working set per pod (what the OOM killer counts). Unit: bytes. Window: instant.", "bytes", 8, [query(`${USE.memory}${sel}`, "{{pod}}", "A")]),
    series("Memory used / limit", "Working set against the memory limit per pod; at 100% the pod is OOM-killed. Unit: percent. Window: instant.", "percentunit", 8, [query(`${USE.memoryPerLimit}${sel}`, "{{pod}}", "A")]).thresholds(
      steps([null, "green"], [0.9, "red"]),
    ),
    series("Restarts and OOM kills", "Container restarts in the last hour, and pods whose last termination was OOMKilled (errors). Unit: count. Window: 1h.", "short", 8, [
      query(`${USE.restarts}${sel}`, "{{pod}} restarts", "A"),
      query(`${USE.oomKilled}${sel}`, "{{pod}} OOM-killed", "B"),
    ]),
    series("Network", "Bytes received and sent per pod. Unit: bytes/s. Window: 5m rate.", "Bps", 8, [query(`${USE.networkReceive}${sel}`, "{{pod}} in", "A"), query(`${USE.networkTransmit}${sel}`, "{{pod}} out", "B")]),
    series("Packets dropped", "Packets dropped in and out per pod (errors). Unit: packets/s. Window: 5m rate.", "pps", 8, [query(`${USE.networkDropped}${sel}`, "{{pod}}", "A")]),
    up,
    ...saturation,
  ];
}

function annotations(s: ServiceConfig): dashboard.AnnotationQueryBuilder[] {
  const builtIn = new dashboard.AnnotationQueryBuilder()
    .name("Annotations & Alerts")
    .builtIn(1)
    .datasource({ type: "grafana", uid: "-- Grafana --" })
    .enable(true)
    .hide(true)
    .iconColor("rgba(0, 211, 255, 1)")
    .type("dashboard");
  if (s.isStatic) return [builtIn];
  const ns = `namespace="${s.namespace}"`;
  const name = `"${s.service.name}(-.+)?"`;
  const deploys = new dashboard.AnnotationQueryBuilder()
    .name("Deploys")
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor("purple")
    .expr(`changes(kube_deployment_status_observed_generation{${ns},deployment=~${name}}[2m]) > 0 or changes(kube_statefulset_status_observed_generation{${ns},statefulset=~${name}}[2m]) > 0`)
    .step("1m")
    .titleFormat("Deploy")
    .textFormat("{{deployment}}{{statefulset}} rolled out a new generation");
  return [builtIn, deploys];
}

function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus");
}

function link(title: string, url: string): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder(title).type(dashboard.DashboardLinkType.Link).url(url).icon("dashboard").keepTime(true).includeVars(false).targetBlank(false).asDropdown(false).tooltip(title);
}

/** The built dashboard with `description` first, so the generated-file marker sits on line 2. */
function finish(built: dashboard.Dashboard, description: string): string {
  // The SDK defaults placement to inControlsMenu, which tucks links and annotation toggles into a menu (Grafana 12).
  for (const a of built.annotations?.list ?? []) delete a.placement;
  for (const l of built.links ?? []) delete l.placement;
  for (const p of built.panels ?? []) for (const l of ("links" in p ? p.links : undefined) ?? []) delete l.placement;
  // The builders never set a description, so this key stays first.
  return renderJson({ description: `${markerText()}. ${description}`, ...built });
}

function addRow(b: dashboard.DashboardBuilder, ids: Ids, title: string, panels: Panel[]): void {
  b.withRow(new dashboard.RowBuilder(title).id(ids.next()));
  for (const p of panels) b.withPanel(p.id(ids.next()));
}

export function serviceDashboard(s: ServiceConfig, cfg: MonitoringConfig): dashboard.Dashboard {
  const ids = new Ids();
  const red = redSeries(s);
  const b = new dashboard.DashboardBuilder(`${s.service.name}: SLOs, RED and USE`)
    .uid(dashboardUid(s.service.name))
    .tags(["devops-pack", s.service.kind, `team-${s.service.team}`])
    .timezone("utc")
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())
    .annotations(annotations(s))
    .link(link("SLO overview", dashboardUrl(OVERVIEW_DASHBOARD_UID, cfg.links)));
  const sloPanels: Panel[] =
    s.slos.length > 0
      ? s.slos.flatMap((slo) => [budgetPanel(slo, 6, 8), burnRatePanel(slo, 9), sliPanel(slo, 9)])
      : [
          new text.PanelBuilder()
            .title("No SLO defined")
            .mode(text.TextMode.Markdown)
            .content(`No SLO is defined for **${s.service.name}** yet: add one under \`slos\` in the devops.monitoring task (availability or latency), then regenerate.`)
            .span(24)
            .height(3),
        ];
  addRow(b, ids, "SLOs: error budget, burn rate, SLI", sloPanels);
  addRow(b, ids, "RED: rate, errors, duration", redPanels(red, s.job));
  addRow(b, ids, s.isStatic ? "USE: scrape target" : "USE: pods (CPU, memory, network, restarts)", usePanels(s, red));
  return b.build();
}

export function overviewDashboard(cfg: MonitoringConfig): dashboard.Dashboard {
  const ids = new Ids();
  const b = new dashboard.DashboardBuilder("SLO overview")
    .uid(OVERVIEW_DASHBOARD_UID)
    .tags(["devops-pack", "slo"])
    .timezone("utc")
    .time({ from: "now-24h", to: "now" })
    .refresh("1m")
    .withVariable(datasourceVariable())
    .links(cfg.services.map((s) => link(`${s.service.name} dashboard`, dashboardUrl(dashboardUid(s.service.name), cfg.links))));
  if (cfg.slos.length === 0) {
    b.withPanel(
      new text.PanelBuilder()
        .id(ids.next())
        .title("No SLO defined")
        .mode(text.TextMode.Markdown)
        .content("No SLO is defined in this task yet. The service dashboards are linked above.")
        .span(24)
        .height(3),
    );
  }
  for (const s of cfg.services) {
    const serviceLink = link(`${s.service.name} dashboard`, dashboardUrl(dashboardUid(s.service.name), cfg.links));
    for (const slo of s.slos) {
      const sel = sloSelector(slo);
      addRow(b, ids, `${slo.name} (${s.service.name}): ${objectivePercent(slo)} over ${slo.window}`, [
        budgetPanel(slo, 8, 5).links([serviceLink]),
        single(
          `Burn rate 1h: ${slo.name}`,
          `Error ratio over 1h divided by the budget; 14.4× pages. Unit: multiple of the budget rate. Window: 1h.`,
          "short",
          8,
          5,
          query(burnRateExpr(slo, "1h"), "1h", "A"),
        )
          .thresholds(steps([null, "green"], [BURN_THRESHOLDS[0], "yellow"], [BURN_THRESHOLDS[1], "orange"], [BURN_THRESHOLDS[2], "red"]))
          .links([serviceLink]),
        single(
          `SLI ${slo.window}: ${slo.name}`,
          `Share of good events over the ${slo.window} compliance window; red below the ${objectivePercent(slo)} objective. Unit: percent. Window: ${slo.window}.`,
          "percentunit",
          8,
          5,
          query(`1 - ${sloErrorRatioRecord(slo.window)}${sel}`, `SLI (${slo.window})`, "A"),
        )
          .decimals(3)
          .thresholds(steps([null, "red"], [Number((1 - errorBudget(slo)).toPrecision(12)), "green"]))
          .links([serviceLink]),
      ]);
    }
  }
  return b.build();
}

export function dashboardFiles(cfg: MonitoringConfig): { path: string; content: string }[] {
  return [
    ...cfg.services.map((s) => ({
      path: PATHS.dashboard(s.service.name),
      content: finish(
        serviceDashboard(s, cfg),
        `${s.service.name} (${s.service.kind}, team ${s.service.team}): SLO row first, then RED, then USE. Panels read the recording rules in ${PATHS.recordingRules(s.service.name)}${s.slos.length > 0 ? ` and ${PATHS.sloRules(s.service.name)}` : ""}.`,
      ),
    })),
    {
      path: PATHS.overviewDashboard,
      content: finish(overviewDashboard(cfg), "One row per SLO: error budget left, 1h burn rate and the SLI over its window, each linking to its service dashboard."),
    },
  ];
}


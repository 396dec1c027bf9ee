/**
 * Alerting rules as typed objects: multi-window, multi-burn-rate SLO alerts
 * and symptom alerts per service. Annotation texts are functions of a
 * template context, so the same definition renders the rule's Go template
 * and the exact text a promtool test expects.
 */
import type { Links, PromRule, RuleGroup, Service, Severity, Slo } from "../observability/index.js";
import {
  BURN_CONDITIONS,
  dashboardUid,
  dashboardUrl,
  errorBudget,
  errorRatioExpr,
  jobOf,
  objectivePercent,
  renderRuleFile,
  runbookUrl,
  sloErrorRatioRecord,
  sloSelector,
} from "../observability/index.js";
import type { LatencyInput, PlannedAlert, ServicePlan } from "./config.js";
import { AGENT_ID, containerSelector, FOR } from "./config.js";
import { humanizeDuration, humanizePercentage, num } from "./humanize.js";
import type { Thresholds } from "./schema.js";

/** How annotation templates refer to the alert's value and labels. */
export interface TemplateCtx {
  percent(): string;
  duration(): string;
  raw(): string;
  label(name: string): string;
}

/** The Go-template side: what goes into the rule file. */
export const RULE_TEMPLATE: TemplateCtx = {
  percent: () => "{{ $value | humanizePercentage }}",
  duration: () => "{{ $value | humanizeDuration }}",
  raw: () => "{{ $value }}",
  label: (n) => `{{ $labels.${n} }}`,
};

/** The rendered side: what Prometheus prints for a given value and label set. */
export function renderedTemplate(value: number, labels: Readonly<Record<string, string>>): TemplateCtx {
  return {
    percent: () => humanizePercentage(value),
    duration: () => humanizeDuration(value),
    raw: () => num(value),
    label: (n) => labels[n] ?? "",
  };
}

export interface AlertSpec {
  name: string;
  severity: Severity;
  for: string;
  expr: string;
  /** severity, team, service (and slo): the labels every alert carries. */
  labels: Record<string, string>;
  summary: string;
  description(c: TemplateCtx): string;
  runbookUrl: string;
  dashboardUrl: string;
  /** The labels the expression itself yields (besides the rule's labels), for tests. */
  exprLabels: "slo" | "none" | "target" | "container";
}

export function annotations(a: AlertSpec, c: TemplateCtx): Record<string, string> {
  return { summary: a.summary, description: a.description(c), runbook_url: a.runbookUrl, dashboard_url: a.dashboardUrl };
}

export function toRule(a: AlertSpec): PromRule {
  return { alert: a.name, expr: a.expr, for: a.for, labels: a.labels, annotations: annotations(a, RULE_TEMPLATE) };
}

const pct = (v: number) => humanizePercentage(Number(v.toPrecision(12)));

/** The burn-rate threshold on the error ratio: burn rate × error budget. */
export function burnThreshold(slo: Slo, burnRate: number): number {
  return Number((burnRate * errorBudget(slo)).toPrecision(12));
}

/** `(long > t and short > t) or (…)` over the recorded error ratios of one severity. */
export function burnExpr(slo: Slo, severity: Severity): string {
  const sel = sloSelector(slo);
  return BURN_CONDITIONS.filter((c) => c.severity === severity)
    .map((c) => {
      const t = num(burnThreshold(slo, c.burnRate));
      return `(\n  ${sloErrorRatioRecord(c.long)}${sel} > ${t}\n  and\n  ${sloErrorRatioRecord(c.short)}${sel} > ${t}\n)`;
    })
    .join("\nor\n");
}

function baseLabels(service: Service, severity: Severity, slo?: Slo): Record<string, string> {
  return { severity, team: service.team, service: service.name, ...(slo ? { slo: slo.name } : {}) };
}

function links(name: string, service: Service, l: Links): Pick<AlertSpec, "runbookUrl" | "dashboardUrl"> {
  return { runbookUrl: runbookUrl(name, l), dashboardUrl: dashboardUrl(dashboardUid(service.name), l) };
}

export function sloAlert(a: PlannedAlert & { slo: Slo }, service: Service, l: Links): AlertSpec {
  const slo = a.slo;
  const b = errorBudget(slo);
  const conds = BURN_CONDITIONS.filter((c) => c.severity === a.severity);
  const windows = conds.map((c) => c.long).join(" or ");
  const rule = conds.map((c) => `${c.burnRate}× (${pct(burnThreshold(slo, c.burnRate))}) over ${c.long} and ${c.short}`).join(", or ");
  const fast = a.severity === "page";
  return {
    name: a.name,
    severity: a.severity,
    for: fast ? FOR.page : FOR.ticket,
    expr: burnExpr(slo, a.severity),
    labels: baseLabels(service, a.severity, slo),
    summary: `${service.name}: SLO ${slo.name} is burning its error budget ${fast ? "fast" : "slowly"} (objective ${objectivePercent(slo)})`,
    description: (c) =>
      `Error ratio ${c.percent()} over the last ${windows} (SLO ${slo.name}, error budget ${pct(b)} per ${slo.window}). ` +
      `${fast ? "Pages" : "Opens a ticket"} above ${rule}: ${fast ? "at this rate the budget is gone within days; act now." : "the budget runs out before the window ends unless the trend changes."}`,
    ...links(a.name, service, l),
    exprLabels: "slo",
  };
}

export function errorRateAlert(a: PlannedAlert, plan: ServicePlan, t: Thresholds, l: Links): AlertSpec {
  const service = plan.service;
  const sli = plan.errorSli!;
  return {
    name: a.name,
    severity: a.severity,
    for: FOR.HighErrorRate,
    expr: `(\n  ${errorRatioExpr(sli.slo, service, "5m")}\n) > ${num(t.error_rate)}`,
    labels: baseLabels(service, a.severity),
    summary: `${service.name}: error ratio above ${pct(t.error_rate)}`,
    description: (c) =>
      `Error ratio ${c.percent()} over the last 5m, above the ${pct(t.error_rate)} threshold (${sli.fromSlo ? `SLI of SLO ${sli.slo.name}` : `default ${service.kind} SLI`}).`,
    ...links(a.name, service, l),
    exprLabels: "none",
  };
}

/** histogram_quantile over the bucket series: sum by (le) keeps only what the quantile needs. */
export function latencyExpr(lat: LatencyInput): string {
  return `histogram_quantile(0.99, sum by (le) (rate(${lat.histogram}_bucket${lat.matchers}[5m]))) > ${num(lat.threshold)}`;
}

export function latencyAlert(a: PlannedAlert, plan: ServicePlan, l: Links): AlertSpec {
  const service = plan.service;
  const lat = plan.latency!;
  return {
    name: a.name,
    severity: a.severity,
    for: FOR.HighLatency,
    expr: latencyExpr(lat),
    labels: baseLabels(service, a.severity),
    summary: `${service.name}: p99 latency above ${humanizeDuration(lat.threshold)}`,
    description: (c) => `p99 latency ${c.duration()} over the last 5m, above ${humanizeDuration(lat.threshold)} (${lat.histogram}${lat.slo ? `, SLO ${lat.slo.name}` : ""}).`,
    ...links(a.name, service, l),
    exprLabels: "none",
  };
}

/** CPU usage and memory working set against the container's limits, and CFS throttling (cAdvisor). */
export function saturationExpr(service: Service, t: Thresholds): string {
  const sel = containerSelector(service);
  const by = "sum by (namespace, pod, container)";
  const cpu = `${by} (rate(container_cpu_usage_seconds_total${sel}[5m]))\n  / (${by} (container_spec_cpu_quota${sel} > 0) / ${by} (container_spec_cpu_period${sel}))\n  > ${num(t.cpu_saturation)}`;
  const throttled = `${by} (rate(container_cpu_cfs_throttled_periods_total${sel}[5m]))\n  / ${by} (rate(container_cpu_cfs_periods_total${sel}[5m]))\n  > ${num(t.cpu_throttling)}`;
  const memory = `max by (namespace, pod, container) (container_memory_working_set_bytes${sel})\n  / max by (namespace, pod, container) (container_spec_memory_limit_bytes${sel} > 0)\n  > ${num(t.memory_saturation)}`;
  const tag = (e: string, resource: string) => `label_replace(\n  ${e},\n  "resource", "${resource}", "", ""\n)`;
  return [tag(cpu, "cpu"), tag(throttled, "cpu-throttling"), tag(memory, "memory")].join("\nor\n");
}

export function saturationAlert(a: PlannedAlert, plan: ServicePlan, t: Thresholds, l: Links): AlertSpec {
  const service = plan.service;
  return {
    name: a.name,
    severity: a.severity,
    for: FOR.Saturation,
    expr: saturationExpr(service, t),
    labels: baseLabels(service, a.severity),
    summary: `${service.name}: a container is saturated`,
    description: (c) =>
      `Pod ${c.label("pod")} (container ${c.label("container")}) is at ${c.percent()} of its ${c.label("resource")} limit for 15m ` +
      `(thresholds: CPU ${pct(t.cpu_saturation)} of the limit, ${pct(t.cpu_throttling)} of CFS periods throttled, memory ${pct(t.memory_saturation)} of the limit).`,
    ...links(a.name, service, l),
    exprLabels: "container",
  };
}

export function targetDownAlert(a: PlannedAlert, service: Service, l: Links): AlertSpec {
  return {
    name: a.name,
    severity: a.severity,
    for: FOR.TargetDown,
    // Never absent(): a job that is not scraped at all must not page here (TargetDown means "scraped and failing").
    expr: `up{job="${jobOf(service)}"} == 0`,
    labels: baseLabels(service, a.severity),
    summary: `${service.name}: scrape target down`,
    description: (c) => `Prometheus cannot scrape ${c.label("instance")} of job ${jobOf(service)} (up = ${c.raw()}) for 5m: the process is down or unreachable.`,
    ...links(a.name, service, l),
    exprLabels: "target",
  };
}

/** Every alert of a service, SLO alerts first, in a stable order. */
export function alertSpecs(plan: ServicePlan, t: Thresholds, l: Links): AlertSpec[] {
  return plan.alerts.map((a): AlertSpec => {
    if (a.slo) return sloAlert({ ...a, slo: a.slo }, plan.service, l);
    switch (a.symptom) {
      case "HighErrorRate":
        return errorRateAlert(a, plan, t, l);
      case "HighLatency":
        return latencyAlert(a, plan, l);
      case "Saturation":
        return saturationAlert(a, plan, t, l);
      case "TargetDown":
      case undefined:
        return targetDownAlert(a, plan.service, l);
      default:
        throw new Error(`unknown symptom ${String(a.symptom)}`);
    }
  });
}

export function alertGroups(plan: ServicePlan, specs: readonly AlertSpec[]): RuleGroup[] {
  const groups: RuleGroup[] = [];
  const slo = specs.filter((s) => s.exprLabels === "slo");
  if (slo.length > 0) groups.push({ name: `${plan.service.name}-slo-burn`, rules: slo.map(toRule) });
  groups.push({ name: `${plan.service.name}-symptoms`, rules: specs.filter((s) => s.exprLabels !== "slo").map(toRule) });
  return groups;
}

export function renderAlertFile(plan: ServicePlan, specs: readonly AlertSpec[]): string {
  const name = plan.service.name;
  const comment = [
    `Alerting rules for ${name}. Burn-rate alerts read the SLO recording rules in ${name}-slo.rules.yml;`,
    `symptom alerts read the service's own metrics and cAdvisor. Tested by ../tests/${name}-alerts.test.yml.`,
  ].join("\n");
  return renderRuleFile(alertGroups(plan, specs), AGENT_ID, comment);
}

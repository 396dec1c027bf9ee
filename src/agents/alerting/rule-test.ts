/**
 * The generated `promtool test rules` file of a service. Synthetic input
 * series are derived from each SLO's SLI with the label-matcher solver:
 *  (a) a fast burn (20× the budget, capped below 100 %) pages;
 *  (b) a slow burn (2× the budget, evaluated after 7 h so the 6 h window is
 *      full) opens a ticket and does not page;
 *  (c) a healthy service (0.5× the budget) fires nothing at all.
 * Plus one test per symptom alert that makes it fire. SLIs written as PromQL
 * templates cannot be solved; their cases are skipped and a note says so.
 */
import { posix } from "node:path";
import { stringify } from "yaml";
import { markerLine } from "../../core/plans/plan.js";
import type { Service, Slo } from "../observability/index.js";
import { effectiveSli, errorBudget, jobOf, metricsOf, namespaceOf, objectivePercent, PATHS } from "../observability/index.js";
import type { LatencyInput, ServicePlan } from "./config.js";
import { AGENT_ID, hasSli } from "./config.js";
import { humanizePercentage, num } from "./humanize.js";
import type { AlertSpec } from "./rules.js";
import { annotations, renderedTemplate } from "./rules.js";
import type { LabelSet, Selector } from "./selectors.js";
import { parseSelector, selectorMatches, seriesText, solve, solveOutside } from "./selectors.js";
import type { Thresholds } from "./schema.js";

/** Requests per minute in synthetic traffic. */
const RATE = 1000;
/** Minutes after which every window up to 6 h is full. */
const SLOW_EVAL_MINUTES = 420;
const FAST_EVAL_MINUTES = 20;
const SYMPTOM_EVAL_MINUTES = 30;
/**
 * Rules are evaluated every 5 minutes in the tests (series are sampled every
 * minute): five times fewer evaluations over the 7-hour cases, and still at
 * least one evaluation inside every `for` window that matters.
 */
const EVALUATION_INTERVAL = "5m";

interface Counter {
  metric: string;
  labels: LabelSet;
  perMinute: number;
}

interface Gauge {
  metric: string;
  labels: LabelSet;
  value: number;
}

type Series = ({ kind: "counter" } & Counter) | ({ kind: "gauge" } & Gauge);

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}

export interface PromtoolTest {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertRuleTest[];
}

export interface RuleTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolTest[];
}

/** Traffic generator for one SLI: the series for a given share of bad events. */
export type Traffic = (errorRatio: number) => Series[];

export type Derivation = { ok: true; traffic: Traffic } | { ok: false; reason: string };

function counter(metric: string, labels: LabelSet, perMinute: number): Series {
  return { kind: "counter", metric, labels, perMinute };
}

function sel(text: string): Selector | undefined {
  return parseSelector(text);
}

/** Series for a good/total or bad/total SLI written as selectors. */
export function deriveRatio(r: { good?: string | undefined; bad?: string | undefined; total: string }): Derivation {
  const texts = [r.good ?? r.bad ?? "", r.total];
  if (texts.some((t) => t.includes("$window"))) return { ok: false, reason: "its SLI is a PromQL template ($window), not a selector" };
  const part = sel(texts[0]!);
  const total = sel(r.total);
  if (!part || !total) return { ok: false, reason: "its SLI selectors could not be parsed" };
  const isGood = r.good !== undefined;
  if (part.metric !== total.metric) {
    const pl = solve(part.matchers);
    const tl = solve(total.matchers);
    if (!pl || !tl) return { ok: false, reason: "no label values satisfy its SLI selectors" };
    return {
      ok: true,
      traffic: (e) => [counter(part.metric, pl, RATE * (isGood ? 1 - e : e)), counter(total.metric, tl, RATE)],
    };
  }
  const inside = solve([...total.matchers, ...part.matchers]);
  const outside = solveOutside(total.matchers, part.matchers);
  if (!inside || !outside) return { ok: false, reason: `no label values make a series ${isGood ? "good" : "bad"} and another one not, within total` };
  if (!selectorMatches(part, part.metric, inside) || !selectorMatches(total, total.metric, inside) || !selectorMatches(total, total.metric, outside) || selectorMatches(part, part.metric, outside)) {
    return { ok: false, reason: "the solved label values do not classify as intended" };
  }
  return {
    ok: true,
    traffic: (e) => [counter(total.metric, inside, RATE * (isGood ? 1 - e : e)), counter(total.metric, outside, RATE * (isGood ? e : 1 - e))],
  };
}

/**
 * Histogram series: requests faster than every boundary in `fast` land in
 * the lowest bucket, the rest only in +Inf, so a slow share below 1 % keeps
 * p99 at or under the lowest boundary.
 */
export function deriveHistogram(histogram: string, matchers: string, boundaries: readonly number[]): Derivation {
  const base = sel(`${histogram}_count${matchers}`);
  if (!base) return { ok: false, reason: "its histogram matchers could not be parsed" };
  if (base.matchers.some((m) => m.label === "le")) return { ok: false, reason: "its histogram matchers constrain le" };
  const labels = solve(base.matchers);
  if (!labels) return { ok: false, reason: "no label values satisfy its histogram matchers" };
  const les = [...new Set(boundaries)].sort((a, b) => a - b);
  return {
    ok: true,
    traffic: (e) => [
      ...les.map((le) => counter(`${histogram}_bucket`, { ...labels, le: String(le) }, RATE * (1 - e))),
      counter(`${histogram}_bucket`, { ...labels, le: "+Inf" }, RATE),
      counter(`${histogram}_count`, labels, RATE),
    ],
  };
}

/** Series for an SLO's SLI (ratio or latency). */
export function deriveSli(slo: Slo, service: Service, extraBoundaries: readonly number[] = []): Derivation {
  if (!hasSli(slo, service)) return { ok: false, reason: "it has no SLI" };
  const sli = effectiveSli(slo, service);
  if (sli.latency) return deriveHistogram(sli.latency.histogram, sli.latency.matchers ?? `{job="${jobOf(service)}"}`, [sli.latency.threshold_seconds, ...extraBoundaries]);
  return deriveRatio(sli.ratio!);
}

function render(s: Series, minutes: number): InputSeries {
  const values = s.kind === "counter" ? `0+${num(s.perMinute)}x${minutes}` : `${num(s.value)}x${minutes}`;
  return { series: seriesText(s.metric, s.labels), values };
}

function renderAll(series: readonly Series[], minutes: number): InputSeries[] {
  const seen = new Set<string>();
  const out: InputSeries[] = [];
  for (const s of series) {
    const r = render(s, minutes);
    if (seen.has(r.series)) continue;
    seen.add(r.series);
    out.push(r);
  }
  return out;
}

function minutes(m: number): string {
  return m % 60 === 0 ? `${m / 60}h` : `${m}m`;
}

// ---------------------------------------------------------------------------
// Symptom inputs

const POD_SUFFIX = "-7c9d8f6b5-x2x4z";

function podLabels(service: Service): LabelSet {
  return { namespace: namespaceOf(service), pod: `${service.name}${POD_SUFFIX}`, container: service.name };
}

function instanceOf(service: Service): string {
  const m = metricsOf(service);
  return m.target ?? `10.0.0.1:${m.port ?? 9090}`;
}

function upSeries(service: Service, value: number): Series {
  return { kind: "gauge", metric: "up", labels: { instance: instanceOf(service), job: jobOf(service) }, value };
}

/** cAdvisor series: CPU at `cpu` of a one-core limit, no throttling, memory at `memory` of its limit. */
function cadvisor(service: Service, cpu: number, memory: number): Series[] {
  const l = podLabels(service);
  const limit = 536870912;
  return [
    counter("container_cpu_usage_seconds_total", l, cpu * 60),
    { kind: "gauge", metric: "container_spec_cpu_quota", labels: l, value: 100000 },
    { kind: "gauge", metric: "container_spec_cpu_period", labels: l, value: 100000 },
    counter("container_cpu_cfs_throttled_periods_total", l, 0),
    counter("container_cpu_cfs_periods_total", l, 600),
    { kind: "gauge", metric: "container_memory_working_set_bytes", labels: l, value: memory * limit },
    { kind: "gauge", metric: "container_spec_memory_limit_bytes", labels: l, value: limit },
  ];
}

function errorTraffic(plan: ServicePlan): Derivation | undefined {
  const e = plan.errorSli;
  if (!e) return undefined;
  return deriveSli(e.slo, plan.service);
}

function latencyTraffic(lat: LatencyInput | undefined): Derivation | undefined {
  if (!lat) return undefined;
  return deriveHistogram(lat.histogram, lat.matchers, [lat.threshold]);
}

/** A value strictly between `threshold` and 1, preferring `preferred`. */
function above(threshold: number, preferred: number): number {
  return preferred < 1 ? preferred : (threshold + 1) / 2;
}

// ---------------------------------------------------------------------------
// Expectations

function expected(a: AlertSpec, value: number, exprLabels: Record<string, string> = {}): ExpAlert {
  const labels = { ...exprLabels, ...a.labels };
  return { exp_labels: labels, exp_annotations: annotations(a, renderedTemplate(value, labels)) };
}

function silent(specs: readonly AlertSpec[], at: string): AlertRuleTest[] {
  return specs.map((a) => ({ eval_time: at, alertname: a.name, exp_alerts: [] }));
}

export interface RuleTestResult {
  path: string;
  content: string;
  file: RuleTestFile;
  /** SLOs whose cases were skipped: no series could be derived, or the alert can never fire. */
  skipped: { slo: string; reason: string; kind: "underivable" | "unreachable" }[];
  /** Symptom alerts without a firing test, with the reason. */
  untested: { alert: string; reason: string }[];
}

export function ruleTestFile(plan: ServicePlan, specs: readonly AlertSpec[], t: Thresholds): RuleTestResult {
  const service = plan.service;
  const testPath = PATHS.ruleTest(service.name);
  const dir = posix.dirname(testPath);
  const ruleFiles = [...(plan.slos.length > 0 ? [PATHS.sloRules(service.name)] : []), PATHS.alertRules(service.name)].map((p) => posix.relative(dir, p));
  const byName = new Map(specs.map((s) => [s.name, s]));
  const tests: PromtoolTest[] = [];
  const skipped: RuleTestResult["skipped"] = [];
  const untested: RuleTestResult["untested"] = [];
  const errors = errorTraffic(plan);
  const latency = latencyTraffic(plan.latency);
  const sameHistogram = (slo: Slo) => plan.latency?.slo?.name === slo.name;

  let healthyCovered = false;
  for (const slo of plan.slos) {
    const page = byName.get(specs.find((s) => s.labels.slo === slo.name && s.severity === "page")?.name ?? "");
    const ticket = byName.get(specs.find((s) => s.labels.slo === slo.name && s.severity === "ticket")?.name ?? "");
    if (!page || !ticket) continue;
    const extra = sameHistogram(slo) && plan.latency ? [plan.latency.threshold] : [];
    const d = deriveSli(slo, service, extra);
    if (!d.ok) {
      skipped.push({ slo: slo.name, reason: d.reason, kind: "underivable" });
      continue;
    }
    const b = errorBudget(slo);
    const budget = humanizePercentage(b);
    const sloLabels = { slo: slo.name, service: service.name, team: service.team };

    // (a) fast burn: 20× the budget pages; capped below 100 % (still above the 6× threshold).
    if (6 * b < 1) {
      const fast = 20 * b < 1 ? 20 * b : (1 + 6 * b) / 2;
      tests.push({
        name: `${slo.name}: fast burn (${humanizePercentage(fast)} errors, ${num(fast / b)}× the ${budget} budget) pages`,
        interval: "1m",
        input_series: renderAll(d.traffic(fast), FAST_EVAL_MINUTES),
        alert_rule_test: [{ eval_time: minutes(FAST_EVAL_MINUTES), alertname: page.name, exp_alerts: [expected(page, fast, sloLabels)] }],
      });
    } else skipped.push({ slo: slo.name, reason: `its page thresholds (6× and 14.4× of ${budget}) are at or above 100 %, so the fast-burn alert can never fire`, kind: "unreachable" });

    // (b) slow burn: 2× the budget tickets (1× over 3d and 6h) and does not page.
    if (2 * b >= 1) skipped.push({ slo: slo.name, reason: `a slow burn of 2× its ${budget} budget is 100 % errors or more`, kind: "unreachable" });
    else {
      const slow = 2 * b;
      tests.push({
        name: `${slo.name}: slow burn (${humanizePercentage(slow)} errors, 2× the ${budget} budget) opens a ticket and does not page`,
        interval: "1m",
        input_series: renderAll(d.traffic(slow), SLOW_EVAL_MINUTES),
        alert_rule_test: [
          { eval_time: minutes(SLOW_EVAL_MINUTES), alertname: ticket.name, exp_alerts: [expected(ticket, slow, sloLabels)] },
          { eval_time: minutes(SLOW_EVAL_MINUTES), alertname: page.name, exp_alerts: [] },
        ],
      });
    }

    // (c) healthy: 0.5× the budget, or less where a symptom threshold on the same series is tighter.
    const limits = [b, t.error_rate, ...(sameHistogram(slo) ? [0.01] : [])];
    const healthy = 0.5 * Math.min(...limits);
    tests.push({
      name: `${slo.name}: healthy service (${humanizePercentage(healthy)} errors${healthy < 0.5 * b ? ", below 0.5× the budget to stay under a symptom threshold" : `, 0.5× the ${budget} budget`}) fires nothing`,
      interval: "1m",
      input_series: renderAll([...d.traffic(healthy), ...healthySymptoms(plan, errors, latency, t)], SLOW_EVAL_MINUTES),
      alert_rule_test: silent(specs, minutes(SLOW_EVAL_MINUTES)),
    });
    healthyCovered = true;
  }
  if (!healthyCovered) {
    tests.push({
      name: `${service.name}: healthy service fires nothing`,
      interval: "1m",
      input_series: renderAll(healthySymptoms(plan, errors, latency, t), SLOW_EVAL_MINUTES),
      alert_rule_test: silent(specs, minutes(SLOW_EVAL_MINUTES)),
    });
  }

  tests.push(...symptomTests(plan, specs, t, errors, latency, untested));
  const file: RuleTestFile = { rule_files: ruleFiles, evaluation_interval: EVALUATION_INTERVAL, tests };
  const header = [
    markerLine(AGENT_ID),
    `# Unit tests for ${service.name}'s alerts: promtool test rules ${posix.basename(testPath)} (run from ${dir}/).`,
    `# Synthetic series are derived from each SLO's SLI${plan.slos.length > 0 ? ` (${plan.slos.map((s) => `${s.name} ${objectivePercent(s)}`).join(", ")})` : ""}; sampled every 1m, rules evaluated every ${EVALUATION_INTERVAL}.`,
  ].join("\n");
  return { path: testPath, content: `${header}\n${stringify(file, { lineWidth: 0, aliasDuplicateObjects: false })}`, file, skipped, untested };
}

function healthySymptoms(plan: ServicePlan, errors: Derivation | undefined, latency: Derivation | undefined, t: Thresholds): Series[] {
  const out: Series[] = [upSeries(plan.service, 1), ...cadvisor(plan.service, 0.1, 0.5)];
  if (errors?.ok) {
    const b = plan.errorSli?.fromSlo ? errorBudget(plan.errorSli.slo) : 1;
    out.push(...errors.traffic(0.5 * Math.min(b, t.error_rate)));
  }
  if (latency?.ok) out.push(...latency.traffic(0));
  return out;
}

function symptomTests(plan: ServicePlan, specs: readonly AlertSpec[], t: Thresholds, errors: Derivation | undefined, latency: Derivation | undefined, untested: RuleTestResult["untested"]): PromtoolTest[] {
  const service = plan.service;
  const tests: PromtoolTest[] = [];
  const at = SYMPTOM_EVAL_MINUTES;
  for (const a of specs.filter((s) => s.exprLabels !== "slo")) {
    if (a.name.endsWith("HighErrorRate")) {
      if (!errors?.ok) {
        untested.push({ alert: a.name, reason: errors ? errors.reason : "no error SLI" });
        continue;
      }
      const e = above(t.error_rate, 2 * t.error_rate);
      tests.push({
        name: `${a.name}: ${humanizePercentage(e)} errors for ${at}m fires (${a.severity})`,
        interval: "1m",
        input_series: renderAll(errors.traffic(e), at),
        alert_rule_test: [{ eval_time: `${at}m`, alertname: a.name, exp_alerts: [expected(a, e)] }],
      });
    } else if (a.name.endsWith("HighLatency")) {
      const lat = plan.latency;
      const base = lat ? sel(`${lat.histogram}_count${lat.matchers}`) : undefined;
      const labels = base ? solve(base.matchers) : undefined;
      if (!lat || !labels || !latency?.ok) {
        untested.push({ alert: a.name, reason: latency && !latency.ok ? latency.reason : "no histogram" });
        continue;
      }
      // Every request between the threshold and twice it: p99 interpolates to 1.99× the threshold.
      const L = lat.threshold;
      const series: Series[] = [
        counter(`${lat.histogram}_bucket`, { ...labels, le: String(L) }, 0),
        counter(`${lat.histogram}_bucket`, { ...labels, le: num(2 * L) }, RATE),
        counter(`${lat.histogram}_bucket`, { ...labels, le: "+Inf" }, RATE),
        counter(`${lat.histogram}_count`, labels, RATE),
      ];
      tests.push({
        name: `${a.name}: every request between ${num(L)}s and ${num(2 * L)}s fires`,
        interval: "1m",
        input_series: renderAll(series, at),
        alert_rule_test: [{ eval_time: `${at}m`, alertname: a.name, exp_alerts: [expected(a, L + L * 0.99)] }],
      });
    } else if (a.name.endsWith("Saturation")) {
      const m = (t.memory_saturation + 1) / 2;
      tests.push({
        name: `${a.name}: memory working set at ${humanizePercentage(m)} of the limit fires`,
        interval: "1m",
        input_series: renderAll(cadvisor(service, 0.1, m), at),
        alert_rule_test: [{ eval_time: `${at}m`, alertname: a.name, exp_alerts: [expected(a, m, { ...podLabels(service), resource: "memory" })] }],
      });
    } else if (a.name.endsWith("TargetDown")) {
      const up = upSeries(service, 0);
      tests.push({
        name: `${a.name}: a target that cannot be scraped fires (${a.severity})`,
        interval: "1m",
        input_series: renderAll([up], at),
        alert_rule_test: [{ eval_time: `${at}m`, alertname: a.name, exp_alerts: [expected(a, 0, up.labels)] }],
      });
    }
  }
  return tests;
}

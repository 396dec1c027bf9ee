/**
 * OpenSLO v1 definitions: the same SLO, SLI and objective as the recording
 * rules, in the vendor-neutral format (https://github.com/OpenSLO/OpenSLO).
 */
import type { Service, Slo } from "../observability/index.js";
import { effectiveSli, errorBudget, jobOf, leMatcher, objectivePercent, objectiveRatio, PATHS, SELECTOR, withMatcher } from "../observability/index.js";
import type { MonitoringConfig } from "./config.js";
import { renderYamlFile } from "./render.js";

interface MetricSource {
  metricSource: { type: "Prometheus"; spec: { query: string } };
}

interface RatioMetric {
  counter: boolean;
  good?: MetricSource;
  bad?: MetricSource;
  total: MetricSource;
}

export interface OpenSloService {
  apiVersion: "openslo/v1";
  kind: "Service";
  metadata: { name: string; displayName: string };
  spec: { description: string };
}

export interface OpenSloSlo {
  apiVersion: "openslo/v1";
  kind: "SLO";
  metadata: { name: string; displayName: string; labels: Record<string, string> };
  spec: {
    description: string;
    service: string;
    indicator: { metadata: { name: string; displayName: string }; spec: { ratioMetric: RatioMetric } };
    timeWindow: { duration: string; isRolling: true }[];
    budgetingMethod: "Occurrences";
    objectives: { displayName: string; target: number }[];
  };
}

const source = (query: string): MetricSource => ({ metricSource: { type: "Prometheus", spec: { query } } });

/**
 * Counter selectors are given as raw counters (counter: true: the tool takes
 * the increase). A PromQL expression written with [$window] is not a counter,
 * so the whole indicator then becomes a 5m rate (counter: false).
 */
function ratioMetric(slo: Slo, service: Service): RatioMetric {
  const sli = effectiveSli(slo, service);
  if (sli.latency) {
    const m = sli.latency.matchers ?? `{job="${jobOf(service)}"}`;
    return {
      counter: true,
      good: source(`sum(${sli.latency.histogram}_bucket${withMatcher(m, leMatcher(sli.latency.threshold_seconds))})`),
      total: source(`sum(${sli.latency.histogram}_count${m})`),
    };
  }
  const ratio = sli.ratio!;
  const parts = [ratio.good, ratio.bad, ratio.total].filter((p): p is string => p !== undefined);
  const counters = parts.every((p) => SELECTOR.test(p.trim()) && !p.includes("$window"));
  const query = (p: string) => {
    const e = p.trim();
    if (counters) return `sum(${e})`;
    return e.includes("$window") ? e.replaceAll("$window", "5m") : `sum(rate(${e}[5m]))`;
  };
  return {
    counter: counters,
    ...(ratio.good !== undefined ? { good: source(query(ratio.good)) } : { bad: source(query(ratio.bad!)) }),
    total: source(query(ratio.total)),
  };
}

function describeSli(slo: Slo, service: Service): string {
  const sli = effectiveSli(slo, service);
  if (sli.latency) return `share of ${sli.latency.histogram} observations at or under ${sli.latency.threshold_seconds}s`;
  return sli.ratio?.good !== undefined ? "good events / valid events" : "1 - bad events / valid events";
}

export function openSloDocuments(slo: Slo, service: Service): [OpenSloService, OpenSloSlo] {
  return [
    {
      apiVersion: "openslo/v1",
      kind: "Service",
      metadata: { name: service.name, displayName: service.name },
      spec: { description: `${service.kind} service owned by ${service.team}` },
    },
    {
      apiVersion: "openslo/v1",
      kind: "SLO",
      metadata: { name: slo.name, displayName: `${slo.name}: ${objectivePercent(slo)} over ${slo.window}`, labels: { service: service.name, team: service.team } },
      spec: {
        description: slo.description ?? `${objectivePercent(slo)} of ${service.name} events are good over a rolling ${slo.window} (${describeSli(slo, service)}).`,
        service: service.name,
        indicator: { metadata: { name: `${slo.name}-sli`, displayName: describeSli(slo, service) }, spec: { ratioMetric: ratioMetric(slo, service) } },
        timeWindow: [{ duration: slo.window, isRolling: true }],
        budgetingMethod: "Occurrences",
        objectives: [{ displayName: `${objectivePercent(slo)} good`, target: Number(objectiveRatio(slo).toPrecision(12)) }],
      },
    },
  ];
}

export function openSloFiles(cfg: MonitoringConfig): { path: string; content: string }[] {
  return cfg.services.flatMap((s) =>
    s.slos.map((slo) => ({
      path: PATHS.openSlo(slo.name),
      content: renderYamlFile(openSloDocuments(slo, s.service), [
        `OpenSLO v1 definition of ${slo.name}; error budget ${Number((errorBudget(slo) * 100).toPrecision(12))}% of events over ${slo.window}.`,
        `Measured in Prometheus by the slo:* recording rules in ${PATHS.sloRules(s.service.name)}.`,
      ]),
    })),
  );
}

/** Resolved view of a monitoring task: every default applied once, in one place. */
import type { Links, Service, Slo } from "../observability/index.js";
import { effectiveSli, jobOf, metricsOf, namespaceOf } from "../observability/index.js";
import type { Discovery, MonitoringInput } from "./schema.js";

export interface ServiceConfig {
  service: Service;
  job: string;
  namespace: string;
  metrics: ReturnType<typeof metricsOf>;
  /** Scraped through a fixed host:port rather than pod discovery: no pods, so no USE rules. */
  isStatic: boolean;
  slos: Slo[];
  /** The smallest latency-SLO threshold of this service, in ms (log and trace "slow"). */
  latencyThresholdMs?: number;
}

export interface TracingConfig {
  endpoint: string;
  samplePercentage: number;
  slowThresholdMs: number;
  /** Where the slow threshold came from, for the notes. */
  slowThresholdSource: "input" | "latency-slo" | "default";
  insecure: boolean;
  caFile?: string;
}

export interface MonitoringConfig {
  services: ServiceConfig[];
  slos: Slo[];
  discovery: Discovery;
  scrapeInterval: string;
  links: Links;
  tracing: TracingConfig;
  environments: string[];
}

export const DEFAULT_SLOW_THRESHOLD_MS = 1000;
export const ALERTMANAGER_TARGET = "alertmanager.monitoring.svc:9093";

function latencyMs(slo: Slo, service: Service): number | undefined {
  const sli = effectiveSli(slo, service);
  return sli.latency ? Math.round(sli.latency.threshold_seconds * 1000) : undefined;
}

export function resolveConfig(input: MonitoringInput): MonitoringConfig {
  const services: ServiceConfig[] = input.services.map((s) => {
    const slos = input.slos.filter((o) => o.service === s.name);
    const thresholds = slos.map((o) => latencyMs(o, s)).filter((t): t is number => t !== undefined);
    const metrics = metricsOf(s);
    return {
      service: s,
      job: jobOf(s),
      namespace: namespaceOf(s),
      metrics,
      isStatic: metrics.target !== undefined,
      slos,
      ...(thresholds.length > 0 ? { latencyThresholdMs: Math.min(...thresholds) } : {}),
    };
  });
  const sloThresholds = services.map((s) => s.latencyThresholdMs).filter((t): t is number => t !== undefined);
  const t = input.tracing;
  const slow: Pick<TracingConfig, "slowThresholdMs" | "slowThresholdSource"> =
    t.slow_threshold_ms !== undefined
      ? { slowThresholdMs: t.slow_threshold_ms, slowThresholdSource: "input" }
      : sloThresholds.length > 0
        ? { slowThresholdMs: Math.max(1, Math.min(...sloThresholds)), slowThresholdSource: "latency-slo" }
        : { slowThresholdMs: DEFAULT_SLOW_THRESHOLD_MS, slowThresholdSource: "default" };
  return {
    services,
    slos: input.slos,
    discovery: input.discovery,
    scrapeInterval: input.scrape_interval,
    links: input.links,
    tracing: {
      endpoint: t.endpoint,
      samplePercentage: t.sample_percentage,
      ...slow,
      insecure: t.insecure,
      ...(t.ca_file !== undefined ? { caFile: t.ca_file } : {}),
    },
    environments: input.environments,
  };
}

/** Slow threshold of one service for logs: its latency SLO, else the trace threshold. */
export function slowMs(s: ServiceConfig, cfg: MonitoringConfig): number {
  return s.latencyThresholdMs ?? cfg.tracing.slowThresholdMs;
}

/**
 * The `devops.monitoring` task input. Services, SLOs and links are the shared
 * observability model (src/agents/observability), so the same lifecycle input
 * feeds monitoring, alerting and incident response unchanged.
 */
import { z } from "zod";
import { checkServicesAndSlos, duration, linksSchema, oneOf, serviceSchema, sloSchema } from "../observability/index.js";

export const DISCOVERIES = ["kubernetes_sd", "prometheus_operator"] as const;
export type Discovery = (typeof DISCOVERIES)[number];

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "environment names are lower-case letters, digits and '-', starting with a letter, such as staging or production" });

/** host:port of an OTLP gRPC endpoint. */
const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: "host:port of an OTLP gRPC endpoint, such as tempo.monitoring.svc:4317" });

/** Seconds of a Prometheus duration such as 30s or 1m (undefined for other units). */
export function durationSeconds(d: string): number | undefined {
  const m = /^(\d+)(s|m|h)$/.exec(d);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
}

export const tracingSchema = z
  .strictObject({
    endpoint: hostPort.default("tempo.monitoring.svc:4317").describe("OTLP gRPC endpoint of the trace backend the Collector exports to (Tempo, Jaeger, a vendor)."),
    sample_percentage: z
      .number()
      .gt(0)
      .max(100)
      .default(10)
      .describe("Share of ordinary traces kept, in percent. Traces with an error or slower than slow_threshold_ms are always kept."),
    slow_threshold_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Traces slower than this are always kept. Default: the smallest latency-SLO threshold of the task, or 1000."),
    insecure: z
      .boolean()
      .default(false)
      .describe("Export without TLS. Only for a backend on the same node or behind a mesh that encrypts; the plan warns when set."),
    ca_file: z
      .string()
      .regex(/^\/[^\s]*$/, { message: "an absolute path such as /etc/otel/tls/ca.crt" })
      .optional()
      .describe("CA bundle that signs the backend's certificate, mounted into the Collector. Default: the system roots."),
  })
  .superRefine((t, ctx) => {
    if (t.insecure && t.ca_file !== undefined) ctx.addIssue({ code: "custom", path: ["ca_file"], message: "ca_file configures TLS, which insecure: true turns off; drop one of them" });
  });
export type TracingInput = z.output<typeof tracingSchema>;

export const monitoringInputSchema = z
  .strictObject({
    services: z
      .array(serviceSchema)
      .min(1, { message: "give at least one service to monitor" })
      .describe("The services to observe: each becomes a scrape job (job=<name>), recording rules, a dashboard and log queries."),
    slos: z
      .array(sloSchema)
      .default([])
      .describe("Service level objectives. Each gets SLO recording rules, dashboard panels (budget left, burn rate, SLI vs objective) and an OpenSLO definition."),
    discovery: oneOf("discovery", DISCOVERIES)
      .default("kubernetes_sd")
      .describe(
        "kubernetes_sd: prometheus.yml finds pods with kubernetes_sd_configs (role pod). prometheus_operator: one PodMonitor per service instead; prometheus.yml still lists the rule files (and static targets).",
      ),
    scrape_interval: duration
      .default("30s")
      .refine((d) => {
        const s = durationSeconds(d);
        return s !== undefined && s >= 5 && s <= 60;
      }, { message: "a scrape interval between 5s and 1m: the 5m rates of the recording rules need at least 5 samples" })
      .describe("How often Prometheus scrapes and evaluates rules, e.g. 30s."),
    links: linksSchema.describe("Base URLs for runbook and dashboard links; relative links when absent."),
    tracing: tracingSchema.default({ endpoint: "tempo.monitoring.svc:4317", sample_percentage: 10, insecure: false }).describe("OpenTelemetry Collector trace pipeline: backend endpoint, sampling and TLS."),
    environments: z
      .array(environmentName)
      .default([])
      .refine((e) => new Set(e).size === e.length, { message: "environments must not repeat" })
      .describe("Environments this monitoring serves, e.g. [staging, production]; production requires approval before apply."),
  })
  .superRefine((input, ctx) => {
    checkServicesAndSlos(input.services, input.slos, ctx, { services: ["services"], slos: ["slos"] });
  });

export type MonitoringInput = z.output<typeof monitoringInputSchema>;

/**
 * The observability model shared by devops_monitoring, devops_alerting,
 * devops_incident_response and the manager's lifecycle workflow: services,
 * SLOs, links, and every name that crosses a specialist boundary (recording
 * rules, alert names, file paths, dashboard uids, runbook URLs). Each
 * specialist derives names from here and nowhere else, so the bundle the
 * lifecycle assembles cross-references without a lookup table.
 */
import { z } from "zod";
import { didYouMean } from "../../core/suggest.js";
import { oneOf } from "../../core/zod-enum.js";

export { oneOf };

export const SERVICE_KINDS = ["http", "grpc", "worker", "database"] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const SEVERITIES = ["page", "ticket"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const dnsLabel = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, { message: "a lower-case DNS label of at most 40 characters, starting with a letter, such as checkout-api" });

export const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a Kubernetes namespace name (lower-case DNS label)" });

export const teamName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "a team slug: lower-case letters, digits and '-', such as shop-backend" });

/** Prometheus durations as the burn-rate tables use them: 5m, 1h, 1d, 30d. */
export const duration = z.string().regex(/^[1-9][0-9]*(s|m|h|d|w)$/, { message: "a Prometheus duration such as 5m, 1h, 1d or 30d" });

/** `metric_name` or `metric_name{label="v",…}`: a counter selector. */
export const SELECTOR = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?$/s;
const RANGE = /\[\s*[0-9]+(?:ms|s|m|h|d|w|y)\s*\]/g;

/**
 * An SLI expression in its canonical form: a counter selector, or PromQL with
 * `$window` where each range goes. Sloth's `{{.window}}` is accepted as
 * `$window`, and PromQL written with fixed ranges (`[5m]`) has every range
 * replaced by `$window`, so each alert window reads its own range.
 */
export function canonicalSli(expr: string): string {
  const e = expr.trim().replaceAll(/\{\{\s*\.?window\s*\}\}/g, "$window");
  if (SELECTOR.test(e) || e.includes("$window")) return e;
  return e.replace(RANGE, "[$window]");
}

const promqlOrSelector = z
  .string()
  .min(1)
  .overwrite(canonicalSli)
  .refine((v) => SELECTOR.test(v) || v.includes("$window"), {
    message: 'a counter selector such as http_requests_total{job="api",code!~"5.."}, or a PromQL expression with a range ([5m] or [$window]) that each alert window replaces',
  });

export const ratioSliSchema = z
  .strictObject({
    good: promqlOrSelector.optional().describe("Good events: a counter selector (wrapped in sum(rate(…[window]))), or PromQL whose ranges ([5m], [$window] or {{.window}}) become each alert window."),
    bad: promqlOrSelector.optional().describe("Bad events, instead of good: a counter selector, or PromQL whose ranges become each alert window."),
    total: promqlOrSelector.describe("All valid events: a counter selector, or PromQL whose ranges become each alert window."),
  })
  .refine((r) => (r.good === undefined) !== (r.bad === undefined), { message: "give exactly one of good or bad, beside total" });

export const latencySliSchema = z.strictObject({
  histogram: z
    .string()
    .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: "a histogram's base metric name, such as http_request_duration_seconds (without _bucket)" })
    .describe("Histogram base name; its _bucket and _count series are read."),
  threshold_seconds: z.number().positive().describe("Requests faster than this are good. A bucket boundary (le) must equal it."),
  matchers: z
    .string()
    .regex(/^\{.*\}$/s, { message: 'label matchers in braces, such as {job="api"}' })
    .optional()
    .describe('Label matchers applied to the histogram, e.g. {job="api"}. Default: {job="<service job>"}.'),
});

export const sliSchema = z
  .strictObject({
    ratio: ratioSliSchema.optional(),
    latency: latencySliSchema.optional(),
  })
  .refine((s) => (s.ratio === undefined) !== (s.latency === undefined), { message: "give exactly one of ratio (good/total) or latency (histogram + threshold)" });

export const sloSchema = z.strictObject({
  name: dnsLabel.describe("SLO id, unique in the task, e.g. checkout-availability."),
  service: dnsLabel.describe("The service (by name) this SLO belongs to."),
  description: z.string().max(300).optional(),
  objective: z
    .number()
    .gt(0)
    .lt(100)
    .describe("Target share of good events: a percentage such as 99.9, or a ratio below 1 such as 0.999."),
  window: duration.default("30d").describe("Rolling compliance window, e.g. 30d or 28d."),
  sli: sliSchema
    .optional()
    .describe("How good and total are measured. Default: the service kind's availability SLI (non-5xx share of http_requests_total for http)."),
});
export type Slo = z.output<typeof sloSchema>;

export const metricsEndpointSchema = z
  .strictObject({
    port: z.number().int().min(1).max(65535).optional().describe("Container port named metrics (Kubernetes pod discovery)."),
    target: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: "host:port, such as db-exporter.internal:9187" })
      .optional()
      .describe("A fixed host:port to scrape (static config) instead of pod discovery."),
    path: z.string().regex(/^\/[^\s]*$/, { message: "an absolute path such as /metrics" }).default("/metrics"),
    scheme: oneOf("metrics.scheme", ["http", "https"] as const).default("http"),
  })
  .refine((m) => !(m.port !== undefined && m.target !== undefined), { message: "give port (pod discovery) or target (static), not both" });

export const serviceSchema = z.strictObject({
  name: dnsLabel.describe("Service name; also the Prometheus job label and the Kubernetes app.kubernetes.io/name."),
  kind: oneOf("kind", SERVICE_KINDS).describe("http, grpc, worker or database: picks the RED/USE metrics and default SLI."),
  team: teamName.default("platform").describe("Owning team: alert routing and runbook escalation."),
  namespace: namespaceName.optional().describe("Kubernetes namespace. Default: the service name."),
  metrics: metricsEndpointSchema.optional().describe("Where metrics are scraped. Default: pod port named metrics, 9090 (database: 9187), /metrics."),
  tier: oneOf("tier", ["critical", "standard"] as const).default("standard").describe("critical services page on symptoms too; standard ones ticket."),
});
export type Service = z.output<typeof serviceSchema>;

export const linksSchema = z
  .strictObject({
    runbook_base_url: z.string().url().optional().describe("Base URL where the repository's runbooks/ are browsable. Default: repository-relative paths."),
    grafana_url: z.string().url().optional().describe("Grafana base URL for dashboard links. Default: relative /d/<uid> links."),
  })
  .default({});
export type Links = z.output<typeof linksSchema>;

/** Normalise an objective given as 99.9 or 0.999 to a ratio. */
export function objectiveRatio(slo: Pick<Slo, "objective">): number {
  return slo.objective < 1 ? slo.objective : slo.objective / 100;
}

/** The error budget as a ratio, e.g. 0.001 for 99.9 %; rounded to kill float noise. */
export function errorBudget(slo: Pick<Slo, "objective">): number {
  return Number((1 - objectiveRatio(slo)).toPrecision(12));
}

/** Objective as a percentage string for humans: "99.9%". */
export function objectivePercent(slo: Pick<Slo, "objective">): string {
  return `${Number((objectiveRatio(slo) * 100).toPrecision(12))}%`;
}

export function namespaceOf(s: Service): string {
  return s.namespace ?? s.name;
}

/** Default metrics endpoint per kind. */
export function metricsOf(s: Service): { port?: number; target?: string; path: string; scheme: "http" | "https" } {
  const m = s.metrics;
  if (m?.target !== undefined) return { target: m.target, path: m.path, scheme: m.scheme };
  return { port: m?.port ?? (s.kind === "database" ? 9187 : 9090), path: m?.path ?? "/metrics", scheme: m?.scheme ?? "http" };
}

/** The Prometheus `job` label of a service: its name (set by relabelling in the scrape config). */
export function jobOf(s: Pick<Service, "name">): string {
  return s.name;
}

/** check-out-api → CheckOutApi */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/** Cross-field checks shared by every task that takes services and SLOs. */
export function checkServicesAndSlos(services: readonly Service[], slos: readonly Slo[], ctx: z.RefinementCtx, at: { services: PropertyKey[]; slos: PropertyKey[] }): void {
  const names = new Set<string>();
  services.forEach((s, i) => {
    if (names.has(s.name)) ctx.addIssue({ code: "custom", path: [...at.services, i, "name"], message: `service ${s.name} is listed twice` });
    names.add(s.name);
  });
  const sloNames = new Set<string>();
  slos.forEach((o, i) => {
    if (sloNames.has(o.name)) ctx.addIssue({ code: "custom", path: [...at.slos, i, "name"], message: `SLO ${o.name} is listed twice` });
    sloNames.add(o.name);
    if (!names.has(o.service)) ctx.addIssue({ code: "custom", path: [...at.slos, i, "service"], message: `SLO ${o.name} names service ${o.service}, which is not in services.${didYouMean(o.service, names)}` });
    const svc = services.find((s) => s.name === o.service);
    if (svc && o.sli === undefined && svc.kind === "worker") {
      ctx.addIssue({ code: "custom", path: [...at.slos, i, "sli"], message: `SLO ${o.name}: worker services have no default SLI; give sli.ratio (e.g. bad: jobs_failed_total{job="${svc.name}"}, total: jobs_processed_total{job="${svc.name}"})` });
    }
  });
}

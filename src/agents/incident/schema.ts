/**
 * The input of `devops.incident_runbook` tasks. The documented form,
 * `{incident_type, services: [api, worker], severity: high}`, is accepted as
 * it is; everything else is optional and described field by field.
 */
import { z } from "zod";
import { didYouMean } from "../../core/suggest.js";
import { actionItemSchema, dnsLabel, duration, linksSchema, namespaceName, oneOf, SEVERITIES, serviceSchema } from "../observability/index.js";
import { maxCronInterval, parseCron, parseTimestamp, TIMESTAMP_HINT } from "./time.js";

export const KNOWN_INCIDENT_TYPES = [
  "database_connection_failure",
  "high_error_rate",
  "high_latency",
  "pod_crash_loop",
  "node_failure",
  "certificate_expiry",
  "disk_full",
  "dependency_outage",
  "deployment_failure",
  "data_loss",
  "security_incident",
] as const;
export type KnownIncidentType = (typeof KNOWN_INCIDENT_TYPES)[number];

export const INCIDENT_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export const EVENT_KINDS = ["detection", "escalation", "mitigation", "communication", "resolution", "other"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const FACTOR_CATEGORIES = ["trigger", "condition", "detection", "response"] as const;
export type FactorCategory = (typeof FACTOR_CATEGORIES)[number];

export const BACKUPS = ["velero", "aws_backup", "none"] as const;
export const ENGINES = ["chaos_mesh", "litmus"] as const;
export type Engine = (typeof ENGINES)[number];

export const FAULTS = [
  "pod_kill",
  "pod_failure",
  "container_kill",
  "network_latency",
  "network_loss",
  "network_partition",
  "cpu_stress",
  "memory_stress",
  "http_abort",
  "http_delay",
] as const;
export type Fault = (typeof FAULTS)[number];

export const CHAOS_MODES = ["one", "fixed-percent"] as const;

/** Events may precede the start (the trigger) or follow the resolution (the last update) by this much. */
export const EVENT_MARGIN_MS = 24 * 3_600_000;
/** The longest chaos injection the pack writes. */
export const MAX_CHAOS_MS = 30 * 60_000;

const incidentTypeName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,60}$/, { message: `a snake_case incident type such as database_connection_failure. Known types: ${KNOWN_INCIDENT_TYPES.join(", ")}` });

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "environment names are lower-case letters, digits and '-', starting with a letter" });

const SERVICE_FIELDS = Object.keys(serviceSchema.shape).join(", ");

/** A service by name (api) or as the full observability service object. */
const serviceEntry = z.union([dnsLabel, serviceSchema], {
  error: (iss) => {
    if (iss.code !== "invalid_union") return undefined;
    const input = (iss as { input?: unknown }).input;
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return `expected a service name such as api, or a service object {${SERVICE_FIELDS}}`;
    }
    // The object branch's own problems, said the way top-level fields are.
    const branch = (iss as { errors?: z.core.$ZodIssue[][] }).errors?.[1] ?? [];
    const msgs = branch.map((i) => {
      const at = i.path.length > 0 ? `${i.path.join(".")}: ` : "";
      if (i.code === "unrecognized_keys") {
        return i.keys.map((k) => `unknown field '${k}'.${didYouMean(k, Object.keys(serviceSchema.shape))} Valid fields: ${SERVICE_FIELDS}`).join("; ");
      }
      if (i.code === "invalid_type" && i.path.length > 0 && (i as { input?: unknown }).input === undefined) return `${at}required field missing`;
      return `${at}${i.message}`;
    });
    return msgs.length > 0 ? msgs.join("; ") : "not a valid service object";
  },
}).describe("A service name (kind http, team platform, namespace = the name), or a full service object {name, kind, team, namespace, metrics, tier} as devops_monitoring takes it.");

const timestamp = (what: string) =>
  z
    .string()
    .refine((v) => parseTimestamp(v) !== undefined, { message: `${what} must be ${TIMESTAMP_HINT}` })
    .describe(`${what}: ${TIMESTAMP_HINT}.`);

export const alertSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, { message: "a Prometheus alert name such as ApiHighErrorRate" })
    .describe("Alert name (the alertname label). Its runbook is written to runbooks/alerts/<name>.md, where the rule's runbook_url points."),
  severity: oneOf("alert severity", SEVERITIES).describe("page (wakes someone) or ticket (business hours)."),
  service: dnsLabel.describe("The service (by name, one of services) the alert is about."),
  summary: z.string().min(1).max(300).describe("The rule's summary annotation: one line."),
  description: z.string().max(2000).optional().describe("The rule's description annotation."),
  expr: z.string().min(1).max(5000).optional().describe("The rule's PromQL expression, quoted in the runbook."),
});
export type AlertInput = z.output<typeof alertSchema>;

export const eventSchema = z.strictObject({
  at: timestamp("event time"),
  text: z.string().min(1).max(500).describe("What happened, as observed: an alert, a deploy, a decision, a message sent."),
  kind: oneOf("event kind", EVENT_KINDS).default("other").describe("detection, escalation, mitigation, communication, resolution or other."),
  source: z.string().min(1).max(80).optional().describe("Where the event comes from: Alertmanager, deploy log, chat, audit log."),
});

export const factorSchema = z
  .union(
    [
      z.string().min(1).max(500),
      z.strictObject({
        factor: z.string().min(1).max(500).describe("The contributing factor, as a statement about the system."),
        category: oneOf("factor category", FACTOR_CATEGORIES).describe("trigger (what started it), condition (what let it become an incident), detection (why it was seen late), response (what slowed or sped recovery)."),
      }),
    ],
    { error: (iss) => (iss.code === "invalid_union" ? `a contributing factor: a sentence, or {factor, category: ${FACTOR_CATEGORIES.join("|")}}` : undefined) },
  )
  .describe("A contributing factor: a sentence (category condition) or {factor, category}.");

export const postmortemSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, { message: "an incident id such as INC-2024-042 (letters, digits, '-', '_')" })
      .describe("Incident id; names the files postmortems/<id>.md, <id>-rca.md and <id>.actions.yaml."),
    title: z.string().min(1).max(200).describe("Short title of the incident."),
    summary: z.string().min(1).max(2000).describe("What broke, what users experienced, how it was mitigated."),
    impact: z.string().min(1).max(2000).describe("Users or requests affected, error budget consumed, data loss, customer effect."),
    started_at: timestamp("started_at").describe(`When user impact started: ${TIMESTAMP_HINT}.`),
    detected_at: timestamp("detected_at").describe(`When the incident was detected (alert, report): ${TIMESTAMP_HINT}.`),
    mitigated_at: timestamp("mitigated_at")
      .optional()
      .describe(`When the mitigation took effect. Default: the first event of kind mitigation. ${TIMESTAMP_HINT}.`),
    resolved_at: timestamp("resolved_at").describe(`When the SLIs were back within target: ${TIMESTAMP_HINT}.`),
    owner: z.string().min(1).max(80).optional().describe("Post-mortem owner."),
    incident_commander: z.string().min(1).max(80).optional().describe("Incident commander during the incident."),
    events: z
      .array(eventSchema)
      .min(1)
      .max(500)
      .describe("Timeline events in any order; sorted by time. Each must lie within 24 h of the incident window (started_at to resolved_at)."),
    contributing_factors: z.array(factorSchema).max(50).default([]).describe("Trigger, conditions and other factors; each seeds a five-whys chain in the root-cause analysis."),
    what_went_well: z.array(z.string().min(1).max(500)).max(20).default([]).describe("What worked and should be kept."),
    where_we_got_lucky: z.array(z.string().min(1).max(500)).max(20).default([]).describe("Conditions that limited the damage without being designed to."),
    action_items: z
      .array(actionItemSchema)
      .max(50)
      .default([])
      .describe("Action items in the lifecycle feedback form (observability feedback.ts: add_slo, change_objective, set_min_replicas, set_tier, add_incident_type, add_chaos_experiment, note)."),
  })
  .superRefine((pm, ctx) => {
    const t = (v: string | undefined) => (v === undefined ? undefined : parseTimestamp(v));
    const started = t(pm.started_at);
    const detected = t(pm.detected_at);
    const mitigated = t(pm.mitigated_at);
    const resolved = t(pm.resolved_at);
    if (started === undefined || detected === undefined || resolved === undefined) return;
    if (detected < started) ctx.addIssue({ code: "custom", path: ["detected_at"], message: `detected_at (${pm.detected_at}) is before started_at (${pm.started_at})` });
    if (resolved < detected) ctx.addIssue({ code: "custom", path: ["resolved_at"], message: `resolved_at (${pm.resolved_at}) is before detected_at (${pm.detected_at})` });
    if (mitigated !== undefined && (mitigated < started || mitigated > resolved)) {
      ctx.addIssue({ code: "custom", path: ["mitigated_at"], message: `mitigated_at (${pm.mitigated_at}) must lie between started_at and resolved_at` });
    }
    pm.events.forEach((e, i) => {
      const at = t(e.at);
      if (at === undefined) return;
      if (at < started - EVENT_MARGIN_MS || at > resolved + EVENT_MARGIN_MS) {
        ctx.addIssue({
          code: "custom",
          path: ["events", i, "at"],
          message: `event ${i + 1} at ${e.at} is outside the incident window ${pm.started_at} to ${pm.resolved_at} (24 h allowed either side for the trigger and follow-ups); check its date`,
        });
      }
    });
    const ids = new Set<string>();
    pm.action_items.forEach((a, i) => {
      if (ids.has(a.id)) ctx.addIssue({ code: "custom", path: ["action_items", i, "id"], message: `action item id ${a.id} is used twice` });
      ids.add(a.id);
    });
  })
  .describe("A blameless post-mortem: timeline from events, durations from the timestamps, a root-cause analysis and action items.");
export type PostmortemInput = z.output<typeof postmortemSchema>;

const cron = z
  .string()
  .min(1)
  .max(100)
  .superRefine((v, ctx) => {
    const r = parseCron(v);
    if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
    else if (maxCronInterval(v) === undefined) ctx.addIssue({ code: "custom", message: `cron '${v}' never runs` });
  });

export const recoverySchema = z
  .strictObject({
    rto: duration.optional().describe("Recovery time objective, e.g. 1h. Missing: a tier default is proposed and warned about."),
    rpo: duration.optional().describe("Recovery point objective, e.g. 15m. Missing: a tier default is proposed and warned about."),
    backup: oneOf("backup", BACKUPS)
      .default("velero")
      .describe("velero (Schedule manifests), aws_backup (an AWS Backup plan, described in the recovery plan) or none (stateless)."),
    namespaces: z.array(namespaceName).min(1).optional().describe("Namespaces to back up. Default: the services' namespaces."),
    schedule: cron
      .optional()
      .describe("Backup schedule (cron, 5 fields, UTC, or @hourly/@daily). Default: the longest standard interval that meets the RPO."),
    retention: duration.default("30d").describe("How long backups are kept, e.g. 30d."),
    storage_location: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a Velero BackupStorageLocation name such as default" })
      .default("default")
      .describe("velero only: the BackupStorageLocation backups are written to."),
  })
  .describe("Recovery plan: RTO and RPO, backups, restore steps and a quarterly drill.");
export type RecoveryInput = z.output<typeof recoverySchema>;

const chaosDuration = z
  .string()
  .regex(/^[1-9][0-9]*(s|m)$/, { message: "a duration in seconds or minutes such as 90s or 5m" })
  .refine((v) => {
    const n = Number(v.slice(0, -1)) * (v.endsWith("m") ? 60_000 : 1000);
    return n >= 30_000 && n <= MAX_CHAOS_MS;
  }, { message: "chaos durations are bounded: between 30s and 30m" });

export const experimentSchema = z.strictObject({
  service: dnsLabel.describe("The service (one of services) whose pods are injected."),
  fault: oneOf("fault", FAULTS).describe(`The failure injected: ${FAULTS.join(", ")}.`),
  duration: chaosDuration.default("5m").describe("How long the injection lasts: 30s to 30m."),
  mode: oneOf("mode", CHAOS_MODES).default("one").describe("one pod, or fixed-percent of the pods (give percent)."),
  percent: z.number().int().min(1).max(50).optional().describe("fixed-percent only: share of the pods injected, 1 to 50."),
  target_service: dnsLabel
    .optional()
    .describe("network faults: the dependency (one of services) whose traffic is affected. Required for network_partition; otherwise all egress is affected."),
  latency: z
    .string()
    .regex(/^[1-9][0-9]{0,4}ms$/, { message: "a latency in milliseconds such as 200ms" })
    .optional()
    .describe("network_latency and http_delay: added latency. Default 200ms (network) or 500ms (http)."),
  loss_percent: z.number().int().min(1).max(100).optional().describe("network_loss: share of packets dropped. Default 30."),
  port: z.number().int().min(1).max(65535).optional().describe("http faults: the container port that serves HTTP. Default 8080, devops_kubernetes' default port."),
  cpu_load: z.number().int().min(1).max(100).optional().describe("cpu_stress: load per worker in percent. Default 80."),
  memory_size: z
    .string()
    .regex(/^[1-9][0-9]{0,5}(MB|GB)$/, { message: "a size such as 256MB or 1GB" })
    .optional()
    .describe("memory_stress: memory consumed. Default 256MB."),
});
export type ExperimentInput = z.output<typeof experimentSchema>;

export const chaosSchema = z
  .strictObject({
    engine: oneOf("engine", ENGINES).default("chaos_mesh").describe("chaos_mesh (PodChaos, NetworkChaos, StressChaos, HTTPChaos) or litmus (ChaosEngine)."),
    experiments: z
      .array(experimentSchema)
      .min(1)
      .max(50)
      .optional()
      .describe("Experiments to write. Default: a set per incident type (e.g. pod_kill and http_abort for high_error_rate) for every service."),
    max_error_ratio: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.01)
      .describe("Hypothesis: the error ratio stays below this during the injection (default 0.01 = 1 %)."),
    abort_error_ratio: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.05)
      .describe("Abort when the error ratio exceeds this for 2 minutes (default 0.05 = 5 %), or when any page fires."),
    prometheus_url: z
      .url({ protocol: /^https?$/ })
      .default("http://prometheus-operated.monitoring.svc:9090")
      .describe("litmus only: the Prometheus its promProbe queries to abort the experiment automatically. Default: the prometheus-operator service in namespace monitoring."),
  })
  .describe("Chaos experiments rehearsing these incidents, each with a hypothesis and abort conditions.");
export type ChaosInput = z.output<typeof chaosSchema>;

const HTTP_FAULTS: readonly Fault[] = ["http_abort", "http_delay"];
const NETWORK_FAULTS: readonly Fault[] = ["network_latency", "network_loss", "network_partition"];

/** Which fault each per-fault option applies to. */
const OPTION_FAULTS: Record<"target_service" | "latency" | "loss_percent" | "port" | "cpu_load" | "memory_size", readonly Fault[]> = {
  target_service: NETWORK_FAULTS,
  latency: ["network_latency", "http_delay"],
  loss_percent: ["network_loss"],
  port: HTTP_FAULTS,
  cpu_load: ["cpu_stress"],
  memory_size: ["memory_stress"],
};

export const incidentInputSchema = z
  .strictObject({
    incident_type: incidentTypeName
      .optional()
      .describe(`One incident type to write a runbook for. Known types get specific content: ${KNOWN_INCIDENT_TYPES.join(", ")}; others get a generic runbook.`),
    incident_types: z.array(incidentTypeName).min(1).max(20).optional().describe("Several incident types, instead of incident_type."),
    services: z.array(serviceEntry).min(1).max(50).describe("Services involved: names (api) or full service objects; runbook commands use their namespace and labels."),
    severity: oneOf("severity", INCIDENT_SEVERITIES)
      .default("high")
      .describe("Default severity: critical (SEV1), high (SEV2), medium (SEV3) or low (SEV4). Declared high when in doubt."),
    alerts: z
      .array(alertSchema)
      .max(500)
      .default([])
      .describe("Alerts to write runbooks for, one each at runbooks/alerts/<name>.md (the lifecycle workflow fills this from devops_alerting's rules)."),
    links: linksSchema.describe("Base URLs: runbook_base_url (where runbooks/ is browsable) and grafana_url (dashboard links)."),
    postmortem: postmortemSchema.optional(),
    recovery: recoverySchema.optional(),
    chaos: chaosSchema.optional(),
    environments: z
      .array(environmentName)
      .refine((e) => new Set(e).size === e.length, { message: "environments must not repeat" })
      .default([])
      .describe("Environments these files are for; production makes the plan need approval (chaos experiments in production always do)."),
  })
  .superRefine((input, ctx) => {
    if (input.incident_type !== undefined && input.incident_types !== undefined) {
      ctx.addIssue({ code: "custom", path: ["incident_types"], message: "give incident_type or incident_types, not both" });
    }
    if (input.incident_type === undefined && input.incident_types === undefined && input.alerts.length === 0) {
      ctx.addIssue({ code: "custom", path: ["incident_type"], message: `incident_type is required (or incident_types, or alerts to write runbooks for). Known types: ${KNOWN_INCIDENT_TYPES.join(", ")}.` });
    }
    if (input.incident_types !== undefined) {
      const seen = new Set<string>();
      input.incident_types.forEach((t, i) => {
        if (seen.has(t)) ctx.addIssue({ code: "custom", path: ["incident_types", i], message: `incident type ${t} is listed twice` });
        seen.add(t);
      });
    }
    const services = new Map<string, { kind: string }>();
    input.services.forEach((s, i) => {
      const name = typeof s === "string" ? s : s.name;
      if (services.has(name)) ctx.addIssue({ code: "custom", path: ["services", i], message: `service ${name} is listed twice` });
      services.set(name, { kind: typeof s === "string" ? "http" : s.kind });
    });
    const names = [...services.keys()];
    const alertNames = new Set<string>();
    input.alerts.forEach((a, i) => {
      if (alertNames.has(a.name)) ctx.addIssue({ code: "custom", path: ["alerts", i, "name"], message: `alert ${a.name} is listed twice` });
      alertNames.add(a.name);
      if (!services.has(a.service)) {
        ctx.addIssue({ code: "custom", path: ["alerts", i, "service"], message: `alert ${a.name} names service ${a.service}, which is not in services (${names.join(", ")}).${didYouMean(a.service, names)}` });
      }
    });
    const chaos = input.chaos;
    if (chaos) {
      if (chaos.abort_error_ratio <= chaos.max_error_ratio) {
        ctx.addIssue({ code: "custom", path: ["chaos", "abort_error_ratio"], message: `abort_error_ratio (${chaos.abort_error_ratio}) must be above max_error_ratio (${chaos.max_error_ratio})` });
      }
      const pairs = new Set<string>();
      chaos.experiments?.forEach((e, i) => {
        const at = (k: string) => ["chaos", "experiments", i, k];
        const svc = services.get(e.service);
        if (!svc) ctx.addIssue({ code: "custom", path: at("service"), message: `experiment ${i + 1} names service ${e.service}, which is not in services (${names.join(", ")}).${didYouMean(e.service, names)}` });
        const key = `${e.service} ${e.fault}`;
        if (pairs.has(key)) ctx.addIssue({ code: "custom", path: at("fault"), message: `experiment ${e.fault} on ${e.service} is listed twice` });
        pairs.add(key);
        if (chaos.engine === "litmus" && e.fault === "pod_failure") {
          ctx.addIssue({ code: "custom", path: at("fault"), message: "LitmusChaos has no pod-failure experiment; use pod_kill (pod-delete) or container_kill, or engine chaos_mesh" });
        }
        if (e.mode === "fixed-percent" && e.percent === undefined) ctx.addIssue({ code: "custom", path: at("percent"), message: "mode fixed-percent needs percent (1 to 50)" });
        if (e.mode === "one" && e.percent !== undefined) ctx.addIssue({ code: "custom", path: at("percent"), message: "percent applies to mode fixed-percent" });
        for (const [opt, faults] of Object.entries(OPTION_FAULTS)) {
          if (e[opt as keyof typeof OPTION_FAULTS] !== undefined && !faults.includes(e.fault)) {
            ctx.addIssue({ code: "custom", path: at(opt), message: `${opt} applies to ${faults.join(", ")}, not ${e.fault}` });
          }
        }
        if (e.fault === "network_partition" && e.target_service === undefined) {
          ctx.addIssue({ code: "custom", path: at("target_service"), message: "network_partition needs target_service: the dependency cut off from the service's pods" });
        }
        if (e.target_service !== undefined) {
          if (!services.has(e.target_service)) {
            ctx.addIssue({ code: "custom", path: at("target_service"), message: `target_service ${e.target_service} is not in services (${names.join(", ")}).${didYouMean(e.target_service, names)}` });
          } else if (e.target_service === e.service) {
            ctx.addIssue({ code: "custom", path: at("target_service"), message: "target_service must be another service (the dependency)" });
          }
        }
        if (HTTP_FAULTS.includes(e.fault) && svc && svc.kind !== "http") {
          ctx.addIssue({ code: "custom", path: at("fault"), message: `${e.fault} injects into HTTP/1 traffic; service ${e.service} is kind ${svc.kind}. Use network_latency or pod_kill` });
        }
      });
    }
  });

export type IncidentInput = z.output<typeof incidentInputSchema>;

export function isProduction(env: string): boolean {
  return env === "production" || env === "prod";
}

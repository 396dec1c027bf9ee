/**
 * What each service gets: its SLO alerts and symptom alerts with their
 * severities and inputs, and where each team's alerts go. Everything the
 * generators render is decided here, from the validated input.
 */
import type { Service, Severity, Slo, Symptom } from "../observability/index.js";
import { BURN_CONDITIONS, effectiveSli, errorBudget, jobOf, namespaceOf, sloAlertName, symptomAlertName } from "../observability/index.js";
import type { AlertingInput, DefaultRouting, TeamRouting, Thresholds } from "./schema.js";

export const AGENT_ID = "devops_alerting";

/** `for:` of each alert, and why (see the notes). */
export const FOR = {
  page: "2m",
  ticket: "15m",
  HighErrorRate: "5m",
  HighLatency: "10m",
  Saturation: "15m",
  TargetDown: "5m",
} as const;

export interface PlannedAlert {
  name: string;
  severity: Severity;
  /** The SLO, for burn-rate alerts. */
  slo?: Slo;
  symptom?: Symptom;
}

export interface LatencyInput {
  histogram: string;
  /** Matchers in braces, e.g. `{job="api"}`. */
  matchers: string;
  threshold: number;
  /** The latency SLO the histogram comes from, if any. */
  slo?: Slo;
}

export interface ServicePlan {
  service: Service;
  slos: Slo[];
  /** HighErrorRate reads this SLO's SLI (a real ratio SLO, or the kind's default SLI). */
  errorSli?: { slo: Slo; fromSlo: boolean };
  latency?: LatencyInput;
  alerts: PlannedAlert[];
  /** Why a symptom alert was not generated. */
  skipped: string[];
}

/** A stand-in SLO carrying only what errorRatioExpr reads, for a service's default SLI. */
function defaultSliSlo(service: Service): Slo {
  return { name: `${service.name}-requests`, service: service.name, objective: 99, window: "30d" };
}

function latencyDefault(service: Service): { histogram: string } | undefined {
  if (service.kind === "http") return { histogram: "http_request_duration_seconds" };
  if (service.kind === "grpc") return { histogram: "grpc_server_handling_seconds" };
  return undefined;
}

/** The SLO alerts that can fire at all: a burn threshold at or above 100 % errors never does. */
export function reachableSeverities(slo: Slo): Severity[] {
  const b = errorBudget(slo);
  return (["page", "ticket"] as const).filter((sev) => BURN_CONDITIONS.some((c) => c.severity === sev && c.burnRate * b < 1));
}

export function planService(service: Service, allSlos: readonly Slo[], thresholds: Thresholds): ServicePlan {
  const slos = allSlos.filter((s) => s.service === service.name);
  const skipped: string[] = [];
  const alerts: PlannedAlert[] = [];
  for (const slo of slos) {
    for (const severity of ["page", "ticket"] as const) alerts.push({ name: sloAlertName(slo, severity), severity, slo });
  }
  const critical = service.tier === "critical";

  const ratioSlo = slos.find((s) => s.sli?.ratio !== undefined || (s.sli === undefined && service.kind !== "worker"));
  let errorSli: ServicePlan["errorSli"];
  if (ratioSlo !== undefined) errorSli = { slo: ratioSlo, fromSlo: true };
  else if (service.kind !== "worker") errorSli = { slo: defaultSliSlo(service), fromSlo: false };
  if (errorSli) alerts.push({ name: symptomAlertName(service, "HighErrorRate"), severity: critical ? "page" : "ticket", symptom: "HighErrorRate" });
  else skipped.push(`${symptomAlertName(service, "HighErrorRate")}: worker services have no default error metric; give the service an SLO with sli.ratio and HighErrorRate reads it.`);

  const latencySlo = slos.find((s) => s.sli?.latency !== undefined);
  let latency: LatencyInput | undefined;
  if (latencySlo?.sli?.latency) {
    const l = latencySlo.sli.latency;
    latency = { histogram: l.histogram, matchers: l.matchers ?? `{job="${jobOf(service)}"}`, threshold: thresholds.latency_seconds ?? l.threshold_seconds, slo: latencySlo };
  } else {
    const d = latencyDefault(service);
    if (d) latency = { histogram: d.histogram, matchers: `{job="${jobOf(service)}"}`, threshold: thresholds.latency_seconds ?? 1 };
  }
  if (latency) alerts.push({ name: symptomAlertName(service, "HighLatency"), severity: "ticket", symptom: "HighLatency" });
  else skipped.push(`${symptomAlertName(service, "HighLatency")}: ${service.kind} services expose no standard latency histogram; give the service a latency SLO (sli.latency) and HighLatency reads its histogram.`);

  alerts.push({ name: symptomAlertName(service, "Saturation"), severity: "ticket", symptom: "Saturation" });
  alerts.push({ name: symptomAlertName(service, "TargetDown"), severity: critical ? "page" : "ticket", symptom: "TargetDown" });
  return { service, slos, ...(errorSli ? { errorSli } : {}), ...(latency ? { latency } : {}), alerts, skipped };
}

/** Is the SLI of an SLO computable without throwing (workers need an explicit sli)? */
export function hasSli(slo: Slo, service: Service): boolean {
  try {
    effectiveSli(slo, service);
    return true;
  } catch {
    return false;
  }
}

/** cAdvisor selector of a service's own container (the devops_kubernetes Deployment names it after the service). */
export function containerSelector(service: Service): string {
  return `{namespace="${namespaceOf(service)}",container="${service.name}"}`;
}

// ---------------------------------------------------------------------------
// Routing

export interface Destinations {
  pagerduty?: { routingKeyFile: string };
  opsgenie?: { apiKeyFile: string; apiUrl?: string; responderTeam?: string };
  ticketWebhook?: { url: string; credentialsFile?: string };
  chat?: { urlFile: string; channel?: string };
}

export interface ResolvedTeam {
  team: string;
  /** Receivers are named `<prefix>-page`, `<prefix>-ticket`, `<prefix>-chat`. */
  prefix: string;
  dest: Destinations;
}

export interface ResolvedRouting {
  /** Teams with their own entry, in input order. */
  teams: ResolvedTeam[];
  default?: ResolvedTeam;
  /** Service teams that have no entry and use routing.default. */
  fallback: string[];
}

export function destinations(prefix: string, r: TeamRouting | DefaultRouting, secretsDir: string): Destinations {
  const d: Destinations = {};
  if (r.pagerduty) d.pagerduty = { routingKeyFile: r.pagerduty.routing_key_file ?? `${secretsDir}/${prefix}-pagerduty` };
  if (r.opsgenie) {
    d.opsgenie = {
      apiKeyFile: r.opsgenie.api_key_file ?? `${secretsDir}/${prefix}-opsgenie`,
      ...(r.opsgenie.api_url !== undefined ? { apiUrl: r.opsgenie.api_url } : {}),
      ...(r.opsgenie.responder_team !== undefined ? { responderTeam: r.opsgenie.responder_team } : {}),
    };
  }
  if (r.ticket_webhook !== undefined) d.ticketWebhook = { url: r.ticket_webhook, ...(r.ticket_webhook_credentials_file !== undefined ? { credentialsFile: r.ticket_webhook_credentials_file } : {}) };
  if (r.chat_webhook_file !== undefined) d.chat = { urlFile: r.chat_webhook_file, ...(r.chat_channel !== undefined ? { channel: r.chat_channel } : {}) };
  return d;
}

export function resolveRouting(input: AlertingInput, secretsDir: string): ResolvedRouting {
  const routing = input.routing ?? { teams: [] };
  const teams = routing.teams.map((t) => ({ team: t.name, prefix: t.name, dest: destinations(t.name, t, secretsDir) }));
  const listed = new Set(teams.map((t) => t.team));
  const fallback = [...new Set(input.services.map((s) => s.team))].filter((t) => !listed.has(t));
  return { teams, ...(routing.default ? { default: { team: "default", prefix: "default", dest: destinations("default", routing.default, secretsDir) } } : {}), fallback };
}

import { z } from "zod";
import { didYouMean } from "../../core/suggest.js";
import { checkServicesAndSlos, linksSchema, serviceSchema, sloSchema, teamName } from "../observability/index.js";
import { planService } from "./config.js";

/** Where Alertmanager reads mounted secret files; defaults are `<dir>/<team>-<integration>`. */
export const SECRETS_DIR = "/etc/alertmanager/secrets";

const ABSOLUTE_FILE = /^\/(?:[A-Za-z0-9._@+-]+\/)*[A-Za-z0-9._@+-]+$/;
const UNSAFE_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** A value that is probably a key or a token rather than a file name. */
export function looksLikeKey(v: string): boolean {
  const s = v.trim();
  if (/^https?:\/\//i.test(s)) return /[?&](token|key|sig|signature|secret|apikey|api_key|access_token)=/i.test(s) || /hooks\.slack\.com|webhook\.office\.com|discord(app)?\.com\/api\/webhooks/i.test(s);
  return !s.includes("/") && s.length >= 16 && /^[A-Za-z0-9_+=.:-]+$/.test(s) && /[0-9]/.test(s) && /[A-Za-z]/.test(s);
}

const MOUNT_HINT =
  "Keys are never written into alertmanager.yml: store the key in a Kubernetes Secret (by hand or through an ExternalSecret), mount it into the Alertmanager pod and give the file's path";

/** An absolute path of a file mounted from a Secret. A key-looking value is refused without echoing it. */
function secretFile(field: string, example: string) {
  return z.string().superRefine((v, ctx) => {
    if (ABSOLUTE_FILE.test(v) && !UNSAFE_SEGMENT.test(v)) return;
    ctx.addIssue({
      code: "custom",
      message: looksLikeKey(v)
        ? `${field} looks like the key itself (not repeated here). ${MOUNT_HINT}, e.g. ${example}.`
        : `${field} must be the absolute path of a file mounted from a Secret, e.g. ${example}.`,
    });
  });
}

/** A field that is never accepted because it would inline a credential. */
function inlineKeyRefused(field: string, instead: string) {
  return z
    .unknown()
    .refine(() => false, { message: `${field} is refused: ${MOUNT_HINT} in ${instead}.` })
    .optional()
    .describe(`Never accepted: keys are not inlined. Use ${instead}.`);
}

const https = z
  .url({ protocol: /^https$/, error: "an https:// URL" })
  .superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return;
    }
    if (u.username !== "" || u.password !== "") {
      ctx.addIssue({ code: "custom", message: `the URL carries credentials (user:password@); ${MOUNT_HINT} in ticket_webhook_credentials_file (sent as a Bearer token).` });
    } else if (looksLikeKey(v)) {
      ctx.addIssue({
        code: "custom",
        message: `the URL carries a token (a secret query parameter or a chat webhook URL). ${MOUNT_HINT}: ticket_webhook_credentials_file for a Bearer token, or chat_webhook_file for a Slack-compatible webhook URL.`,
      });
    }
  });

export const pagerdutySchema = z
  .strictObject({
    routing_key_file: secretFile("pagerduty.routing_key_file", `${SECRETS_DIR}/<team>-pagerduty`)
      .optional()
      .describe(`File holding the PagerDuty Events API v2 integration (routing) key. Default: ${SECRETS_DIR}/<team>-pagerduty.`),
    routing_key: inlineKeyRefused("pagerduty.routing_key", "pagerduty.routing_key_file"),
    service_key: inlineKeyRefused("pagerduty.service_key", "pagerduty.routing_key_file (Events API v2)"),
  })
  .describe("Pages go to this PagerDuty service; its escalation policy does the escalation.");

export const opsgenieSchema = z
  .strictObject({
    api_key_file: secretFile("opsgenie.api_key_file", `${SECRETS_DIR}/<team>-opsgenie`)
      .optional()
      .describe(`File holding the Opsgenie API integration key. Default: ${SECRETS_DIR}/<team>-opsgenie.`),
    api_key: inlineKeyRefused("opsgenie.api_key", "opsgenie.api_key_file"),
    api_url: z
      .url({ protocol: /^https$/, error: "an https:// URL such as https://api.eu.opsgenie.com/" })
      .optional()
      .describe("Opsgenie API URL; set https://api.eu.opsgenie.com/ for the EU instance. Default: Alertmanager's (https://api.opsgenie.com/)."),
    responder_team: z
      .string()
      .regex(/^[A-Za-z0-9 _.-]{1,100}$/, { message: "an Opsgenie team name" })
      .optional()
      .describe("Opsgenie team that receives the alert (responders). Default: the team the API integration belongs to."),
  })
  .describe("Pages go to Opsgenie with priority P1; its escalation policy does the escalation.");

const receiverFields = {
  pagerduty: pagerdutySchema.optional(),
  opsgenie: opsgenieSchema.optional(),
  ticket_webhook: https
    .optional()
    .describe("Ticket alerts are POSTed here (Alertmanager webhook format), e.g. a Jira or ServiceNow bridge. Must not carry a credential; see ticket_webhook_credentials_file."),
  ticket_webhook_credentials_file: secretFile("ticket_webhook_credentials_file", `${SECRETS_DIR}/<team>-ticket-token`)
    .optional()
    .describe("File holding a Bearer token for ticket_webhook (http_config.authorization.credentials_file)."),
  chat_webhook_file: secretFile("chat_webhook_file", `${SECRETS_DIR}/<team>-chat`)
    .optional()
    .describe("File holding a Slack-compatible incoming-webhook URL (Slack, Mattermost, Rocket.Chat). Pages are copied there (continue: true); tickets go there when no ticket_webhook is given."),
  chat_webhook: inlineKeyRefused("chat_webhook", "chat_webhook_file (incoming-webhook URLs are credentials)"),
  chat_channel: z
    .string()
    .regex(/^[#@]?[A-Za-z0-9._-]{1,80}$/, { message: "a channel such as #shop-alerts" })
    .optional()
    .describe("Channel override for the chat webhook. Default: the webhook's own channel."),
};

function checkReceivers(r: { pagerduty?: unknown; opsgenie?: unknown; ticket_webhook?: string | undefined; ticket_webhook_credentials_file?: string | undefined; chat_webhook_file?: string | undefined; chat_channel?: string | undefined }, ctx: z.RefinementCtx): void {
  if (r.pagerduty !== undefined && r.opsgenie !== undefined) {
    ctx.addIssue({ code: "custom", path: ["opsgenie"], message: "give pagerduty or opsgenie, not both: paging two tools for one alert wakes two rotations" });
  }
  if (r.ticket_webhook_credentials_file !== undefined && r.ticket_webhook === undefined) {
    ctx.addIssue({ code: "custom", path: ["ticket_webhook_credentials_file"], message: "ticket_webhook_credentials_file needs ticket_webhook" });
  }
  if (r.chat_channel !== undefined && r.chat_webhook_file === undefined) {
    ctx.addIssue({ code: "custom", path: ["chat_channel"], message: "chat_channel needs chat_webhook_file" });
  }
  if (r.pagerduty === undefined && r.opsgenie === undefined && r.ticket_webhook === undefined && r.chat_webhook_file === undefined) {
    ctx.addIssue({ code: "custom", message: "give at least one destination: pagerduty, opsgenie, ticket_webhook or chat_webhook_file" });
  }
}

export const teamRoutingSchema = z
  .strictObject({ name: teamName.describe("Team slug, as in services[].team."), ...receiverFields })
  .superRefine(checkReceivers)
  .describe("Where one team's alerts go: pages to its pager, tickets to its webhook (or chat).");

export const defaultRoutingSchema = z
  .strictObject(receiverFields)
  .superRefine(checkReceivers)
  .describe("The default receivers: alerts of teams without an entry in routing.teams, and alerts without a team label.");

export const routingSchema = z
  .strictObject({
    teams: z.array(teamRoutingSchema).default([]).describe("One entry per team that owns services; a team without one falls back to routing.default."),
    default: defaultRoutingSchema.optional().describe("Fallback receivers for teams without an entry and for alerts without a team label. Without it, such alerts reach a receiver that notifies nobody (a warning says so)."),
  })
  .describe("Alertmanager routing: per team, page → PagerDuty/Opsgenie and ticket → webhook or chat.");

const ratio = (what: string) => z.number().gt(0).lt(1, { message: `${what} is a ratio between 0 and 1, e.g. 0.9` });

export const thresholdsSchema = z
  .strictObject({
    error_rate: ratio("error_rate").default(0.05).describe("HighErrorRate fires when more than this share of requests fails over 5m."),
    latency_seconds: z
      .number()
      .positive()
      .optional()
      .describe("HighLatency fires when p99 over 5m exceeds this. Default: the service's latency SLO threshold, else 1 second."),
    cpu_saturation: ratio("cpu_saturation").default(0.9).describe("Saturation fires when a container uses more than this share of its CPU limit."),
    cpu_throttling: ratio("cpu_throttling").default(0.25).describe("Saturation fires when more than this share of CFS periods is throttled."),
    memory_saturation: ratio("memory_saturation").default(0.9).describe("Saturation fires when a container's working set exceeds this share of its memory limit."),
  })
  .describe("Symptom alert thresholds.");

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "environment names are lower-case letters, digits and '-', starting with a letter" });

const relPath = z
  .string()
  .min(1)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/@+-]+$/, { message: "a relative path inside the project (no '..', not absolute)" });

export const alertingInputSchema = z
  .strictObject({
    services: z.array(serviceSchema).default([]).describe("Services to alert on. Each gets symptom alerts and routes by its team."),
    slos: z.array(sloSchema).default([]).describe("SLOs: each gets a fast-burn page and a slow-burn ticket (multi-window, multi-burn-rate)."),
    routing: routingSchema.optional().describe("Alertmanager receivers per team. Required when services are given."),
    thresholds: thresholdsSchema.prefault({}).describe("Symptom alert thresholds: error_rate, latency_seconds, cpu_saturation, cpu_throttling, memory_saturation."),
    links: linksSchema.describe("Base URLs for runbook_url and dashboard_url annotations."),
    analyze: relPath
      .optional()
      .describe("A rule file or directory of existing Prometheus rules (or PrometheusRule manifests) to review for alert fatigue; adds monitoring/alert-review.md and findings."),
    environments: z
      .array(environmentName)
      .refine((e) => new Set(e).size === e.length, { message: "environments must not repeat" })
      .default([])
      .describe("Environments these alerts watch, e.g. [staging, production]; production needs an approval before apply."),
  })
  .superRefine((input, ctx) => {
    if (input.services.length === 0 && input.analyze === undefined) {
      ctx.addIssue({ code: "custom", path: ["services"], message: "give at least one service to generate alerts for, or analyze: <path> to review existing rules" });
      return;
    }
    checkServicesAndSlos(input.services, input.slos, ctx, { services: ["services"], slos: ["slos"] });
    if (input.services.length === 0) return;
    const routing = input.routing;
    if (routing === undefined) {
      const team = input.services[0]?.team ?? "platform";
      ctx.addIssue({
        code: "custom",
        path: ["routing"],
        message: `routing is required with services: e.g. routing: {teams: [{name: ${team}, pagerduty: {}, ticket_webhook: https://tickets.example.com/hooks/alertmanager}]}`,
      });
      return;
    }
    const seen = new Set<string>();
    routing.teams.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: "custom", path: ["routing", "teams", i, "name"], message: `team ${t.name} is listed twice` });
      seen.add(t.name);
    });
    if (seen.has("default") && routing.default !== undefined) {
      ctx.addIssue({ code: "custom", path: ["routing", "teams"], message: "a team named default clashes with the receivers of routing.default (default-page, default-ticket); rename the team or drop routing.default" });
    }
    const known = [...seen];
    const byTeam = new Map<string, { pages: string[]; services: string[] }>();
    for (const s of input.services) {
      const p = planService(s, input.slos, input.thresholds);
      const pages = p.alerts.filter((a) => a.severity === "page").map((a) => a.name);
      const cur = byTeam.get(s.team) ?? { pages: [], services: [] };
      byTeam.set(s.team, { pages: [...cur.pages, ...pages], services: [...cur.services, s.name] });
    }
    for (const [team, owned] of byTeam) {
      const i = routing.teams.findIndex((t) => t.name === team);
      const entry = i >= 0 ? routing.teams[i] : routing.default;
      const where = i >= 0 ? `routing.teams[${i}]` : "routing.default";
      const path = i >= 0 ? ["routing", "teams", i] : ["routing"];
      if (entry === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["routing", "teams"],
          message: `team ${team} (services ${owned.services.join(", ")}) has no entry in routing.teams and there is no routing.default to fall back to: add {name: ${team}, pagerduty: {}, ticket_webhook: …} or routing.default.${didYouMean(team, known)}`,
        });
        continue;
      }
      if (owned.pages.length > 0 && entry.pagerduty === undefined && entry.opsgenie === undefined) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `team ${team} owns page alerts (${owned.pages.join(", ")}) but ${where} has neither pagerduty nor opsgenie: pages would reach no one on call. Add pagerduty: {} (key read from ${SECRETS_DIR}/${i >= 0 ? team : "default"}-pagerduty) or opsgenie: {}${i >= 0 ? ", or remove the entry so the team falls back to routing.default" : ""}.`,
        });
      }
      if (entry.ticket_webhook === undefined && entry.chat_webhook_file === undefined) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `team ${team} owns ticket alerts (every service has some) but ${where} has neither ticket_webhook nor chat_webhook_file: give one, so slow burns and saturation reach a queue instead of the pager.`,
        });
      }
    }
  });

export type AlertingInput = z.output<typeof alertingInputSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
export type TeamRouting = z.output<typeof teamRoutingSchema>;
export type DefaultRouting = z.output<typeof defaultRoutingSchema>;

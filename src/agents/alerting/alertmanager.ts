/**
 * Alertmanager configuration as a typed object: a route tree by team, then
 * severity; PagerDuty or Opsgenie for pages, a webhook (or chat) for tickets;
 * inhibition so one failure notifies once. Keys are only ever file paths.
 */
import { stringify } from "yaml";
import { markerLine } from "../../core/plans/plan.js";
import type { Links, Service } from "../observability/index.js";
import { symptomAlertName } from "../observability/index.js";
import type { Destinations, ResolvedRouting, ResolvedTeam } from "./config.js";
import { AGENT_ID } from "./config.js";

export interface AmRoute {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: AmRoute[];
}

export interface PagerdutyConfig {
  routing_key_file: string;
  send_resolved: boolean;
  severity: string;
  component: string;
  group: string;
  links?: { href: string; text: string }[];
}

export interface OpsgenieConfig {
  api_key_file: string;
  api_url?: string;
  send_resolved: boolean;
  priority: string;
  tags: string;
  responders?: { name: string; type: "team" }[];
}

export interface WebhookConfig {
  url: string;
  send_resolved: boolean;
  http_config?: { authorization: { type: "Bearer"; credentials_file: string } };
}

export interface SlackConfig {
  api_url_file: string;
  channel?: string;
  send_resolved: boolean;
  title: string;
  text: string;
}

export interface AmReceiver {
  name: string;
  pagerduty_configs?: PagerdutyConfig[];
  opsgenie_configs?: OpsgenieConfig[];
  webhook_configs?: WebhookConfig[];
  slack_configs?: SlackConfig[];
}

export interface AmInhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AlertmanagerConfig {
  global: { resolve_timeout: string };
  route: AmRoute;
  inhibit_rules: AmInhibitRule[];
  receivers: AmReceiver[];
}

export const GROUP_BY = ["alertname", "service", "slo"];
export const TIMING = {
  root: { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
  page: { group_wait: "30s", group_interval: "5m", repeat_interval: "1h" },
  ticket: { group_wait: "5m", group_interval: "30m", repeat_interval: "24h" },
} as const;
export const UNROUTED = "unrouted";

const SLACK_TITLE = '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }}, {{ .CommonLabels.service }})';
const SLACK_TEXT = '{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}';

const isAbsolute = (u: string | undefined) => u !== undefined && /^https?:\/\//.test(u);

function pageReceiver(t: ResolvedTeam, links: Links): AmReceiver | undefined {
  const name = `${t.prefix}-page`;
  const d = t.dest;
  if (d.pagerduty) {
    const pdLinks = [
      ...(isAbsolute(links.runbook_base_url) ? [{ href: "{{ .CommonAnnotations.runbook_url }}", text: "Runbook" }] : []),
      ...(isAbsolute(links.grafana_url) ? [{ href: "{{ .CommonAnnotations.dashboard_url }}", text: "Dashboard" }] : []),
    ];
    return {
      name,
      pagerduty_configs: [
        {
          routing_key_file: d.pagerduty.routingKeyFile,
          send_resolved: true,
          severity: "critical",
          component: "{{ .CommonLabels.service }}",
          group: "{{ .CommonLabels.team }}",
          ...(pdLinks.length > 0 ? { links: pdLinks } : {}),
        },
      ],
    };
  }
  if (d.opsgenie) {
    return {
      name,
      opsgenie_configs: [
        {
          api_key_file: d.opsgenie.apiKeyFile,
          ...(d.opsgenie.apiUrl !== undefined ? { api_url: d.opsgenie.apiUrl } : {}),
          send_resolved: true,
          priority: "P1",
          tags: "team={{ .CommonLabels.team }},service={{ .CommonLabels.service }},severity=page",
          ...(d.opsgenie.responderTeam !== undefined ? { responders: [{ name: d.opsgenie.responderTeam, type: "team" as const }] } : {}),
        },
      ],
    };
  }
  return undefined;
}

function chatReceiver(t: ResolvedTeam): AmReceiver | undefined {
  const c = t.dest.chat;
  if (!c) return undefined;
  return { name: `${t.prefix}-chat`, slack_configs: [{ api_url_file: c.urlFile, ...(c.channel !== undefined ? { channel: c.channel } : {}), send_resolved: true, title: SLACK_TITLE, text: SLACK_TEXT }] };
}

function ticketReceiver(t: ResolvedTeam): AmReceiver | undefined {
  const w = t.dest.ticketWebhook;
  if (!w) return undefined;
  return {
    name: `${t.prefix}-ticket`,
    webhook_configs: [{ url: w.url, send_resolved: true, ...(w.credentialsFile !== undefined ? { http_config: { authorization: { type: "Bearer" as const, credentials_file: w.credentialsFile } } } : {}) }],
  };
}

interface TeamReceivers {
  page?: AmReceiver;
  chat?: AmReceiver;
  ticket?: AmReceiver;
  /** Where tickets go: the webhook, else the chat. */
  ticketTarget?: string;
}

function receiversOf(t: ResolvedTeam, links: Links): TeamReceivers {
  const page = pageReceiver(t, links);
  const chat = chatReceiver(t);
  const ticket = ticketReceiver(t);
  const ticketTarget = ticket?.name ?? chat?.name;
  return { ...(page ? { page } : {}), ...(chat ? { chat } : {}), ...(ticket ? { ticket } : {}), ...(ticketTarget !== undefined ? { ticketTarget } : {}) };
}

/** The severity routes of one receiver set: a chat copy of pages (continue), pages, tickets. */
function severityRoutes(r: TeamReceivers): AmRoute[] {
  const routes: AmRoute[] = [];
  if (r.page && r.chat) routes.push({ receiver: r.chat.name, matchers: ['severity="page"'], continue: true, ...TIMING.page });
  if (r.page) routes.push({ receiver: r.page.name, matchers: ['severity="page"'], ...TIMING.page });
  if (r.ticketTarget !== undefined) routes.push({ receiver: r.ticketTarget, matchers: ['severity="ticket"'], ...TIMING.ticket });
  return routes;
}

function targetDownRegex(services: readonly Service[]): string {
  return services.map((s) => symptomAlertName(s, "TargetDown")).join("|");
}

export function inhibitRules(services: readonly Service[]): AmInhibitRule[] {
  const down = targetDownRegex(services);
  return [
    // A page silences the tickets of the same SLO (or, for symptom alerts, of the same service).
    { source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ["service", "slo"] },
    // A service whose targets are down: its other alerts are echoes of that.
    { source_matchers: [`alertname=~"${down}"`, 'severity="page"'], target_matchers: [`alertname!~"${down}"`], equal: ["service"] },
    // A ticket-level TargetDown silences only tickets, never a page.
    { source_matchers: [`alertname=~"${down}"`, 'severity="ticket"'], target_matchers: [`alertname!~"${down}"`, 'severity="ticket"'], equal: ["service"] },
  ];
}

export interface AlertmanagerResult {
  config: AlertmanagerConfig;
  content: string;
  /** Team → the receiver a page reaches (for tests and notes). */
  pageReceiver: Map<string, string>;
  ticketReceiver: Map<string, string>;
  rootReceiver: string;
}

export function alertmanagerConfig(routing: ResolvedRouting, services: readonly Service[], links: Links, secretsDir: string): AlertmanagerResult {
  const receivers: AmReceiver[] = [];
  const add = (r: AmReceiver | undefined) => {
    if (r && !receivers.some((x) => x.name === r.name)) receivers.push(r);
  };
  const routes: AmRoute[] = [];
  const pageReceiverOf = new Map<string, string>();
  const ticketReceiverOf = new Map<string, string>();

  const def = routing.default ? receiversOf(routing.default, links) : undefined;
  const defaultCatchAll = def?.ticketTarget;

  for (const t of routing.teams) {
    const r = receiversOf(t, links);
    add(r.page);
    add(r.chat);
    add(r.ticket);
    const catchAll = r.ticketTarget ?? defaultCatchAll ?? UNROUTED;
    routes.push({ receiver: catchAll, matchers: [`team="${t.team}"`], routes: severityRoutes(r) });
    pageReceiverOf.set(t.team, r.page?.name ?? catchAll);
    ticketReceiverOf.set(t.team, r.ticketTarget ?? catchAll);
  }
  if (def) {
    add(def.page);
    add(def.chat);
    add(def.ticket);
    routes.push(...severityRoutes(def));
    for (const team of routing.fallback) {
      pageReceiverOf.set(team, def.page?.name ?? def.ticketTarget ?? UNROUTED);
      ticketReceiverOf.set(team, def.ticketTarget ?? UNROUTED);
    }
  }
  const root = defaultCatchAll ?? UNROUTED;
  const usesUnrouted = root === UNROUTED || routes.some((r) => r.receiver === UNROUTED);
  if (usesUnrouted) receivers.push({ name: UNROUTED });

  const config: AlertmanagerConfig = {
    global: { resolve_timeout: "5m" },
    route: { receiver: root, group_by: GROUP_BY, ...TIMING.root, routes },
    inhibit_rules: inhibitRules(services),
    receivers,
  };
  const header = [
    markerLine(AGENT_ID),
    "# Routing: by team, then severity. Pages go to PagerDuty or Opsgenie (and are copied to the team chat),",
    "# tickets to the team's webhook or chat. Grouped by alertname, service and slo: one failure, one notification.",
    `# Escalation (primary, then secondary, then a manager) is the paging service's escalation policy; Alertmanager`,
    `# re-notifies a firing page every ${TIMING.page.repeat_interval} and a ticket every ${TIMING.ticket.repeat_interval} (repeat_interval).`,
    `# Keys are never inlined: every *_file below is mounted from a Kubernetes Secret under ${secretsDir}.`,
    "# Check: amtool check-config alertmanager.yml",
    "#        amtool config routes test --config.file=alertmanager.yml severity=page team=<team> service=<service>",
  ].join("\n");
  const content = `${header}\n${stringify(config, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  return { config, content, pageReceiver: pageReceiverOf, ticketReceiver: ticketReceiverOf, rootReceiver: root };
}

/** Receivers whose key files must be mounted, for the notes. */
export function secretFiles(routing: ResolvedRouting): { team: string; file: string; what: string }[] {
  const out: { team: string; file: string; what: string }[] = [];
  const of = (t: ResolvedTeam) => {
    const d: Destinations = t.dest;
    if (d.pagerduty) out.push({ team: t.team, file: d.pagerduty.routingKeyFile, what: "PagerDuty Events API v2 integration key" });
    if (d.opsgenie) out.push({ team: t.team, file: d.opsgenie.apiKeyFile, what: "Opsgenie API integration key" });
    if (d.ticketWebhook?.credentialsFile !== undefined) out.push({ team: t.team, file: d.ticketWebhook.credentialsFile, what: "ticket webhook Bearer token" });
    if (d.chat) out.push({ team: t.team, file: d.chat.urlFile, what: "chat incoming-webhook URL" });
  };
  routing.teams.forEach(of);
  if (routing.default) of(routing.default);
  return out;
}

/**
 * Runbooks, in the section structure of packs/devops/templates/
 * runbook-template.md: one per incident type at PATHS.incidentRunbook(type)
 * and one per alert at PATHS.alertRunbook(name), where the alert's
 * `runbook_url` points. Every runbook has the same numbered sections, so a
 * responder finds the same thing in the same place.
 */
import type { Links } from "../observability/index.js";
import { dashboardUid, dashboardUrl, PATHS, symptomAlertName, SYMPTOMS } from "../observability/index.js";
import type { Ctx, Profile, SevLevel } from "./catalog.js";
import { ALERT_PROFILES, GENERIC, profileOf, PROFILES } from "./catalog.js";
import type { ResolvedConfig } from "./config.js";
import { sevName } from "./config.js";
import type { Block } from "./md.js";
import { c, code, h1, h2, h3, link, ol, p, plain, relativePath, table, tasks, ul } from "./md.js";
import type { Check, Ref } from "./queries.js";
import { baseChecks, budgetRemaining, errorRatio, kubectl, sloError } from "./queries.js";
import type { AlertInput } from "./schema.js";

/** The section headings every runbook has, in order; tests hold every runbook to them. */
export const RUNBOOK_SECTIONS = [
  "1. What this means",
  "2. Triage (first 5 minutes)",
  "3. Diagnosis",
  "4. Mitigation (safest first)",
  "5. Rollback",
  "6. Escalation",
  "7. Communication",
  "8. After resolution",
] as const;

const SEVERITY_MATRIX: [SevLevel, string, string, string][] = [
  [1, "Critical journey down for most users; data loss or exposure; fast burn on a critical-tier SLO", "Page now, incident commander assigned, all hands needed", "Every 30 min, status page"],
  [2, "Major feature degraded or a subset of users down; fast burn on a standard-tier SLO", "Page now, incident commander assigned", "Every 60 min, status page if customer-visible"],
  [3, "Minor degradation with a workaround; slow burn", "Ticket, business hours", "At milestones"],
  [4, "No user impact yet (one replica down, a backup failed once)", "Ticket", "None"],
];

const CADENCE: Record<SevLevel, string> = { 1: "every 30 minutes", 2: "every 60 minutes", 3: "at milestones", 4: "none needed" };


function dashboardLinks(refs: readonly Ref[], links: Links): string {
  return refs.map((r) => link(dashboardUid(r.name), dashboardUrl(dashboardUid(r.name), links))).join(", ");
}

function severityMatrix(def: SevLevel): Block[] {
  return [
    h3("Severity matrix"),
    table(
      ["severity", "criteria (any of)", "response", "updates"],
      SEVERITY_MATRIX.map(([s, crit, resp, upd]) => [s === def ? `**${sevName(s)}** (default here)` : sevName(s), crit, resp, upd]),
    ),
    p("When unsure, declare the higher severity: downgrading is cheap, a late escalation is not."),
  ];
}

function checkBlocks(checks: readonly Check[]): Block[] {
  return checks.flatMap((chk, i) => [p(`**${i + 1}. ${chk.title}**`), code(chk.lang, chk.code), p(`Bad result: ${chk.bad}`)]);
}

function diagnosis(profile: Profile, refs: readonly Ref[], ctx: Ctx): Block[] {
  const out: Block[] = [h2(RUNBOOK_SECTIONS[2]), p("Each check is a command or a query, then what a bad result looks like. Run the first three for every service before going deeper.")];
  for (const r of refs) {
    out.push(h3(`${r.name} (namespace ${c(r.ns)}, team ${c(r.team)}, kind ${r.kind})`));
    if (r.staticTarget) out.push(p(`Metrics come from the fixed target ${c(r.metricsUrl)}. If ${r.name} runs outside the cluster, the kubectl checks apply to nothing there: use the provider's console or CLI instead.`));
    out.push(...checkBlocks([...baseChecks(r), ...profile.checks(r, ctx)]));
  }
  const shared = profile.shared?.(ctx) ?? [];
  if (shared.length > 0) out.push(h3("Shared checks"), ...checkBlocks(shared));
  if (profile.findings) out.push(h3("What the findings mean"), table(["finding", "mitigation"], profile.findings));
  return out;
}

function mitigation(profile: Profile, ctx: Ctx): Block[] {
  const out: Block[] = [h2(RUNBOOK_SECTIONS[3]), p("Mitigate before diagnosing further: stop the user impact first, find the cause afterwards. Verify each step before trying the next.")];
  profile.mitigations(ctx).forEach((s, i) => {
    out.push(h3(`4.${i + 1} ${s.title}${s.approval ? " (incident commander's approval)" : ""}`));
    if (s.text) out.push(p(s.text));
    if (s.code) out.push(code(s.code.includes("SELECT") ? "sql" : "bash", s.code));
    out.push(p(`Verify: ${s.verify}`));
  });
  return out;
}

function rollback(refs: readonly Ref[]): Block[] {
  return [
    h2(RUNBOOK_SECTIONS[4]),
    p("Roll back the service whose change lines up with the start of the incident. Check first that no database migration in the new version prevents running the previous one."),
    p("**Kubernetes Deployment** (previous revision; pick one from the history with --to-revision):"),
    code("bash", refs.map((r) => [`# ${r.name}`, kubectl(r, `rollout history ${r.workload}`), kubectl(r, `rollout undo ${r.workload}`), kubectl(r, `rollout status ${r.workload} --timeout=5m`)].join("\n")).join("\n\n")),
    p("**Helm release** (release named after the service):"),
    code("bash", refs.map((r) => [`# ${r.name}`, `helm -n ${r.ns} history ${r.name} --max 5`, `helm -n ${r.ns} rollback ${r.name} <revision> --wait --timeout 5m`].join("\n")).join("\n\n")),
    p("**GitOps** (Argo CD, Flux): revert the commit in the deployment repository; a manual rollback is undone by the next sync otherwise."),
    p("Verify: the error ratio is back under the objective for a full 5-minute window:"),
    code("promql", refs.map((r) => sloError(r)).join(" or ")),
  ];
}

function escalation(profile: Profile, refs: readonly Ref[], sev: SevLevel): Block[] {
  const teams = new Map<string, string[]>();
  for (const r of refs) {
    const names = teams.get(r.team);
    if (names) names.push(r.name);
    else teams.set(r.team, [r.name]);
  }
  const owners = [...teams].map(([t, s]) => `${c(t)} (${s.join(", ")})`).join("; ");
  return [
    h2(RUNBOOK_SECTIONS[5]),
    p(`Owning teams: ${owners}. Alertmanager routes pages by the ${c("team")} label to each team's on-call rotation.`),
    table(
      ["severity", "who is paged", "escalate when", "updates"],
      [
        [sevName(1), "Owning team's on-call and an incident commander, at once", "No acknowledgement in 5 min: secondary on-call; no working mitigation in 30 min: engineering manager", "Every 30 min"],
        [sevName(2), "Owning team's on-call; incident commander assigned", "No working mitigation in 15 min: secondary on-call", "Every 60 min"],
        [sevName(3), "Ticket to the owning team, business hours", "User impact grows or a fast burn starts: raise to SEV2", "At milestones"],
        [sevName(4), "Ticket to the owning team", "Impact appears: raise to SEV3", "None"],
      ].map((row) => (row[0] === sevName(sev) ? [`**${row[0]}** (default here)`, ...row.slice(1)] : row)),
    ),
    ul([...profile.escalation, `Raise to SEV1 when ${profile.raiseWhen}.`]),
  ];
}

function communication(profile: Profile, subject: string, refs: readonly Ref[], sev: SevLevel, slug: string): Block[] {
  const svcs = refs.map((r) => r.name).join(", ");
  return [
    h2(RUNBOOK_SECTIONS[6]),
    ul([
      `Incident channel: ${c(`#inc-<YYYYMMDD>-${slug}`)}.`,
      `Internal updates ${CADENCE[sev]} at ${sevName(sev)}, even when nothing changed.`,
      "One voice outward: the communications lead, not everyone in the channel. No speculation on the cause.",
      "Status page within 15 minutes of declaring a customer-visible incident.",
    ]),
    h3("Initial (internal)"),
    code("text", `[${sevName(sev)}] ${subject} affecting ${svcs}.\nImpact: <what users see, since when (UTC)>.\nIncident commander: <name>. Operations lead: <name>. Communications: <name>.\nCurrent action: <mitigation being tried>.\nNext update: <time UTC>.`),
    h3("Update"),
    code("text", `[${sevName(sev)}] ${subject}: update <n>.\nStatus: <investigating | mitigating | monitoring>.\nWhat changed since the last update: <facts>.\nImpact now: <what users see>.\nNext update: <time UTC>.`),
    h3("Resolved"),
    code("text", `[resolved] ${subject} affecting ${svcs}.\nUser impact from <start UTC> to <end UTC> (<duration>).\nMitigation: <what restored service>.\nFollow-up: post-mortem <id>, owner <name>, due <date>.`),
    h3("Status page"),
    code("text", `Investigating: We are investigating problems with <feature>. Some users may ${profile.userSymptom}. Next update by <time UTC>.\nIdentified: We have identified the cause and are applying a fix. Some users may still ${profile.userSymptom}. Next update by <time UTC>.\nResolved: The problem with <feature> is resolved since <time UTC>. We are sorry for the disruption.`),
  ];
}

function afterResolution(sev: SevLevel): Block[] {
  return [
    h2(RUNBOOK_SECTIONS[7]),
    tasks([
      "SLIs back within target for a full short alert window (5 minutes at the 1 h/5 m burn rate).",
      `Timeline (UTC) handed to the post-mortem owner${sev <= 2 ? `; a blameless post-mortem is due within five working days for ${sevName(sev)}` : "; a post-mortem is due if the incident burned more than 20 % of a monthly error budget"}.`,
      "Action items have one owner each and flow back into planning (postmortems/<id>.actions.yaml).",
      "This runbook updated with anything that was missing or wrong.",
    ]),
  ];
}

/** database_connection_failure → database-connection-failure; ApiHighErrorRate → api-high-error-rate */
const slugOf = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^a-z0-9]+/gi, "-")
    .toLowerCase()
    .replace(/^-|-$/g, "");

export interface RunbookFile {
  path: string;
  blocks: Block[];
}

/** The alerts of the task that concern these services, as links relative to `from`. */
function alertLinks(cfg: ResolvedConfig, services: readonly string[], from: string): string {
  const list = cfg.alerts.filter((a) => services.includes(a.service));
  return list.length === 0 ? "none given in the task" : list.map((a) => link(a.name, relativePath(from, PATHS.alertRunbook(a.name)))).join(", ");
}

export function incidentRunbook(cfg: ResolvedConfig, type: string, extras: { recovery: string[]; chaosReadme?: string }): RunbookFile {
  const { profile, known } = profileOf(type);
  const sev = Math.min(cfg.sev, profile.minSev ?? 4) as SevLevel;
  const path = PATHS.incidentRunbook(type);
  const refs = cfg.refs;
  const ctx: Ctx = { refs, ...(cfg.refs.find((r) => r.kind === "database") ? { db: cfg.refs.find((r) => r.kind === "database")! } : {}) };
  const teams = [...new Set(refs.map((r) => r.team))];
  const related = [
    ...extras.recovery.map((f) => link(`recovery plan ${f.split("/").pop()?.replace(/\.md$/, "") ?? f}`, relativePath(path, f))),
    ...(extras.chaosReadme ? [link("chaos experiments", relativePath(path, extras.chaosReadme))] : []),
  ];
  const blocks: Block[] = [
    h1(`Runbook: ${type}${known ? ` (${profile.title})` : ""}`),
    table(
      ["field", "value"],
      [
        ["Services", refs.map((r) => `${c(r.name)} (namespace ${c(r.ns)})`).join(", ")],
        ["Default severity", `${sevName(sev)} (${cfg.severity}${sev !== cfg.sev ? `, raised: the severity matrix puts ${profile.title.toLowerCase()} at ${sevName(sev)}` : ""})`],
        ["Owner team", teams.map((t) => c(t)).join(", ")],
        ["Dashboards", dashboardLinks(refs, cfg.links)],
        ["Related alerts", alertLinks(cfg, refs.map((r) => r.name), path)],
        ...(related.length > 0 ? [["Related", related.join(", ")]] : []),
        ["Last reviewed", "pending: set the date and the reviewer at the first review"],
      ],
    ),
    ...(known ? [] : [p(`${c(type)} is not one of the incident types the pack knows, so this runbook is generic. Add the checks specific to it after the first review.`)]),
    h2(RUNBOOK_SECTIONS[0]),
    p(profile.means),
    p(`User impact: ${profile.impact}`),
    h2(RUNBOOK_SECTIONS[1]),
    ol([
      `Acknowledge the page and open the dashboards: ${dashboardLinks(refs, cfg.links)}.`,
      "Confirm the scope with the queries below: which services, every pod or one, since when.",
      "Check recent changes (section 3, check 3): the last deploy of each service, infrastructure and feature-flag changes in the past 2 hours.",
      `Declare an incident if ${profile.declareWhen}, at ${sevName(sev)} unless the matrix below says higher; open ${c(`#inc-<YYYYMMDD>-${slugOf(type)}`)}.`,
      "Name the roles: incident commander (decides, does not debug), operations lead, communications lead, scribe (timeline in UTC). One person may hold several; say which.",
    ]),
    p("Scope: error ratio and error budget left, per service:"),
    code("promql", refs.flatMap((r) => [sloError(r), budgetRemaining(r)]).join("\n")),
    ...severityMatrix(sev),
    ...diagnosis(profile, refs, ctx),
    ...mitigation(profile, ctx),
    ...rollback(refs),
    ...escalation(profile, refs, sev),
    ...communication(profile, known ? profile.title : type, refs, sev, slugOf(type)),
    ...afterResolution(sev),
  ];
  return { path, blocks };
}

/** What kind of alert a name is, by the shared naming rules in observability/names.ts. */
export function classifyAlert(a: AlertInput): { profile: Profile; burn?: "fast" | "slow"; symptom?: (typeof SYMPTOMS)[number]; incidentType?: string } {
  const burn = /^(.*)ErrorBudget(Fast|Slow)Burn$/.exec(a.name);
  if (burn) {
    // A latency SLO (its name says so, e.g. CheckoutLatency…) burns through slow requests, not errors.
    const type = /Latency/.test(burn[1] ?? "") ? "high_latency" : "high_error_rate";
    return { profile: PROFILES[type], burn: burn[2] === "Fast" ? "fast" : "slow", incidentType: type };
  }
  const symptom = SYMPTOMS.find((s) => symptomAlertName({ name: a.service }, s) === a.name);
  switch (symptom) {
    case "HighErrorRate":
      return { profile: PROFILES.high_error_rate, symptom, incidentType: "high_error_rate" };
    case "HighLatency":
      return { profile: PROFILES.high_latency, symptom, incidentType: "high_latency" };
    case "Saturation":
      return { profile: ALERT_PROFILES.saturation, symptom };
    case "TargetDown":
      return { profile: ALERT_PROFILES.target_down, symptom, incidentType: "pod_crash_loop" };
    case undefined:
      return { profile: GENERIC };
  }
}

function burnText(kind: "fast" | "slow"): string {
  return kind === "fast"
    ? "The service is spending its error budget at least 14.4 times faster than sustainable over 1 h (confirmed over 5 m), or 6 times over 6 h (confirmed over 30 m). At 14.4× a 30-day budget is gone in about 2 days; at 6×, in 5 days."
    : "The service is spending its error budget at least 3 times faster than sustainable over 1 d (confirmed over 2 h), or at least as fast as sustainable over 3 d (confirmed over 6 h). At 3× a 30-day budget is gone in 10 days: act this week, not tonight.";
}

export function alertRunbook(cfg: ResolvedConfig, a: AlertInput, types: readonly string[]): RunbookFile {
  const r = cfg.byName.get(a.service)!;
  const svc = cfg.services.find((s) => s.name === a.service)!;
  const cls = classifyAlert(a);
  const profile = cls.profile;
  const sev: SevLevel = a.severity === "ticket" ? 3 : cls.burn === "fast" && svc.tier === "critical" ? 1 : 2;
  const path = PATHS.alertRunbook(a.name);
  const ctx: Ctx = { refs: [r], ...(cfg.refs.find((x) => x.kind === "database") ? { db: cfg.refs.find((x) => x.kind === "database")! } : {}) };
  const dash = link(dashboardUid(r.name), dashboardUrl(dashboardUid(r.name), cfg.links));
  const incident = cls.incidentType !== undefined && types.includes(cls.incidentType) ? link(`${cls.incidentType} runbook`, relativePath(path, PATHS.incidentRunbook(cls.incidentType))) : undefined;
  const meaning: Block[] = [h2(RUNBOOK_SECTIONS[0]), p(plain(a.summary))];
  if (a.description !== undefined) meaning.push(p(plain(a.description)));
  if (cls.burn) meaning.push(p(burnText(cls.burn)));
  else meaning.push(p(profile.means));
  meaning.push(p("Expression:"), a.expr !== undefined ? code("promql", a.expr) : p(`The expression is in ${c(PATHS.alertRules(a.service))} under ${c(a.name)}.`));
  meaning.push(p(`User impact: ${profile.impact}`));
  const ratio = errorRatio(r, "pod");
  const blocks: Block[] = [
    h1(`Runbook: ${a.name}`),
    table(
      ["field", "value"],
      [
        ["Alert", c(a.name)],
        ["Service", `${c(r.name)} (namespace ${c(r.ns)}, kind ${r.kind}, tier ${svc.tier})`],
        ["Severity", `${a.severity}: ${sevName(sev)} by default`],
        ["Owner team", c(r.team)],
        ["Alert rule", `${c(PATHS.alertRules(a.service))} (${c(a.name)})`],
        ["Dashboard", dash],
        ...(incident ? [["Incident runbook", incident]] : []),
        ["Last reviewed", "pending: set the date and the reviewer at the first review"],
      ],
    ),
    ...meaning,
    h2(RUNBOOK_SECTIONS[1]),
    ol([
      `${a.severity === "page" ? "Acknowledge the page" : "Take the ticket"} and open the dashboard: ${dash}.`,
      "Confirm the alert with the queries below: is the error ratio still high, how much budget is left, every pod or one?",
      "Check recent changes (section 3, check 3): the last deploy, infrastructure and feature-flag changes in the past 2 hours.",
      `Declare an incident if ${profile.declareWhen}, at ${sevName(sev)} unless the matrix below says higher; open ${c(`#inc-<YYYYMMDD>-${slugOf(a.name)}`)}.`,
      "Name the roles: incident commander, operations lead, communications lead, scribe.",
    ]),
    code("promql", [sloError(r), sloError(r, "1h"), budgetRemaining(r), ...(ratio !== undefined ? [ratio] : [])].join("\n")),
    ...severityMatrix(sev),
    ...diagnosis(profile, [r], ctx),
    ...mitigation(profile, ctx),
    ...rollback([r]),
    ...escalation(profile, [r], sev),
    ...communication(profile, a.name, [r], sev, slugOf(a.name)),
    ...afterResolution(sev),
  ];
  return { path, blocks };
}

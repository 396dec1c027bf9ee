/**
 * Post-incident documents from packs/devops/templates/postmortem-template.md
 * and incident-management.md: a blameless post-mortem with a UTC timeline
 * and durations computed from the task's timestamps (never the clock), a
 * structured root-cause analysis, and the action items in the lifecycle's
 * feedback form.
 */
import type { ActionItem } from "../observability/index.js";
import { objectivePercent } from "../observability/index.js";
import type { ResolvedConfig } from "./config.js";
import { sevName } from "./config.js";
import type { Block } from "./md.js";
import { c, h1, h2, h3, link, ol, p, plain, table, tasks, ul } from "./md.js";
import type { EventKind, FactorCategory, PostmortemInput } from "./schema.js";
import { humanDuration, offsetFrom, parseTimestamp, utcDate, utcTime } from "./time.js";

export const postmortemPaths = (id: string) => ({
  postmortem: `postmortems/${id}.md`,
  rca: `postmortems/${id}-rca.md`,
  actions: `postmortems/${id}.actions.yaml`,
});

/** Phrases that assign blame to people; generated text never contains them, and input that does is flagged. */
export const BLAME_PATTERNS: readonly RegExp[] = [/who caused/i, /fault of/i, /human error/i, /at fault/i, /\bblame(?!less)/i, /\bculprit/i, /\bnegligen/i, /should have known/i, /\bcareless/i];

export function blamePhrases(text: string): string[] {
  return BLAME_PATTERNS.flatMap((re) => {
    const m = re.exec(text);
    return m ? [m[0]] : [];
  });
}

/** Every text a person wrote in the post-mortem input, with where it came from. */
export function postmortemTexts(pm: PostmortemInput): { where: string; text: string }[] {
  return [
    { where: "title", text: pm.title },
    { where: "summary", text: pm.summary },
    { where: "impact", text: pm.impact },
    ...pm.events.map((e, i) => ({ where: `events[${i}]`, text: e.text })),
    ...pm.contributing_factors.map((f, i) => ({ where: `contributing_factors[${i}]`, text: typeof f === "string" ? f : f.factor })),
    ...pm.what_went_well.map((t, i) => ({ where: `what_went_well[${i}]`, text: t })),
    ...pm.where_we_got_lucky.map((t, i) => ({ where: `where_we_got_lucky[${i}]`, text: t })),
    ...pm.action_items.map((a, i) => ({ where: `action_items[${i}]`, text: a.title })),
  ];
}

interface Timed {
  at: number;
  text: string;
  kind: EventKind;
  source?: string;
}

export interface Durations {
  started: number;
  detected: number;
  mitigated?: number;
  resolved: number;
  /** started → detected */
  toDetect: number;
  /** detected → mitigated */
  toMitigate?: number;
  /** started → resolved: the duration of user impact */
  toResolve: number;
}

const ts = (v: string) => parseTimestamp(v)!;

/** Person-typed text as one sentence ending in a single full stop. */
const sentence = (t: string) => `${plain(t).replace(/[.\s]+$/, "")}.`;

/** Events sorted by time; events at the same time keep the order they were given in. */
export function sortedEvents(pm: PostmortemInput): Timed[] {
  return pm.events
    .map((e, i) => ({ e, i, at: ts(e.at) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ e, at }) => ({ at, text: e.text, kind: e.kind, ...(e.source !== undefined ? { source: e.source } : {}) }));
}

export function durations(pm: PostmortemInput): Durations {
  const started = ts(pm.started_at);
  const detected = ts(pm.detected_at);
  const resolved = ts(pm.resolved_at);
  const firstMitigation = sortedEvents(pm).find((e) => e.kind === "mitigation" && e.at >= detected);
  const mitigated = pm.mitigated_at !== undefined ? ts(pm.mitigated_at) : firstMitigation?.at;
  return {
    started,
    detected,
    resolved,
    toDetect: detected - started,
    toResolve: resolved - started,
    ...(mitigated !== undefined ? { mitigated, toMitigate: Math.max(0, mitigated - detected) } : {}),
  };
}

const FACTOR_LABEL: Record<FactorCategory, string> = { trigger: "Trigger", condition: "Conditions", detection: "Detection", response: "Response" };
const FACTOR_QUESTION: Record<FactorCategory, string> = {
  trigger: "What change or event started it?",
  condition: "What allowed the trigger to cause user impact: missing validation, no canary, a capacity limit?",
  detection: "Why did detection take as long as it did?",
  response: "What slowed or sped up the mitigation?",
};

function factors(pm: PostmortemInput): { factor: string; category: FactorCategory }[] {
  return pm.contributing_factors.map((f) => (typeof f === "string" ? { factor: f, category: "condition" as const } : f));
}

/** prevent, detect or mitigate, from the kind of planning change an item makes. */
export function actionType(a: ActionItem): string {
  switch (a.kind) {
    case "add_slo":
    case "change_objective":
    case "set_tier":
      return "detect";
    case "set_min_replicas":
    case "add_chaos_experiment":
      return "prevent";
    case "add_incident_type":
      return "mitigate";
    case "note":
      return "to classify";
  }
}

export function actionChange(a: ActionItem): string {
  switch (a.kind) {
    case "add_slo":
      return `add SLO ${c(a.slo.name)} on ${c(a.slo.service)} (${objectivePercent(a.slo)})`;
    case "change_objective":
      return `SLO ${c(a.slo)} objective to ${objectivePercent({ objective: a.objective })}`;
    case "set_min_replicas":
      return `${c(a.service)}: at least ${a.replicas} replicas`;
    case "set_tier":
      return `${c(a.service)}: tier ${a.tier}`;
    case "add_incident_type":
      return `runbook for ${c(a.incident_type)}`;
    case "add_chaos_experiment":
      return `chaos experiment ${c(a.fault)} on ${c(a.service)}`;
    case "note":
      return "none (a note for planning)";
  }
}

interface Clock {
  withDate: boolean;
  withSeconds: boolean;
}

function clockOf(pm: PostmortemInput, d: Durations): Clock {
  const all = [d.started, d.detected, d.resolved, ...(d.mitigated !== undefined ? [d.mitigated] : []), ...pm.events.map((e) => ts(e.at))];
  return { withDate: new Set(all.map(utcDate)).size > 1, withSeconds: all.some((t) => t % 60_000 !== 0) };
}

const at = (ms: number, k: Clock) => `${k.withDate ? `${utcDate(ms)} ` : ""}${utcTime(ms, k.withSeconds)}`;

export function postmortemDoc(cfg: ResolvedConfig, pm: PostmortemInput): Block[] {
  const d = durations(pm);
  const k = clockOf(pm, d);
  const events = sortedEvents(pm);
  const fs = factors(pm);
  const milestones: [string, number | undefined][] = [
    ["Impact started", d.started],
    ["Detected", d.detected],
    ["Mitigated", d.mitigated],
    ["Resolved", d.resolved],
  ];
  let previous = d.started;
  const keyRows = milestones.map(([name, t]) => {
    if (t === undefined) return [name, "not recorded", "", ""];
    const since = humanDuration(t - previous);
    previous = t;
    return [name, at(t, k), offsetFrom(d.started, t, k.withSeconds), name === "Impact started" ? "" : since];
  });
  const questions = [
    "What made the actions that led up to the incident look right at the time?",
    "Which signal would have shown the problem earlier?",
    "What slowed the mitigation, and what sped it up?",
    ...(d.toDetect > 5 * 60_000 ? [`Detection took ${humanDuration(d.toDetect)}, longer than the 5 minutes a fast-burn page needs: what was missing?`] : []),
  ];
  return [
    h1(`Post-mortem: ${plain(pm.title)} (${pm.id})`),
    table(
      ["field", "value"],
      [
        ["Date of incident", `${utcDate(d.started)} (UTC)`],
        ["Severity", `${sevName(cfg.sev)} (${cfg.severity})`],
        ["Status", "draft"],
        ["Owner", pm.owner !== undefined ? plain(pm.owner) : "to assign before the review"],
        ["Incident commander", pm.incident_commander !== undefined ? plain(pm.incident_commander) : "not recorded"],
        ["Services", cfg.refs.map((r) => c(r.name)).join(", ")],
        ["Root-cause analysis", link(`${pm.id}-rca.md`, `${pm.id}-rca.md`)],
      ],
    ),
    p("This review is blameless: it asks what the system allowed and what made each action look right at the time, so that people keep reporting what they saw."),
    h2("Summary"),
    p(plain(pm.summary)),
    h2("Impact"),
    table(
      ["measure", "value"],
      [
        ["Duration of user impact", `${at(d.started, k)} to ${at(d.resolved, k)} UTC (${humanDuration(d.toResolve)})`],
        ["Users or requests affected", plain(pm.impact)],
        ["Error budget consumed", `from the SLO dashboard: ${c(`slo:error_budget_remaining:ratio{service="…"}`)} before and after the incident`],
        ["Time to detect (start to detection)", humanDuration(d.toDetect)],
        ["Time to mitigate (detection to mitigation)", d.toMitigate !== undefined ? humanDuration(d.toMitigate) : "not recorded: give mitigated_at or an event of kind mitigation"],
        ["Time to resolve (start to resolution)", humanDuration(d.toResolve)],
      ],
    ),
    h2("Key times (UTC)"),
    table(["milestone", "time", "offset", "since previous"], keyRows),
    h2("Timeline (UTC)"),
    p(`Events sorted by time. Offsets are from the start of user impact (${at(d.started, k)} UTC); negative offsets led up to it.`),
    table(
      ["time", "offset", "event", "kind", "source"],
      events.map((e) => [at(e.at, k), offsetFrom(d.started, e.at, k.withSeconds), plain(e.text), e.kind, e.source !== undefined ? plain(e.source) : ""]),
    ),
    h2("Contributing factors"),
    ul(
      (["trigger", "condition", "detection", "response"] as const).map((cat) => {
        const list = fs.filter((f) => f.category === cat).map((f) => sentence(f.factor));
        return `**${FACTOR_LABEL[cat]}**: ${list.length > 0 ? list.join(" ") : `to fill in the review. ${FACTOR_QUESTION[cat]}`}`;
      }),
    ),
    p(`The ${link("root-cause analysis", `${pm.id}-rca.md`)} follows each factor to its conditions.`),
    h2("What went well"),
    ul(pm.what_went_well.length > 0 ? pm.what_went_well.map(plain) : ["to fill in the review"]),
    h2("Where we got lucky"),
    ul(pm.where_we_got_lucky.length > 0 ? pm.where_we_got_lucky.map(plain) : ["to fill in the review: conditions that limited the damage without being designed to"]),
    h2("Action items"),
    pm.action_items.length > 0
      ? table(
          ["id", "action", "type", "change to planning", "owner"],
          pm.action_items.map((a) => [a.id, plain(a.title), actionType(a), actionChange(a), a.owner !== undefined ? plain(a.owner) : "**unowned**: assign before the review ends"]),
        )
      : p("None yet. Each action item needs one owner, a due date and a type (prevent, detect or mitigate)."),
    p(`The items flow back into planning: ${link(`${pm.id}.actions.yaml`, `${pm.id}.actions.yaml`)} holds them under ${c("feedback:")}, ready for the lifecycle input. Due dates and priorities are agreed in the review.`),
    h2("Questions for the review"),
    ul(questions),
  ];
}

export function rcaDoc(cfg: ResolvedConfig, pm: PostmortemInput): Block[] {
  const d = durations(pm);
  const k = clockOf(pm, d);
  const events = sortedEvents(pm);
  const fs = factors(pm);
  const firstDetection = events.find((e) => e.kind === "detection");
  const before = events.filter((e) => e.at >= d.started && e.at < d.detected);
  const leadUp = events.filter((e) => e.at < d.started);
  const paged = new Set(cfg.alerts.filter((a) => a.severity === "page").map((a) => a.service));
  const unpaged = cfg.refs.filter((r) => !paged.has(r.name)).map((r) => r.name);
  const why = (n: number) => (n === 1 ? "Why did it happen?" : "Why was that possible?");
  const chains: Block[] =
    fs.length > 0
      ? fs.flatMap((f, i) => [
          h3(`Chain ${i + 1} (${f.category}): ${plain(f.factor)}`),
          ol([`${why(1)} ${sentence(f.factor)}`, ...[2, 3, 4, 5].map((n) => `${why(n)} <answer, with evidence from the timeline>`)]),
        ])
      : [h3("Chain 1"), ol([1, 2, 3, 4, 5].map((n) => `${why(n)} <answer, with evidence from the timeline>`))];
  const causal = (["trigger", "condition", "detection", "response"] as const).flatMap((cat) => {
    const list = fs.filter((f) => f.category === cat);
    return list.length > 0 ? list.map((f) => [cat, plain(f.factor), "<events that show it>"]) : [[cat, `none recorded. ${FACTOR_QUESTION[cat]}`, ""]];
  });
  const gaps = [
    `Time to detect: ${humanDuration(d.toDetect)}. A fast-burn page (14.4× over 1 h, confirmed over 5 m) fires within about 5 minutes of a severe burn; ${
      d.toDetect > 5 * 60_000 ? "detection took longer: check that the alert existed, fired, and was routed to someone awake." : "detection was within that delay."
    }`,
    firstDetection
      ? `First detection event at ${at(firstDetection.at, k)} (${offsetFrom(d.started, firstDetection.at, k.withSeconds)}${firstDetection.source !== undefined ? `, ${plain(firstDetection.source)}` : ""}): ${sentence(firstDetection.text)}`
      : "No event of kind detection: record how the incident was noticed (alert, customer report, deploy check).",
    ...(before.length > 0 ? [`Signals between the start and detection, candidates for an earlier alert: ${before.map((e) => `${offsetFrom(d.started, e.at, k.withSeconds)} ${sentence(e.text)}`).join(" ")}`] : []),
    cfg.alerts.length === 0
      ? `No alerts were given in the task: check which alert rules cover ${cfg.refs.map((r) => c(r.name)).join(", ")}.`
      : unpaged.length > 0
        ? `Services with no page alert among the task's alerts: ${unpaged.map((n) => c(n)).join(", ")}.`
        : "Every service has at least one page alert among the task's alerts.",
    ...fs.filter((f) => f.category === "detection").map((f) => `Recorded detection factor: ${sentence(f.factor)}`),
  ];
  return [
    h1(`Root-cause analysis: ${plain(pm.title)} (${pm.id})`),
    p(
      "Separate the trigger from the conditions that let it become an incident and from the contributing factors. Follow each causal chain until the next why leaves the organisation's control; complex failures have several chains. Each answer is about the system, never about a person.",
    ),
    h2("1. Problem statement"),
    table(
      ["question", "answer"],
      [
        ["What", plain(pm.summary)],
        ["Where", cfg.refs.map((r) => `${c(r.name)} (namespace ${c(r.ns)})`).join(", ")],
        ["When", `${utcDate(d.started)} ${utcTime(d.started, k.withSeconds)} to ${at(d.resolved, k)} UTC (${humanDuration(d.toResolve)})`],
        ["Impact", plain(pm.impact)],
        ["Severity", sevName(cfg.sev)],
        ["Lead-up", leadUp.length > 0 ? leadUp.map((e) => `${offsetFrom(d.started, e.at, k.withSeconds)} ${sentence(e.text)}`).join(" ") : "no events before the start of impact"],
      ],
    ),
    h2("2. Causal factors by category"),
    table(["category", "factor", "evidence in the timeline"], causal),
    h2("3. Five whys"),
    ...chains,
    h2("4. Detection gaps"),
    ul(gaps),
    h2("5. Checks against the timeline"),
    tasks([
      "Each proposed cause explains the observed symptoms and their timing.",
      `The trigger precedes the first symptom (the first event is at ${offsetFrom(d.started, events[0]!.at, k.withSeconds)}).`,
      "Each chain ends at a condition the organisation controls, or one it accepts knowingly.",
      "Every action item addresses a factor above; every factor has an action item or a reason why not.",
    ]),
  ];
}

/** The action items in the lifecycle's `feedback:` form, each tagged with the post-mortem it came from. */
export function feedbackItems(pm: PostmortemInput): Record<string, unknown>[] {
  return pm.action_items.map((a) => {
    const { id, kind, title, owner, from, ...rest } = a;
    return { id, kind, title, ...rest, ...(owner !== undefined ? { owner } : {}), from: from ?? pm.id };
  });
}

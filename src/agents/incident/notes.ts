/** Plan notes: defaults the task relied on, what to install, and what a person must decide. */
import type { Note } from "../../core/plans/plan.js";
import { editDistance } from "../../core/suggest.js";
import { profileOf } from "./catalog.js";
import type { ResolvedConfig } from "./config.js";
import { sevName } from "./config.js";
import { blamePhrases, postmortemTexts } from "./postmortem.js";
import { KNOWN_INCIDENT_TYPES } from "./schema.js";

/** The known type nearest to an unknown one, if it is a likely typo (edit distance at most 2). */
export function nearestKnownType(type: string): string | undefined {
  let best: { t: string; d: number } | undefined;
  for (const t of KNOWN_INCIDENT_TYPES) {
    const d = editDistance(type, t);
    if (d <= 2 && (best === undefined || d < best.d)) best = { t, d };
  }
  return best?.t;
}

export function generationNotes(cfg: ResolvedConfig): Note[] {
  const notes: Note[] = [];
  if (cfg.namedOnly.length > 0) {
    notes.push({
      kind: "info",
      text: `Services given by name (${cfg.namedOnly.join(", ")}) are taken as kind http, team platform, namespace = the service name, tier standard. Give full service objects ({name, kind, team, namespace}) if they differ: the runbook commands use these namespaces and the label app.kubernetes.io/name=<name>.`,
    });
  }
  for (const type of cfg.types) {
    const { profile, known } = profileOf(type);
    if (!known) {
      const near = nearestKnownType(type);
      notes.push({
        kind: "warning",
        text: `Incident type '${type}' is not one the pack knows: its runbook is generic.${near !== undefined ? ` Did you mean ${near}?` : ""} Known types: ${KNOWN_INCIDENT_TYPES.join(", ")}.`,
      });
    } else if (profile.minSev !== undefined && profile.minSev < cfg.sev) {
      notes.push({
        kind: "warning",
        text: `severity ${cfg.severity} maps to ${sevName(cfg.sev)}, but the severity matrix puts ${type.replaceAll("_", " ")} at ${sevName(profile.minSev)}: its runbook declares ${sevName(profile.minSev)}. Lower it only once the extent is known.`,
      });
    }
  }
  if (cfg.alerts.length > 0) {
    notes.push({
      kind: "info",
      text: `${cfg.alerts.length} alert runbook(s) under runbooks/alerts/. Each alert rule's runbook_url must be runbookUrl(<alert>, links) from observability/names.ts, e.g. ${cfg.alerts[0]!.name} → runbooks/alerts/${cfg.alerts[0]!.name}.md${cfg.links.runbook_base_url !== undefined ? ` under ${cfg.links.runbook_base_url}` : ""}.`,
    });
  }
  if (cfg.sev <= 2 && cfg.postmortem === undefined) {
    notes.push({
      kind: "recommendation",
      text: `At ${sevName(cfg.sev)} a blameless post-mortem is due within five working days of an incident: add postmortem {id, title, summary, impact, started_at, detected_at, resolved_at, events, action_items} to draft it with its timeline and root-cause analysis.`,
    });
  }
  if (cfg.postmortem) {
    const flagged = postmortemTexts(cfg.postmortem).flatMap(({ where, text }) => blamePhrases(text).map((ph) => `${where} ("${ph}")`));
    if (flagged.length > 0) {
      notes.push({
        kind: "warning",
        text: `Blameless wording: ${flagged.join(", ")} point at people. Rewrite them as what the system allowed and what made the action look right at the time; the post-mortem quotes the input as given.`,
      });
    }
    const unowned = cfg.postmortem.action_items.filter((a) => a.owner === undefined).map((a) => a.id);
    if (unowned.length > 0) {
      notes.push({ kind: "warning", text: `Action items without an owner: ${unowned.join(", ")}. Unowned items are not items: assign one owner each before the review ends.` });
    }
    const names = new Set(cfg.refs.map((r) => r.name));
    const elsewhere = cfg.postmortem.action_items.flatMap((a) => ("service" in a && !names.has(a.service) ? [`${a.id} (${a.service})`] : []));
    if (elsewhere.length > 0) {
      notes.push({ kind: "info", text: `Action items about services not in this task: ${elsewhere.join(", ")}. The lifecycle input must list those services for the feedback to apply.` });
    }
  }
  if (cfg.chaos === undefined) {
    const faults = [...new Set((cfg.types.length > 0 ? cfg.types : ["generic"]).flatMap((t) => profileOf(t).profile.chaos.chaos_mesh))];
    if (faults.length > 0) {
      notes.push({ kind: "recommendation", text: `Rehearse these incidents before they happen: add chaos: {} to write Chaos Mesh experiments (${faults.join(", ")}) with hypotheses and abort conditions, or chaos: {engine: litmus}.` });
    }
  }
  return notes;
}

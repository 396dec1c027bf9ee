import { stringify } from "yaml";
import { markerLine } from "../../core/plans/plan.js";
import type { Service, Slo } from "./model.js";
import type { RecordingRule } from "./names.js";
import { PATHS, sloRecordingRules } from "./names.js";

/** A Prometheus rule as written to a rule file (recording or alerting). */
export interface PromRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: PromRule[];
}

/** Render a rule file: marker header, then `groups:`; one renderer so equal groups give equal bytes. */
export function renderRuleFile(groups: readonly RuleGroup[], agent: string, comment?: string): string {
  const header = [markerLine(agent), ...(comment ? comment.split("\n").map((l) => `# ${l}`) : [])].join("\n");
  return `${header}\n${stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** The agent that owns the shared SLO recording file (its marker is in the header either way). */
export const SLO_RULES_OWNER = "devops_monitoring";

export function sloRecordingGroup(slo: Slo, service: Service): RuleGroup {
  const rules: PromRule[] = sloRecordingRules(slo, service).map((r: RecordingRule) => ({ record: r.record, expr: r.expr, labels: r.labels }));
  return { name: `slo-${slo.name}`, rules };
}

/**
 * The shared SLO recording file of one service: path and content are the same
 * whichever specialist emits it. Returns undefined when the service has no SLO.
 */
export function sloRulesFile(service: Service, slos: readonly Slo[]): { path: string; content: string } | undefined {
  const own = slos.filter((s) => s.service === service.name);
  if (own.length === 0) return undefined;
  const content = renderRuleFile(
    own.map((s) => sloRecordingGroup(s, service)),
    SLO_RULES_OWNER,
    `SLO recording rules for ${service.name}: the error ratio over every burn-rate window.\nRead by the burn-rate alerts in ${service.name}-alerts.rules.yml and by the Grafana SLO panels.`,
  );
  return { path: PATHS.sloRules(service.name), content };
}

/** Plan notes: what must exist outside the repository, and why the alerts are as they are. */
import type { Note } from "../../core/plans/plan.js";
import type { Slo } from "../observability/index.js";
import { BURN_CONDITIONS, errorBudget, objectivePercent, PATHS } from "../observability/index.js";
import type { AlertmanagerResult } from "./alertmanager.js";
import { secretFiles, TIMING, UNROUTED } from "./alertmanager.js";
import type { ResolvedRouting, ServicePlan } from "./config.js";
import { FOR, reachableSeverities } from "./config.js";
import { humanizePercentage } from "./humanize.js";
import type { RuleTestResult } from "./rule-test.js";
import { burnThreshold } from "./rules.js";

function sloLine(slo: Slo): string {
  const cond = (sev: "page" | "ticket") =>
    BURN_CONDITIONS.filter((c) => c.severity === sev)
      .map((c) => `> ${humanizePercentage(burnThreshold(slo, c.burnRate))} over ${c.long} and ${c.short}`)
      .join(" or ");
  return `${slo.name} (${objectivePercent(slo)} over ${slo.window}, budget ${humanizePercentage(errorBudget(slo))}): page when the error ratio is ${cond("page")} (for ${FOR.page}); ticket when ${cond("ticket")} (for ${FOR.ticket})`;
}

export function generationNotes(plans: readonly ServicePlan[], tests: readonly RuleTestResult[], routing: ResolvedRouting, am: AlertmanagerResult, secretsDir: string): Note[] {
  const notes: Note[] = [];
  const slos = plans.flatMap((p) => p.slos);
  if (slos.length > 0) {
    notes.push({ kind: "info", text: `Burn-rate thresholds (burn rate × error budget, Google SRE workbook): ${slos.map(sloLine).join("; ")}.` });
    notes.push({
      kind: "info",
      text:
        "Detection time: the page needs the 1h error ratio above 14.4× the budget. With rules evaluated every minute, 2 % errors against a 99.9 % objective page about 45 minutes after they start when the hour before was healthy, " +
        "and within minutes when the errors start with the series; 0.05 % errors (half the budget) never fire anything. devops-pack's own promtool tests check both.",
    });
    for (const slo of slos) {
      const reach = reachableSeverities(slo);
      if (reach.length < 2) {
        notes.push({ kind: "warning", text: `SLO ${slo.name}: with a ${humanizePercentage(errorBudget(slo))} budget some burn thresholds are at or above 100 % errors, so ${reach.length === 0 ? "neither alert" : `only the ${reach[0]} alert`} can fire. Raise the objective or accept that this SLO does not page.` });
      }
    }
  }
  notes.push({
    kind: "info",
    text:
      `for: ${FOR.page} on pages rides out one odd evaluation and adds at most ${FOR.page} to detection; ${FOR.ticket} on tickets, because a slow burn is not urgent; ` +
      `symptom alerts wait ${FOR.HighErrorRate} (error rate, target down), ${FOR.HighLatency} (latency) and ${FOR.Saturation} (saturation). ` +
      "Critical-tier services page on HighErrorRate and TargetDown; every other symptom alert opens a ticket. TargetDown is up == 0, never absent(): a job that is not scraped at all does not page here.",
  });
  const files = secretFiles(routing);
  if (files.length > 0) {
    notes.push({
      kind: "recommendation",
      text:
        `Mount the notification keys; alertmanager.yml only names files: ${files.map((f) => `${f.file} (${f.team}: ${f.what})`).join(", ")}. ` +
        `Keep them in one Kubernetes Secret in Alertmanager's namespace (e.g. alertmanager-notification-keys, one key per file name) and mount it read-only at ${secretsDir}; ` +
        "better, let External Secrets create that Secret from Vault or AWS Secrets Manager (an ExternalSecret with target.name alertmanager-notification-keys and one data entry per key), so rotation happens there. " +
        `With prometheus-operator, list the Secret in Alertmanager spec.secrets: it is mounted at ${secretsDir}/<secret-name>/<key>, so point the *_file fields there.`,
    });
  }
  const pagers = [...routing.teams, ...(routing.default ? [routing.default] : [])].filter((t) => t.dest.pagerduty || t.dest.opsgenie);
  notes.push({
    kind: "recommendation",
    text:
      `Escalation lives in the paging tool: ${pagers.length > 0 ? pagers.map((t) => `${t.team} → ${t.dest.pagerduty ? "PagerDuty" : "Opsgenie"}`).join(", ") : "no team pages yet"}. ` +
      "Give each PagerDuty service an escalation policy (primary on-call, then the secondary after 15 minutes, then the team lead after 30) with high urgency for severity critical; " +
      "in Opsgenie, route P1 alerts of the team's integration to an escalation with the same steps. " +
      `Alertmanager re-notifies a page every ${TIMING.page.repeat_interval} while it fires and a ticket every ${TIMING.ticket.repeat_interval}; teams with chat_webhook_file also get every page in their channel (a continue: true route).`,
  });
  if (slos.length > 0) {
    notes.push({
      kind: "warning",
      text:
        "Low-traffic caveat: at a few requests per minute a single failure exceeds the 14.4× threshold and pages. For such services add synthetic traffic that exercises the SLI, group small services into one SLO, " +
        "or add a minimum-volume guard to the page rule (and sum(rate(<total>[1h])) > 0.1).",
    });
  }
  for (const t of tests) {
    for (const s of t.skipped) {
      notes.push(
        s.kind === "underivable"
          ? { kind: "warning", text: `${t.path}: no synthetic series could be derived for SLO ${s.slo} (${s.reason}); its burn-rate alerts are checked by promtool check rules but its fast/slow/healthy cases are skipped. Add a test case with input series by hand.` }
          : { kind: "info", text: `${t.path}: SLO ${s.slo} has no firing case for one alert: ${s.reason}.` },
      );
    }
    for (const u of t.untested) notes.push({ kind: "info", text: `${t.path}: ${u.alert} has no firing test (${u.reason}); the healthy case still asserts it stays silent.` });
  }
  for (const p of plans) for (const s of p.skipped) notes.push({ kind: "info", text: `Not generated: ${s}` });
  if (routing.fallback.length > 0) {
    notes.push({ kind: "info", text: `Teams without an entry in routing.teams use routing.default: ${routing.fallback.join(", ")} (pages → ${am.pageReceiver.get(routing.fallback[0]!) ?? UNROUTED}).` });
  }
  if (am.rootReceiver === UNROUTED) {
    notes.push({ kind: "warning", text: `Alerts without a team label (for example from rule files not generated here) reach the receiver ${UNROUTED}, which notifies no one. Set routing.default with a ticket_webhook or chat_webhook_file to catch them.` });
  }
  const servicesWithStatic = plans.filter((p) => p.service.metrics?.target !== undefined).map((p) => p.service.name);
  notes.push({
    kind: "info",
    text:
      `Saturation reads cAdvisor series (container_cpu_usage_seconds_total, container_memory_working_set_bytes, container_spec_*) of the container named after the service in its namespace: Prometheus must scrape the kubelet's /metrics/cadvisor.` +
      (servicesWithStatic.length > 0 ? ` ${servicesWithStatic.join(", ")} ${servicesWithStatic.length > 1 ? "are" : "is"} scraped at a static target, so ${servicesWithStatic.length > 1 ? "their" : "its"} Saturation alert stays silent outside Kubernetes.` : ""),
  });
  notes.push({
    kind: "info",
    text:
      `The SLO recording files (${PATHS.sloRules("<service>")}) are byte-identical to devops_monitoring's. prometheus.yml must load ${PATHS.ruleGlob} and send alerts to Alertmanager (alerting.alertmanagers). ` +
      `Verify with: promtool check rules ${PATHS.prometheusDir}/rules/*.rules.yml; cd ${PATHS.prometheusDir}/tests && promtool test rules *.test.yml; amtool check-config ${PATHS.alertmanagerConfig}.`,
  });
  return notes;
}

/**
 * devops_monitoring: makes services measurable for `devops.monitoring` tasks.
 * Scrape configuration (or PodMonitors), RED/USE and SLO recording rules,
 * Grafana dashboards, OpenSLO definitions, LogQL investigations and an
 * OpenTelemetry Collector for traces, all derived from one services + SLOs
 * model shared with devops_alerting and devops_incident_response.
 */
import type { Artifact, PlanDraft } from "../../core/plans/plan.js";
import { artifact } from "../../core/plans/plan.js";
import { defineSpecialist } from "../../core/specialist.js";
import { PATHS, sloRulesFile } from "../observability/index.js";
import { resolveConfig } from "./config.js";
import { dashboardFiles } from "./dashboards.js";
import { logqlFile } from "./logql.js";
import { generationNotes } from "./notes.js";
import { openSloFiles } from "./openslo.js";
import { collectorFile } from "./otel.js";
import { podMonitorFiles } from "./podmonitor.js";
import { renderPrometheusConfig } from "./prometheus.js";
import { recordingRulesFile } from "./recording.js";
import { AGENT_ID } from "./render.js";
import type { MonitoringInput } from "./schema.js";
import { monitoringInputSchema } from "./schema.js";

export type { MonitoringInput } from "./schema.js";

function generate(input: MonitoringInput): PlanDraft {
  const cfg = resolveConfig(input);
  const artifacts: Artifact[] = [artifact(PATHS.prometheusConfig, "prometheus-config", renderPrometheusConfig(cfg))];
  for (const s of cfg.services) {
    const rec = recordingRulesFile(s);
    artifacts.push(artifact(rec.path, "prometheus-rules", rec.content));
    // The shared SLO file, byte-identical to the one devops_alerting emits.
    const slo = sloRulesFile(s.service, cfg.slos);
    if (slo) artifacts.push(artifact(slo.path, "prometheus-rules", slo.content));
  }
  for (const f of dashboardFiles(cfg)) artifacts.push(artifact(f.path, "grafana-dashboard", f.content));
  for (const f of openSloFiles(cfg)) artifacts.push(artifact(f.path, "openslo", f.content));
  for (const s of cfg.services) {
    const f = logqlFile(s, cfg);
    artifacts.push(artifact(f.path, "markdown", f.content));
  }
  const otel = collectorFile(cfg);
  artifacts.push(artifact(otel.path, "otel-collector", otel.content));
  for (const f of podMonitorFiles(cfg)) artifacts.push(artifact(f.path, "kubernetes", f.content));
  return { artifacts, findings: [], notes: generationNotes(cfg) };
}

export const monitoringSpecialist = defineSpecialist<MonitoringInput>({
  agent: AGENT_ID,
  taskType: "devops.monitoring",
  description: "Observability: Prometheus scrape config or PodMonitors, RED/USE and SLO recording rules, Grafana dashboards, OpenSLO, LogQL and an OpenTelemetry Collector for traces.",
  schema: monitoringInputSchema,
  environments: (input) => input.environments,
  plan: (input) => generate(input),
});

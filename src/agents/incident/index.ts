/**
 * devops_incident_response: runbooks per incident type and per alert (where
 * the alerts' runbook_url points), blameless post-mortems with a timeline
 * and a root-cause analysis, action items fed back into planning, recovery
 * plans with RTO and RPO (Velero schedules), and chaos experiments (Chaos
 * Mesh or LitmusChaos), for `devops.incident_runbook` tasks.
 */
import type { Artifact, Note, PlanDraft } from "../../core/plans/plan.js";
import { artifact } from "../../core/plans/plan.js";
import { defineSpecialist } from "../../core/specialist.js";
import { PATHS } from "../observability/index.js";
import { CHAOS_README, chaosNotes, chaosObject, chaosPath, chaosReadme, resolveExperiments } from "./chaos.js";
import type { ResolvedConfig } from "./config.js";
import { resolveConfig } from "./config.js";
import { renderMarkdown } from "./md.js";
import { generationNotes } from "./notes.js";
import { feedbackItems, postmortemDoc, postmortemPaths, rcaDoc } from "./postmortem.js";
import { recoveryDoc, recoveryNotes, recoveryPath, resolveRecovery, veleroPath, veleroSchedule } from "./recovery.js";
import { AGENT_ID, renderYamlFile } from "./render.js";
import { alertRunbook, incidentRunbook } from "./runbook.js";
import type { IncidentInput } from "./schema.js";
import { incidentInputSchema } from "./schema.js";

export type { IncidentInput } from "./schema.js";
export { incidentInputSchema } from "./schema.js";
export { AGENT_ID } from "./render.js";

const md = (path: string, kind: "runbook" | "markdown", blocks: Parameters<typeof renderMarkdown>[1]): Artifact => artifact(path, kind, renderMarkdown(AGENT_ID, blocks));

function recoveryArtifacts(cfg: ResolvedConfig): { artifacts: Artifact[]; notes: Note[]; plans: string[] } {
  if (!cfg.recovery) return { artifacts: [], notes: [], plans: [] };
  const plan = resolveRecovery(cfg, cfg.recovery);
  const artifacts: Artifact[] = [];
  const incidentLinks = cfg.types.map((t) => PATHS.incidentRunbook(t));
  for (const r of cfg.refs) {
    const svc = cfg.services.find((s) => s.name === r.name)!;
    artifacts.push(md(recoveryPath(r.name), "runbook", recoveryDoc(plan, r, svc.tier, incidentLinks)));
  }
  if (cfg.recovery.backup === "velero") {
    for (const ns of plan.namespaces) {
      artifacts.push(artifact(veleroPath(ns), "kubernetes", renderYamlFile([veleroSchedule(plan, ns)], `Velero backup of namespace ${ns}: RTO ${plan.rto}, RPO ${plan.rpo}. Apply to the cluster where Velero runs (namespace velero).`)));
    }
  }
  return { artifacts, notes: recoveryNotes(plan), plans: artifacts.filter((a) => a.path.startsWith("runbooks/recovery/")).map((a) => a.path) };
}

function chaosArtifacts(cfg: ResolvedConfig): { artifacts: Artifact[]; notes: Note[] } {
  const chaos = cfg.chaos;
  if (!chaos) return { artifacts: [], notes: [] };
  const experiments = resolveExperiments(cfg, chaos);
  const notes = chaosNotes(cfg, experiments, chaos);
  if (experiments.length === 0) {
    notes.push({ kind: "warning", text: "chaos: no experiment fits these incident types; list experiments explicitly to write some." });
    return { artifacts: [], notes };
  }
  const artifacts = experiments.map((e) =>
    artifact(chaosPath(e.name), "kubernetes", renderYamlFile([chaosObject(cfg, e, chaos)], `Chaos experiment: applying this file starts the injection; kubectl delete -f stops it. See chaos/README.md.`)),
  );
  artifacts.push(md(CHAOS_README, "markdown", chaosReadme(cfg, experiments, chaos)));
  return { artifacts, notes };
}

function generate(input: IncidentInput): PlanDraft {
  const cfg = resolveConfig(input);
  const recovery = recoveryArtifacts(cfg);
  const chaos = chaosArtifacts(cfg);
  const artifacts: Artifact[] = [];
  for (const type of cfg.types) {
    const rb = incidentRunbook(cfg, type, { recovery: recovery.plans, ...(chaos.artifacts.length > 0 ? { chaosReadme: CHAOS_README } : {}) });
    artifacts.push(md(rb.path, "runbook", rb.blocks));
  }
  for (const a of cfg.alerts) {
    const rb = alertRunbook(cfg, a, cfg.types);
    artifacts.push(md(rb.path, "runbook", rb.blocks));
  }
  const pm = cfg.postmortem;
  if (pm) {
    const paths = postmortemPaths(pm.id);
    artifacts.push(md(paths.postmortem, "markdown", postmortemDoc(cfg, pm)), md(paths.rca, "markdown", rcaDoc(cfg, pm)));
    artifacts.push(
      artifact(
        paths.actions,
        "yaml",
        renderYamlFile(
          [{ feedback: feedbackItems(pm) }],
          `Action items of post-mortem ${pm.id}, in the lifecycle's feedback form (observability/feedback.ts).\nCopy the feedback list into the lifecycle input; its planning step turns each item into a change.`,
        ),
      ),
    );
  }
  artifacts.push(...recovery.artifacts, ...chaos.artifacts);
  const notes: Note[] = [...generationNotes(cfg), ...recovery.notes, ...chaos.notes];
  return { artifacts, findings: [], notes };
}

export const incidentSpecialist = defineSpecialist<IncidentInput>({
  agent: AGENT_ID,
  taskType: "devops.incident_runbook",
  description:
    "Incident response: runbooks per incident type and per alert (triage, kubectl/PromQL/LogQL diagnosis, mitigation, rollback, escalation, communication), blameless post-mortems and root-cause analyses, recovery plans with RTO/RPO and Velero schedules, and Chaos Mesh or LitmusChaos experiments.",
  schema: incidentInputSchema,
  environments: (input) => input.environments,
  plan: (input) => generate(input),
});

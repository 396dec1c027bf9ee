/**
 * The workflows the manager runs, registered explicitly. Each id matches a
 * procedure in the pack's `workflows/` knowledge, which explains it to people.
 */
import { lifecycleSchema } from "./lifecycle-schema.js";
import type { LifecycleInput } from "./lifecycle-schema.js";
import type { WorkflowDefinition } from "./engine.js";
import { defineWorkflow } from "./engine.js";
import { alertingStep, bundleCheck, cicdStep, defaultIncidentTypes, incidentStep, infrastructureStep, lifecycleWorkflow, monitoringStep, planningStep } from "./lifecycle.js";

export type { LifecycleInput } from "./lifecycle-schema.js";
export type { WorkflowDefinition, WorkflowOutcome, StepSummary } from "./engine.js";
export type { WorkflowRunOptions } from "./engine.js";
export { runWorkflow, workflowInput, mergeArtifacts } from "./engine.js";
export { lifecycleWorkflow } from "./lifecycle.js";

const STRATEGIES = new Set(["canary", "blue_green"]);

/** Blue-green or canary, health-checked deploys with automated rollback, and burn-rate alerts as abort signals. */
export const zeroDowntimeWorkflow = defineWorkflow<LifecycleInput>({
  id: "zero-downtime-deployment",
  title: "Zero-downtime deployment",
  summary: "Canary or blue-green rollout, a pipeline with health checks and automatic rollback, burn-rate alerts as abort signals, a rollback runbook",
  schema: lifecycleSchema.superRefine((v, ctx) => {
    v.services.forEach((s, i) => {
      if (!s.kubernetes) ctx.addIssue({ code: "custom", path: ["services", i, "kubernetes"], message: `service ${s.name} needs a kubernetes section: a zero-downtime deployment is a Kubernetes rollout` });
      else if (typeof s.kubernetes.strategy !== "string" || !STRATEGIES.has(s.kubernetes.strategy)) ctx.addIssue({ code: "custom", path: ["services", i, "kubernetes", "strategy"], message: `service ${s.name}: a zero-downtime deployment uses strategy canary or blue_green (got ${JSON.stringify(s.kubernetes.strategy ?? "rolling")})` });
      if (!s.cicd) ctx.addIssue({ code: "custom", path: ["services", i, "cicd"], message: `service ${s.name} needs a cicd section with a deploy stage: the pipeline runs the health checks and the automatic rollback` });
    });
    if (v.slos.length === 0) ctx.addIssue({ code: "custom", path: ["slos"], message: "give at least one SLO: its burn-rate alerts are the rollout's abort signal" });
  }),
  steps: [planningStep, infrastructureStep, cicdStep, monitoringStep, alertingStep, incidentStep(() => ["deployment_failure"])],
  check: bundleCheck,
});

/** Backups (Velero or AWS Backup), a restore runbook, a drill plan, RTO and RPO. */
export const disasterRecoveryWorkflow = defineWorkflow<LifecycleInput>({
  id: "disaster-recovery",
  title: "Disaster recovery",
  summary: "Backup schedules (Velero or AWS Backup), the restore runbook, a drill plan, RTO and RPO, and alerts on the services being restored",
  schema: lifecycleSchema.superRefine((v, ctx) => {
    if (!v.incidents.recovery) ctx.addIssue({ code: "custom", path: ["incidents", "recovery"], message: "disaster recovery needs incidents.recovery: {rto, rpo, backup: velero | aws_backup}" });
  }),
  steps: [planningStep, infrastructureStep, monitoringStep, alertingStep, incidentStep((services) => ["data_loss", ...defaultIncidentTypes(services).filter((t) => t === "database_connection_failure")])],
  check: bundleCheck,
});

/** Monitoring, alerting and runbooks for services that are already deployed. */
export const monitoringSetupWorkflow = defineWorkflow<LifecycleInput>({
  id: "monitoring-setup",
  title: "Monitoring setup",
  summary: "SLOs, scrape configuration, recording rules, dashboards, burn-rate alerts and their runbooks for running services",
  schema: lifecycleSchema,
  steps: [planningStep, monitoringStep, alertingStep, incidentStep(defaultIncidentTypes)],
  check: bundleCheck,
});

export const WORKFLOWS: readonly WorkflowDefinition<LifecycleInput>[] = [lifecycleWorkflow, zeroDowntimeWorkflow, disasterRecoveryWorkflow, monitoringSetupWorkflow];

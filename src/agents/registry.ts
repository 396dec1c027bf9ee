import type { Specialist } from "../core/specialist.js";

/** One built specialist: its routing keys, and its module, loaded only when a task needs it. */
export interface SpecialistEntry {
  taskType: string;
  agent: string;
  load(): Promise<Specialist<unknown>>;
}

/**
 * Every built specialist, registered explicitly. A task type declared by an
 * agent's `handles` but missing here is reported as "not built yet".
 * A test checks that each entry's module agrees with its keys.
 */
export const SPECIALISTS: readonly SpecialistEntry[] = [
  {
    taskType: "devops.cicd",
    agent: "devops_cicd",
    load: async () => (await import("./cicd/index.js")).cicdSpecialist,
  },
  {
    taskType: "devops.terraform",
    agent: "devops_terraform",
    load: async () => (await import("./terraform/index.js")).terraformSpecialist,
  },
  {
    taskType: "devops.kubernetes",
    agent: "devops_kubernetes",
    load: async () => (await import("./kubernetes/index.js")).kubernetesSpecialist,
  },
  {
    taskType: "devops.monitoring",
    agent: "devops_monitoring",
    load: async () => (await import("./monitoring/index.js")).monitoringSpecialist,
  },
  {
    taskType: "devops.alerting",
    agent: "devops_alerting",
    load: async () => (await import("./alerting/index.js")).alertingSpecialist,
  },
  {
    taskType: "devops.incident_runbook",
    agent: "devops_incident_response",
    load: async () => (await import("./incident/index.js")).incidentSpecialist,
  },
];

/**
 * The documented DevOps lifecycle: Planning → Infrastructure → CI/CD → Monitoring →
 * Alerting → Incident Response. Deployed services become scrape targets,
 * SLOs become dashboards and burn-rate alerts, alerts become runbooks, and a
 * post-mortem's action items (`feedback`) change the planning input.
 */
import { stringify } from "yaml";
import type { Artifact } from "../../../core/plans/plan.js";
import { artifact, markerLine } from "../../../core/plans/plan.js";
import { badInput } from "../../../core/errors.js";
import type { Service, Slo } from "../../observability/index.js";
import { dashboardUid, metricsOf, namespaceOf, objectivePercent } from "../../observability/index.js";
import type { PlannedTask, StepContext, StepDefinition } from "./engine.js";
import { combine, defineWorkflow, MANAGER_AGENT } from "./engine.js";
import type { PlanningChange } from "./feedback.js";
import { applyFeedback } from "./feedback.js";
import type { LifecycleInput, LifecycleService } from "./lifecycle-schema.js";
import { lifecycleSchema } from "./lifecycle-schema.js";
import { alertRules, checkReferences } from "./references.js";

/** Every workflow over a lifecycle input checks its bundle's cross-references. */
export function bundleCheck(input: LifecycleInput, artifacts: readonly Artifact[]): { problems: string[]; external: string[] } {
  return checkReferences(artifacts, input.links);
}

export const PLANNING_DOC = "docs/devops/lifecycle-plan.md";
export const NEXT_INPUT = "docs/devops/lifecycle-input.next.yaml";

interface PlanningExports {
  input: LifecycleInput;
  changes: PlanningChange[];
}
export interface DeployedService {
  service: string;
  namespace: string;
  metricsPort?: number;
}
export interface ExportedAlert {
  name: string;
  severity: "page" | "ticket";
  service: string;
  summary: string;
  description?: string;
  expr?: string;
}

function planned(ctx: StepContext<LifecycleInput>): LifecycleInput {
  return (ctx.exports.get("planning") as PlanningExports).input;
}

/** What the planning step will hand the others: the input with the post-mortem action items applied. */
function plannedFrom(input: LifecycleInput): LifecycleInput {
  return applyFeedback(input).input;
}

/** Where top-level task fields come from in the workflow input, except those the section sets itself (its value wins). */
function filledFrom(section: Record<string, unknown>, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !Object.hasOwn(section, k)));
}

/** Run a planned task as this step's specialist task. */
function runTask(ctx: StepContext<LifecycleInput>, t: PlannedTask) {
  return ctx.plan(t.type, t.input, t.at);
}

/** The observability fields of a lifecycle service (what monitoring, alerting and incident response take). */
export function observed(s: LifecycleService): Service {
  return { name: s.name, kind: s.kind, team: s.team, tier: s.tier, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), ...(s.metrics !== undefined ? { metrics: s.metrics } : {}) };
}

export function defaultIncidentTypes(services: readonly Service[]): string[] {
  const types = ["high_error_rate", "high_latency", "deployment_failure"];
  if (services.some((s) => s.kind === "database")) types.push("database_connection_failure");
  return types;
}

function planningDoc(input: LifecycleInput, changes: readonly PlanningChange[]): string {
  const lines = [
    `<!-- ${markerLine(MANAGER_AGENT, "").trim()} -->`,
    `# ${input.name}: lifecycle plan`,
    "",
    "The manager's lifecycle workflow: Planning → Infrastructure → CI/CD → Monitoring → Alerting → Incident Response.",
    "Each step's outputs feed the next: deployed services become scrape targets, SLOs become dashboards and burn-rate alerts, and alerts become runbooks.",
    "",
    `Environments: ${input.environments.join(", ")}.`,
    "",
    "## Services",
    "",
    "| service | kind | team | tier | namespace | deployed here | pipeline | dashboard |",
    "|---|---|---|---|---|---|---|---|",
    ...input.services.map((s) => `| ${s.name} | ${s.kind} | ${s.team} | ${s.tier} | ${namespaceOf(s)} | ${s.kubernetes ? "yes" : "no"} | ${s.cicd ? "yes" : "no"} | ${dashboardUid(s.name)} |`),
    "",
    "## Service level objectives",
    "",
    ...(input.slos.length === 0
      ? ["No SLOs were given: only symptom alerts are generated. Agree an availability and a latency SLO per user-facing service."]
      : ["| SLO | service | objective | window |", "|---|---|---|---|", ...input.slos.map((o: Slo) => `| ${o.name} | ${o.service} | ${objectivePercent(o)} | ${o.window} |`)]),
    "",
    "## Changes from post-mortem action items",
    "",
    ...(changes.length === 0
      ? ["None: no `feedback` was given. Feed a post-mortem's `postmortems/<id>.actions.yaml` items back under `feedback:` to fold them in."]
      : [...changes.map((c) => `- ${c.item} (${c.kind}): ${c.change}`), "", `The revised planning input is in \`${NEXT_INPUT}\`; make it the next run's input.`]),
    "",
  ];
  return lines.join("\n");
}

export const planningStep: StepDefinition<LifecycleInput> = {
  id: "planning",
  title: "Planning",
  reads: (input) => input,
  run: (ctx) => {
    const { input, changes } = applyFeedback(ctx.input);
    for (const slo of input.slos) {
      if (!input.services.some((s) => s.name === slo.service)) throw badInput(`feedback: SLO ${slo.name} names service ${slo.service}, which is not in services.`);
    }
    const artifacts: Artifact[] = [artifact(PLANNING_DOC, "markdown", planningDoc(input, changes))];
    if (changes.length > 0) {
      const next = { ...input, feedback: undefined };
      artifacts.push(artifact(NEXT_INPUT, "yaml", `${markerLine(MANAGER_AGENT)}\n# The lifecycle input with the post-mortem action items applied.\n${stringify({ workflow: "lifecycle", input: JSON.parse(JSON.stringify(next)) as unknown }, { lineWidth: 0, aliasDuplicateObjects: false })}`));
    }
    const exports: PlanningExports = { input, changes };
    return Promise.resolve({ artifacts, findings: [], notes: changes.map((c) => ({ kind: "info" as const, text: `action item ${c.item}: ${c.change}` })), touchesSecrets: false, environments: [], exports });
  },
};

function terraformTask(input: LifecycleInput): PlannedTask[] {
  return input.infrastructure.terraform ? [{ type: "devops.terraform", input: input.infrastructure.terraform, at: "infrastructure.terraform" }] : [];
}

function kubernetesTask(input: LifecycleInput, s: LifecycleService & { kubernetes: Record<string, unknown> }, i: number): PlannedTask {
  const m = metricsOf(s);
  const k8s: Record<string, unknown> = { environments: input.environments, ...s.kubernetes, name: s.name, namespace: namespaceOf(s) };
  if (m.port !== undefined) k8s.metrics = { port: m.port, path: m.path };
  const at = `services[${i}]`;
  return { type: "devops.kubernetes", input: k8s, at: `${at}.kubernetes`, from: { ...filledFrom(s.kubernetes, { environments: "environments" }), name: `${at}.name`, namespace: `${at}.namespace`, ...(m.port !== undefined ? { metrics: `${at}.metrics` } : {}) } };
}

export const infrastructureStep: StepDefinition<LifecycleInput> = {
  id: "infrastructure",
  title: "Infrastructure",
  reads: (input) => ({ infrastructure: input.infrastructure, services: input.services.map((s) => ({ name: s.name, namespace: s.namespace, metrics: s.metrics, kind: s.kind, kubernetes: s.kubernetes })), environments: input.environments }),
  tasks: (raw) => {
    const input = plannedFrom(raw);
    return [...terraformTask(input), ...input.services.flatMap((s, i) => (s.kubernetes ? [kubernetesTask(input, { ...s, kubernetes: s.kubernetes }, i)] : []))];
  },
  run: async (ctx) => {
    const input = planned(ctx);
    const drafts = [];
    for (const t of terraformTask(input)) drafts.push(await runTask(ctx, t));
    const deployed: DeployedService[] = [];
    for (const [i, s] of input.services.entries()) {
      if (!s.kubernetes) continue;
      const m = metricsOf(s);
      drafts.push(await runTask(ctx, kubernetesTask(input, { ...s, kubernetes: s.kubernetes }, i)));
      deployed.push({ service: s.name, namespace: namespaceOf(s), ...(m.port !== undefined ? { metricsPort: m.port } : {}) });
    }
    return combine(drafts, { deployed });
  },
};

/** `.github/workflows/ci.yml` → `.github/workflows/<service>-ci.yml`, with local `uses:` references rewritten. */
function prefixWorkflows(service: string, artifacts: readonly Artifact[]): Artifact[] {
  const renames = new Map<string, string>();
  for (const a of artifacts) {
    const m = /^\.github\/workflows\/([^/]+)$/.exec(a.path);
    if (m) renames.set(a.path, `.github/workflows/${service}-${m[1]!}`);
  }
  return artifacts.map((a) => {
    let content = a.content;
    for (const [from, to] of renames) content = content.replaceAll(`./${from}`, `./${to}`);
    return artifact(renames.get(a.path) ?? a.path, a.kind, content);
  });
}

function cicdTask(input: LifecycleInput, s: LifecycleService & { cicd: Record<string, unknown> }, i: number): PlannedTask {
  return { type: "devops.cicd", input: { environments: input.environments, ...s.cicd, name: s.name }, at: `services[${i}].cicd`, from: { ...filledFrom(s.cicd, { environments: "environments" }), name: `services[${i}].name` } };
}

export const cicdStep: StepDefinition<LifecycleInput> = {
  id: "cicd",
  title: "CI/CD",
  reads: (input) => ({ services: input.services.map((s) => ({ name: s.name, cicd: s.cicd })), environments: input.environments }),
  tasks: (raw) => {
    const input = plannedFrom(raw);
    return input.services.flatMap((s, i) => (s.cicd ? [cicdTask(input, { ...s, cicd: s.cicd }, i)] : []));
  },
  run: async (ctx) => {
    const input = planned(ctx);
    const withPipelines = input.services.filter((s) => s.cicd !== undefined);
    const drafts = [];
    for (const s of withPipelines) {
      const i = input.services.indexOf(s);
      const d = await runTask(ctx, cicdTask(input, { ...s, cicd: s.cicd! }, i));
      drafts.push(withPipelines.length > 1 ? { ...d, artifacts: prefixWorkflows(s.name, d.artifacts) } : d);
    }
    return combine(drafts, { pipelines: withPipelines.map((s) => s.name) });
  },
};

/** The monitoring or alerting task: that section, plus the services, SLOs, links and environments. */
function observabilityTask(input: LifecycleInput, section: "monitoring" | "alerting"): PlannedTask {
  const own = input[section];
  return {
    type: `devops.${section}`,
    input: { environments: input.environments, ...own, services: input.services.map(observed), slos: input.slos, links: input.links },
    at: section,
    from: { ...filledFrom(own, { environments: "environments" }), services: "services", slos: "slos", links: "links" },
  };
}

export const monitoringStep: StepDefinition<LifecycleInput> = {
  id: "monitoring",
  title: "Monitoring",
  reads: (input) => ({ services: input.services.map(observed), slos: input.slos, links: input.links, monitoring: input.monitoring, environments: input.environments }),
  tasks: (raw) => [observabilityTask(plannedFrom(raw), "monitoring")],
  run: async (ctx) => {
    const input = planned(ctx);
    const d = await runTask(ctx, observabilityTask(input, "monitoring"));
    const dashboards = d.artifacts.filter((a) => a.kind === "grafana-dashboard").map((a) => a.path);
    return combine([d], { dashboards });
  },
};

/** Alerts from the alerting step's rule files: what the incident step writes runbooks for. */
export function alertsIn(artifacts: readonly Artifact[]): ExportedAlert[] {
  return alertRules(artifacts).map((r) => ({
    name: r.name,
    severity: r.labels.severity === "page" ? "page" : "ticket",
    service: r.labels.service ?? "unknown",
    summary: r.annotations.summary ?? r.name,
    ...(r.annotations.description !== undefined ? { description: r.annotations.description } : {}),
    ...(r.expr !== undefined ? { expr: r.expr } : {}),
  }));
}

export const alertingStep: StepDefinition<LifecycleInput> = {
  id: "alerting",
  title: "Alerting",
  reads: (input) => ({ services: input.services.map(observed), slos: input.slos, links: input.links, alerting: input.alerting, environments: input.environments }),
  tasks: (raw) => [observabilityTask(plannedFrom(raw), "alerting")],
  run: async (ctx) => {
    const input = planned(ctx);
    const d = await runTask(ctx, observabilityTask(input, "alerting"));
    return combine([d], { alerts: alertsIn(d.artifacts) });
  },
};

/** The incident step; `defaults` picks the incident types when the input names none. */
export const incidentStep = (defaults: (services: readonly Service[]) => string[]): StepDefinition<LifecycleInput> => {
  /** The incident task; `alerts` come from the alerting step (none before it has run). */
  const incidentTask = (input: LifecycleInput, alerts: ExportedAlert[]): PlannedTask => {
    const services = input.services.map(observed);
    const inc = input.incidents;
    const task: Record<string, unknown> = {
      incident_types: inc.types ?? defaults(services),
      services,
      severity: inc.severity,
      alerts,
      links: input.links,
      environments: input.environments,
    };
    if (inc.chaos) task.chaos = inc.chaos;
    if (inc.recovery) task.recovery = inc.recovery;
    if (inc.postmortem) task.postmortem = inc.postmortem;
    return { type: "devops.incident_runbook", input: task, at: "incidents", from: { incident_types: "incidents.types", services: "services", links: "links", environments: "environments" }, later: ["alerts"] };
  };
  return {
    id: "incident",
    title: "Incident response",
    reads: (input) => ({ services: input.services.map(observed), incidents: input.incidents, links: input.links, environments: input.environments }),
    tasks: (raw) => [incidentTask(plannedFrom(raw), [])],
    run: async (ctx) => {
      const input = planned(ctx);
      const alerts = (ctx.exports.get("alerting") as { alerts: ExportedAlert[] }).alerts;
      const d = await runTask(ctx, incidentTask(input, alerts));
      return combine([d], { runbooks: d.artifacts.filter((a) => a.kind === "runbook").map((a) => a.path) });
    },
  };
};

export const lifecycleWorkflow = defineWorkflow<LifecycleInput>({
  id: "lifecycle",
  title: "DevOps lifecycle",
  summary: "Planning → Infrastructure → CI/CD → Monitoring → Alerting → Incident Response: one input, one cross-referenced bundle",
  schema: lifecycleSchema,
  steps: [planningStep, infrastructureStep, cicdStep, monitoringStep, alertingStep, incidentStep(defaultIncidentTypes)],
  check: bundleCheck,
});

/**
 * The lifecycle workflow's one input: the services, their SLOs and the
 * environments, plus each specialist's own section. Sections that belong to
 * a specialist (kubernetes, cicd, terraform, monitoring, alerting) are
 * passed through here and validated by that specialist's schema when its
 * step runs, so an error names the exact field (`services[0].kubernetes…`).
 */
import { z } from "zod";
import { actionItemSchema, checkServicesAndSlos, dnsLabel, linksSchema, oneOf, serviceSchema, sloSchema } from "../../observability/index.js";

const section = (what: string) => z.record(z.string(), z.unknown()).describe(what);

const environmentName = z.string().regex(/^[a-z][a-z0-9-]{0,29}$/, { message: "environment names are lower-case letters, digits and '-', starting with a letter" });

export const lifecycleServiceSchema = serviceSchema.extend({
  kubernetes: section("A devops.kubernetes input without name, namespace, environments and metrics (filled from the service). Omit when the service is not deployed by this bundle.").optional(),
  cicd: section("A devops.cicd input without name and environments. Omit for no pipeline.").optional(),
});

export const lifecycleSchema = z
  .strictObject({
    name: dnsLabel.describe("The system's name, used in the planning document."),
    environments: z.array(environmentName).min(1).default(["staging", "production"]).describe("Environments every step targets."),
    links: linksSchema,
    services: z.array(lifecycleServiceSchema).min(1).describe("The services: deployed (kubernetes), built (cicd), scraped, alerted on and given runbooks."),
    slos: z.array(sloSchema).default([]).describe("SLOs: they become recording rules, dashboards and burn-rate alerts."),
    infrastructure: z
      .strictObject({ terraform: section("A devops.terraform input for the cloud infrastructure.").optional() })
      .default({})
      .describe("Cloud infrastructure (Terraform)."),
    monitoring: section("Extra devops.monitoring fields (discovery, scrape_interval, tracing).").default({}),
    alerting: section("Extra devops.alerting fields (routing, thresholds).").default({}),
    incidents: z
      .strictObject({
        types: z.array(z.string().regex(/^[a-z][a-z0-9_]{1,60}$/, { message: "a snake_case incident type" })).optional().describe("Incident types to write runbooks for. Default: from the service kinds."),
        severity: oneOf("severity", ["critical", "high", "medium", "low"] as const).default("high"),
        chaos: section("A devops.incident_runbook chaos section: engine (chaos_mesh or litmus), experiments [{service, fault, …}], abort thresholds.").optional(),
        recovery: section("A devops.incident_runbook recovery section (rto, rpo, backup).").optional(),
        postmortem: section("A devops.incident_runbook postmortem section.").optional(),
      })
      .default({ severity: "high" })
      .describe("Incident response: runbook types, severity, chaos experiments, recovery, a post-mortem."),
    feedback: z.array(actionItemSchema).default([]).describe("Post-mortem action items to fold into this plan (the continuous-improvement loop)."),
  })
  .superRefine((v, ctx) => checkServicesAndSlos(v.services, v.slos, ctx, { services: ["services"], slos: ["slos"] }));

export type LifecycleInput = z.output<typeof lifecycleSchema>;
export type LifecycleService = LifecycleInput["services"][number];

/**
 * Post-mortem action items in a form the lifecycle workflow can apply: the
 * continuous-improvement loop. devops_incident_response writes them (from a
 * post-mortem's `action_items`) into `postmortems/<id>.actions.yaml`; the
 * lifecycle input takes them back under `feedback:` and its planning step
 * turns each one into a change of the planning input, listed in the plan.
 */
import { z } from "zod";
import { dnsLabel, oneOf, sloSchema } from "./model.js";

export const FEEDBACK_KINDS = ["add_slo", "change_objective", "set_min_replicas", "set_tier", "add_incident_type", "add_chaos_experiment", "note"] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

const base = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, { message: "an action item id such as AI-1" }).describe("Action item id, e.g. AI-1."),
  title: z.string().min(1).max(200).describe("What will be done, in one line."),
  owner: z.string().max(80).optional().describe("Who owns the action item (a team or a person)."),
  from: z.string().max(80).optional().describe("The post-mortem it came from."),
};

export const actionItemSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ ...base, kind: z.literal("add_slo"), slo: sloSchema }),
    z.strictObject({ ...base, kind: z.literal("change_objective"), slo: dnsLabel, objective: z.number().gt(0).lt(100) }),
    z.strictObject({ ...base, kind: z.literal("set_min_replicas"), service: dnsLabel, replicas: z.number().int().min(1).max(100) }),
    z.strictObject({ ...base, kind: z.literal("set_tier"), service: dnsLabel, tier: oneOf("tier", ["critical", "standard"] as const) }),
    z.strictObject({ ...base, kind: z.literal("add_incident_type"), incident_type: z.string().regex(/^[a-z][a-z0-9_]{1,60}$/, { message: "a snake_case incident type such as database_connection_failure" }) }),
    z.strictObject({ ...base, kind: z.literal("add_chaos_experiment"), service: dnsLabel, fault: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, { message: "a fault name such as pod_kill or network_latency" }) }),
    z.strictObject({ ...base, kind: z.literal("note") }),
  ],
  {
    error: (iss) => (iss.code === "invalid_union" ? `action item kind must be one of: ${FEEDBACK_KINDS.join(", ")}` : undefined),
  },
);
export type ActionItem = z.output<typeof actionItemSchema>;

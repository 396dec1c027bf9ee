/**
 * The gate policy, written once: what makes a scan pass, which suppressions
 * count, which compliance frameworks exist, when a plan needs a person's
 * approval, and when the security gate may be off. The CLI's `scan`, the MCP
 * server's `devops_scan` and `plan_apply`, the gate engine and `apply` all
 * decide through these functions; none of them restates a rule.
 *
 * Pure: no disk, no network, no clock.
 */
import { join } from "node:path";
import type { Severity } from "./findings.js";
import type { EnvironmentClass, EnvironmentPolicy } from "./plans/environments.js";
import { classifyEnvironments } from "./plans/environments.js";
import type { Plan } from "./plans/plan.js";

/** The compliance frameworks the scanner maps rules to. */
export const FRAMEWORKS = ["cis-aws", "cis-k8s", "soc2"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The security score a scan needs when no threshold is given (the built-in gate.security.infra's). */
export const DEFAULT_SCAN_THRESHOLD = 95;

/** The project's suppressions file, read by `scan` and `devops_scan` alike. */
export const SUPPRESSIONS_FILE = join(".devops-pack", "suppressions.yaml");

/** The built-in security gate's id: a plan is applied only if it ran and passed, or was turned off on purpose. */
export const SECURITY_GATE_ID = "gate.security.infra";

/** What the verdict reads of a scan result. */
export interface ScanOutcome {
  score: number;
  findings: readonly { ruleId: string; severity: Severity; file: string; line?: number | undefined; message: string; suppressed?: unknown }[];
  controls: readonly { framework: string; control: string; status: string; failedRules: readonly string[] }[];
}

/**
 * Does a finding count? A suppressed one (inline with a reason, or in the
 * suppressions file) is an accepted risk: it neither blocks nor lowers the score.
 */
export function counts(f: { suppressed?: unknown }): boolean {
  return f.suppressed === undefined || f.suppressed === null || f.suppressed === false;
}

/**
 * The scan verdict: the score reaches the threshold, no counting finding is
 * critical, and no mandatory control of the selected frameworks failed.
 * Returns every reason it blocks.
 */
export function scanVerdict(scan: ScanOutcome, threshold: number = DEFAULT_SCAN_THRESHOLD): { ok: boolean; blocking: string[] } {
  const blocking: string[] = [];
  if (scan.score < threshold) blocking.push(`security score ${scan.score}% is below ${threshold}%`);
  for (const f of scan.findings) {
    if (counts(f) && f.severity === "critical") blocking.push(`critical ${f.ruleId} in ${f.file}${f.line ? `:${f.line}` : ""}: ${f.message}`);
  }
  for (const c of scan.controls) {
    if (c.status === "failed") blocking.push(`${c.framework} ${c.control} failed: ${c.failedRules.join(", ")}`);
  }
  return { ok: blocking.length === 0, blocking };
}

/**
 * Approval is required when the plan targets a production environment, or one
 * that could not be classified, or creates or changes secrets. The plan's own
 * record decides (its classification is covered by its digest); with `policy`,
 * today's classification is added, so a production pattern added since the plan
 * was made is enforced too. Nothing here can make a plan need less approval
 * than it recorded.
 */
export function approvalRequired(
  plan: Pick<Plan, "environment" | "touchesSecrets"> & { environmentClasses?: EnvironmentClass[] | undefined },
  policy?: EnvironmentPolicy,
): { required: boolean; reasons: string[]; environments: EnvironmentClass[] } {
  const reasons: string[] = [];
  const recorded = plan.environmentClasses ?? classifyEnvironments(plan.environment);
  const now = policy ? classifyEnvironments(plan.environment, policy) : [];
  const needs = new Map<string, EnvironmentClass>();
  for (const c of [...recorded, ...now]) if (c.approval && !needs.has(c.environment)) needs.set(c.environment, c);
  // Every environment the plan names must be classified; one without a record needs approval.
  for (const e of plan.environment) if (!recorded.some((c) => c.environment === e) && !needs.has(e)) needs.set(e, classifyEnvironments([e])[0]!);
  const prod = [...needs.values()].filter((c) => c.class === "production").map((c) => c.environment);
  const unknown = [...needs.values()].filter((c) => c.class !== "production").map((c) => c.environment);
  if (prod.length > 0) reasons.push(`targets ${prod.join(", ")} (production)`);
  if (unknown.length > 0) reasons.push(`targets ${unknown.join(", ")} (not known to be non-production)`);
  if (plan.touchesSecrets !== false) reasons.push("creates or changes secrets");
  return { required: reasons.length > 0, reasons, environments: [...needs.values()] };
}

/**
 * May an AI assistant apply this plan without a person? Only when the plan
 * needs no approval under the same rule apply uses (the plan's record plus
 * today's config) and no approval gate was recorded as anything but skipped.
 * Approval is a person's act, never a tool call's.
 */
export function assistantMayApply(
  plan: Parameters<typeof approvalRequired>[0],
  gates: readonly { gate: string; status: string }[],
  policy: EnvironmentPolicy,
): { ok: boolean; reasons: string[] } {
  const { required, reasons } = approvalRequired(plan, policy);
  const recorded = gates.filter((g) => g.gate.startsWith("gate.approval") && g.status !== "skipped").map((g) => `${g.gate} is ${g.status}`);
  return { ok: !required && recorded.length === 0, reasons: reasons.length > 0 ? reasons : recorded };
}

/** The security gate turned off in the project's config, with the reason (recorded in the gate result and the audit log). */
export interface GateSwitch {
  reason: string;
  /** Where it was turned off: the config file. */
  by: string;
}

/**
 * Why a plan cannot be applied for want of a security scan, or undefined when
 * it can: the built-in security gate must have run and passed, or have been
 * turned off on purpose (`gates.security.disabled` with a reason in the
 * project's config, recorded with the plan). A failed gate is refused by the
 * caller's check of failed gates.
 */
export function securityGateProblem(gates: readonly { gate: string; status: string; disabled?: GateSwitch | undefined }[]): string | undefined {
  const g = gates.find((x) => x.gate === SECURITY_GATE_ID);
  if (g === undefined) return `the plan has no ${SECURITY_GATE_ID} result, so it was never scanned`;
  if (g.status === "passed" || g.status === "failed") return undefined;
  if (g.status === "skipped" && g.disabled !== undefined && g.disabled.reason.trim() !== "") return undefined;
  return `${SECURITY_GATE_ID} did not run (${g.status}), so the plan was never scanned. Run the task again with the scanner, or turn the gate off on purpose in .devops-pack/config.yaml (gates: { security: { disabled: true, reason: "…" } })`;
}

import type { Finding } from "../findings.js";
import type { GateSpec } from "../packs/schema.js";
import type { Artifact, ArtifactKind, Plan } from "../plans/plan.js";
import type { EnvironmentPolicy } from "../plans/environments.js";
import type { GateSwitch } from "../policy.js";
import { approvalRequired, scanVerdict } from "../policy.js";
import { planDigest, planFormatProblem, sha256 } from "../plans/plan.js";
import type { Result } from "../result.js";
import type { GateCheck, GateResult, GateStatus } from "./types.js";

/** A real validator for one artifact kind. Loaded lazily. */
export interface ArtifactValidator {
  kind: ArtifactKind;
  /** The real tool, e.g. "actionlint 1.7.7". */
  tool: string;
  validate(artifact: Artifact): Promise<Result<null>>;
  /**
   * Optional batch form (one tool process for many files); its results must match `validate`'s.
   * `plan` is every artifact of the plan, for tools that read files the checked ones refer to
   * (promtool reads the rule files a config or a rule test names).
   */
  validateAll?(artifacts: readonly Artifact[], plan: readonly Artifact[]): Promise<Map<string, Result<null>>>;
}

/** A decision as the approval gate needs it (the store's Approval satisfies this). */
export interface DecisionRecord {
  digest: string;
  decision: "approved" | "rejected";
  by: string;
  decidedAt: string;
  reason?: string | undefined;
}

export interface GateEnvironment {
  /** Validators by artifact kind, loaded on first use. */
  validators: Partial<Record<ArtifactKind, () => Promise<ArtifactValidator>>>;
  /**
   * The security scanner over a plan's artifacts. Without one the security gate
   * fails (the plan was not scanned), unless `securityDisabled` turns it off.
   */
  securityScan?: (artifacts: Artifact[]) => Promise<{ findings: Finding[]; score: number; evaluated?: number }>;
  /** The security gate turned off on purpose, from the project's config (`gates.security`). */
  securityDisabled?: GateSwitch;
  /** Compliance evaluation for the selected frameworks; absent until one is registered. */
  compliance?: (artifacts: Artifact[], frameworks: string[]) => Promise<GateCheck[]>;
  /** Decisions recorded for this plan, oldest first. */
  decisions: DecisionRecord[];
  /** Called as each gate spec is evaluated: how many are done, of how many, and which. */
  onGate?: (done: number, total: number, gate: string) => void;
}

export { approvalRequired };

/** Check that the stored plan is what its digest says: every artifact hash and the digest itself. */
export function verifyIntegrity(plan: Plan): string[] {
  const format = planFormatProblem(plan);
  if (format !== undefined) return [format];
  const problems: string[] = [];
  for (const a of plan.artifacts) {
    if (sha256(a.content) !== a.sha256) problems.push(`artifact ${a.path} does not match its sha256`);
  }
  const digest = planDigest(plan);
  if (digest !== plan.digest) problems.push(`plan digest ${plan.digest} does not match its content (${digest})`);
  return problems;
}

function result(gate: string, status: GateStatus, threshold: number, checks: GateCheck[], blocking: string[], started: number): GateResult {
  const passed = checks.filter((c) => c.ok).length;
  const score = checks.length === 0 ? (status === "failed" ? 0 : 100) : Math.round((passed / checks.length) * 10000) / 100;
  return { gate, status, score, threshold, checks, blocking, duration_ms: Math.round(performance.now() - started) };
}

async function qualityGates(plan: Plan, spec: GateSpec, env: GateEnvironment): Promise<GateResult[]> {
  const byKind = new Map<ArtifactKind, Artifact[]>();
  for (const a of plan.artifacts) {
    const same = byKind.get(a.kind);
    if (same) same.push(a);
    else byKind.set(a.kind, [a]);
  }
  const kinds = [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b));
  // Kinds are independent: their validators (often separate tool processes) run concurrently.
  return Promise.all(kinds.map(([kind, artifacts]) => qualityGate(plan, spec, env, kind, artifacts)));
}

async function qualityGate(plan: Plan, spec: GateSpec, env: GateEnvironment, kind: ArtifactKind, artifacts: Artifact[]): Promise<GateResult> {
  const started = performance.now();
  const gate = `${spec.id}.${kind}`;
  const load = env.validators[kind];
  if (!load) {
    const note = { name: `${artifacts.length} ${kind} artifact(s)`, ok: true, message: `no validator exists for kind ${kind}; not gated` };
    return result(gate, "skipped", spec.threshold, [note], [], started);
  }
  const validator = await load();
  const checks: GateCheck[] = [];
  const batch = validator.validateAll ? await validator.validateAll(artifacts, plan.artifacts) : undefined;
  for (const a of artifacts) {
    const r = batch?.get(a.path) ?? (await validator.validate(a));
    if (r.ok) checks.push({ name: a.path, ok: true, message: `${validator.tool}: ok` });
    else for (const e of r.errors) checks.push({ name: a.path, ok: false, message: `${validator.tool}: ${e.message}${e.kind ? ` [${e.kind}]` : ""}`, ...(e.line !== undefined ? { line: e.line } : {}), ...(e.column !== undefined ? { column: e.column } : {}) });
  }
  const failedChecks = checks.filter((c) => !c.ok);
  const score = checks.length === 0 ? 100 : ((checks.length - failedChecks.length) / checks.length) * 100;
  const status: GateStatus = score >= spec.threshold && failedChecks.length === 0 ? "passed" : "failed";
  return result(gate, status, spec.threshold, checks, failedChecks.map((c) => `${c.name}${c.line ? `:${c.line}` : ""}: ${c.message ?? "failed"}`), started);
}

async function securityGate(plan: Plan, spec: GateSpec, env: GateEnvironment): Promise<GateResult> {
  const started = performance.now();
  if (env.securityDisabled !== undefined) {
    // Off on purpose: recorded with its reason in the result (and so in the audit log).
    const off = env.securityDisabled;
    return { ...result(spec.id, "skipped", spec.threshold, [{ name: "disabled", ok: true, message: `turned off in ${off.by}: ${off.reason}` }], [], started), disabled: off };
  }
  if (!env.securityScan) {
    // Fail closed, as the compliance gate does: a plan nothing scanned is not a plan that passed.
    const why = "no security scanner is registered in this build; the plan was not scanned";
    return result(spec.id, "failed", spec.threshold, [{ name: "scanner", ok: false, message: why }], [`${why} (turn the gate off on purpose with gates.security.disabled and a reason in .devops-pack/config.yaml)`], started);
  }
  const { findings, score, evaluated } = await env.securityScan(plan.artifacts);
  const active = findings.filter((f) => !f.suppressed);
  const summary: GateCheck[] = evaluated === undefined ? [] : [{ name: "scanner", ok: true, message: `${evaluated} rule evaluation(s) over ${plan.artifacts.length} artifact(s)` }];
  const checks: GateCheck[] = [...summary, ...active.map((f) => ({ name: `${f.ruleId} ${f.file}`, ok: false, message: `${f.severity}: ${f.message}`, ...(f.line !== undefined ? { line: f.line } : {}) }))];
  // The controls are the compliance gate's; this gate judges the score and the critical findings.
  const { ok, blocking } = scanVerdict({ score, findings, controls: [] }, spec.threshold);
  const r = result(spec.id, ok ? "passed" : "failed", spec.threshold, checks, blocking, started);
  r.score = score;
  return r;
}

async function complianceGate(plan: Plan, spec: GateSpec, env: GateEnvironment): Promise<GateResult> {
  const started = performance.now();
  const frameworks = spec.frameworks ?? [];
  if (frameworks.length === 0) {
    return result(spec.id, "skipped", spec.threshold, [{ name: "frameworks", ok: true, message: "no compliance frameworks selected in pack.yaml" }], [], started);
  }
  if (!env.compliance) {
    // Fail closed: frameworks were asked for and nothing can check them.
    return result(spec.id, "failed", spec.threshold, [{ name: "evaluator", ok: false, message: `frameworks ${frameworks.join(", ")} are selected but no compliance evaluator is available` }], [`no compliance evaluator for ${frameworks.join(", ")}`], started);
  }
  const checks = await env.compliance(plan.artifacts, frameworks);
  const failed = checks.filter((c) => !c.ok);
  return result(spec.id, failed.length === 0 ? "passed" : "failed", spec.threshold, checks, failed.map((c) => `${c.name}: ${c.message ?? "failed"}`), started);
}

/** The approval gate on its own: apply re-evaluates it against current decisions. */
export function approvalGate(plan: Plan, spec: Pick<GateSpec, "id" | "threshold">, decisions: DecisionRecord[], policy?: EnvironmentPolicy): GateResult {
  const started = performance.now();
  const { required, reasons } = approvalRequired(plan, policy);
  if (!required) {
    return result(spec.id, "skipped", spec.threshold, [{ name: "approval", ok: true, message: `not required: ${plan.environment.length > 0 ? `${plan.environment.join(", ")} ${plan.environment.length === 1 ? "is" : "are"} not production` : "the plan targets no environment"} and it touches no secrets` }], [], started);
  }
  const latest = decisions[decisions.length - 1];
  const why = `approval required: the plan ${reasons.join(" and ")}`;
  if (!latest) {
    return { ...result(spec.id, "awaiting", spec.threshold, [{ name: "approval", ok: false, message: why }], [`${why}; run: devops-pack approve ${plan.id} --by <name>`], started), score: 0 };
  }
  if (latest.decision === "rejected") {
    return result(spec.id, "failed", spec.threshold, [{ name: "approval", ok: false, message: `rejected by ${latest.by} at ${latest.decidedAt}${latest.reason ? `: ${latest.reason}` : ""}` }], [`rejected by ${latest.by}`], started);
  }
  if (latest.digest !== plan.digest) {
    return result(spec.id, "failed", spec.threshold, [{ name: "approval", ok: false, message: `stale: ${latest.by} approved ${latest.digest}, but the plan is now ${plan.digest}` }], [`approval by ${latest.by} is stale: the plan changed after it was approved`], started);
  }
  return result(spec.id, "passed", spec.threshold, [{ name: "approval", ok: true, message: `approved by ${latest.by} at ${latest.decidedAt}${latest.reason ? `: ${latest.reason}` : ""}` }], [], started);
}

/** Evaluate every declared gate for a plan. Returns data; never throws for a failing gate. */
export async function evaluateGates(plan: Plan, specs: GateSpec[], env: GateEnvironment): Promise<GateResult[]> {
  const out: GateResult[] = [];
  for (const [i, spec] of specs.entries()) {
    env.onGate?.(i, specs.length, spec.id);
    switch (spec.type) {
      case "quality":
        out.push(...(await qualityGates(plan, spec, env)));
        break;
      case "security":
        out.push(await securityGate(plan, spec, env));
        break;
      case "compliance":
        out.push(await complianceGate(plan, spec, env));
        break;
      case "approval":
        out.push(approvalGate(plan, spec, env.decisions));
        break;
    }
  }
  return out;
}

export type Verdict = "passed" | "failed" | "awaiting_approval";

/** One verdict over many gate results (the manager's quality aggregation). */
export function verdict(gates: readonly Pick<GateResult, "status">[]): Verdict {
  if (gates.some((g) => g.status === "failed")) return "failed";
  if (gates.some((g) => g.status === "awaiting")) return "awaiting_approval";
  return "passed";
}

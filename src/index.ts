/**
 * The public library API of devops-pack. Every export here is public API:
 * add to it on purpose.
 */
export { loadPacks, PackSet, BUILTIN_PACK_DIR } from "./core/packs/loader.js";
export type { ActivatedAgent, Dependency, LoadPacksOptions, PackLayer } from "./core/packs/loader.js";
export { lintPacks } from "./core/packs/lint.js";
export type { PackLintReport } from "./core/packs/lint.js";
export type { AgentSpec, GateSpec, PackManifest } from "./core/packs/schema.js";
export { DevopsPackError, EXIT_CODES } from "./core/errors.js";
export type { ErrorCode } from "./core/errors.js";
export type { Artifact, ArtifactKind, Note, Plan, PlanDraft, TaskEnvelope } from "./core/plans/plan.js";
export { planDigest, GENERATED_MARKER } from "./core/plans/plan.js";
export type { Finding, Severity } from "./core/findings.js";
export type { GateCheck, GateResult, GateStatus } from "./core/gates/types.js";
export type { Specialist, SpecialistContext } from "./core/specialist.js";
export { showPlan, decide, applyStored, prepareTask, buildPlan } from "./agents/manager/runtime.js";
export type { RunOutcome, RuntimeOptions, ApplyOutcome, DecisionOutcome } from "./agents/manager/runtime.js";
export { scanPaths as scan, scanArtifacts, allRules } from "./scanner/index.js";
export type { ScanFinding, ScanResult, RuleMeta } from "./scanner/index.js";
export { ALL_SPECIALISTS } from "./interfaces/specialists.js";

import type { RunOutcome, RuntimeOptions } from "./agents/manager/runtime.js";
import { runTask as runWithOptions } from "./agents/manager/runtime.js";
import { wired } from "./interfaces/wiring.js";

/**
 * Run a task as the CLI does: every specialist, every gate (quality, security,
 * compliance, approval), stored in the project's store. Options override the
 * defaults.
 */
export function runTask(text: string, source: string, opts: RuntimeOptions & { env?: string }): Promise<RunOutcome> {
  return runWithOptions(text, source, { ...wired(opts.projectDir), ...opts });
}

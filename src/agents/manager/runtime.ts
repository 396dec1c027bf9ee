import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { AuditProblem } from "../../core/audit.js";
import { DECISION_ACTIONS, checkDecisions, checkGates, checkPlans } from "../../core/audit.js";
import { loadProjectConfig } from "../../core/config.js";
import { DevopsPackError, refused } from "../../core/errors.js";
import type { GateEnvironment, Verdict } from "../../core/gates/engine.js";
import { approvalGate, evaluateGates, verdict, verifyIntegrity } from "../../core/gates/engine.js";
import type { GateResult } from "../../core/gates/types.js";
import type { ApplyReport, FileChange } from "../../core/apply/apply.js";
import { applyPlan, previewApply } from "../../core/apply/apply.js";
import { storeLedger } from "../../core/apply/ledger.js";
import type { PackSet } from "../../core/packs/loader.js";
import { loadPacks } from "../../core/packs/loader.js";
import type { Plan, TaskEnvelope } from "../../core/plans/plan.js";
import { planFormatProblem, sealPlan } from "../../core/plans/plan.js";
import { SECURITY_GATE_ID, securityGateProblem } from "../../core/policy.js";
import { readProjectFiles } from "../../core/project-files.js";
import type { Specialist } from "../../core/specialist.js";
import type { Store, StoredPlan } from "../../core/store/index.js";
import { auditSubject, defaultStoreConfig, openStore } from "../../core/store/index.js";
import type { InputLabel } from "../../core/tasks/parse.js";
import { parseTaskDocument, routeTask, validateTaskInput, withEnvironment } from "../../core/tasks/parse.js";
import { DECIDER_RULES, REASON_RULES, requireLabel } from "../../core/text.js";
import { VALIDATORS } from "../../core/validators/index.js";
import type { SpecialistEntry } from "../registry.js";
import { SPECIALISTS } from "../registry.js";

export interface RuntimeOptions {
  /** The project: where `.devops-pack/` (store, project packs) lives. */
  projectDir: string;
  /** Who is acting, for the audit log. */
  actor?: string;
  packs?: PackSet;
  store?: Store;
  /** Extra gate evaluators (the scanner registers the security gate here). */
  gateEnv?: Partial<Omit<GateEnvironment, "decisions">>;
  /** The specialists to route to; defaults to the agents layer's own registry. */
  specialists?: readonly SpecialistEntry[];
  /** Progress of one task: `done` of `total` steps (planning, then each gate), with what runs next. */
  onProgress?: (done: number, total: number, message: string) => void;
}

export interface RunOutcome {
  runId: string;
  plan: Plan;
  gates: GateResult[];
  verdict: Verdict;
}

export function defaultActor(): string {
  try {
    return process.env.DEVOPS_PACK_ACTOR ?? userInfo().username;
  } catch {
    return "unknown";
  }
}

function newId(): string {
  return randomBytes(6).toString("hex");
}

async function withStore<T>(opts: RuntimeOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  if (opts.store) return fn(opts.store);
  const store = await openStore(defaultStoreConfig(opts.projectDir));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function gateEnvironment(opts: RuntimeOptions, decisions: GateEnvironment["decisions"]): GateEnvironment {
  return { validators: VALIDATORS, ...opts.gateEnv, ...gateSwitches(opts.projectDir), decisions };
}

/** The gates the project's config turns off on purpose (only the security gate can be), for the gate engine. */
export function gateSwitches(projectDir: string): Pick<GateEnvironment, "securityDisabled"> {
  const off = loadProjectConfig(projectDir).gates.security;
  return off === undefined ? {} : { securityDisabled: off };
}

/** Parse, route and validate a task document. Throws BAD_INPUT with suggestions. */
export async function prepareTask(
  text: string,
  source: string,
  packs: PackSet,
  env?: string,
  specialists: readonly SpecialistEntry[] = SPECIALISTS,
): Promise<{ envelope: TaskEnvelope; specialist: Specialist<unknown>; input: unknown }> {
  return prepareEnvelope(parseTaskDocument(text, source), source, packs, env, specialists);
}

/** Route and validate a parsed task envelope. */
async function prepareEnvelope(
  parsed: TaskEnvelope,
  source: string,
  packs: PackSet,
  env: string | undefined,
  specialists: readonly SpecialistEntry[] = SPECIALISTS,
  label?: InputLabel,
): Promise<{ envelope: TaskEnvelope; specialist: Specialist<unknown>; input: unknown }> {
  let envelope = parsed;
  const entry = routeTask(envelope.type, { specialists: new Map(specialists.map((s) => [s.taskType, s])), declared: packs.handlers() });
  const specialist = await entry.load();
  const owner = packs.handlers().get(envelope.type);
  if (owner !== undefined && owner !== specialist.agent) {
    throw new DevopsPackError("PACK_INVALID", `Task type ${envelope.type} is declared by agent ${owner}, but its specialist is ${specialist.agent}.`);
  }
  if (env !== undefined) envelope = withEnvironment(envelope, specialist, env);
  const input = validateTaskInput(envelope, specialist, source, label);
  return { envelope, specialist, input };
}

/**
 * Build a plan from a validated task: the specialist is pure; id and time are
 * added here, and the environments are classified under the project's
 * `.devops-pack/config.yaml` (recorded in the plan, covered by its digest).
 */
export function buildPlan(envelope: TaskEnvelope, specialist: Specialist<unknown>, input: unknown, projectDir: string): Plan {
  const policy = loadProjectConfig(projectDir).environments;
  const inputs = specialist.diskInputs?.(input);
  const files = inputs ? readProjectFiles(projectDir, inputs) : new Map<string, string>();
  const draft = specialist.plan(input, { files });
  const task: TaskEnvelope = { type: envelope.type, input: JSON.parse(JSON.stringify(input)) as Record<string, unknown> };
  const environment = [...new Set(specialist.environments(input))].sort();
  return sealPlan(
    {
      id: newId(),
      createdAt: new Date().toISOString(),
      task,
      agent: specialist.agent,
      environment,
      artifacts: draft.artifacts,
      findings: draft.findings,
      notes: draft.notes,
      touchesSecrets: draft.touchesSecrets ?? false,
    },
    policy,
  );
}

/** The manager's main job: task text → routed specialist → plan → gates → stored. */
export async function runTask(text: string, source: string, opts: RuntimeOptions & { env?: string }): Promise<RunOutcome> {
  const packs = opts.packs ?? loadPacks({ projectDir: opts.projectDir });
  return runEnvelope(parseTaskDocument(text, source), source, { ...opts, packs });
}

/**
 * The same from an envelope already in hand (the MCP server's tool arguments);
 * `inputLabel` names the input in validation errors as the caller sent it.
 */
export async function runEnvelope(parsed: TaskEnvelope, source: string, opts: RuntimeOptions & { env?: string; inputLabel?: InputLabel }): Promise<RunOutcome> {
  const packs = opts.packs ?? loadPacks({ projectDir: opts.projectDir });
  const { envelope, specialist, input } = await prepareEnvelope(parsed, source, packs, opts.env, opts.specialists, opts.inputLabel);
  const actor = opts.actor ?? defaultActor();
  return withStore(opts, async (store) => {
    const runId = newId();
    await store.startRun({ id: runId, taskType: envelope.type, agent: specialist.agent, source, actor });
    try {
      const specs = packs.gates();
      const total = specs.length + 1;
      const progress = opts.onProgress;
      progress?.(0, total, `planning ${envelope.type}`);
      const plan = buildPlan(envelope, specialist, input, opts.projectDir);
      const env = gateEnvironment(opts, []);
      if (progress) env.onGate = (i, _n, gate) => progress(i + 1, total, `${plan.artifacts.length} files planned; running ${gate}`);
      const gates = await evaluateGates(plan, specs, env);
      progress?.(total, total, `gates done: ${verdict(gates)}`);
      await store.savePlan(runId, plan, gates, actor);
      await store.finishRun(runId, "succeeded");
      return { runId, plan, gates, verdict: verdict(gates) };
    } catch (e) {
      await store.finishRun(runId, "failed", (e as Error).message);
      throw e;
    }
  });
}

export async function showPlan(idOrPrefix: string, opts: RuntimeOptions): Promise<StoredPlan> {
  return withStore(opts, async (store) => {
    const id = await store.resolvePlanId(idOrPrefix);
    const stored = await store.getPlan(id);
    if (!stored) throw new DevopsPackError("NOT_FOUND", `Plan ${id} not found.`);
    return stored;
  });
}

/** The built-in approval gate; packs cannot remove or weaken it, and apply does not read packs for it. */
export const APPROVAL_GATE = { id: "gate.approval.production", threshold: 100 } as const;

/**
 * The built-in approval gate is re-evaluated against the decisions, not taken as
 * recorded. Any other gate, even one a pack declared with type approval, counts as
 * recorded (a rejection leaves such a gate failed, which blocks).
 */
function isApprovalGate(g: GateResult): boolean {
  return g.gate === APPROVAL_GATE.id;
}

/** Gates other than approval that block an approval or an apply, as recorded with the plan. */
function failedGates(gates: GateResult[]): GateResult[] {
  return gates.filter((g) => !isApprovalGate(g) && g.status === "failed");
}

/** The plan as stored, refused (exit 3) when this version cannot trust it: older format, or content that does not match its digest. */
function checkedPlan(stored: StoredPlan, id: string, verb: "approved" | "rejected" | "applied"): Plan {
  const format = planFormatProblem(stored.plan);
  if (format !== undefined) throw refused(`Refused: ${format}.`, { problems: [format] });
  const integrity = verifyIntegrity(stored.plan);
  if (integrity.length > 0) {
    throw refused(`Refused: plan ${id} was modified after it was made, so it cannot be ${verb} (${integrity.join("; ")}). Run the task again.`, { problems: integrity });
  }
  return stored.plan;
}

/**
 * Check the plan and its decisions against the append-only audit log: the
 * digest the plan was saved with, and an audit entry for every decision row.
 */
async function auditProblems(store: Store, plan: Plan, gates: readonly GateResult[]): Promise<AuditProblem[]> {
  const subject = auditSubject.plan(plan.id);
  const saved = await store.auditEntries({ actions: ["plan.saved"], subject });
  const decisions = await store.auditEntries({ actions: DECISION_ACTIONS, subject });
  const recorded = await store.auditEntries({ actions: ["gates.recorded"], subject });
  return [
    ...checkPlans([{ id: plan.id, digest: plan.digest }], saved),
    ...checkDecisions(await store.approvals(plan.id), decisions),
    // The approval gate is re-evaluated, not taken as recorded; the other gates are taken as recorded, so they must match the log.
    ...checkGates(plan.id, gates.filter((g) => !isApprovalGate(g)), recorded),
  ];
}

function refuseTampered(id: string, problems: AuditProblem[]): DevopsPackError {
  return refused(
    `Refused: the store does not match its audit log for plan ${id}: ${problems.map((p) => p.message).join("; ")}. Someone edited the database; run devops-pack audit verify, and run the task again.`,
    { problems },
  );
}

export interface DecisionOutcome {
  planId: string;
  digest: string;
  decision: "approved" | "rejected";
  by: string;
  gate: GateResult | undefined;
}

/**
 * Record a person's decision, bound to the plan's current digest. `by` and
 * `reason` are checked (no control, bidi or zero-width characters; length
 * limits); line breaks in a reason become spaces.
 */
export async function decide(
  idOrPrefix: string,
  d: { decision: "approved" | "rejected"; by: string; reason?: string },
  opts: RuntimeOptions,
): Promise<DecisionOutcome> {
  const by = requireLabel(d.by, DECIDER_RULES);
  const reason = d.reason === undefined ? undefined : requireLabel(d.reason, REASON_RULES);
  const policy = loadProjectConfig(opts.projectDir).environments;
  return withStore(opts, async (store) => {
    const id = await store.resolvePlanId(idOrPrefix);
    const stored = await store.getPlan(id);
    if (!stored) throw new DevopsPackError("NOT_FOUND", `Plan ${id} not found.`);
    const plan = checkedPlan(stored, id, d.decision);
    if (d.decision === "approved") {
      // A rejection only ever blocks, so it is recorded whatever the store looks like.
      const tampered = await auditProblems(store, plan, stored.gates);
      if (tampered.length > 0) throw refuseTampered(id, tampered);
      const failed = failedGates(stored.gates);
      if (failed.length > 0) {
        throw refused(`Refused: plan ${id} cannot be approved because ${failed.map((g) => g.gate).join(", ")} failed. Fix the task and run it again.`, { failed: failed.map((g) => g.gate) });
      }
      const unscanned = securityGateProblem(stored.gates);
      if (unscanned !== undefined) throw refused(`Refused: plan ${id} cannot be approved: ${unscanned}.`, { gate: SECURITY_GATE_ID });
    }
    await store.recordDecision({ planId: id, digest: plan.digest, decision: d.decision, by, ...(reason !== undefined ? { reason } : {}) });
    const gate = approvalGate(plan, APPROVAL_GATE, await store.approvals(id), policy);
    await store.recordGates(id, [gate], by);
    return { planId: id, digest: plan.digest, decision: d.decision, by, gate };
  });
}

export interface ApplyOutcome {
  planId: string;
  dryRun: boolean;
  changes: FileChange[];
  report?: ApplyReport;
}

/**
 * Apply a stored plan into `dir`: refused (exit 3) unless the plan is intact,
 * every gate passed, and any required approval matches the plan's digest.
 */
export async function applyStored(
  idOrPrefix: string,
  a: { dir: string; force?: boolean; dryRun?: boolean; afterRename?: (n: number) => void },
  opts: RuntimeOptions,
): Promise<ApplyOutcome> {
  // Decided by what was recorded with the plan, never by today's packs: a pack
  // added since cannot switch the approval off. Today's config can only add to it.
  const policy = loadProjectConfig(opts.projectDir).environments;
  const actor = opts.actor ?? defaultActor();
  return withStore(opts, async (store) => {
    const id = await store.resolvePlanId(idOrPrefix);
    const stored = await store.getPlan(id);
    if (!stored) throw new DevopsPackError("NOT_FOUND", `Plan ${id} not found.`);
    const plan = checkedPlan(stored, id, "applied");
    const failed = failedGates(stored.gates);
    if (failed.length > 0) {
      throw refused(`Refused: ${failed.map((g) => `${g.gate} failed (${g.blocking.slice(0, 3).join("; ")})`).join("; ")}.`, { failed: failed.map((g) => g.gate) });
    }
    const gate = approvalGate(plan, APPROVAL_GATE, await store.approvals(id), policy);
    if (gate.status === "awaiting") throw refused(`Refused: ${gate.blocking.join("; ")}.`, { gate });
    if (gate.status === "failed") throw refused(`Refused: ${gate.blocking.join("; ")}. Approve the current plan again after reviewing it.`, { gate });
    const tampered = await auditProblems(store, plan, stored.gates);
    if (tampered.length > 0) throw refuseTampered(id, tampered);
    // A plan nothing scanned is not applied, unless the gate was turned off on purpose (recorded with the plan).
    const unscanned = securityGateProblem(stored.gates);
    if (unscanned !== undefined) throw refused(`Refused: ${unscanned}.`, { gate: SECURITY_GATE_ID });
    const opt = { ...(a.force !== undefined ? { force: a.force } : {}), ...(a.afterRename ? { afterRename: a.afterRename } : {}) };
    if (a.dryRun) {
      const lastWritten = await store.lastWritten(resolve(a.dir), plan.artifacts.map((x) => x.path));
      return { planId: id, dryRun: true, changes: previewApply(plan, a.dir, { ...opt, lastWritten }) };
    }
    // The store is the apply's ledger: it records the journal and the written files' hashes.
    const report = await applyPlan(plan, a.dir, storeLedger(store, actor), opt);
    return { planId: id, dryRun: false, changes: report.changes, report };
  });
}

import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { DevopsPackError, refused } from "../../core/errors.js";
import type { GateEnvironment, Verdict } from "../../core/gates/engine.js";
import { approvalGate, evaluateGates, verdict, verifyIntegrity } from "../../core/gates/engine.js";
import type { GateResult } from "../../core/gates/types.js";
import type { ApplyReport, FileChange } from "../../core/apply/apply.js";
import { applyPlan, previewApply } from "../../core/apply/apply.js";
import { storeLedger } from "../../core/apply/ledger.js";
import type { PackSet } from "../../core/packs/loader.js";
import { loadPacks } from "../../core/packs/loader.js";
import type { GateSpec } from "../../core/packs/schema.js";
import type { Plan, TaskEnvelope } from "../../core/plans/plan.js";
import { planDigest } from "../../core/plans/plan.js";
import { readProjectFiles } from "../../core/project-files.js";
import type { Specialist } from "../../core/specialist.js";
import type { Store, StoredPlan } from "../../core/store/index.js";
import { defaultStoreConfig, openStore } from "../../core/store/index.js";
import type { InputLabel } from "../../core/tasks/parse.js";
import { parseTaskDocument, routeTask, validateTaskInput, withEnvironment } from "../../core/tasks/parse.js";
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
  return { validators: VALIDATORS, ...opts.gateEnv, decisions };
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

/** Build a plan from a validated task: the specialist is pure; id and time are added here. */
export function buildPlan(envelope: TaskEnvelope, specialist: Specialist<unknown>, input: unknown, projectDir: string): Plan {
  const inputs = specialist.diskInputs?.(input);
  const files = inputs ? readProjectFiles(projectDir, inputs) : new Map<string, string>();
  const draft = specialist.plan(input, { files });
  const task: TaskEnvelope = { type: envelope.type, input: JSON.parse(JSON.stringify(input)) as Record<string, unknown> };
  const environment = [...new Set(specialist.environments(input))].sort();
  const body = { task, agent: specialist.agent, environment, artifacts: draft.artifacts };
  return {
    id: newId(),
    createdAt: new Date().toISOString(),
    ...body,
    findings: draft.findings,
    notes: draft.notes,
    touchesSecrets: draft.touchesSecrets ?? false,
    digest: planDigest(body),
  };
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

function approvalSpec(packs: PackSet): GateSpec | undefined {
  return packs.gates().find((g) => g.type === "approval");
}

/** Gates other than approval that block an approval or an apply. */
function failedGates(gates: GateResult[], approvalId: string | undefined): GateResult[] {
  return gates.filter((g) => g.gate !== approvalId && g.status === "failed");
}

export interface DecisionOutcome {
  planId: string;
  digest: string;
  decision: "approved" | "rejected";
  by: string;
  gate: GateResult | undefined;
}

/** Record a person's decision, bound to the plan's current digest. */
export async function decide(
  idOrPrefix: string,
  d: { decision: "approved" | "rejected"; by: string; reason?: string },
  opts: RuntimeOptions,
): Promise<DecisionOutcome> {
  const packs = opts.packs ?? loadPacks({ projectDir: opts.projectDir });
  const spec = approvalSpec(packs);
  return withStore(opts, async (store) => {
    const id = await store.resolvePlanId(idOrPrefix);
    const stored = await store.getPlan(id);
    if (!stored) throw new DevopsPackError("NOT_FOUND", `Plan ${id} not found.`);
    const integrity = verifyIntegrity(stored.plan);
    if (integrity.length > 0) throw refused(`Refused: plan ${id} was modified after it was made (${integrity.join("; ")}). Run the task again.`, { problems: integrity });
    if (d.decision === "approved") {
      const failed = failedGates(stored.gates, spec?.id);
      if (failed.length > 0) {
        throw refused(`Refused: plan ${id} cannot be approved because ${failed.map((g) => g.gate).join(", ")} failed. Fix the task and run it again.`, { failed: failed.map((g) => g.gate) });
      }
    }
    await store.recordDecision({ planId: id, digest: stored.plan.digest, decision: d.decision, by: d.by, ...(d.reason !== undefined ? { reason: d.reason } : {}) });
    let gate: GateResult | undefined;
    if (spec) {
      gate = approvalGate(stored.plan, spec, await store.approvals(id));
      await store.recordGates(id, [gate], d.by);
    }
    return { planId: id, digest: stored.plan.digest, decision: d.decision, by: d.by, gate };
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
  const packs = opts.packs ?? loadPacks({ projectDir: opts.projectDir });
  const spec = approvalSpec(packs);
  const actor = opts.actor ?? defaultActor();
  return withStore(opts, async (store) => {
    const id = await store.resolvePlanId(idOrPrefix);
    const stored = await store.getPlan(id);
    if (!stored) throw new DevopsPackError("NOT_FOUND", `Plan ${id} not found.`);
    const { plan } = stored;
    const integrity = verifyIntegrity(plan);
    if (integrity.length > 0) {
      throw refused(`Refused: plan ${id} is stale or was tampered with (${integrity.join("; ")}). Run the task again.`, { problems: integrity });
    }
    const failed = failedGates(stored.gates, spec?.id);
    if (failed.length > 0) {
      throw refused(`Refused: ${failed.map((g) => `${g.gate} failed (${g.blocking.slice(0, 3).join("; ")})`).join("; ")}.`, { failed: failed.map((g) => g.gate) });
    }
    if (spec) {
      const gate = approvalGate(plan, spec, await store.approvals(id));
      if (gate.status === "awaiting") throw refused(`Refused: ${gate.blocking.join("; ")}.`, { gate });
      if (gate.status === "failed") throw refused(`Refused: ${gate.blocking.join("; ")}. Approve the current plan again after reviewing it.`, { gate });
    }
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

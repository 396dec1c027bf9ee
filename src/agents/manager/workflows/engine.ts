/**
 * The manager's workflow engine: a workflow is a list of steps in which one
 * step's outputs feed the next. Each step turns the workflow input and the
 * exports of earlier steps into specialist tasks (or produces files itself);
 * the engine runs the specialists, records every step in the store, merges
 * every step's files into one bundle plan, and runs the gates on the whole
 * bundle. A failed run resumes: the next run of the same workflow from the
 * same source reuses every step whose inputs did not change.
 *
 * Before step 1, every step's specialist tasks (as far as the workflow input
 * alone determines them: `StepDefinition.tasks`) are validated against their
 * specialists' schemas, and every problem is reported at once, by its path in
 * the workflow input. A refused input stores nothing: no run, no step.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { DevopsPackError, badInput } from "../../../core/errors.js";
import type { GateEnvironment, Verdict } from "../../../core/gates/engine.js";
import { evaluateGates, verdict } from "../../../core/gates/engine.js";
import type { GateResult } from "../../../core/gates/types.js";
import type { PackSet } from "../../../core/packs/loader.js";
import type { Artifact, Note, Plan, PlanDraft, TaskEnvelope } from "../../../core/plans/plan.js";
import { loadProjectConfig } from "../../../core/config.js";
import type { EnvironmentPolicy } from "../../../core/plans/environments.js";
import { canonicalJson, sealPlan, sha256 } from "../../../core/plans/plan.js";
import type { Finding } from "../../../core/findings.js";
import type { Issue } from "../../../core/result.js";
import { readProjectFiles } from "../../../core/project-files.js";
import type { StepRecord, Store } from "../../../core/store/index.js";
import { validateTaskInput } from "../../../core/tasks/parse.js";
import { describeZodError } from "../../../core/zod-errors.js";
import type { SpecialistEntry } from "../../registry.js";

export const MANAGER_AGENT = "devops_pack_manager";

/** What a step's specialists and generators produced. */
export interface StepResult {
  artifacts: Artifact[];
  findings: Finding[];
  notes: Note[];
  touchesSecrets: boolean;
  environments: string[];
  /** The specialist tasks the step ran, for the record. */
  tasks: { type: string; label: string; agent: string }[];
  /** Data later steps read (JSON). */
  exports: unknown;
}

export interface StepContext<I> {
  input: I;
  /** Exports of the steps before this one, by step id. */
  exports: ReadonlyMap<string, unknown>;
  /** Run a specialist on a task input; `label` names the task in errors and notes. */
  plan(type: string, input: unknown, label: string): Promise<PlanDraft & { agent: string; environments: string[] }>;
}

/** A specialist task a step will run, as the workflow input alone determines it (checked before step 1). */
export interface PlannedTask {
  type: string;
  input: Record<string, unknown>;
  /** The path, in the workflow input, of the section the task is built from, e.g. `alerting` or `services[1].kubernetes`. */
  at: string;
  /** Top-level task fields filled from elsewhere in the workflow input, and where they come from (e.g. `name` → `services[1].name`). */
  from?: Record<string, string>;
  /** Top-level task fields an earlier step's exports fill (placeholders here): their problems are left to the step. */
  later?: readonly string[];
}

export interface StepDefinition<I> {
  id: string;
  title: string;
  /** The part of the workflow input this step reads (with the earlier exports it digests what it was given). */
  reads(input: I): unknown;
  /**
   * The specialist tasks this step will run, built from the workflow input
   * alone. The engine validates them all before step 1; a step that runs
   * specialists should declare them here (the step still validates its
   * tasks when it runs, so one without this is checked only then).
   */
  tasks?(input: I): PlannedTask[];
  run(ctx: StepContext<I>): Promise<Omit<StepResult, "tasks"> & { tasks?: StepResult["tasks"] }>;
}

export interface WorkflowDefinition<I = unknown> {
  id: string;
  title: string;
  summary: string;
  schema: z.ZodType<I>;
  steps: readonly StepDefinition<I>[];
  /**
   * Checks the merged bundle: problems (dangling references) fail the run,
   * external references become notes.
   */
  check?(input: I, artifacts: readonly Artifact[]): { problems: string[]; external: string[] };
}

export function defineWorkflow<I>(w: WorkflowDefinition<I>): WorkflowDefinition<I> {
  return w;
}

export interface StepSummary {
  id: string;
  title: string;
  status: "ran" | "reused";
  tasks: StepResult["tasks"];
  artifacts: number;
  duration_ms: number;
}

export interface WorkflowOutcome {
  runId: string;
  workflow: string;
  /** The failed run this one resumed, if any. */
  resumedFrom?: string;
  steps: StepSummary[];
  plan: Plan;
  gates: GateResult[];
  verdict: Verdict;
}

export interface WorkflowRunOptions {
  projectDir: string;
  source: string;
  actor: string;
  store: Store;
  packs: PackSet;
  specialists: readonly SpecialistEntry[];
  gateEnv: GateEnvironment;
  /** Start over instead of resuming a failed run. */
  fresh?: boolean;
  /** Called as each step starts and ends (progress on the terminal). */
  onStep?: (event: { step: string; title: string; phase: "start" | "done" | "reused" | "failed"; index: number; total: number; message?: string }) => void;
}

/** Parse the workflow input document: either the bare input, or `{workflow: <id>, input: {...}}`. */
export function workflowInput<I>(def: WorkflowDefinition<I>, value: unknown, source: string): I {
  let input = value;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "input" in value) {
    const doc = value as Record<string, unknown>;
    const extra = Object.keys(doc).filter((k) => k !== "input" && k !== "workflow");
    if (extra.length > 0) throw badInput(`${source}: unknown top-level field(s) ${extra.join(", ")}; a workflow file is {workflow: ${def.id}, input: {...}} or the input itself.`);
    if (doc.workflow !== undefined && doc.workflow !== def.id) throw badInput(`${source} is for workflow ${JSON.stringify(doc.workflow)}, not ${def.id}.`);
    input = doc.input;
  }
  const r = def.schema.safeParse(input, { reportInput: true });
  if (!r.success) {
    const issues = describeZodError(r.error, def.schema, "input");
    throw badInput(`${source}: invalid ${def.id} workflow input:\n` + issues.map((i) => `  ${i.message}`).join("\n"), { source, issues });
  }
  return r.data;
}

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/**
 * Every problem in the specialist tasks the steps will run, each named by its
 * path in the workflow input (`alerting.routing`, `services[1].kubernetes.replicas`).
 */
export async function checkStepInputs<I>(def: WorkflowDefinition<I>, input: I, specialists: readonly SpecialistEntry[]): Promise<Issue[]> {
  const byType = new Map(specialists.map((s) => [s.taskType, s]));
  const problems: Issue[] = [];
  for (const step of def.steps) {
    for (const task of step.tasks?.(input) ?? []) {
      const entry = byType.get(task.type);
      if (!entry) {
        problems.push({ path: task.at, kind: "not-built", message: `${task.at}: step ${step.id} needs task type ${task.type}, which is not built. Task types that run today: ${[...byType.keys()].sort().join(", ")}.` });
        continue;
      }
      const specialist = await entry.load();
      const r = specialist.schema.safeParse(task.input, { reportInput: true });
      if (r.success) continue;
      for (const found of r.error.issues) {
        const head = found.path[0];
        if (typeof head === "string" && task.later?.includes(head)) continue;
        // A field an earlier step fills is not unknown either: drop it from an unknown-field issue.
        const issue = found.code === "unrecognized_keys" && found.path.length === 0 ? { ...found, keys: found.keys.filter((k) => !task.later?.includes(k)) } : found;
        if (issue.code === "unrecognized_keys" && issue.keys.length === 0) continue;
        const elsewhere = typeof head === "string" ? task.from?.[head] : undefined;
        const where = elsewhere !== undefined ? pathOf(elsewhere, issue.path.slice(1)) : pathOf(task.at, issue.path);
        const taskWhere = pathOf(TASK_PREFIX, issue.path);
        for (const d of describeZodError(new z.ZodError([issue]), specialist.schema, TASK_PREFIX)) {
          problems.push({ ...d, path: d.path === taskWhere ? where : (d.path ?? where).replace(taskWhere, where), message: d.message.replaceAll(taskWhere, where) });
        }
      }
    }
  }
  return problems;
}

const TASK_PREFIX = "task.input";

function newId(): string {
  return randomBytes(6).toString("hex");
}

/**
 * Merge every step's files into one bundle. The same path from two steps is
 * fine when the bytes are equal (the shared SLO recording rules) and an error
 * otherwise: a bundle never silently picks one of two versions of a file.
 */
export function mergeArtifacts(results: readonly { step: string; artifacts: readonly Artifact[] }[]): Artifact[] {
  const byPath = new Map<string, { step: string; artifact: Artifact }>();
  for (const r of results) {
    for (const a of r.artifacts) {
      const seen = byPath.get(a.path);
      if (seen === undefined) byPath.set(a.path, { step: r.step, artifact: a });
      else if (seen.artifact.sha256 !== a.sha256 || seen.artifact.kind !== a.kind) {
        throw new DevopsPackError("INTERNAL", `Steps ${seen.step} and ${r.step} both produce ${a.path} with different content; the bundle cannot hold both.`, { path: a.path });
      }
    }
  }
  return [...byPath.values()].map((v) => v.artifact);
}

function stepDigest<I>(step: StepDefinition<I>, input: I, exports: ReadonlyMap<string, unknown>): string {
  return sha256(canonicalJson({ step: step.id, reads: step.reads(input), exports: Object.fromEntries(exports) }));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Run a workflow end to end: every step's input checked, then steps (resuming a failed run), bundle, gates, store. */
export async function runWorkflow<I>(def: WorkflowDefinition<I>, input: I, opts: WorkflowRunOptions): Promise<WorkflowOutcome> {
  const { store } = opts;
  const problems = await checkStepInputs(def, input, opts.specialists);
  if (problems.length > 0) {
    throw badInput(`${opts.source}: invalid ${def.id} workflow input (${problems.length} problem${problems.length === 1 ? "" : "s"}, found before any step ran; nothing was stored):\n` + problems.map((p) => `  ${p.message}`).join("\n"), { source: opts.source, issues: problems });
  }
  const taskType = `workflow.${def.id}`;
  const previous = opts.fresh ? undefined : await store.latestRun({ taskType, source: opts.source });
  const resumable = previous && previous.status !== "succeeded" ? previous : undefined;
  const prior = new Map<string, StepRecord>();
  if (resumable) for (const s of await store.workflowSteps(resumable.id)) if (s.status !== "failed" && s.output !== undefined) prior.set(`${s.step}@${s.inputDigest}`, s);

  const runId = newId();
  await store.startRun({ id: runId, taskType, agent: MANAGER_AGENT, source: opts.source, actor: opts.actor });
  const exports = new Map<string, unknown>();
  const results: { step: string; result: StepResult }[] = [];
  const summaries: StepSummary[] = [];
  const specialists = new Map(opts.specialists.map((s) => [s.taskType, s]));

  const ctxFor = (step: StepDefinition<I>, ran: StepResult["tasks"]): StepContext<I> => ({
    input,
    exports,
    plan: async (type, taskInput, label) => {
      const entry = specialists.get(type);
      if (!entry) throw badInput(`Step ${step.id} needs task type ${type}, which is not built. Task types that run today: ${[...specialists.keys()].sort().join(", ")}.`);
      const specialist = await entry.load();
      const envelope: TaskEnvelope = { type, input: taskInput as Record<string, unknown> };
      const valid = validateTaskInput(envelope, specialist, `${opts.source} (${label})`);
      const disk = specialist.diskInputs?.(valid);
      const files = disk ? readProjectFiles(opts.projectDir, disk) : new Map<string, string>();
      const draft = specialist.plan(valid, { files });
      ran.push({ type, label, agent: specialist.agent });
      return { ...draft, agent: specialist.agent, environments: specialist.environments(valid) };
    },
  });

  try {
    for (const [index, step] of def.steps.entries()) {
      const started = performance.now();
      const startedAt = new Date().toISOString();
      const digest = stepDigest(step, input, exports);
      const reuse = prior.get(`${step.id}@${digest}`);
      let result: StepResult;
      if (reuse) {
        result = reuse.output as StepResult;
        await store.recordStep({ runId, step: step.id, position: index, status: "reused", inputDigest: digest, output: result, startedAt });
        opts.onStep?.({ step: step.id, title: step.title, phase: "reused", index, total: def.steps.length });
      } else {
        opts.onStep?.({ step: step.id, title: step.title, phase: "start", index, total: def.steps.length });
        const ran: StepResult["tasks"] = [];
        try {
          const r = await step.run(ctxFor(step, ran));
          result = { ...r, tasks: r.tasks ?? ran };
        } catch (e) {
          await store.recordStep({ runId, step: step.id, position: index, status: "failed", inputDigest: digest, error: message(e), startedAt });
          opts.onStep?.({ step: step.id, title: step.title, phase: "failed", index, total: def.steps.length, message: message(e) });
          const why = `Workflow ${def.id} failed at step ${index + 1}/${def.steps.length} (${step.id}): ${message(e)}\nFix it and run the same command again: the steps before ${step.id} are reused from run ${runId}.`;
          throw e instanceof DevopsPackError ? new DevopsPackError(e.code, why, { ...(e.data ?? {}), runId, step: step.id }) : new DevopsPackError("INTERNAL", why, { runId, step: step.id });
        }
        await store.recordStep({ runId, step: step.id, position: index, status: "succeeded", inputDigest: digest, output: result, startedAt });
        opts.onStep?.({ step: step.id, title: step.title, phase: "done", index, total: def.steps.length });
      }
      exports.set(step.id, result.exports);
      results.push({ step: step.id, result });
      summaries.push({ id: step.id, title: step.title, status: reuse ? "reused" : "ran", tasks: result.tasks, artifacts: result.artifacts.length, duration_ms: Math.round(performance.now() - started) });
    }

    const plan = bundlePlan(def, input, results, loadProjectConfig(opts.projectDir).environments);
    if (def.check) {
      const report = def.check(input, plan.artifacts);
      if (report.problems.length > 0) {
        throw new DevopsPackError("INTERNAL", `The ${def.id} bundle has dangling references, so it was not saved:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`, { problems: report.problems });
      }
      for (const e of report.external) plan.notes.push({ kind: "info", text: `[bundle] ${e}` });
    }
    const gates = await evaluateGates(plan, opts.packs.gates(), opts.gateEnv);
    await store.savePlan(runId, plan, gates, opts.actor);
    await store.finishRun(runId, "succeeded");
    return { runId, workflow: def.id, ...(resumable ? { resumedFrom: resumable.id } : {}), steps: summaries, plan, gates, verdict: verdict(gates) };
  } catch (e) {
    await store.finishRun(runId, "failed", message(e));
    throw e;
  }
}

/** One plan for the whole bundle, owned by the manager; its task is the workflow input. */
export function bundlePlan<I>(def: WorkflowDefinition<I>, input: I, results: readonly { step: string; result: StepResult }[], policy?: EnvironmentPolicy): Plan {
  const artifacts = mergeArtifacts(results.map((r) => ({ step: r.step, artifacts: r.result.artifacts })));
  const task: TaskEnvelope = { type: `workflow.${def.id}`, input: JSON.parse(JSON.stringify(input)) as Record<string, unknown> };
  const environment = [...new Set(results.flatMap((r) => r.result.environments))].sort();
  const body = { task, agent: MANAGER_AGENT, environment, artifacts };
  const seenNotes = new Set<string>();
  const notes: Note[] = [];
  for (const r of results) {
    for (const n of r.result.notes) {
      const text = `[${r.step}] ${n.text}`;
      if (seenNotes.has(`${n.kind}:${n.text}`)) continue;
      seenNotes.add(`${n.kind}:${n.text}`);
      notes.push({ kind: n.kind, text });
    }
  }
  return sealPlan(
    {
      id: newId(),
      createdAt: new Date().toISOString(),
      ...body,
      findings: results.flatMap((r) => r.result.findings),
      notes,
      touchesSecrets: results.some((r) => r.result.touchesSecrets),
    },
    policy,
  );
}

/** Fold several specialist drafts into one step result. */
export function combine(drafts: readonly (PlanDraft & { environments: string[] })[], exports: unknown, extra: Artifact[] = []): Omit<StepResult, "tasks"> {
  return {
    artifacts: [...mergeArtifacts(drafts.map((d, i) => ({ step: `task ${i + 1}`, artifacts: d.artifacts }))), ...extra],
    findings: drafts.flatMap((d) => d.findings),
    notes: drafts.flatMap((d) => d.notes),
    touchesSecrets: drafts.some((d) => d.touchesSecrets === true),
    environments: [...new Set(drafts.flatMap((d) => d.environments))],
    exports,
  };
}

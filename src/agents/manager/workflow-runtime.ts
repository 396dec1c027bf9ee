/**
 * The manager's `workflow list` and `workflow run`: find the workflow, parse
 * its input, open the store and run it with the same gates as `run`.
 */
import { badInput } from "../../core/errors.js";
import { VALIDATORS } from "../../core/validators/index.js";
import { loadPacks } from "../../core/packs/loader.js";
import { defaultStoreConfig, openStore } from "../../core/store/index.js";
import { didYouMean } from "../../core/suggest.js";
import { parseYamlSafe } from "../../core/yaml.js";
import { SPECIALISTS } from "../registry.js";
import type { RuntimeOptions } from "./runtime.js";
import { defaultActor, gateSwitches } from "./runtime.js";
import type { WorkflowOutcome, WorkflowRunOptions } from "./workflows/index.js";
import { runWorkflow, WORKFLOWS, workflowInput } from "./workflows/index.js";

export interface WorkflowListing {
  id: string;
  title: string;
  summary: string;
  steps: string[];
  /** The pack's knowledge file that explains the procedure, when the pack has one. */
  knowledge?: string;
  runnable: boolean;
}

export function listWorkflows(opts: Pick<RuntimeOptions, "projectDir" | "packs">): WorkflowListing[] {
  const packs = opts.packs ?? loadPacks({ projectDir: opts.projectDir });
  const knowledge = new Map(packs.workflows().map((w) => [w.id, w.file]));
  const out: WorkflowListing[] = WORKFLOWS.map((w) => ({
    id: w.id,
    title: w.title,
    summary: w.summary,
    steps: w.steps.map((s) => s.title),
    ...(knowledge.has(w.id) ? { knowledge: knowledge.get(w.id)! } : {}),
    runnable: true,
  }));
  for (const [id, file] of knowledge) {
    if (!WORKFLOWS.some((w) => w.id === id)) out.push({ id, title: id, summary: "a procedure in the pack's knowledge; no runnable steps", steps: [], knowledge: file, runnable: false });
  }
  return out;
}

export async function runWorkflowText(
  name: string,
  text: string,
  source: string,
  opts: RuntimeOptions & { fresh?: boolean; onStep?: WorkflowRunOptions["onStep"] },
): Promise<WorkflowOutcome> {
  const def = WORKFLOWS.find((w) => w.id === name);
  if (!def) throw badInput(`Unknown workflow '${name}'. Runnable workflows: ${WORKFLOWS.map((w) => w.id).join(", ")}.${didYouMean(name, WORKFLOWS.map((w) => w.id))}`);
  const parsed = parseYamlSafe(text, source);
  if (!parsed.ok) throw badInput(`${source} is not valid YAML:\n` + parsed.errors.map((e) => `  ${e.line ? `line ${e.line}: ` : ""}${e.message}`).join("\n"), { source, issues: parsed.errors });
  if (parsed.value === null || parsed.value === undefined) throw badInput(`${source} is empty. See examples/lifecycle.yaml for a ${name} input.`);
  const input = workflowInput(def, parsed.value, source);
  const packs = opts.packs ?? loadPacks({ projectDir: opts.projectDir });
  const store = opts.store ?? (await openStore(defaultStoreConfig(opts.projectDir)));
  try {
    return await runWorkflow(def, input, {
      projectDir: opts.projectDir,
      source,
      actor: opts.actor ?? defaultActor(),
      store,
      packs,
      specialists: opts.specialists ?? SPECIALISTS,
      gateEnv: { validators: VALIDATORS, ...opts.gateEnv, ...gateSwitches(opts.projectDir), decisions: [] },
      ...(opts.fresh !== undefined ? { fresh: opts.fresh } : {}),
      ...(opts.onStep ? { onStep: opts.onStep } : {}),
    });
  } finally {
    if (!opts.store) await store.close();
  }
}

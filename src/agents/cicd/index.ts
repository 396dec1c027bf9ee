/**
 * devops_cicd: GitHub Actions pipelines for `devops.cicd` tasks, and review
 * of existing workflows ("pipeline optimization") with `analyze: <path>`.
 */
import type { Artifact, Note, PlanDraft } from "../../core/plans/plan.js";
import { artifact } from "../../core/plans/plan.js";
import type { DiskInputs, SpecialistContext } from "../../core/specialist.js";
import { defineSpecialist } from "../../core/specialist.js";
import { analyzeWorkflows, isWorkflowPath, RULES } from "./analyze.js";
import { resolveConfig } from "./config.js";
import { ciWorkflow, hasCiJobs } from "./generate/ci.js";
import { deployWorkflow } from "./generate/deploy.js";
import type { Workflow } from "./model.js";
import { isActionStep, isCallJob } from "./model.js";
import { generationNotes } from "./notes.js";
import type { PinKey } from "./pins.js";
import { PINS } from "./pins.js";
import { AGENT_ID, renderWorkflow } from "./render.js";
import type { CicdInput } from "./schema.js";
import { cicdInputSchema } from "./schema.js";

export type { CicdInput } from "./schema.js";

/** Pin-table entries the workflows use, in pin-table order. */
function usedPins(workflows: Workflow[]): PinKey[] {
  const used = new Set<PinKey>();
  for (const w of workflows) {
    for (const job of Object.values(w.jobs)) {
      if (isCallJob(job)) continue;
      for (const step of job.steps) if (isActionStep(step)) used.add(step.action);
    }
  }
  return (Object.keys(PINS) as PinKey[]).filter((k) => used.has(k));
}

function generate(input: CicdInput): PlanDraft {
  const cfg = resolveConfig(input);
  const withCi = hasCiJobs(cfg);
  const withDeploy = cfg.deploy !== undefined;
  const workflows = [...(withCi ? [ciWorkflow(cfg, withDeploy)] : []), ...(withDeploy ? [deployWorkflow(cfg, withCi)] : [])];
  const artifacts: Artifact[] = workflows.map((w) => artifact(w.path, "github-workflow", renderWorkflow(w)));
  const notes: Note[] = generationNotes(cfg, usedPins(workflows));
  return { artifacts, findings: [], notes };
}

/**
 * Analysis mode writes nothing: the plan has no artifacts (not even a report
 * file); every finding carries its message, fix, file and line, and the
 * interfaces render them (table, JSON, later SARIF).
 */
function analyze(input: CicdInput, ctx: SpecialistContext): PlanDraft {
  const root = input.analyze ?? "";
  const files = new Map([...ctx.files].filter(([p]) => isWorkflowPath(p)));
  const findings = analyzeWorkflows(files);
  const notes: Note[] = [];
  if (input.project_type !== undefined) {
    notes.push({ kind: "info", text: `Analysis applies the same rules whatever the project type; project_type ${input.project_type} was not used. Run a task without analyze to generate a pipeline.` });
  }
  if (files.size === 0) {
    notes.push({ kind: "warning", text: `No workflow files (*.yml, *.yaml) were found under ${root}.` });
  } else {
    const byRule = new Map<string, number>();
    for (const f of findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
    const titles = new Map(Object.values(RULES).map((r) => [r.id as string, r.title as string]));
    const summary = [...byRule.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, n]) => `${id} ${titles.get(id) ?? ""}: ${n}`)
      .join("; ");
    notes.push({
      kind: findings.length === 0 ? "info" : "recommendation",
      text: `Analyzed ${files.size} workflow file(s) under ${root}: ${findings.length === 0 ? "no findings" : `${findings.length} finding(s) (${summary})`}. Analysis writes no files; each finding carries its fix.`,
    });
  }
  return { artifacts: [], findings, notes };
}

export const cicdSpecialist = defineSpecialist<CicdInput>({
  agent: AGENT_ID,
  taskType: "devops.cicd",
  description: "GitHub Actions CI/CD: pinned, least-privilege workflows with caching, provenance, OIDC deploys and rollback; or review of existing workflows (analyze).",
  schema: cicdInputSchema,
  environments: (input) => (input.analyze === undefined ? input.environments : []),
  diskInputs: (input): DiskInputs | undefined =>
    input.analyze === undefined ? undefined : { roots: [input.analyze], include: (p) => isWorkflowPath(p) },
  plan: (input, ctx) => (input.analyze === undefined ? generate(input) : analyze(input, ctx)),
});

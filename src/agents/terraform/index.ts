/**
 * devops_terraform: Terraform for `devops.terraform` tasks. Reusable modules
 * (VPC, EKS, ECS Fargate behind an ALB, RDS, S3, IAM roles) composed by one
 * root per environment, every file printed by one HCL printer; a dated
 * monthly cost estimate; and drift detection against a state file.
 */
import { markerLine } from "../../core/plans/plan.js";
import type { Artifact, Note, PlanDraft } from "../../core/plans/plan.js";
import { artifact } from "../../core/plans/plan.js";
import type { DiskInputs, SpecialistContext } from "../../core/specialist.js";
import { defineSpecialist } from "../../core/specialist.js";
import { costNoteText, estimate } from "./cost.js";
import type { CostEstimate } from "./cost.js";
import { compareDrift, parseState } from "./drift.js";
import type { ExpectedInstance } from "./drift.js";
import { printFile } from "./hcl.js";
import type { ModuleFiles } from "./model.js";
import { versionsFile } from "./modules/common.js";
import { ecsFiles } from "./modules/ecs.js";
import { eksFiles } from "./modules/eks.js";
import { iamFiles } from "./modules/iam.js";
import { rdsFiles } from "./modules/rds.js";
import { s3Files } from "./modules/s3.js";
import { vpcFiles } from "./modules/vpc.js";
import { exceptionNotes, layoutNote, prerequisiteNotes, stateNotes, validationNote } from "./notes.js";
import { environmentRoot, resolve } from "./root.js";
import type { EnvironmentRoot } from "./root.js";
import type { ResourceType, TerraformInput } from "./schema.js";
import { RESOURCE_TYPES, terraformInputSchema } from "./schema.js";

export type { TerraformInput } from "./schema.js";

export const AGENT_ID = "devops_terraform";
export const MARKER = markerLine(AGENT_ID);

const MODULES: Readonly<Record<ResourceType, { dir: string; files: () => ModuleFiles }>> = {
  vpc: { dir: "vpc", files: vpcFiles },
  eks_cluster: { dir: "eks-cluster", files: eksFiles },
  ecs_service: { dir: "ecs-service", files: ecsFiles },
  rds: { dir: "rds", files: rdsFiles },
  s3_bucket: { dir: "s3-bucket", files: s3Files },
  iam_role: { dir: "iam-role", files: iamFiles },
};

function tf(path: string, body: Parameters<typeof printFile>[0]): Artifact {
  return artifact(path, "terraform", printFile(body, [MARKER]));
}

function moduleArtifacts(types: ReadonlySet<ResourceType>): Artifact[] {
  const out: Artifact[] = [];
  for (const t of RESOURCE_TYPES) {
    if (!types.has(t)) continue;
    const m = MODULES[t];
    const f = m.files();
    out.push(
      tf(`modules/${m.dir}/main.tf`, f.main),
      tf(`modules/${m.dir}/variables.tf`, f.variables),
      tf(`modules/${m.dir}/outputs.tf`, f.outputs),
      tf(`modules/${m.dir}/versions.tf`, versionsFile("module")),
    );
  }
  return out;
}

/** The cost estimate as a reviewable file; the first key carries the generated-file marker. */
function costArtifact(e: CostEstimate): Artifact {
  const body = { generated_by: MARKER.replace(/^# /, ""), ...e };
  return artifact(`envs/${e.environment}/cost-estimate.json`, "json", JSON.stringify(body, null, 2) + "\n");
}

/** Every resource instance one environment's configuration manages, with full addresses. */
export function expectedInstances(root: EnvironmentRoot): ExpectedInstance[] {
  return root.calls.flatMap((c) => c.call.instances.map((i) => ({ address: `module.${c.label}.${i.address}`, attributes: i.attributes })));
}

function generate(input: TerraformInput, ctx: SpecialistContext): PlanDraft {
  const resolved = resolve(input);
  const roots = resolved.environments.map((env) => environmentRoot(resolved, env));
  const types = new Set(resolved.resources.map((r) => r.type));
  const artifacts: Artifact[] = [...moduleArtifacts(types)];
  const notes: Note[] = [layoutNote(resolved, RESOURCE_TYPES.filter((t) => types.has(t)).map((t) => MODULES[t].dir))];
  for (const root of roots) {
    for (const f of root.files) artifacts.push(tf(`envs/${root.environment}/${f.name}`, f.body));
    const cost = estimate(root.environment, resolved.region, root.calls);
    artifacts.push(costArtifact(cost));
    notes.push({ kind: "cost", text: costNoteText(cost) });
  }
  const first = roots[0]!;
  notes.push(...stateNotes(resolved, first.calls), ...prerequisiteNotes(first.calls), ...exceptionNotes(first.calls), validationNote());

  const draft: PlanDraft = { artifacts, findings: [], notes, touchesSecrets: types.has("rds") };
  if (input.drift !== undefined) {
    const env = input.drift.environment ?? resolved.environments[0]!;
    const root = roots.find((r) => r.environment === env)!;
    const path = input.drift.state;
    const text = ctx.files.get(path);
    if (text === undefined) throw new Error(`the runtime did not provide ${path}`);
    const state = parseState(text, path);
    const result = compareDrift(expectedInstances(root), state, path);
    draft.findings.push(...result.findings);
    notes.push({
      kind: result.findings.length === 0 ? "info" : "warning",
      text:
        `Drift of ${env} against ${path} (${state.format}${state.terraformVersion !== undefined ? `, Terraform ${state.terraformVersion}` : ""}, ${state.resources.length} managed resource instance(s)): ` +
        (result.findings.length === 0
          ? `no drift; all ${result.compared} configured instances are in the state with the configured values.`
          : `${result.added} to add (in the configuration, not in the state), ${result.removed} to remove (in the state, not in the configuration), ${result.changed} attribute(s) changed. Each is a finding with its fix.`),
    });
  }
  return draft;
}

export const terraformSpecialist = defineSpecialist<TerraformInput>({
  agent: AGENT_ID,
  taskType: "devops.terraform",
  description: "Terraform for AWS: modules (VPC, EKS, ECS Fargate + ALB, RDS, S3, IAM) and per-environment roots with S3 state and locking, a dated monthly cost estimate, and drift detection against a state file.",
  schema: terraformInputSchema,
  environments: (input) => resolve(input).environments,
  diskInputs: (input): DiskInputs | undefined => {
    const drift = input.drift;
    if (drift === undefined) return undefined;
    return { roots: [drift.state], include: (p) => p === drift.state };
  },
  plan: (input, ctx) => generate(input, ctx),
});

/** `.github/workflows/ci.yml`: lint, test, build and security on pull requests and the default branch. */
import type { ResolvedConfig } from "../config.js";
import type { Job, Step, StepsJob, Workflow } from "../model.js";
import { containerKit } from "./container.js";
import { goKit } from "./go.js";
import { javaKit } from "./java.js";
import { nodeKit } from "./node.js";
import { pythonKit } from "./python.js";
import type { LanguageKit, MatrixAxis } from "./steps.js";
import { checkout, matrixExpr } from "./steps.js";

export const CI_PATH = ".github/workflows/ci.yml";


const TIMEOUTS = { lint: 10, test: 20, build: 20, image: 30, security: 15 } as const;

export function kitFor(cfg: ResolvedConfig): LanguageKit {
  switch (cfg.type) {
    case "typescript_fullstack":
    case "node":
      return nodeKit(cfg);
    case "python":
      return pythonKit(cfg);
    case "go":
      return goKit(cfg);
    case "java":
      return javaKit(cfg);
    case "container":
      return containerKit(cfg);
  }
}

function label(kit: LanguageKit, cfg: ResolvedConfig): string {
  if (cfg.type === "go") return "";
  const name = cfg.type === "python" ? "Python" : cfg.type === "java" ? "Java" : "Node";
  return kit.primary === "" ? "" : ` (${name} ${kit.primary})`;
}

function withMatrix(base: Omit<StepsJob, "steps">, axis: MatrixAxis | undefined, steps: (value: string) => Step[], fallback: string): StepsJob {
  if (axis === undefined) return { ...base, steps: steps(fallback) };
  const value = matrixExpr(axis.axis);
  const suffix = axis.label === "" ? value : `${axis.label} ${value}`;
  return {
    ...base,
    name: `${base.name} (${suffix})`,
    strategy: { "fail-fast": false, axes: { [axis.axis]: axis.values } },
    steps: steps(value),
  };
}

/** The image check: build the Dockerfile with the GitHub Actions layer cache, push nothing. */
function imageCheck(cfg: ResolvedConfig, deployWorkflow: boolean): StepsJob {
  return {
    name: "Build image",
    "runs-on": cfg.runsOn,
    // On the default branch the deploy workflow builds and pushes the image itself.
    ...(deployWorkflow ? { if: "github.event_name == 'pull_request'" } : {}),
    "timeout-minutes": TIMEOUTS.image,
    steps: [
      checkout(),
      { name: "Set up Buildx", action: "setupBuildx" },
      {
        name: "Build image (not pushed)",
        action: "buildPush",
        with: { context: ".", file: cfg.dockerfile, push: false, "cache-from": "type=gha", "cache-to": "type=gha,mode=max" },
      },
    ],
  };
}

export function ciWorkflow(cfg: ResolvedConfig, deployWorkflow: boolean): Workflow {
  const kit = kitFor(cfg);
  const stages = new Set(cfg.stages);
  const jobs: Record<string, Job> = {};
  const base = (name: string, timeout: number): Omit<StepsJob, "steps"> => ({ name, "runs-on": cfg.runsOn, "timeout-minutes": timeout });
  const prepared = (version: string, steps: Step[]): Step[] => [checkout(), ...kit.prepare(version), ...steps];
  const suffix = label(kit, cfg);

  if (stages.has("lint") && kit.lint.length > 0) {
    jobs.lint = { ...base(`Lint${suffix}`, TIMEOUTS.lint), steps: prepared(kit.primary, kit.lint) };
  }
  if (stages.has("test") && kit.test.length > 0) {
    jobs.test = withMatrix(base("Test", TIMEOUTS.test), kit.testMatrix, (v) => prepared(v, kit.test), kit.primary);
    if (kit.testMatrix === undefined) jobs.test.name = `Test${suffix}`;
  }
  if (stages.has("build") && kit.build.length > 0) {
    jobs.build = withMatrix(base(`Build${kit.buildMatrix ? "" : suffix}`, TIMEOUTS.build), kit.buildMatrix, () => prepared(kit.primary, kit.build), kit.primary);
  }
  if (stages.has("build") && cfg.containerized) {
    jobs.image = imageCheck(cfg, deployWorkflow);
  }
  if (stages.has("security") && kit.audit.length > 0) {
    jobs.security = { ...base("Security", TIMEOUTS.security), steps: prepared(kit.primary, kit.audit) };
  }

  const branch = cfg.branch;
  return {
    path: CI_PATH,
    name: "CI",
    on: deployWorkflow ? { pull_request: {}, workflow_call: {} } : { push: { branches: [branch] }, pull_request: {} },
    permissions: { contents: "read" },
    concurrency: {
      // A literal prefix: when deploy.yml calls this workflow, github.workflow is the caller's name.
      group: "ci-${{ github.event.pull_request.number || github.ref }}",
      "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    },
    // Without an explicit shell, GitHub runs scripts with `bash -e` but no pipefail.
    defaults: { run: { shell: "bash" } },
    jobs,
  };
}

/** True when the stages produce at least one CI job. */
export function hasCiJobs(cfg: ResolvedConfig): boolean {
  return Object.keys(ciWorkflow(cfg, false).jobs).length > 0;
}

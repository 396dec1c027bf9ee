import type { ArtifactValidator, GateEnvironment } from "../gates/engine.js";

/**
 * The real validator for each artifact kind, loaded on first use so that
 * `--version` and `agents` never pay for wasm start-up or schema bundles.
 */
export const VALIDATORS: GateEnvironment["validators"] = {
  "github-workflow": async (): Promise<ArtifactValidator> => {
    const { lintWorkflow, ACTIONLINT_TOOL } = await import("./actionlint.js");
    return { kind: "github-workflow", tool: ACTIONLINT_TOOL, validate: (a) => lintWorkflow(a.content, a.path) };
  },
  kubernetes: async (): Promise<ArtifactValidator> => (await import("./kubernetes.js")).kubernetesValidator,
  terraform: async (): Promise<ArtifactValidator> => (await import("./terraform.js")).terraformValidator,
  helm: async (): Promise<ArtifactValidator> => (await import("./kubernetes.js")).helmValidator,
};

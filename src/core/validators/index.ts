import type { ArtifactValidator, GateEnvironment } from "../gates/engine.js";

/**
 * The real validator for each artifact kind, loaded on first use so that
 * `--version` and `agents` never pay for wasm start-up or schema bundles.
 * The promtool and amtool validators read the tools' versions when loaded.
 */
export const VALIDATORS: GateEnvironment["validators"] = {
  "github-workflow": async (): Promise<ArtifactValidator> => {
    const { lintWorkflow, ACTIONLINT_TOOL } = await import("./actionlint.js");
    return { kind: "github-workflow", tool: ACTIONLINT_TOOL, validate: (a) => lintWorkflow(a.content, a.path) };
  },
  kubernetes: async (): Promise<ArtifactValidator> => (await import("./kubernetes.js")).kubernetesValidator,
  terraform: async (): Promise<ArtifactValidator> => (await import("./terraform.js")).terraformValidator,
  helm: async (): Promise<ArtifactValidator> => (await import("./kubernetes.js")).helmValidator,
  "prometheus-config": async (): Promise<ArtifactValidator> => (await import("./prometheus.js")).prometheusConfigValidator(),
  "prometheus-rules": async (): Promise<ArtifactValidator> => (await import("./prometheus.js")).prometheusRulesValidator(),
  "prometheus-rule-test": async (): Promise<ArtifactValidator> => (await import("./prometheus.js")).prometheusRuleTestValidator(),
  "alertmanager-config": async (): Promise<ArtifactValidator> => (await import("./prometheus.js")).alertmanagerConfigValidator(),
  "grafana-dashboard": async (): Promise<ArtifactValidator> => (await import("./grafana.js")).grafanaDashboardValidator,
  // No offline tool exists for these two (oslo, otelcol validate): our own checks, written from the spec and the Collector's config rules.
  openslo: async (): Promise<ArtifactValidator> => (await import("./openslo.js")).openSloValidator,
  "otel-collector": async (): Promise<ArtifactValidator> => (await import("./otel-collector.js")).otelCollectorValidator,
};

/** Plan notes: how to apply the files, what must exist in the cluster first, and why things are as they are. */
import type { Note } from "../../core/plans/plan.js";
import type { AppConfig } from "./config.js";
import type { FleetSize } from "./optimize.js";
import { optimizationNotes } from "./optimize.js";
import { PREVIEW_HEADER } from "./mesh.js";
import { KUBE_VERSION } from "./chart.js";
import type { KubernetesInput } from "./schema.js";

export interface Layout {
  manifestsDir: string;
  chartDir?: string;
}

function applyNote(input: KubernetesInput, base: AppConfig, envs: AppConfig[], layout: Layout): Note {
  const parts: string[] = [];
  const d = layout.manifestsDir;
  if (input.kustomize) {
    parts.push(
      envs.length === 0
        ? `Kustomize base in ${d}/base: kubectl apply -k ${d}/base.`
        : `Kustomize base in ${d}/base with one overlay per environment: ${envs.map((e) => `kubectl apply -k ${d}/overlays/${e.environment ?? ""}`).join("; ")}. Overlays hold only computed JSON patches (replicas, resources, host, autoscaling, env, config).`,
    );
    parts.push(
      base.strategy === "rolling"
        ? `A pipeline pins a new release with: (cd ${d}/base && kustomize edit set image ${base.release.repository}@sha256:<digest>).`
        : `Both ${base.strategy === "canary" ? "tracks" : "colours"} use the same repository, so kustomize edit set image would change both: release by re-running this task with the new image${base.strategy === "canary" ? " (and canary.stable_image)" : " (and blue_green.live_image)"} and reviewing the diff.`,
    );
  } else {
    parts.push(envs.length === 0 ? `Plain manifests in ${d}: kubectl apply -f ${d}.` : `Plain manifests per environment: ${envs.map((e) => `kubectl apply -f ${d}/${e.environment ?? ""}`).join("; ")}.`);
  }
  if (layout.chartDir) {
    const c = layout.chartDir;
    parts.push(
      envs.length === 0
        ? `Helm chart in ${c}: helm upgrade --install ${base.name} ${c} -n ${base.namespace}.`
        : `Helm chart in ${c}: ${envs.map((e) => `helm upgrade --install ${base.name} ${c} -n ${e.namespace} -f ${c}/values-${e.environment ?? ""}.yaml`).join("; ")}. values.schema.json rejects unknown keys and missing limits.`,
    );
    parts.push("Use either the overlays or the chart for an environment, not both: they create the same objects.");
  }
  return { kind: "info", text: parts.join(" ") };
}

function strategyNotes(base: AppConfig, layout: Layout): Note[] {
  const ns = base.namespace;
  const n = base.name;
  if (base.strategy === "blue_green" && base.blueGreen) {
    const { live, idle } = base.blueGreen;
    const how =
      base.mesh === "istio"
        ? `move the VirtualService weights of ${n} to 100 for subset ${idle} (and 0 for ${live}); test the idle colour first by sending the header ${PREVIEW_HEADER}: true`
        : base.mesh === "linkerd"
          ? `set the HTTPRoute ${n} weights to 100 for backend ${n}-${idle} and 0 for ${n}-${live}, and repoint the Service ${n} selector to slot ${idle}; test the idle colour first through the Service ${n}-${idle}`
          : `kubectl -n ${ns} patch service ${n} -p '{"spec":{"selector":{"slot":"${idle}"}}}' (and the preview Service ${n}-preview to ${live}); test the idle colour first through the Service ${n}-preview`;
    return [
      {
        kind: "recommendation",
        text:
          `Blue-green: ${live} is live and the release goes to ${idle}. Wait for ${n}-${idle} to be ready and pass the smoke tests, then switch: ${how}. ` +
          `Watch 15 minutes (5xx ratio, p99 latency, saturation) and switch back if the 5xx ratio exceeds twice ${live}'s or p99 breaks the SLO for 5 minutes. ` +
          `Keep ${live} unchanged until the rollback window ends. Commit the switch in these files${layout.chartDir ? ` (or --set blueGreen.live=${idle})` : ""} so the next apply does not undo it. Schema changes must be expand-then-contract: both colours share the database.`,
      },
    ];
  }
  if (base.strategy === "canary" && base.canary) {
    const routing =
      base.mesh === "istio"
        ? `the VirtualService ${n} sends ${base.canary.weight} % to subset canary`
        : base.mesh === "linkerd"
          ? `the HTTPRoute ${n} sends ${base.canary.weight} % to the Service ${n}-canary`
          : `without a mesh the split follows the replica ratio (${base.canary.replicas} canary pod(s) beside the stable ones), not canary.weight; choose mesh istio or linkerd for exact weights`;
    return [
      {
        kind: "recommendation",
        text:
          `Canary: ${routing}. Step the weight 5 → 25 → 50 → 100 with 10 minutes at each step, comparing the canary with the stable track (label track=canary vs track=stable): ` +
          `abort when its 5xx ratio is above 1 % or twice stable's for 2 minutes, p99 is 30 % above stable for 5 minutes, or any canary pod restarts. ` +
          `Promote by setting the stable image to the canary's digest and the weight to 0; abort by setting the weight to 0.`,
      },
    ];
  }
  return [
    {
      kind: "info",
      text: `Rolling update: maxSurge 25 %, maxUnavailable 0, minReadySeconds 10; kubectl -n ${ns} rollout status deployment/${n} --timeout=10m, and kubectl rollout undo (or redeploy the previous digest) to roll back.`,
    },
  ];
}

function meshNotes(base: AppConfig): Note[] {
  if (base.mesh === "istio") {
    return [
      {
        kind: "warning",
        text:
          "Istio: the namespace is labelled istio-injection=enabled. Restricted Pod Security rejects the istio-init container (it needs NET_ADMIN and NET_RAW): install the istio-cni node agent, or use ambient mode. " +
          "The v1 APIs (networking.istio.io/v1, security.istio.io/v1) need Istio 1.22 or later. The NetworkPolicy allows the sidecar to reach istiod (istio-system, 15012). Mesh routing applies to traffic entering through sidecars or an Istio gateway.",
      },
    ];
  }
  if (base.mesh === "linkerd") {
    return [
      {
        kind: "warning",
        text:
          "Linkerd: the namespace carries linkerd.io/inject=enabled. Restricted Pod Security rejects linkerd-init (NET_ADMIN, NET_RAW): install the linkerd-cni plugin. " +
          "Traffic is split with a Gateway API HTTPRoute (gateway.networking.k8s.io/v1) whose parent is the Service, which is how current Linkerd routes (2.14 and later, with the Gateway API CRDs installed); the SMI TrafficSplit of the linkerd-smi extension is no longer developed and is not used. " +
          "The NetworkPolicy allows the proxy to reach the control plane (linkerd: 8080, 8086, 8090) and linkerd-viz to scrape and tap it (4190, 4191). An ingress controller must be meshed for the split to apply to its traffic.",
      },
    ];
  }
  return [];
}

/** Every note of the plan. */
export function generationNotes(input: KubernetesInput, base: AppConfig, envs: AppConfig[], layout: Layout): Note[] {
  const notes: Note[] = [applyNote(input, base, envs, layout)];
  if (base.release.digest === "") {
    notes.push({
      kind: "warning",
      text: `The image ${base.release.repository}:${base.release.tag} is not pinned by digest, so a re-pushed tag changes what runs (the scanner reports DP-K8S-CONTAINER-019). Give digest: sha256:… (the build job's output).`,
    });
  }
  notes.push(...strategyNotes(base, layout), ...meshNotes(base));
  notes.push({
    kind: "info",
    text:
      `Hardened by default: namespace ${base.namespace} enforces the restricted Pod Security Standard; pods run as UID ${base.uid} (non-root), read-only root filesystem with emptyDir mounts at ${base.writablePaths.join(", ")}, ` +
      `no privilege escalation, ALL capabilities dropped, seccomp RuntimeDefault, their own ServiceAccount without a token, requests and limits, startup/readiness/liveness probes, ` +
      `a ${base.shutdown.drainSeconds} s preStop sleep for connection draining within a ${base.shutdown.gracePeriodSeconds} s grace period, and zone and node spreading. Needs Kubernetes ${KUBE_VERSION.replace(/^>=(\d+\.\d+).*$/, "$1")} or later (the preStop sleep action).`,
  });
  const flows = [`DNS to kube-system`, ...(base.ingress ? [`the ingress controller (${base.ingress.controllerNamespace}) to port ${base.primary.port}`] : [])];
  if (base.metrics) flows.push(`Prometheus (${base.metrics.namespace}) to the metrics port ${base.metrics.port}`);
  if (base.allowFrom.length > 0) flows.push(`${base.allowFrom.length} declared caller(s)`);
  if (base.egress.length > 0) flows.push(`${base.egress.length} declared egress flow(s)`);
  notes.push({
    kind: "recommendation",
    text:
      `NetworkPolicies deny all traffic in ${base.namespace} by default and allow ${flows.join(", ")}. They need a CNI that enforces them (Calico, Cilium, the VPC CNI with network policy enabled). ` +
      `Add every other dependency (database, queues, external APIs) under egress, or the application cannot reach it.`,
  });
  if (base.ingress) {
    notes.push({
      kind: "info",
      text: `The Ingress serves https://${base.ingress.host}${base.ingress.path} with the certificate in Secret ${base.ingress.tlsSecret}${"cert-manager.io/cluster-issuer" in base.ingress.annotations ? ", which cert-manager issues" : ", which must exist (cert-manager or your platform)"}.`,
    });
  }
  if (base.secretMounts.length > 0 || base.secretEnv.length > 0) {
    const names = [...new Set([...base.secretMounts.map((s) => s.secret), ...base.secretEnv.map((s) => s.secret)])];
    notes.push({
      kind: "info",
      text: `The plan references existing Secrets (${names.join(", ")}) and creates none: provide them with External Secrets Operator or SOPS. ${base.secretMounts.length > 0 ? `Files are mounted read-only (mode 0440) at ${base.secretMounts.map((s) => s.mountPath).join(", ")} and follow rotation.` : ""}`.trim(),
    });
  }
  if (base.secretEnv.length > 0) {
    notes.push({
      kind: "warning",
      text: `Secrets read through environment variables (${base.secretEnv.map((s) => s.variable).join(", ")}) leak into crash dumps and child processes and do not follow rotation; the scanner reports DP-K8S-SECRET-002. Prefer files.`,
    });
  }
  const unused = Object.keys(input.overrides ?? {}).filter((e) => !input.environments.includes(e));
  if (unused.length > 0) notes.push({ kind: "info", text: `Overrides for ${unused.join(", ")} were not used: not in environments (${input.environments.join(", ") || "none"}).` });
  if (input.optimize) {
    // Environments that set their own resources are not sized from the percentiles.
    const sized = envs.length > 0 ? envs.filter((c) => input.overrides?.[c.environment ?? ""]?.resources === undefined) : [base];
    const fleets: FleetSize[] = sized.map((c) => {
      const main = c.tracks[0];
      const replicas = c.autoscaling ? c.autoscaling.min : (main?.replicas ?? 1);
      return { environment: c.environment ?? base.name, replicas: replicas * c.tracks.filter((t) => t.id !== "canary").length, autoscaled: c.autoscaling !== undefined };
    });
    notes.push(...optimizationNotes(input.optimize, base.name, fleets));
  }
  return notes;
}

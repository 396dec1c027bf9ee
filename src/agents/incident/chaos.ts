/**
 * Chaos experiments after packs/devops/data/chaos-engineering.md: Chaos Mesh
 * (chaos-mesh.org/v1alpha1 PodChaos, NetworkChaos, StressChaos, HTTPChaos)
 * or LitmusChaos (litmuschaos.io/v1alpha1 ChaosEngine) objects that select
 * one service's pods by namespace and app.kubernetes.io/name, with a
 * bounded duration, the smallest mode, and the hypothesis and abort
 * conditions as annotations; plus a README with each experiment's card.
 * Field names follow the upstream CRDs.
 */
import type { Note } from "../../core/plans/plan.js";
import { profileOf } from "./catalog.js";
import type { ResolvedConfig } from "./config.js";
import type { Block } from "./md.js";
import { c, code, h1, h2, h3, p, table, tasks, ul } from "./md.js";
import type { Ref } from "./queries.js";
import { errorRatio, sloError } from "./queries.js";
import type { ChaosInput, Engine, ExperimentInput, Fault } from "./schema.js";
import { isProduction } from "./schema.js";

export const CHAOS_README = "chaos/README.md";
export const chaosPath = (name: string) => `chaos/${name}.yaml`;

const CHAOS_MESH = "chaos-mesh.org/v1alpha1";
const LITMUS = "litmuschaos.io/v1alpha1";

export interface Experiment {
  name: string;
  service: Ref;
  fault: Fault;
  duration: string;
  mode: "one" | "fixed-percent";
  percent?: number;
  target?: Ref;
  latency: string;
  lossPercent: number;
  port: number;
  cpuLoad: number;
  memorySize: string;
  /** Filled in when the experiment came from the incident types, not from the task. */
  because?: string;
  portAssumed: boolean;
}

function resolveOne(e: ExperimentInput, cfg: ResolvedConfig, because?: string): Experiment {
  return {
    name: `${e.service}-${e.fault.replaceAll("_", "-")}`,
    service: cfg.byName.get(e.service)!,
    fault: e.fault,
    duration: e.duration,
    mode: e.mode,
    ...(e.percent !== undefined ? { percent: e.percent } : {}),
    ...(e.target_service !== undefined ? { target: cfg.byName.get(e.target_service)! } : {}),
    latency: e.latency ?? (e.fault === "http_delay" ? "500ms" : "200ms"),
    lossPercent: e.loss_percent ?? 30,
    port: e.port ?? 8080,
    cpuLoad: e.cpu_load ?? 80,
    memorySize: e.memory_size ?? "256MB",
    ...(because !== undefined ? { because } : {}),
    portAssumed: e.port === undefined && (e.fault === "http_abort" || e.fault === "http_delay"),
  };
}

/** The task's experiments, or the default set for its incident types. */
export function resolveExperiments(cfg: ResolvedConfig, chaos: ChaosInput): Experiment[] {
  if (chaos.experiments) return chaos.experiments.map((e) => resolveOne(e, cfg));
  const out: Experiment[] = [];
  const seen = new Set<string>();
  const db = cfg.refs.find((r) => r.kind === "database");
  for (const type of cfg.types.length > 0 ? cfg.types : ["generic"]) {
    for (const fault of profileOf(type).profile.chaos[chaos.engine]) {
      for (const r of cfg.refs) {
        if ((fault === "http_abort" || fault === "http_delay") && r.kind !== "http") continue;
        // A database's own outbound traffic is not what a connection failure rehearses.
        if (type === "database_connection_failure" && db !== undefined && r.name === db.name && cfg.refs.length > 1) continue;
        const key = `${r.name} ${fault}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const target = type === "database_connection_failure" && fault === "network_latency" && db && db.name !== r.name ? { target_service: db.name } : {};
        out.push(resolveOne({ service: r.name, fault, duration: "5m", mode: "one", ...target }, cfg, type));
      }
    }
  }
  return out;
}

const chaosKind: Record<Fault, string> = {
  pod_kill: "PodChaos",
  pod_failure: "PodChaos",
  container_kill: "PodChaos",
  network_latency: "NetworkChaos",
  network_loss: "NetworkChaos",
  network_partition: "NetworkChaos",
  cpu_stress: "StressChaos",
  memory_stress: "StressChaos",
  http_abort: "HTTPChaos",
  http_delay: "HTTPChaos",
};

/** The LitmusChaos experiment for each fault (pod_failure has none; the schema refuses it). */
const litmusExperiment: Record<Exclude<Fault, "pod_failure">, string> = {
  pod_kill: "pod-delete",
  container_kill: "container-kill",
  network_latency: "pod-network-latency",
  network_loss: "pod-network-loss",
  network_partition: "pod-network-partition",
  cpu_stress: "pod-cpu-hog",
  memory_stress: "pod-memory-hog",
  http_abort: "pod-http-reset-peer",
  http_delay: "pod-http-latency",
};

export function kindOf(e: Experiment, engine: Engine): string {
  return engine === "litmus" ? "ChaosEngine" : chaosKind[e.fault];
}

const seconds = (d: string) => Number(d.slice(0, -1)) * (d.endsWith("m") ? 60 : 1);

function blast(e: Experiment): string {
  return e.mode === "one" ? `one ${e.service.name} pod` : `${e.percent}% of the ${e.service.name} pods`;
}

function method(e: Experiment): string {
  const to = e.target ? ` to ${e.target.name}` : "";
  switch (e.fault) {
    case "pod_kill":
      return `kill ${blast(e)}`;
    case "pod_failure":
      return `make ${blast(e)} unavailable for ${e.duration}`;
    case "container_kill":
      return `kill the ${e.service.name} container in ${blast(e)}`;
    case "network_latency":
      return `add ${e.latency} of latency to the outbound traffic${to} of ${blast(e)} for ${e.duration}`;
    case "network_loss":
      return `drop ${e.lossPercent}% of the outbound packets${to} of ${blast(e)} for ${e.duration}`;
    case "network_partition":
      return `cut ${blast(e)} off from ${e.target?.name ?? "its dependency"} for ${e.duration}`;
    case "cpu_stress":
      return `load the CPU of ${blast(e)} to ${e.cpuLoad}% for ${e.duration}`;
    case "memory_stress":
      return `consume ${e.memorySize} of extra memory in ${blast(e)} for ${e.duration}`;
    case "http_abort":
      return `abort HTTP requests to port ${e.port} of ${blast(e)} for ${e.duration}`;
    case "http_delay":
      return `delay HTTP requests to port ${e.port} of ${blast(e)} by ${e.latency} for ${e.duration}`;
  }
}

const pct = (ratio: number) => `${Number((ratio * 100).toPrecision(6))}%`;

export function hypothesis(e: Experiment, chaos: ChaosInput): string {
  const keep = `the error ratio of ${e.service.name} stays below ${pct(chaos.max_error_ratio)} and no page fires`;
  switch (e.fault) {
    case "pod_kill":
    case "pod_failure":
    case "container_kill":
      return `When we ${method(e)}, the other replicas absorb the traffic and Kubernetes replaces it: ${keep}.`;
    case "network_latency":
    case "network_loss":
      return `When we ${method(e)}, timeouts, retries with back-off and connection pools absorb it: ${keep}.`;
    case "network_partition":
      return `When we ${method(e)}, ${e.service.name} fails fast and degrades gracefully instead of hanging: ${keep}, apart from requests that need ${e.target?.name ?? "the dependency"}.`;
    case "cpu_stress":
      return `When we ${method(e)}, headroom and the autoscaler keep latency within its objective: ${keep}.`;
    case "memory_stress":
      return `When we ${method(e)}, the pod stays under its memory limit, or is restarted cleanly while the others serve: ${keep}.`;
    case "http_abort":
    case "http_delay":
      return `When we ${method(e)}, clients retry on other pods within their timeouts: ${keep}.`;
  }
}

export function steadyState(e: Experiment, chaos: ChaosInput): { slo: string; raw?: string } {
  const raw = errorRatio(e.service);
  return { slo: `${sloError(e.service)} < ${chaos.max_error_ratio}`, ...(raw !== undefined ? { raw: `(${raw}) < ${chaos.max_error_ratio}` } : {}) };
}

function pageAlerts(cfg: ResolvedConfig, e: Experiment): string[] {
  return cfg.alerts.filter((a) => a.service === e.service.name && a.severity === "page").map((a) => a.name);
}

export function abortQuery(cfg: ResolvedConfig, e: Experiment, chaos: ChaosInput): { pages: string; ratio: string } {
  const pages = pageAlerts(cfg, e);
  return {
    pages: pages.length > 0 ? `ALERTS{alertstate="firing",alertname=~"${pages.join("|")}"}` : 'ALERTS{alertstate="firing",severity="page"}',
    ratio: `${sloError(e.service)} > ${chaos.abort_error_ratio}`,
  };
}

/** When to stop, in words: the service's page alerts (or any page) and the abort error ratio. */
export function abortConditions(cfg: ResolvedConfig, e: Experiment, chaos: ChaosInput): string {
  const pages = pageAlerts(cfg, e);
  return `${pages.length > 0 ? `the page alert ${pages.join(" or ")} fires` : "any page fires"}, or ${sloError(e.service)} is above ${chaos.abort_error_ratio} (${pct(chaos.abort_error_ratio)}) for 2 minutes`;
}

function metadata(cfg: ResolvedConfig, e: Experiment, chaos: ChaosInput) {
  return {
    name: e.name,
    namespace: e.service.ns,
    labels: { "app.kubernetes.io/managed-by": "devops-pack", "devops-pack.io/chaos-target": e.service.name },
    annotations: { "devops-pack.io/hypothesis": hypothesis(e, chaos), "devops-pack.io/abort-conditions": `Abort when ${abortConditions(cfg, e, chaos)}. Stop: kubectl delete -f ${chaosPath(e.name)}` },
  };
}

const selectorOf = (r: Ref) => ({ namespaces: [r.ns], labelSelectors: { "app.kubernetes.io/name": r.name } });

function modeOf(e: Experiment): Record<string, string> {
  return e.mode === "one" ? { mode: "one" } : { mode: "fixed-percent", value: String(e.percent) };
}

function chaosMeshSpec(e: Experiment): Record<string, unknown> {
  const base = { selector: selectorOf(e.service), ...modeOf(e) };
  switch (e.fault) {
    case "pod_kill":
      return { action: "pod-kill", ...base, duration: e.duration };
    case "pod_failure":
      return { action: "pod-failure", ...base, duration: e.duration };
    case "container_kill":
      // devops_kubernetes names the container after the service.
      return { action: "container-kill", ...base, containerNames: [e.service.name], duration: e.duration };
    case "network_latency":
    case "network_loss":
    case "network_partition": {
      const action = e.fault === "network_latency" ? "delay" : e.fault === "network_loss" ? "loss" : "partition";
      const target = e.target ? { target: { mode: "all", selector: selectorOf(e.target) } } : {};
      const tc =
        e.fault === "network_latency"
          ? { delay: { latency: e.latency, jitter: `${Math.max(1, Math.round(Number(e.latency.slice(0, -2)) / 10))}ms`, correlation: "25" } }
          : e.fault === "network_loss"
            ? { loss: { loss: String(e.lossPercent), correlation: "25" } }
            : {};
      return { action, ...base, direction: "to", ...target, ...tc, duration: e.duration };
    }
    case "cpu_stress":
      return { ...base, stressors: { cpu: { workers: 1, load: e.cpuLoad } }, duration: e.duration };
    case "memory_stress":
      return { ...base, stressors: { memory: { workers: 1, size: e.memorySize } }, duration: e.duration };
    case "http_abort":
      return { ...base, target: "Request", port: e.port, path: "*", abort: true, duration: e.duration };
    case "http_delay":
      return { ...base, target: "Request", port: e.port, path: "*", delay: e.latency, duration: e.duration };
  }
}

function litmusEnv(e: Experiment): { name: string; value: string }[] {
  const env: [string, string][] = [["TOTAL_CHAOS_DURATION", String(seconds(e.duration))]];
  if (e.mode === "fixed-percent") env.push(["PODS_AFFECTED_PERC", String(e.percent)]);
  switch (e.fault) {
    case "pod_kill":
      env.push(["CHAOS_INTERVAL", "60"], ["FORCE", "false"]);
      break;
    case "container_kill":
      env.push(["TARGET_CONTAINER", e.service.name], ["CHAOS_INTERVAL", "60"]);
      break;
    case "network_latency":
      env.push(["NETWORK_LATENCY", e.latency.slice(0, -2)], ["JITTER", "0"]);
      if (e.target) env.push(["DESTINATION_HOSTS", `${e.target.name}.${e.target.ns}.svc.cluster.local`]);
      break;
    case "network_loss":
      env.push(["NETWORK_PACKET_LOSS_PERCENTAGE", String(e.lossPercent)]);
      if (e.target) env.push(["DESTINATION_HOSTS", `${e.target.name}.${e.target.ns}.svc.cluster.local`]);
      break;
    case "network_partition":
      env.push(["POLICY_TYPES", "egress"], ["NAMESPACE_SELECTOR", `kubernetes.io/metadata.name=${e.target!.ns}`], ["POD_SELECTOR", `app.kubernetes.io/name=${e.target!.name}`]);
      break;
    case "cpu_stress":
      env.push(["CPU_CORES", "1"], ["CPU_LOAD", String(e.cpuLoad)]);
      break;
    case "memory_stress": {
      const mb = Number(e.memorySize.slice(0, -2)) * (e.memorySize.endsWith("GB") ? 1024 : 1);
      env.push(["MEMORY_CONSUMPTION", String(mb)], ["NUMBER_OF_WORKERS", "1"]);
      break;
    }
    case "http_abort":
      env.push(["TARGET_SERVICE_PORT", String(e.port)], ["RESET_TIMEOUT", "0"]);
      break;
    case "http_delay":
      env.push(["TARGET_SERVICE_PORT", String(e.port)], ["LATENCY", e.latency.slice(0, -2)]);
      break;
    case "pod_failure":
      break;
  }
  return env.map(([name, value]) => ({ name, value }));
}

/**
 * The automatic abort for LitmusChaos: a continuous promProbe on the SLO
 * error ratio that stops the experiment when it stays above the abort ratio
 * (checked every 30 s, three failures in a row, so about 2 minutes).
 */
function abortProbe(e: Experiment, chaos: ChaosInput): Record<string, unknown> {
  return {
    name: `${e.service.name}-error-ratio`,
    type: "promProbe",
    mode: "Continuous",
    runProperties: { probeTimeout: "10s", interval: "30s", retry: 3, stopOnFailure: true },
    "promProbe/inputs": {
      endpoint: chaos.prometheus_url,
      query: `max(${sloError(e.service)}) or vector(0)`,
      comparator: { type: "float", criteria: "<=", value: String(chaos.abort_error_ratio) },
    },
  };
}

export function litmusName(e: Experiment): string {
  return e.fault === "pod_failure" ? "pod-delete" : litmusExperiment[e.fault];
}

export function chaosObject(cfg: ResolvedConfig, e: Experiment, chaos: ChaosInput): Record<string, unknown> {
  if (chaos.engine === "litmus") {
    const exp = litmusName(e);
    return {
      apiVersion: LITMUS,
      kind: "ChaosEngine",
      metadata: metadata(cfg, e, chaos),
      spec: {
        engineState: "active",
        annotationCheck: "false",
        appinfo: { appns: e.service.ns, applabel: `app.kubernetes.io/name=${e.service.name}`, appkind: e.service.kind === "database" ? "statefulset" : "deployment" },
        chaosServiceAccount: `${exp}-sa`,
        jobCleanUpPolicy: "delete",
        experiments: [{ name: exp, spec: { components: { env: litmusEnv(e) }, probe: [abortProbe(e, chaos)] } }],
      },
    };
  }
  return { apiVersion: CHAOS_MESH, kind: chaosKind[e.fault], metadata: metadata(cfg, e, chaos), spec: chaosMeshSpec(e) };
}

export function chaosReadme(cfg: ResolvedConfig, experiments: readonly Experiment[], chaos: ChaosInput): Block[] {
  const engine = chaos.engine === "litmus" ? "LitmusChaos" : "Chaos Mesh";
  const production = cfg.environments.some(isProduction);
  const blocks: Block[] = [
    h1("Chaos experiments"),
    p(
      `${experiments.length} ${engine} experiment(s), one file each. Each states a falsifiable hypothesis about steady state, injects into the smallest blast radius for a bounded time, and says when to abort. Applying a file starts the injection at once; deleting it stops the injection.`,
    ),
    h2("Before running"),
    tasks([
      chaos.engine === "litmus"
        ? "LitmusChaos is installed, the ChaosExperiment of each experiment is installed in the target namespace, and its service account (named <experiment>-sa) is bound to a Role that allows the experiment there and nowhere else."
        : "Chaos Mesh is installed; if its controller filters namespaces, the target namespaces carry the annotation chaos-mesh.org/inject=enabled.",
      "Staging first; production only off-peak, with the owning team present and the plan approved (gate.approval.production).",
      "The window, the scope and the abort rules are announced; the on-call engineer responds as in a real incident, using only the runbooks.",
      "The service dashboards and the steady-state queries below are open; the steady state holds before starting.",
    ]),
    h2("Experiments"),
    table(
      ["file", "service", "fault", "kind", "duration", "blast radius"],
      experiments.map((e) => [c(chaosPath(e.name)), e.service.name, e.fault, kindOf(e, chaos.engine), e.duration, blast(e)]),
    ),
  ];
  if (chaos.engine === "litmus") {
    blocks.push(p(`LitmusChaos aborts on its own: each ChaosEngine carries a continuous promProbe on the service's error ratio (every 30 s, stopOnFailure) against ${c(chaos.prometheus_url)}. The page alerts below still call for a manual stop.`));
  } else {
    blocks.push(p("Chaos Mesh does not watch the SLOs: whoever runs an experiment watches the abort queries below and deletes the object the moment one returns a series."));
  }
  if (production) blocks.push(p("**Production**: this plan targets production; each experiment needs the approval gate and the owning team present."));
  for (const e of experiments) {
    const steady = steadyState(e, chaos);
    const abort = abortQuery(cfg, e, chaos);
    blocks.push(
      h3(e.name),
      table(
        ["field", "value"],
        [
          ["Hypothesis", hypothesis(e, chaos)],
          ["Steady state", `error ratio of ${e.service.name} under ${pct(chaos.max_error_ratio)} for the hour before, no page firing`],
          ["Method", `${kindOf(e, chaos.engine)}${chaos.engine === "litmus" ? ` (${litmusName(e)})` : ""}: ${method(e)}`],
          ["Blast radius", `${blast(e)}, namespace ${c(e.service.ns)}`],
          ["Abort when", abortConditions(cfg, e, chaos)],
          ["Expected signals", "error and latency panels move; no page; a ticket may fire"],
          ["Rehearses", e.because !== undefined ? `${e.because} runbook` : "chosen in the task"],
          ["Result", "to fill: observed values, surprises, action items with owners"],
        ],
      ),
      p("Steady state (each query must return a series before starting):"),
      code("promql", [steady.slo, ...(steady.raw !== undefined ? [steady.raw] : [])].join("\n")),
      p("Abort conditions (either returning a series means stop now):"),
      code("promql", `${abort.pages}\n${abort.ratio}`),
      p("Run and stop:"),
      code(
        "bash",
        chaos.engine === "litmus"
          ? `kubectl apply -f ${chaosPath(e.name)}\nkubectl -n ${e.service.ns} get chaosresult ${e.name}-${litmusName(e)} -o jsonpath='{.status.experimentStatus.verdict}'\n# stop at once:\nkubectl -n ${e.service.ns} patch chaosengine ${e.name} --type merge -p '{"spec":{"engineState":"stop"}}'`
          : `kubectl apply -f ${chaosPath(e.name)}\nkubectl -n ${e.service.ns} describe ${kindOf(e, chaos.engine).toLowerCase()} ${e.name}\n# pause, or stop at once:\nkubectl -n ${e.service.ns} annotate ${kindOf(e, chaos.engine).toLowerCase()} ${e.name} experiment.chaos-mesh.org/pause=true\nkubectl delete -f ${chaosPath(e.name)}`,
      ),
    );
  }
  blocks.push(
    h2("Game day"),
    ul([
      "Measure the time to detect and the time to mitigate; compare them with the targets in the recovery plans.",
      "An injected failure nobody was paged for, or that the runbook did not cover, is a finding with the same weight as a failed hypothesis.",
      "Record the results in the post-mortem format; action items go back into planning.",
      "Automate what passed, so a regression in resilience is caught by a scheduled run.",
    ]),
  );
  return blocks;
}

export function chaosNotes(cfg: ResolvedConfig, experiments: readonly Experiment[], chaos: ChaosInput): Note[] {
  const notes: Note[] = [
    {
      kind: "info",
      text:
        chaos.engine === "litmus"
          ? `The chaos experiments need LitmusChaos: install the operator, then the ChaosExperiment definitions they use (${[...new Set(experiments.map(litmusName))].join(", ")}) in each target namespace, and per experiment a service account <experiment>-sa bound to a Role limited to that namespace (Litmus publishes the minimal RBAC for each). Their abort probes query Prometheus at ${chaos.prometheus_url}; set chaos.prometheus_url if yours is elsewhere.`
          : `The chaos experiments need Chaos Mesh (chaos-mesh.org/v1alpha1 CRDs, the controller and the chaos daemon): helm install chaos-mesh chaos-mesh/chaos-mesh -n chaos-mesh --create-namespace. With namespace filtering on, annotate the target namespaces (${[...new Set(experiments.map((e) => e.service.ns))].join(", ")}) with chaos-mesh.org/inject=enabled.`,
    },
  ];
  if (cfg.environments.some(isProduction)) {
    notes.push({ kind: "warning", text: "Chaos experiments in production need approval (gate.approval.production) and the owning team present; run them in staging first, off-peak in production, one at a time." });
  } else {
    notes.push({ kind: "info", text: "Run the chaos experiments in staging first. Applying one in production needs approval (gate.approval.production) and the owning team present." });
  }
  const assumed = experiments.filter((e) => e.portAssumed);
  if (assumed.length > 0) {
    notes.push({ kind: "info", text: `HTTP fault injection assumes the services serve HTTP on port 8080 (devops_kubernetes' default): ${assumed.map((e) => e.name).join(", ")}. Set port on the experiment if yours differs.` });
  }
  if (chaos.experiments === undefined) {
    const skipped = (cfg.types.length > 0 ? cfg.types : ["generic"]).map((t) => profileOf(t).profile).filter((pr) => pr.chaos[chaos.engine].length === 0 && pr.chaosNote !== undefined);
    for (const pr of skipped) notes.push({ kind: "info", text: pr.chaosNote! });
  }
  return notes;
}

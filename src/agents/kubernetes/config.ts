/**
 * The task input resolved into what the manifests need, once per
 * environment: defaults filled in, overrides applied, resources sized.
 * Everything downstream reads an `AppConfig`, never the raw input.
 */
import { sizeFromUsage } from "./optimize.js";
import { formatCpu, formatMemory, parseCpu, parseMemory } from "./quantity.js";
import type { ImageRef, KubernetesInput, Mesh, Slot, Strategy } from "./schema.js";
import { imageString, INGRESS_CONTROLLER_NAMESPACES, splitImage } from "./schema.js";

export interface PortSpec {
  name: string;
  port: number;
  protocol: "TCP" | "UDP" | "SCTP";
  servicePort: number;
}

export type TrackId = "main" | "blue" | "green" | "stable" | "canary";

/** One Deployment: the only one (rolling), a colour (blue_green) or a track (canary). */
export interface Track {
  id: TrackId;
  /** Appended to object names: "" for main and stable, "-blue", "-green", "-canary". */
  suffix: string;
  /** The selector label that tells the Deployments apart (slot or track), absent for rolling. */
  label?: { key: "slot" | "track"; value: string };
  image: ImageRef;
  /** Whether a HorizontalPodAutoscaler owns this Deployment's replica count. */
  autoscaled: boolean;
  /** Replicas when not autoscaled. */
  replicas: number;
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface SecretMount {
  secret: string;
  volume: string;
  mountPath: string;
  keys?: string[];
}

export interface SecretEnv {
  variable: string;
  secret: string;
  key: string;
}

export interface PeerPort {
  port: number;
  protocol: "TCP" | "UDP" | "SCTP";
}

export interface EgressSpec {
  cidr?: string;
  except?: string[];
  namespace?: string;
  podLabels?: Record<string, string>;
  ports: PeerPort[];
}

export interface AllowFromSpec {
  namespace?: string;
  podLabels?: Record<string, string>;
  /** Named ports; all application ports when absent. */
  ports: string[];
}

export interface IngressSpec {
  host: string;
  tlsSecret: string;
  className: string;
  controllerNamespace: string;
  path: string;
  annotations: Record<string, string>;
}

export interface AutoscalingSpec {
  min: number;
  max: number;
  cpuTarget: number;
  memoryTarget?: number;
}

export interface AppConfig {
  name: string;
  namespace: string;
  /** The environment this configuration is for; undefined for the base. */
  environment?: string;
  ports: PortSpec[];
  /** The port probes and the Ingress use. */
  primary: PortSpec;
  release: ImageRef;
  tracks: Track[];
  resources: Resources;
  command?: string[];
  args?: string[];
  env: [string, string][];
  secretEnv: SecretEnv[];
  config?: Record<string, string>;
  configMountPath: string;
  secretMounts: SecretMount[];
  writablePaths: string[];
  uid: number;
  probes: { type: "http" | "tcp" | "grpc"; port: string; liveness: string; readiness: string; startup: string };
  shutdown: { drainSeconds: number; gracePeriodSeconds: number };
  ingress?: IngressSpec;
  autoscaling?: AutoscalingSpec;
  pdb?: { maxUnavailable: number } | { minAvailable: number };
  egress: EgressSpec[];
  allowFrom: AllowFromSpec[];
  metrics?: { port: number; path: string; namespace: string };
  strategy: Strategy;
  mesh: Mesh;
  blueGreen?: { live: Slot; idle: Slot };
  canary?: { weight: number; replicas: number };
}

export const DEFAULT_REPLICAS = 2;
export const DEFAULT_CPU_REQUEST = "100m";
export const DEFAULT_MEMORY_REQUEST = "256Mi";

function portsOf(input: KubernetesInput): PortSpec[] {
  return input.ports.map((p, i) =>
    typeof p === "number"
      ? { name: i === 0 ? "http" : `port-${p}`, port: p, protocol: "TCP", servicePort: p }
      : { name: p.name, port: p.port, protocol: p.protocol, servicePort: p.service_port ?? p.port },
  );
}

type ResourceInput = KubernetesInput["resources"];

/** Fill in requests and limits: memory limit = memory request, CPU limit = 4 × CPU request, unless given. */
function resolveResources(base: ResourceInput, override: ResourceInput, optimize: KubernetesInput["optimize"]): Resources {
  const sized = optimize ? sizeFromUsage(optimize) : undefined;
  const pick = <K extends "requests" | "limits", R extends "cpu" | "memory">(kind: K, res: R): string | number | undefined =>
    override?.[kind]?.[res] ?? base?.[kind]?.[res];
  const cpuReq = parseCpu(pick("requests", "cpu") ?? (sized ? formatCpu(sized.requests.cpu) : DEFAULT_CPU_REQUEST)) ?? 100;
  const memReq = parseMemory(pick("requests", "memory") ?? (sized ? formatMemory(sized.requests.memory) : DEFAULT_MEMORY_REQUEST)) ?? 256 * 1024 ** 2;
  const cpuLimInput = pick("limits", "cpu");
  const memLimInput = pick("limits", "memory");
  const cpuLim = cpuLimInput !== undefined ? (parseCpu(cpuLimInput) ?? cpuReq) : sized ? sized.limits.cpu : cpuReq * 4;
  const memLim = memLimInput !== undefined ? (parseMemory(memLimInput) ?? memReq) : sized ? sized.limits.memory : memReq;
  return {
    requests: { cpu: formatCpu(cpuReq), memory: formatMemory(memReq) },
    limits: { cpu: formatCpu(Math.max(cpuLim, cpuReq)), memory: formatMemory(Math.max(memLim, memReq)) },
  };
}

function withDigest(image: string, digest: string | undefined): ImageRef {
  const ref = splitImage(image);
  return digest !== undefined ? { ...ref, digest } : ref;
}

function peerPorts(ports: (number | { port: number; protocol: "TCP" | "UDP" | "SCTP" })[]): PeerPort[] {
  return ports.map((p) => (typeof p === "number" ? { port: p, protocol: "TCP" } : { port: p.port, protocol: p.protocol }));
}

function scalar(v: string | number | boolean): string {
  return typeof v === "string" ? v : String(v);
}

/** Resolve the task for one environment (or the base, with `environment` undefined). */
export function resolveConfig(input: KubernetesInput, environment?: string): AppConfig {
  const o = environment === undefined ? undefined : input.overrides?.[environment];
  const ports = portsOf(input);
  const probePort = input.probes?.port ?? ports[0]?.name ?? "http";
  const primary = ports.find((p) => p.name === probePort) ?? ports[0];
  if (!primary) throw new Error("resolveConfig: the schema guarantees at least one port");
  const release = withDigest(input.image, input.digest);
  const autoscaled = input.autoscaling !== undefined;
  const replicas = o?.replicas ?? input.replicas ?? DEFAULT_REPLICAS;

  let tracks: Track[];
  let blueGreen: AppConfig["blueGreen"];
  let canary: AppConfig["canary"];
  if (input.strategy === "blue_green") {
    const live = input.blue_green?.live ?? "blue";
    const idle: Slot = live === "blue" ? "green" : "blue";
    const liveImage = input.blue_green?.live_image !== undefined ? splitImage(input.blue_green.live_image) : release;
    blueGreen = { live, idle };
    tracks = (["blue", "green"] as const).map((slot) => ({
      id: slot,
      suffix: `-${slot}`,
      label: { key: "slot", value: slot },
      image: slot === live ? liveImage : release,
      autoscaled,
      replicas,
    }));
  } else if (input.strategy === "canary") {
    canary = { weight: input.canary?.weight ?? 10, replicas: input.canary?.replicas ?? 1 };
    const stableImage = input.canary?.stable_image !== undefined ? splitImage(input.canary.stable_image) : release;
    tracks = [
      { id: "stable", suffix: "", label: { key: "track", value: "stable" }, image: stableImage, autoscaled, replicas },
      { id: "canary", suffix: "-canary", label: { key: "track", value: "canary" }, image: release, autoscaled: false, replicas: canary.replicas },
    ];
  } else {
    tracks = [{ id: "main", suffix: "", image: release, autoscaled, replicas }];
  }

  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(input.env ?? {})) env.set(k, scalar(v));
  for (const [k, v] of Object.entries(o?.env ?? {})) env.set(k, scalar(v));

  let config: Record<string, string> | undefined;
  if (input.config) {
    config = {};
    for (const [k, v] of Object.entries(input.config)) config[k] = scalar(v);
    for (const [k, v] of Object.entries(o?.config ?? {})) config[k] = scalar(v);
  }

  const secretMounts: SecretMount[] = [];
  const secretEnv: SecretEnv[] = [];
  for (const s of input.secrets ?? []) {
    if (s.as === "env") {
      for (const [variable, key] of Object.entries(s.env ?? {})) secretEnv.push({ variable, secret: s.secret, key });
    } else {
      secretMounts.push({
        secret: s.secret,
        volume: `secret-${s.secret}`.replace(/\./g, "-").slice(0, 63).replace(/-+$/, ""),
        mountPath: s.mount_path ?? `/var/run/secrets/${s.secret}`,
        ...(s.keys ? { keys: s.keys } : {}),
      });
    }
  }

  const ing = input.ingress;
  const ingress: IngressSpec | undefined = ing
    ? {
        host: o?.host ?? ing.host,
        tlsSecret: o?.tls_secret ?? ing.tls_secret ?? `${input.name}-tls`,
        className: ing.class,
        controllerNamespace: ing.controller_namespace ?? INGRESS_CONTROLLER_NAMESPACES[ing.class] ?? "ingress-nginx",
        path: ing.path,
        annotations: {
          ...(ing.cert_manager_issuer ? { "cert-manager.io/cluster-issuer": ing.cert_manager_issuer } : {}),
          // A mesh splits traffic at the Service; ingress-nginx must send to the Service, not to pod IPs.
          ...(input.mesh !== "none" && ing.class === "nginx" ? { "nginx.ingress.kubernetes.io/service-upstream": "true" } : {}),
          ...(ing.annotations ?? {}),
        },
      }
    : undefined;

  const a = input.autoscaling;
  const autoscaling: AutoscalingSpec | undefined = a
    ? {
        min: o?.autoscaling?.min ?? a.min,
        max: o?.autoscaling?.max ?? a.max,
        cpuTarget: o?.autoscaling?.cpu_target ?? a.cpu_target,
        ...(a.memory_target !== undefined ? { memoryTarget: a.memory_target } : {}),
      }
    : undefined;

  const pdb: AppConfig["pdb"] =
    input.pdb === false ? undefined : input.pdb?.min_available !== undefined ? { minAvailable: input.pdb.min_available } : { maxUnavailable: input.pdb?.max_unavailable ?? 1 };

  const cfg: AppConfig = {
    name: input.name,
    namespace: o?.namespace ?? input.namespace ?? input.name,
    ports,
    primary,
    release,
    tracks,
    resources: resolveResources(input.resources, o?.resources, input.optimize),
    env: [...env.entries()],
    secretEnv,
    configMountPath: input.config_mount_path ?? `/etc/${input.name}`,
    secretMounts,
    writablePaths: input.writable_paths,
    uid: input.run_as_user,
    probes: {
      type: input.probes?.type ?? "http",
      port: primary.name,
      liveness: input.probes?.liveness ?? "/healthz",
      readiness: input.probes?.readiness ?? "/readyz",
      startup: input.probes?.startup ?? "/healthz",
    },
    shutdown: { drainSeconds: input.shutdown?.drain_seconds ?? 10, gracePeriodSeconds: input.shutdown?.grace_period_seconds ?? 45 },
    egress: (input.egress ?? []).map((e) => ({
      ...(e.cidr !== undefined ? { cidr: e.cidr } : {}),
      ...(e.except !== undefined ? { except: e.except } : {}),
      ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
      ...(e.pod_labels !== undefined ? { podLabels: e.pod_labels } : {}),
      ports: peerPorts(e.ports),
    })),
    allowFrom: (input.allow_from ?? []).map((p) => ({
      ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
      ...(p.pod_labels !== undefined ? { podLabels: p.pod_labels } : {}),
      ports: p.ports ?? ports.map((x) => x.name),
    })),
    strategy: input.strategy,
    mesh: input.mesh,
  };
  if (environment !== undefined) cfg.environment = environment;
  if (input.command) cfg.command = input.command;
  if (input.args) cfg.args = input.args;
  if (config) cfg.config = config;
  if (ingress) cfg.ingress = ingress;
  if (autoscaling) cfg.autoscaling = autoscaling;
  if (pdb) cfg.pdb = pdb;
  if (input.metrics) cfg.metrics = input.metrics;
  if (blueGreen) cfg.blueGreen = blueGreen;
  if (canary) cfg.canary = canary;
  return cfg;
}

export { imageString };

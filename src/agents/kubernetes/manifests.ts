/**
 * The typed Kubernetes objects of one application. Pure builders over an
 * `AppConfig` and `Bindings`; nothing here writes text. Hardening is not
 * optional: every pod is non-root (UID ≥ 10000), read-only, without
 * privilege escalation or capabilities, under seccomp RuntimeDefault, with
 * requests, limits and three probes, its own ServiceAccount and no token.
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IMetricSpec } from "kubernetes-models/autoscaling/v2/MetricSpec";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyEgressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule";
import type { INetworkPolicyIngressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { Bindings } from "./bindings.js";
import type { AppConfig, PeerPort, Track } from "./config.js";
import type { MeshObject } from "./mesh.js";
import { meshObjects } from "./mesh.js";

export type KubeObject =
  | INamespace
  | IServiceAccount
  | IConfigMap
  | IDeployment
  | IService
  | IIngress
  | IHorizontalPodAutoscaler
  | IPodDisruptionBudget
  | INetworkPolicy
  | MeshObject;

/** One object and the file (without extension) it is written to. */
export interface Manifest {
  file: string;
  object: KubeObject;
}

/** Files in the order a reader (and `kubectl apply -f`) meets them. */
export const FILE_ORDER = ["namespace", "serviceaccount", "configmap", "deployment", "deployment-blue", "deployment-green", "deployment-canary", "service", "ingress", "hpa", "pdb", "networkpolicy", "istio", "linkerd"] as const;

const PSA = "pod-security.kubernetes.io";
const SECRET_FILE_MODE = 0o440;
export const WRITABLE_SIZE_LIMIT = "64Mi";

/** The Namespace (Pod Security Admission restricted) and its default ServiceAccount without a token. */
export function namespaceObjects(cfg: AppConfig): Manifest[] {
  const labels: Record<string, string> = {
    [`${PSA}/enforce`]: "restricted",
    [`${PSA}/enforce-version`]: "latest",
    [`${PSA}/audit`]: "restricted",
    [`${PSA}/warn`]: "restricted",
  };
  if (cfg.mesh === "istio") labels["istio-injection"] = "enabled";
  const ns: INamespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: cfg.namespace,
      labels,
      ...(cfg.mesh === "linkerd" ? { annotations: { "linkerd.io/inject": "enabled" } } : {}),
    },
  };
  const defaultAccount: IServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", namespace: cfg.namespace },
    automountServiceAccountToken: false,
  };
  return [
    { file: "namespace", object: ns },
    { file: "namespace", object: defaultAccount },
  ];
}

function meta(b: Bindings, suffix = ""): { name: string; namespace: string; labels: Record<string, string> } {
  return { name: b.name(suffix), namespace: b.namespace(), labels: b.labels() };
}

/** A volume name (DNS label) for a writable directory: /tmp → tmp, /var/cache/nginx → var-cache-nginx. */
export function writableVolumeName(path: string): string {
  const base = path.replace(/^\/+|\/+$/g, "").replace(/[^a-z0-9]+/gi, "-").toLowerCase() || "root";
  return base.slice(0, 50).replace(/-+$/, "");
}

function probe(cfg: AppConfig, path: string, timing: Omit<IProbe, "httpGet" | "tcpSocket" | "grpc">): IProbe {
  const port = cfg.probes.port;
  switch (cfg.probes.type) {
    case "tcp":
      return { tcpSocket: { port }, ...timing };
    case "grpc": {
      const number = cfg.ports.find((p) => p.name === port)?.port ?? cfg.primary.port;
      return { grpc: { port: number }, ...timing };
    }
    default:
      return { httpGet: { path, port }, ...timing };
  }
}

function container(cfg: AppConfig, b: Bindings, track: Track): IContainer {
  const ports = cfg.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol }));
  if (cfg.metrics) ports.push({ name: "metrics", containerPort: cfg.metrics.port, protocol: "TCP" });
  const secretEnv: IEnvVar[] = cfg.secretEnv.map((s) => ({ name: s.variable, valueFrom: { secretKeyRef: { name: s.secret, key: s.key } } }));
  const env = b.containerEnv(secretEnv);
  const mounts: IVolumeMount[] = cfg.writablePaths.map((p) => ({ name: writableVolumeName(p), mountPath: p }));
  if (cfg.config) mounts.push({ name: "config", mountPath: cfg.configMountPath, readOnly: true });
  for (const s of cfg.secretMounts) mounts.push({ name: s.volume, mountPath: s.mountPath, readOnly: true });
  const c: IContainer = {
    name: cfg.name,
    image: b.image(track),
    imagePullPolicy: "Always",
  };
  if (cfg.command) c.command = cfg.command;
  if (cfg.args) c.args = cfg.args;
  c.ports = ports;
  if (env !== undefined) c.env = env;
  c.securityContext = {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  };
  c.resources = b.resources();
  c.startupProbe = probe(cfg, cfg.probes.startup, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 30 });
  c.readinessProbe = probe(cfg, cfg.probes.readiness, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 });
  c.livenessProbe = probe(cfg, cfg.probes.liveness, { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
  if (cfg.shutdown.drainSeconds > 0) c.lifecycle = { preStop: { sleep: { seconds: cfg.shutdown.drainSeconds } } };
  c.volumeMounts = mounts;
  return c;
}

function volumes(cfg: AppConfig, b: Bindings): IVolume[] {
  const out: IVolume[] = cfg.writablePaths.map((p) => ({ name: writableVolumeName(p), emptyDir: { sizeLimit: WRITABLE_SIZE_LIMIT } }));
  if (cfg.config) out.push({ name: "config", configMap: { name: b.name("-config") } });
  for (const s of cfg.secretMounts) {
    out.push({
      name: s.volume,
      secret: {
        secretName: s.secret,
        defaultMode: SECRET_FILE_MODE,
        ...(s.keys ? { items: s.keys.map((key) => ({ key, path: key })) } : {}),
      },
    });
  }
  return out;
}

function deployment(cfg: AppConfig, b: Bindings, track: Track): IDeployment {
  const replicas = b.replicas(track);
  const annotations = cfg.config ? { "checksum/config": b.configChecksum() } : undefined;
  const spread = (topologyKey: string): ITopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: b.selectorLabels(track) },
    matchLabelKeys: ["pod-template-hash"],
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(b, track.suffix),
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      revisionHistoryLimit: 10,
      minReadySeconds: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      selector: { matchLabels: b.selectorLabels(track) },
      template: {
        metadata: { labels: b.selectorLabels(track), ...(annotations ? { annotations } : {}) },
        spec: {
          serviceAccountName: b.name(),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: cfg.uid,
            runAsGroup: cfg.uid,
            fsGroup: cfg.uid,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
          },
          terminationGracePeriodSeconds: cfg.shutdown.gracePeriodSeconds,
          topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
          containers: [container(cfg, b, track)],
          volumes: volumes(cfg, b),
        },
      },
    },
  };
}

function service(cfg: AppConfig, b: Bindings, suffix: string, selector: Record<string, string>): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(b, suffix),
    spec: {
      type: "ClusterIP",
      selector,
      ports: cfg.ports.map((p) => ({ name: p.name, port: p.servicePort, targetPort: p.name, protocol: p.protocol })),
    },
  };
}

/**
 * Services per strategy and mesh. The Service named after the application is
 * always the one the Ingress and callers use.
 */
function services(cfg: AppConfig, b: Bindings): IService[] {
  const all = b.selectorLabels();
  const trackSelector = (id: string) => {
    const t = cfg.tracks.find((x) => x.id === id);
    if (!t) throw new Error(`no track ${id}`);
    return b.selectorLabels(t);
  };
  if (cfg.strategy === "blue_green") {
    const live = { ...all, slot: b.liveSlot() };
    const idle = { ...all, slot: b.idleSlot() };
    if (cfg.mesh === "istio") return [service(cfg, b, "", all), service(cfg, b, "-preview", idle)];
    if (cfg.mesh === "linkerd") return [service(cfg, b, "", live), service(cfg, b, "-blue", trackSelector("blue")), service(cfg, b, "-green", trackSelector("green"))];
    return [service(cfg, b, "", live), service(cfg, b, "-preview", idle)];
  }
  if (cfg.strategy === "canary" && cfg.mesh === "linkerd") {
    return [service(cfg, b, "", trackSelector("stable")), service(cfg, b, "-canary", trackSelector("canary"))];
  }
  return [service(cfg, b, "", all)];
}

function ingress(cfg: AppConfig, b: Bindings): IIngress | undefined {
  if (!cfg.ingress) return undefined;
  const annotations = b.ingressAnnotations();
  const host = b.ingressHost();
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { ...meta(b), ...(annotations ? { annotations } : {}) },
    spec: {
      ingressClassName: b.ingressClass(),
      tls: [{ hosts: [host], secretName: b.ingressTlsSecret() }],
      rules: [
        {
          host,
          http: {
            paths: [{ path: cfg.ingress.path, pathType: "Prefix", backend: { service: { name: b.name(), port: { name: cfg.primary.name } } } }],
          },
        },
      ],
    },
  };
}

function hpa(b: Bindings, track: Track): IHorizontalPodAutoscaler {
  const bounds = b.hpa();
  const metrics: IMetricSpec[] = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: bounds.cpuTarget } } }];
  if (bounds.memoryTarget !== undefined) {
    metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: bounds.memoryTarget } } });
  }
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(b, track.suffix),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: b.name(track.suffix) },
      minReplicas: bounds.min,
      maxReplicas: bounds.max,
      metrics,
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: "Max",
          policies: [
            { type: "Percent", value: 100, periodSeconds: 60 },
            { type: "Pods", value: 4, periodSeconds: 60 },
          ],
        },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] },
      },
    },
  };
}

function pdb(cfg: AppConfig, b: Bindings): IPodDisruptionBudget | undefined {
  if (!cfg.pdb) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(b),
    spec: {
      ...b.pdb(),
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: b.selectorLabels() },
    },
  };
}

const nsSelector = (namespace: string): INetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });

function toPorts(ports: PeerPort[]): { port: number; protocol: "TCP" | "UDP" | "SCTP" }[] {
  return ports.map((p) => ({ port: p.port, protocol: p.protocol }));
}

/** Control-plane flows of the mesh's proxies. */
const MESH_EGRESS: Record<"istio" | "linkerd", { namespace: string; ports: number[] }> = {
  // istiod: xDS configuration and workload certificates.
  istio: { namespace: "istio-system", ports: [15012] },
  // linkerd identity (8080), destination (8086) and policy (8090) controllers.
  linkerd: { namespace: "linkerd", ports: [8080, 8086, 8090] },
};

function networkPolicies(cfg: AppConfig, b: Bindings): INetworkPolicy[] {
  const deny: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(b, "-default-deny"),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
  const portOf = (name: string) => cfg.ports.find((p) => p.name === name);
  const ingressRules: INetworkPolicyIngressRule[] = [];
  if (cfg.ingress) {
    ingressRules.push({ from: [nsSelector(cfg.ingress.controllerNamespace)], ports: [{ port: cfg.primary.port, protocol: "TCP" }] });
  }
  if (cfg.metrics) ingressRules.push({ from: [nsSelector(cfg.metrics.namespace)], ports: [{ port: cfg.metrics.port, protocol: "TCP" }] });
  for (const peer of cfg.allowFrom) {
    const from: INetworkPolicyPeer = {
      ...(peer.namespace !== undefined ? nsSelector(peer.namespace) : {}),
      ...(peer.podLabels !== undefined ? { podSelector: { matchLabels: { ...peer.podLabels } } } : {}),
    };
    const ports = peer.ports.map(portOf).filter((p) => p !== undefined);
    ingressRules.push({ from: [from], ports: ports.map((p) => ({ port: p.port, protocol: p.protocol })) });
  }
  if (cfg.mesh === "linkerd") {
    // linkerd-viz: tap (4190) and Prometheus scraping the proxy's admin port (4191).
    ingressRules.push({ from: [nsSelector("linkerd-viz")], ports: [{ port: 4190, protocol: "TCP" }, { port: 4191, protocol: "TCP" }] });
  }
  const egressRules: INetworkPolicyEgressRule[] = [
    {
      to: [{ ...nsSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
    },
  ];
  for (const e of cfg.egress) {
    const to: INetworkPolicyPeer =
      e.cidr !== undefined
        ? { ipBlock: { cidr: e.cidr, ...(e.except ? { except: e.except } : {}) } }
        : {
            ...(e.namespace !== undefined ? nsSelector(e.namespace) : {}),
            ...(e.podLabels !== undefined ? { podSelector: { matchLabels: { ...e.podLabels } } } : {}),
          };
    egressRules.push({ to: [to], ports: toPorts(e.ports) });
  }
  if (cfg.mesh !== "none") {
    const m = MESH_EGRESS[cfg.mesh];
    egressRules.push({ to: [nsSelector(m.namespace)], ports: m.ports.map((port) => ({ port, protocol: "TCP" as const })) });
  }
  const app: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(b),
    spec: {
      podSelector: { matchLabels: b.selectorLabels() },
      policyTypes: ["Ingress", "Egress"],
      ...(ingressRules.length > 0 ? { ingress: ingressRules } : {}),
      egress: egressRules,
    },
  };
  return [deny, app];
}

export interface BuildOptions {
  /** Include the Namespace and its default ServiceAccount (not in the Helm chart, which installs into a namespace). */
  namespace: boolean;
}

/** Every object of the application, each with its file. */
export function buildManifests(cfg: AppConfig, b: Bindings, opts: BuildOptions): Manifest[] {
  const out: Manifest[] = [];
  if (opts.namespace) out.push(...namespaceObjects(cfg));
  const sa: IServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(b), automountServiceAccountToken: false };
  out.push({ file: "serviceaccount", object: sa });
  if (cfg.config) {
    const cm: IConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: meta(b, "-config"), data: b.configData() };
    out.push({ file: "configmap", object: cm });
  }
  for (const t of cfg.tracks) out.push({ file: `deployment${t.suffix}`, object: deployment(cfg, b, t) });
  for (const s of services(cfg, b)) out.push({ file: "service", object: s });
  const ing = ingress(cfg, b);
  if (ing) out.push({ file: "ingress", object: ing });
  if (cfg.autoscaling) for (const t of cfg.tracks.filter((x) => x.autoscaled)) out.push({ file: "hpa", object: hpa(b, t) });
  const budget = pdb(cfg, b);
  if (budget) out.push({ file: "pdb", object: budget });
  for (const np of networkPolicies(cfg, b)) out.push({ file: "networkpolicy", object: np });
  for (const m of meshObjects(cfg, b)) out.push({ file: cfg.mesh, object: m });
  return out;
}

/**
 * Service-mesh routing for blue-green and canary releases.
 *
 * - Istio (1.22 or later, the `v1` APIs): a DestinationRule with one subset
 *   per track, a VirtualService with the weights, and a PeerAuthentication
 *   requiring mTLS for the application's pods.
 * - Linkerd: a Gateway API `HTTPRoute` (gateway.networking.k8s.io/v1) whose
 *   parent is the application's Service and whose weighted backendRefs are
 *   the track Services. Current Linkerd (2.14 and later) routes with
 *   HTTPRoute; the SMI TrafficSplit of the linkerd-smi extension is only
 *   maintained, so it is not generated.
 *
 * These are CRDs, so kubernetes-models cannot validate them; the quality
 * gate checks their structure (src/core/validators/kubernetes.ts).
 */
import type { Bindings } from "./bindings.js";
import type { AppConfig, PortSpec, Track } from "./config.js";

interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

interface IstioDestination {
  host: string;
  subset?: string;
  port: { number: number };
}

export interface VirtualService {
  apiVersion: "networking.istio.io/v1";
  kind: "VirtualService";
  metadata: ObjectMeta;
  spec: {
    hosts: string[];
    gateways?: string[];
    http: {
      name: string;
      match?: { port?: number; headers?: Record<string, { exact: string }> }[];
      route: { destination: IstioDestination; weight?: number }[];
    }[];
  };
}

export interface DestinationRule {
  apiVersion: "networking.istio.io/v1";
  kind: "DestinationRule";
  metadata: ObjectMeta;
  spec: {
    host: string;
    subsets: { name: string; labels: Record<string, string> }[];
  };
}

export interface PeerAuthentication {
  apiVersion: "security.istio.io/v1";
  kind: "PeerAuthentication";
  metadata: ObjectMeta;
  spec: { selector: { matchLabels: Record<string, string> }; mtls: { mode: "STRICT" } };
}

export interface HTTPRoute {
  apiVersion: "gateway.networking.k8s.io/v1";
  kind: "HTTPRoute";
  metadata: ObjectMeta;
  spec: {
    parentRefs: { group: "core"; kind: "Service"; name: string; port: number }[];
    rules: { backendRefs: { name: string; port: number; weight: number }[] }[];
  };
}

export type MeshObject = VirtualService | DestinationRule | PeerAuthentication | HTTPRoute;

/** The request header that routes to the idle colour (blue_green with Istio) for smoke tests. */
export const PREVIEW_HEADER = "x-preview";

function meta(b: Bindings, suffix = ""): ObjectMeta {
  return { name: b.name(suffix), namespace: b.namespace(), labels: b.labels() };
}

function trackLabel(t: Track): Record<string, string> {
  return t.label ? { [t.label.key]: t.label.value } : {};
}

/** The TCP ports traffic is routed on; the primary port first. */
function routedPorts(cfg: AppConfig): PortSpec[] {
  return [cfg.primary, ...cfg.ports.filter((p) => p !== cfg.primary && p.protocol === "TCP")];
}

function istio(cfg: AppConfig, b: Bindings): MeshObject[] {
  const out: MeshObject[] = [];
  const host = b.name();
  if (cfg.strategy !== "rolling") {
    out.push({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: meta(b),
      spec: { host, subsets: cfg.tracks.map((t) => ({ name: t.id, labels: trackLabel(t) })) },
    });
    // One route per port: without a port match a route would send every port's traffic to one destination port.
    const http: VirtualService["spec"]["http"] = [];
    for (const p of routedPorts(cfg)) {
      const port = { number: p.servicePort };
      if (cfg.strategy === "blue_green") {
        http.push({ name: `preview-${p.name}`, match: [{ port: p.servicePort, headers: { [PREVIEW_HEADER]: { exact: "true" } } }], route: [{ destination: { host, subset: b.idleSlot(), port } }] });
      }
      http.push({ name: p.name, match: [{ port: p.servicePort }], route: cfg.tracks.map((t) => ({ destination: { host, subset: t.id, port }, weight: b.weight(t) })) });
    }
    out.push({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: meta(b), spec: { hosts: [host], http } });
  }
  out.push({
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: meta(b),
    spec: { selector: { matchLabels: b.selectorLabels() }, mtls: { mode: "STRICT" } },
  });
  return out;
}

/** One HTTPRoute per port (a backendRef names one port): `<name>` for the primary port, `<name>-<port>` for the others. */
function linkerd(cfg: AppConfig, b: Bindings): MeshObject[] {
  if (cfg.strategy === "rolling") return [];
  const backendName = (t: Track) => (cfg.strategy === "canary" && t.id === "stable" ? b.name() : b.name(t.suffix));
  return routedPorts(cfg).map(
    (p): HTTPRoute => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: meta(b, p === cfg.primary ? "" : `-${p.name}`),
      spec: {
        parentRefs: [{ group: "core", kind: "Service", name: b.name(), port: p.servicePort }],
        rules: [{ backendRefs: cfg.tracks.map((t) => ({ name: backendName(t), port: p.servicePort, weight: b.weight(t) })) }],
      },
    }),
  );
}

export function meshObjects(cfg: AppConfig, b: Bindings): MeshObject[] {
  if (cfg.mesh === "istio") return istio(cfg, b);
  if (cfg.mesh === "linkerd") return linkerd(cfg, b);
  return [];
}

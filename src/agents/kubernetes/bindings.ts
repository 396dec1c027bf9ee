/**
 * Where the manifests' variable parts come from. The same builders produce
 * the Kustomize base, each environment's manifests and the Helm templates:
 * `literalBindings` gives concrete values from an `AppConfig`; the chart's
 * bindings (chart.ts) give placeholders that become template actions after
 * the typed objects are serialized. Every value a Helm user can change goes
 * through here, so the chart and the manifests cannot drift apart.
 */
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { createHash } from "node:crypto";
import type { AppConfig, Track } from "./config.js";
import { imageString } from "./config.js";

export interface HpaBounds {
  min: number;
  max: number;
  cpuTarget: number;
  memoryTarget?: number;
}

export interface Bindings {
  /** An object name: the application name plus a suffix such as "-canary". */
  name(suffix?: string): string;
  namespace(): string;
  /** Labels that select the application's pods, plus a track's label. */
  selectorLabels(track?: Track): Record<string, string>;
  /** Labels on every object. */
  labels(): Record<string, string>;
  image(track: Track): string;
  /** The replica count, or undefined when an autoscaler owns it (the field is left out). */
  replicas(track: Track): number | undefined;
  resources(): IResourceRequirements;
  /** The container's environment: the plain variables, then `fromSecrets`; undefined for none. */
  containerEnv(fromSecrets: IEnvVar[]): IEnvVar[] | undefined;
  configData(): Record<string, string>;
  configChecksum(): string;
  ingressClass(): string;
  ingressHost(): string;
  ingressTlsSecret(): string;
  ingressAnnotations(): Record<string, string> | undefined;
  hpa(): HpaBounds;
  pdb(): { maxUnavailable: number } | { minAvailable: number };
  /** The selected slot of the live Service (blue_green). */
  liveSlot(): string;
  /** The slot of the preview Service (blue_green). */
  idleSlot(): string;
  /** The mesh routing weight of a track, in percent. */
  weight(track: Track): number;
}

/**
 * sha256 over the config as Helm's `toJson` writes it (keys sorted; Go's
 * encoder escapes <, > and &, and U+2028/U+2029), so the chart's
 * `{{ .Values.config | toJson | sha256sum }}` and the manifests agree.
 */
export function configChecksum(config: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(config).sort()) sorted[k] = config[k] ?? "";
  const json = JSON.stringify(sorted).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return createHash("sha256").update(json, "utf8").digest("hex");
}

export function selectorLabelsOf(cfg: AppConfig): Record<string, string> {
  return { "app.kubernetes.io/name": cfg.name, "app.kubernetes.io/instance": cfg.name };
}

/** Concrete values from one resolved configuration. */
export function literalBindings(cfg: AppConfig): Bindings {
  const selector = selectorLabelsOf(cfg);
  return {
    name: (suffix = "") => `${cfg.name}${suffix}`,
    namespace: () => cfg.namespace,
    selectorLabels: (track) => (track?.label ? { ...selector, [track.label.key]: track.label.value } : { ...selector }),
    labels: () => ({ ...selector }),
    image: (track) => imageString(track.image),
    replicas: (track) => (track.autoscaled ? undefined : track.replicas),
    resources: () => ({
      requests: { ...cfg.resources.requests },
      limits: { ...cfg.resources.limits },
    }),
    containerEnv: (fromSecrets) => {
      const env: IEnvVar[] = [...cfg.env.map(([name, value]) => ({ name, value })), ...fromSecrets];
      return env.length === 0 ? undefined : env;
    },
    configData: () => ({ ...(cfg.config ?? {}) }),
    configChecksum: () => configChecksum(cfg.config ?? {}),
    ingressClass: () => cfg.ingress?.className ?? "",
    ingressHost: () => cfg.ingress?.host ?? "",
    ingressTlsSecret: () => cfg.ingress?.tlsSecret ?? "",
    ingressAnnotations: () => (cfg.ingress && Object.keys(cfg.ingress.annotations).length > 0 ? { ...cfg.ingress.annotations } : undefined),
    hpa: () => {
      const a = cfg.autoscaling;
      if (!a) throw new Error("hpa() without autoscaling");
      return { min: a.min, max: a.max, cpuTarget: a.cpuTarget, ...(a.memoryTarget !== undefined ? { memoryTarget: a.memoryTarget } : {}) };
    },
    pdb: () => cfg.pdb ?? { maxUnavailable: 1 },
    liveSlot: () => cfg.blueGreen?.live ?? "blue",
    idleSlot: () => cfg.blueGreen?.idle ?? "green",
    weight: (track) => {
      if (cfg.blueGreen) return track.id === cfg.blueGreen.live ? 100 : 0;
      if (cfg.canary) return track.id === "canary" ? cfg.canary.weight : 100 - cfg.canary.weight;
      return 100;
    },
  };
}

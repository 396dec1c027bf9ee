/**
 * The Helm chart: `Chart.yaml`, `values.yaml` (commented from the schema's
 * descriptions), `values.schema.json` (draft-07, closed objects so a typo in
 * a values file fails `helm install`), one `values-<env>.yaml` per
 * environment holding only what differs, `templates/*.yaml` built from the
 * same typed objects as the manifests, `_helpers.tpl` and `NOTES.txt`.
 *
 * Helm cannot run here. The tests render the templates with a small Go
 * template interpreter and compare the result with the Kustomize overlays.
 */
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { Document, isMap, isScalar } from "yaml";
import { markerLine } from "../../core/plans/plan.js";
import type { Bindings, HpaBounds } from "./bindings.js";
import type { AppConfig, Track } from "./config.js";
import { buildManifests } from "./manifests.js";
import { PREVIEW_HEADER } from "./mesh.js";
import { Placeholders } from "./placeholders.js";
import { AGENT_ID, groupByFile, renderDocument, YAML_OPTIONS } from "./render.js";
import type { ImageRef } from "./schema.js";

export const CHART_VERSION = "0.1.0";
/** preStop `sleep` (on by default from 1.30), matchLabelKeys in topology spread (1.27), PSA (1.25). */
export const KUBE_VERSION = ">=1.30.0-0";

type Schema = { [key: string]: unknown };

const s = {
  object(description: string, properties: Record<string, Schema>, extra: Schema = {}): Schema {
    return { type: "object", description, additionalProperties: false, required: Object.keys(properties), properties, ...extra };
  },
  string(description: string, extra: Schema = {}): Schema {
    return { type: "string", description, ...extra };
  },
  integer(description: string, minimum: number, maximum?: number): Schema {
    return { type: "integer", description, minimum, ...(maximum !== undefined ? { maximum } : {}) };
  },
  boolean(description: string): Schema {
    return { type: "boolean", description };
  },
};

const DNS_LABEL_OR_EMPTY = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$";
const CPU_PATTERN = "^[0-9]+(\\.[0-9]+)?m?$";
const MEMORY_PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";

const quantity = (description: string, pattern: string): Schema => ({
  description,
  anyOf: [
    { type: "string", pattern },
    { type: "number", exclusiveMinimum: 0 },
  ],
});

const imageSchema = (description: string): Schema =>
  s.object(
    description,
    {
      repository: s.string("Image repository, e.g. ghcr.io/acme/checkout.", { minLength: 1 }),
      tag: s.string("Version tag; never latest.", { not: { const: "latest" } }),
      digest: s.string("Digest (sha256:…) the image is pinned to; recommended.", { pattern: "^(sha256:[a-f0-9]{64})?$" }),
    },
    { anyOf: [{ properties: { tag: { type: "string", minLength: 1 } } }, { properties: { digest: { type: "string", minLength: 1 } } }] },
  );

const cpuMemory = (description: string): Schema =>
  s.object(description, { cpu: quantity("CPU, e.g. 250m.", CPU_PATTERN), memory: quantity("Memory, e.g. 256Mi.", MEMORY_PATTERN) });

/** The values.yaml content and its JSON schema for one resolved configuration. */
export function chartValues(cfg: AppConfig): { values: Record<string, unknown>; schema: Schema } {
  const values: Record<string, unknown> = { nameOverride: "", fullnameOverride: "" };
  const props: Record<string, Schema> = {
    nameOverride: s.string("Replaces the chart name in object names and labels.", { pattern: DNS_LABEL_OR_EMPTY, maxLength: 40 }),
    fullnameOverride: s.string("Replaces the full object name prefix (release-chart).", { pattern: DNS_LABEL_OR_EMPTY, maxLength: 40 }),
  };
  const img = (ref: ImageRef) => ({ repository: ref.repository, tag: ref.tag, digest: ref.digest });
  const track = (id: Track["id"]) => {
    const t = cfg.tracks.find((x) => x.id === id);
    if (!t) throw new Error(`no track ${id}`);
    return t;
  };
  if (cfg.strategy === "blue_green") {
    const bg = cfg.blueGreen ?? { live: "blue", idle: "green" };
    values.blueGreen = { live: bg.live, blue: { image: img(track("blue").image) }, green: { image: img(track("green").image) } };
    props.blueGreen = s.object("Blue-green: two Deployments; live is the colour the Service selects. Deploy to the other colour, test it through the preview, then switch live.", {
      live: s.string("The colour serving users: blue or green.", { enum: ["blue", "green"] }),
      blue: s.object("The blue colour.", { image: imageSchema("Image of the blue Deployment.") }),
      green: s.object("The green colour.", { image: imageSchema("Image of the green Deployment.") }),
    });
  } else {
    values.image = img((cfg.strategy === "canary" ? track("stable") : track("main")).image);
    props.image = imageSchema(cfg.strategy === "canary" ? "Image of the stable track." : "Container image, pinned by digest.");
  }
  if (cfg.canary) {
    values.canary = { weight: cfg.canary.weight, replicas: cfg.canary.replicas, image: img(track("canary").image) };
    props.canary = s.object("Canary: a second Deployment receiving weight percent of requests through the mesh.", {
      weight: s.integer("Percent of requests routed to the canary (promote: 5, 25, 50, then set image to the canary's and weight to 0).", 0, 100),
      replicas: s.integer("Canary replicas.", 1),
      image: imageSchema("Image under test."),
    });
  }
  const main = cfg.tracks[0];
  values.replicaCount = main?.replicas ?? 2;
  props.replicaCount = s.integer(cfg.autoscaling ? "Replicas when autoscaling is disabled." : "Replicas.", 1);
  values.resources = { requests: { ...cfg.resources.requests }, limits: { ...cfg.resources.limits } };
  props.resources = s.object("Requests and limits of the application container; both are required.", {
    requests: cpuMemory("What the scheduler reserves."),
    limits: cpuMemory("The ceiling (memory is OOM-killed above it, CPU throttled)."),
  });
  values.env = cfg.env.map(([name, value]) => ({ name, value }));
  props.env = {
    type: "array",
    description: "Plain environment variables (never credentials: mount Secrets).",
    items: s.object("One variable.", { name: s.string("Name.", { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), value: s.string("Value.") }),
  };
  if (cfg.config) {
    values.config = { ...cfg.config };
    props.config = {
      type: "object",
      description: `Files of the ConfigMap mounted read-only at ${cfg.configMountPath}; a change rolls the pods.`,
      propertyNames: { pattern: "^[-._a-zA-Z0-9]+$" },
      additionalProperties: { type: "string" },
    };
  }
  if (cfg.ingress) {
    values.ingress = { enabled: true, className: cfg.ingress.className, host: cfg.ingress.host, tlsSecretName: cfg.ingress.tlsSecret, annotations: { ...cfg.ingress.annotations } };
    props.ingress = s.object("HTTPS entry point; TLS is always on.", {
      enabled: s.boolean("Create the Ingress."),
      className: s.string("IngressClass.", { minLength: 1 }),
      host: s.string("Public host name.", { pattern: "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$" }),
      tlsSecretName: s.string("Secret with the TLS certificate (kubernetes.io/tls).", { minLength: 1 }),
      annotations: { type: "object", description: "Ingress annotations.", additionalProperties: { type: "string" } },
    });
  }
  if (cfg.autoscaling) {
    const a = cfg.autoscaling;
    values.autoscaling = {
      enabled: true,
      minReplicas: a.min,
      maxReplicas: a.max,
      targetCPUUtilizationPercentage: a.cpuTarget,
      ...(a.memoryTarget !== undefined ? { targetMemoryUtilizationPercentage: a.memoryTarget } : {}),
    };
    props.autoscaling = s.object("HorizontalPodAutoscaler (autoscaling/v2); when enabled it owns the replica count.", {
      enabled: s.boolean("Create the HorizontalPodAutoscaler."),
      minReplicas: s.integer("Minimum replicas.", 1),
      maxReplicas: s.integer("Maximum replicas.", 1),
      targetCPUUtilizationPercentage: s.integer("Target average CPU utilisation, percent of the request.", 10, 100),
      ...(a.memoryTarget !== undefined ? { targetMemoryUtilizationPercentage: s.integer("Target average memory utilisation, percent of the request.", 10, 100) } : {}),
    });
  }
  if (cfg.pdb) {
    const budget = "maxUnavailable" in cfg.pdb ? { maxUnavailable: cfg.pdb.maxUnavailable } : { minAvailable: cfg.pdb.minAvailable };
    values.podDisruptionBudget = { enabled: true, ...budget };
    props.podDisruptionBudget = s.object("PodDisruptionBudget guarding voluntary disruptions (drains, upgrades).", {
      enabled: s.boolean("Create the PodDisruptionBudget."),
      ...("maxUnavailable" in budget ? { maxUnavailable: s.integer("Pods that may be down at once.", 1) } : { minAvailable: s.integer("Pods that must stay up.", 1) }),
    });
  }
  const schema: Schema = {
    $comment: `${markerLine(AGENT_ID, "").trim()}`,
    $schema: "http://json-schema.org/draft-07/schema#",
    title: `${cfg.name} chart values`,
    type: "object",
    additionalProperties: false,
    required: Object.keys(props),
    properties: props,
  };
  return { values, schema };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** What an environment's values file holds: keys whose values differ (maps merged, lists replaced, as Helm does). */
export function valuesDiff(base: Record<string, unknown>, env: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) {
    const b = base[k];
    if (isObject(b) && isObject(v)) {
      const d = valuesDiff(b, v);
      if (Object.keys(d).length > 0) out[k] = d;
    } else if (JSON.stringify(b) !== JSON.stringify(v)) {
      out[k] = v;
    }
  }
  return out;
}

/** A values file: keys commented with their schema descriptions, down to `depth` levels. */
export function renderValues(values: Record<string, unknown>, schema: Schema, header: string[], depth = Infinity): string {
  const doc = new Document(values, { aliasDuplicateObjects: false });
  const annotate = (node: unknown, sch: Schema | undefined, level = 1) => {
    if (!isMap(node) || !sch || level > depth) return;
    const props = sch.properties as Record<string, Schema> | undefined;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const child = props?.[String(pair.key.value)];
      const description = child?.description;
      if (typeof description === "string") pair.key.commentBefore = ` ${description}`;
      annotate(pair.value, child, level + 1);
    }
  };
  annotate(doc.contents, schema);
  return `${header.map((h) => `# ${h}`).join("\n")}\n${doc.toString(YAML_OPTIONS)}`;
}

/** The chart's bindings: template actions instead of values. */
function helmBindings(cfg: AppConfig, c: string, ph: Placeholders): Bindings {
  const imageValues = (t: Track) => {
    if (t.id === "blue" || t.id === "green") return `.Values.blueGreen.${t.id}.image`;
    if (t.id === "canary") return ".Values.canary.image";
    return ".Values.image";
  };
  const asNumber = (token: string) => token as unknown as number;
  const trackLabel = (t?: Track) => (t?.label ? { [t.label.key]: t.label.value } : {});
  const liveIsBlue = `(eq .Values.blueGreen.live "blue")`;
  return {
    name: (suffix = "") => `${ph.scalar(`include "${c}.fullname" .`)}${suffix}`,
    namespace: () => ph.scalar(".Release.Namespace"),
    selectorLabels: (t) => ({ [ph.mapSplice(`include "${c}.selectorLabels" .`)]: "", ...trackLabel(t) }),
    labels: () => ({ [ph.mapSplice(`include "${c}.labels" .`)]: "" }),
    image: (t) => ph.scalar(`include "${c}.image" ${imageValues(t)} | quote`),
    replicas: (t) => {
      if (t.id === "canary") return asNumber(ph.scalar(".Values.canary.replicas"));
      return asNumber(cfg.autoscaling ? ph.scalar(".Values.replicaCount", "not .Values.autoscaling.enabled") : ph.scalar(".Values.replicaCount"));
    },
    resources: () => ph.block("toYaml .Values.resources") as unknown as IResourceRequirements,
    containerEnv: (fromSecrets) =>
      fromSecrets.length === 0
        ? (ph.block("toYaml .", ".Values.env") as unknown as IEnvVar[])
        : [ph.listSplice(".Values.env") as unknown as IEnvVar, ...fromSecrets],
    configData: () => ph.block("toYaml .Values.config") as unknown as Record<string, string>,
    configChecksum: () => ph.scalar(".Values.config | toJson | sha256sum | quote"),
    ingressClass: () => ph.scalar(".Values.ingress.className"),
    ingressHost: () => ph.scalar(".Values.ingress.host | quote"),
    ingressTlsSecret: () => ph.scalar(".Values.ingress.tlsSecretName"),
    ingressAnnotations: () => ph.block("toYaml .", ".Values.ingress.annotations") as unknown as Record<string, string>,
    hpa: (): HpaBounds => ({
      min: asNumber(ph.scalar(".Values.autoscaling.minReplicas")),
      max: asNumber(ph.scalar(".Values.autoscaling.maxReplicas")),
      cpuTarget: asNumber(ph.scalar(".Values.autoscaling.targetCPUUtilizationPercentage")),
      ...(cfg.autoscaling?.memoryTarget !== undefined ? { memoryTarget: asNumber(ph.scalar(".Values.autoscaling.targetMemoryUtilizationPercentage")) } : {}),
    }),
    pdb: () =>
      cfg.pdb && "minAvailable" in cfg.pdb
        ? { minAvailable: asNumber(ph.scalar(".Values.podDisruptionBudget.minAvailable")) }
        : { maxUnavailable: asNumber(ph.scalar(".Values.podDisruptionBudget.maxUnavailable")) },
    liveSlot: () => ph.scalar(".Values.blueGreen.live"),
    idleSlot: () => ph.scalar(`ternary "green" "blue" ${liveIsBlue}`),
    weight: (t) => {
      if (t.id === "blue") return asNumber(ph.scalar(`ternary 100 0 ${liveIsBlue}`));
      if (t.id === "green") return asNumber(ph.scalar(`ternary 0 100 ${liveIsBlue}`));
      if (t.id === "canary") return asNumber(ph.scalar(".Values.canary.weight"));
      if (t.id === "stable") return asNumber(ph.scalar("sub 100 .Values.canary.weight"));
      return 100;
    },
  };
}

/** Templates that exist only while a value enables them. */
const FILE_GUARDS: Record<string, string> = {
  ingress: ".Values.ingress.enabled",
  hpa: ".Values.autoscaling.enabled",
  pdb: ".Values.podDisruptionBudget.enabled",
};

function helpers(c: string): string {
  return [
    `{{/* ${markerLine(AGENT_ID, "").trim()} */}}`,
    "",
    "{{/*",
    "The chart name, or nameOverride.",
    "*/}}",
    `{{- define "${c}.name" -}}`,
    `{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}`,
    "{{- end }}",
    "",
    "{{/*",
    "The prefix of every object name: fullnameOverride, the release name when it",
    'contains the chart name, or "<release>-<chart>". Truncated to 40 characters:',
    "objects add suffixes of up to 23 (-default-deny) and Service names stop at 63.",
    "*/}}",
    `{{- define "${c}.fullname" -}}`,
    "{{- if .Values.fullnameOverride }}",
    `{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}`,
    `{{- else if contains (include "${c}.name" .) .Release.Name }}`,
    `{{- .Release.Name | trunc 40 | trimSuffix "-" }}`,
    "{{- else }}",
    `{{- printf "%s-%s" .Release.Name (include "${c}.name" .) | trunc 40 | trimSuffix "-" }}`,
    "{{- end }}",
    "{{- end }}",
    "",
    "{{/*",
    "Labels that select the application's pods. Never change them after the first",
    "install: Deployment selectors are immutable.",
    "*/}}",
    `{{- define "${c}.selectorLabels" -}}`,
    `app.kubernetes.io/name: {{ include "${c}.name" . }}`,
    "app.kubernetes.io/instance: {{ .Release.Name }}",
    "{{- end }}",
    "",
    "{{/*",
    "Labels of every object.",
    "*/}}",
    `{{- define "${c}.labels" -}}`,
    `helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}`,
    `{{ include "${c}.selectorLabels" . }}`,
    "app.kubernetes.io/managed-by: {{ .Release.Service }}",
    "{{- end }}",
    "",
    "{{/*",
    "An image reference from {repository, tag, digest}: repository[:tag][@digest].",
    "*/}}",
    `{{- define "${c}.image" -}}`,
    "{{- .repository }}{{ with .tag }}:{{ . }}{{ end }}{{ with .digest }}@{{ . }}{{ end }}",
    "{{- end }}",
    "",
  ].join("\n");
}

function notes(cfg: AppConfig, c: string): string {
  const ns = "{{ .Release.Namespace }}";
  const full = `{{ include "${c}.fullname" . }}`;
  const lines = [
    `{{/* ${markerLine(AGENT_ID, "").trim()} */}}`,
    `${full} is installed in namespace ${ns}.`,
    "",
    "The namespace must enforce the restricted Pod Security Standard (the chart does not own it):",
    `  kubectl label namespace ${ns} pod-security.kubernetes.io/enforce=restricted --overwrite`,
  ];
  if (cfg.mesh === "istio") lines.push("and join the Istio mesh (with the istio-cni node agent, which restricted pods need):", `  kubectl label namespace ${ns} istio-injection=enabled --overwrite`);
  if (cfg.mesh === "linkerd") lines.push("and join the Linkerd mesh (with the linkerd-cni plugin, which restricted pods need):", `  kubectl annotate namespace ${ns} linkerd.io/inject=enabled --overwrite`);
  lines.push("");
  if (cfg.strategy === "blue_green") {
    lines.push(
      "Blue-green: the live colour is {{ .Values.blueGreen.live }}. Deploy the new image to the other colour, test it, then switch:",
      `  kubectl -n ${ns} rollout status deployment/${full}-{{ ternary "green" "blue" (eq .Values.blueGreen.live "blue") }} --timeout=10m`,
      cfg.mesh === "istio"
        ? `  (preview: send the header ${PREVIEW_HEADER}: true through the mesh)`
        : cfg.mesh === "linkerd"
          ? `  (preview: the Service ${full}-{{ ternary "green" "blue" (eq .Values.blueGreen.live "blue") }})`
          : `  (preview: the Service ${full}-preview)`,
      `  helm upgrade {{ .Release.Name }} <chart> -n ${ns} --reuse-values --set blueGreen.live={{ ternary "green" "blue" (eq .Values.blueGreen.live "blue") }}`,
    );
  } else if (cfg.strategy === "canary") {
    lines.push(
      "Canary: {{ .Values.canary.weight }} % of requests go to the canary. Raise the weight in steps (5, 25, 50) while its error rate and latency stay within the stable track's:",
      `  helm upgrade {{ .Release.Name }} <chart> -n ${ns} --reuse-values --set canary.weight=25`,
    );
  } else {
    lines.push("Watch the rollout:", `  kubectl -n ${ns} rollout status deployment/${full} --timeout=10m`);
  }
  if (cfg.ingress) {
    lines.push("{{- if .Values.ingress.enabled }}", "", `URL: https://{{ .Values.ingress.host }}${cfg.ingress.path}`, "{{- end }}");
  }
  return `${lines.join("\n")}\n`;
}

export interface ChartFile {
  path: string;
  content: string;
}

/**
 * Every file of the chart. `base` gives values.yaml and the templates'
 * shape; `environments` give one values file each.
 */
export function helmChart(dir: string, base: AppConfig, environments: readonly AppConfig[], manifestsDir: string): ChartFile[] {
  const c = base.name;
  const ph = new Placeholders();
  const manifests = buildManifests(base, helmBindings(base, c, ph), { namespace: false });
  const ignore = `# devops-pack:ignore DP-SCAN-001 Helm template: it renders the objects of ${manifestsDir}, which are scanned`;
  const templates: ChartFile[] = [...groupByFile(manifests).entries()].map(([file, ms]) => {
    const body = ph.apply(ms.map((m) => renderDocument(m.object)).join("---\n"));
    const guard = FILE_GUARDS[file];
    const header = `${ignore}\n${markerLine(AGENT_ID)}\n`;
    // A disabled template renders nothing, not a comment-only document (which GitOps tools refuse):
    // the guard opens the file, before the comments; the ignore stays on line 1, where the scanner reports.
    const content = guard ? `{{- if ${guard} }}${header}${body}{{- end }}\n` : `${header}${body}`;
    return { path: `${dir}/templates/${file}.yaml`, content };
  });
  const chartBase = {
    apiVersion: "v2",
    name: c,
    description: `${c}: hardened Deployment, Service${base.ingress ? ", Ingress" : ""}${base.autoscaling ? ", HorizontalPodAutoscaler" : ""}${base.pdb ? ", PodDisruptionBudget" : ""} and NetworkPolicies (${base.strategy.replace("_", "-")}${base.mesh !== "none" ? ` with ${base.mesh}` : ""}).`,
    type: "application",
    version: CHART_VERSION,
  };
  // appVersion: the version users are served (the live colour, the stable track), when the image has a tag.
  const served = base.tracks.find((t) => t.id === (base.blueGreen?.live ?? (base.strategy === "canary" ? "stable" : "main")));
  const chart: Record<string, string> = { ...chartBase, ...(served?.image.tag ? { appVersion: served.image.tag } : {}), kubeVersion: KUBE_VERSION };
  const { values, schema } = chartValues(base);
  const files: ChartFile[] = [
    { path: `${dir}/Chart.yaml`, content: `${markerLine(AGENT_ID)}\n${renderDocument(chart)}` },
    { path: `${dir}/values.yaml`, content: renderValues(values, schema, [markerLine(AGENT_ID, "").trim(), "Validated by values.schema.json; per-environment files override only what differs."]) },
    { path: `${dir}/values.schema.json`, content: `${JSON.stringify(schema, null, 2)}\n` },
  ];
  for (const env of environments) {
    const diff = valuesDiff(values, chartValues(env).values);
    const header = [markerLine(AGENT_ID, "").trim(), `${env.environment ?? "environment"}: helm upgrade --install ${c} ${dir} -n ${env.namespace} -f ${dir}/values-${env.environment ?? ""}.yaml`];
    const content = Object.keys(diff).length === 0 ? `${header.map((h) => `# ${h}`).join("\n")}\n{}\n` : renderValues(diff, schema, header, 1);
    files.push({ path: `${dir}/values-${env.environment ?? ""}.yaml`, content });
  }
  files.push({ path: `${dir}/.helmignore`, content: `${markerLine(AGENT_ID)}\n.DS_Store\n.git/\n*.swp\n*.bak\n*.tmp\n*.orig\n` });
  files.push(...templates);
  files.push({ path: `${dir}/templates/_helpers.tpl`, content: helpers(c) });
  files.push({ path: `${dir}/templates/NOTES.txt`, content: notes(base, c) });
  return files;
}

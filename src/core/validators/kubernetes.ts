/**
 * Quality gates for Kubernetes manifests (`gate.quality.kubernetes`) and Helm
 * charts (`gate.quality.helm`). Both return data and never throw.
 *
 * kubernetes: every YAML document is parsed (syntax errors carry their
 * line). Objects of the built-in kinds in KINDS are checked by constructing
 * their kubernetes-models class and calling `.validate()` (the Kubernetes
 * 1.30 OpenAPI schemas; constructing alone validates nothing). API versions
 * the API server no longer serves are errors. Kustomizations, JSON 6902
 * patch files and the Istio and Gateway API objects the agents generate are
 * checked structurally here. The prometheus-operator kinds (ServiceMonitor,
 * PodMonitor, PrometheusRule) are checked with
 * @kubernetes-models/prometheus-operator's `.validate()` plus their field
 * lists, and a PrometheusRule's groups go through `promtool check rules`.
 * Chaos Mesh, LitmusChaos and Velero objects are checked against the strict
 * schemas of custom-resources.ts. Other custom resources are skipped with a
 * warning, not an error. kubernetes-models is imported on first use only.
 *
 * helm: Chart.yaml, the templates' Go-template syntax (delimiters, blocks,
 * known functions), values.schema.json (compiled by Ajv for the draft it
 * declares, after Ajv's meta-schema check) and the values: values.yaml and
 * every values-<env>.yaml merged over it are validated against the schema,
 * as Helm does before rendering (helm-values.ts). Helm itself cannot run
 * here, so templates are not rendered by the gate.
 */
import type { ValidateFunction } from "ajv";
import type { Document } from "yaml";
import { z } from "zod";
import type { ArtifactValidator } from "../gates/engine.js";
import type { Artifact } from "../plans/plan.js";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import { didYouMean } from "../suggest.js";
import { readYamlDocuments, tooLarge } from "../yaml.js";
import { checkValues, compileValuesSchema, mergeHelmValues } from "./helm-values.js";
import { CUSTOM_RESOURCES, KNOWN_GROUPS, OPERATOR_FIELDS } from "./custom-resources.js";
import type { Plain, YamlFile, YamlPath } from "./yaml-nodes.js";
import { dotted, isPlainObject, nodeIssue, readDocuments, syntaxIssues, toPlain } from "./yaml-nodes.js";

export const KUBERNETES_TOOL = "kubernetes-models 4.5.1 (Kubernetes 1.30 schemas) + @kubernetes-models/prometheus-operator 4.4.4 + Chaos Mesh, LitmusChaos and Velero CRD schemas";
export const HELM_TOOL = "devops-pack Helm chart checks (Chart.yaml, values against values.schema.json with ajv 8, Go template syntax)";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;
type Loader = () => Promise<ModelClass>;

/**
 * The built-in kinds validated with kubernetes-models, by `apiVersion kind`.
 * Literal import paths, so bundlers split each model into its own chunk.
 */
export const KINDS: Readonly<Record<string, Loader>> = {
  "v1 ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
  "v1 LimitRange": async () => (await import("kubernetes-models/v1/LimitRange")).LimitRange,
  "v1 Namespace": async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
  "v1 PersistentVolumeClaim": async () => (await import("kubernetes-models/v1/PersistentVolumeClaim")).PersistentVolumeClaim,
  "v1 Pod": async () => (await import("kubernetes-models/v1/Pod")).Pod,
  "v1 ResourceQuota": async () => (await import("kubernetes-models/v1/ResourceQuota")).ResourceQuota,
  "v1 Secret": async () => (await import("kubernetes-models/v1/Secret")).Secret,
  "v1 Service": async () => (await import("kubernetes-models/v1/Service")).Service,
  "v1 ServiceAccount": async () => (await import("kubernetes-models/v1/ServiceAccount")).ServiceAccount,
  "apps/v1 DaemonSet": async () => (await import("kubernetes-models/apps/v1/DaemonSet")).DaemonSet,
  "apps/v1 Deployment": async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment,
  "apps/v1 ReplicaSet": async () => (await import("kubernetes-models/apps/v1/ReplicaSet")).ReplicaSet,
  "apps/v1 StatefulSet": async () => (await import("kubernetes-models/apps/v1/StatefulSet")).StatefulSet,
  "batch/v1 CronJob": async () => (await import("kubernetes-models/batch/v1/CronJob")).CronJob,
  "batch/v1 Job": async () => (await import("kubernetes-models/batch/v1/Job")).Job,
  "networking.k8s.io/v1 Ingress": async () => (await import("kubernetes-models/networking.k8s.io/v1/Ingress")).Ingress,
  "networking.k8s.io/v1 IngressClass": async () => (await import("kubernetes-models/networking.k8s.io/v1/IngressClass")).IngressClass,
  "networking.k8s.io/v1 NetworkPolicy": async () => (await import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy")).NetworkPolicy,
  "policy/v1 PodDisruptionBudget": async () => (await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget,
  "autoscaling/v1 HorizontalPodAutoscaler": async () => (await import("kubernetes-models/autoscaling/v1/HorizontalPodAutoscaler")).HorizontalPodAutoscaler,
  "autoscaling/v2 HorizontalPodAutoscaler": async () => (await import("kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler")).HorizontalPodAutoscaler,
  "rbac.authorization.k8s.io/v1 ClusterRole": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole")).ClusterRole,
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding")).ClusterRoleBinding,
  "rbac.authorization.k8s.io/v1 Role": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/Role")).Role,
  "rbac.authorization.k8s.io/v1 RoleBinding": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding")).RoleBinding,
};

/** The prometheus-operator kinds, validated with @kubernetes-models/prometheus-operator 4.4.4. */
const OPERATOR_KINDS: Readonly<Record<string, Loader>> = {
  "monitoring.coreos.com/v1 ServiceMonitor": async () => (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor")).ServiceMonitor,
  "monitoring.coreos.com/v1 PodMonitor": async () => (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor")).PodMonitor,
  "monitoring.coreos.com/v1 PrometheusRule": async () => (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule")).PrometheusRule,
};

/** API versions the API server no longer serves: group/version → (removed in, replacement). */
const REMOVED: Readonly<Record<string, { removedIn: string; use: string }>> = {
  "extensions/v1beta1": { removedIn: "1.22", use: "apps/v1 (workloads) or networking.k8s.io/v1 (Ingress, NetworkPolicy)" },
  "apps/v1beta1": { removedIn: "1.16", use: "apps/v1" },
  "apps/v1beta2": { removedIn: "1.16", use: "apps/v1" },
  "networking.k8s.io/v1beta1": { removedIn: "1.22", use: "networking.k8s.io/v1" },
  "policy/v1beta1": { removedIn: "1.25", use: "policy/v1 (PodDisruptionBudget); PodSecurityPolicy was replaced by Pod Security Admission" },
  "batch/v1beta1": { removedIn: "1.25", use: "batch/v1" },
  "autoscaling/v2beta1": { removedIn: "1.25", use: "autoscaling/v2" },
  "autoscaling/v2beta2": { removedIn: "1.26", use: "autoscaling/v2" },
  "rbac.authorization.k8s.io/v1beta1": { removedIn: "1.22", use: "rbac.authorization.k8s.io/v1" },
};

const BUILT_IN_GROUPS = new Set(["", "apps", "batch", "networking.k8s.io", "policy", "autoscaling", "rbac.authorization.k8s.io", "extensions"]);

type Path = YamlPath;

interface Ctx extends YamlFile {
  errors: Issue[];
  warnings: Issue[];
}

function issueAt(ctx: Ctx, base: Path, rel: Path, message: string, kind: string): Issue {
  return nodeIssue(ctx, [...base, ...rel], message, kind);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names are DNS labels (RFC 1123/1035), at most 63 characters. */
const LABEL_NAMED = new Set(["Namespace", "Service"]);

function checkName(ctx: Ctx, base: Path, obj: Plain, what: string): void {
  const metadata = obj["metadata"];
  const name = isPlainObject(metadata) ? (metadata["name"] ?? metadata["generateName"]) : undefined;
  if (typeof name !== "string" || name === "") {
    ctx.errors.push(issueAt(ctx, base, ["metadata"], `${what}: metadata.name is required`, "schema"));
    return;
  }
  const kind = String(obj["kind"]);
  if (LABEL_NAMED.has(kind) ? !(DNS_LABEL.test(name) && name.length <= 63) : !(DNS_SUBDOMAIN.test(name) && name.length <= 253)) {
    ctx.errors.push(issueAt(ctx, base, ["metadata", "name"], `${what}: metadata.name '${name}' is not a valid ${LABEL_NAMED.has(kind) ? "DNS label (63 characters at most)" : "DNS subdomain"}`, "schema"));
  }
  const namespace = isPlainObject(metadata) ? metadata["namespace"] : undefined;
  if (namespace !== undefined && !(typeof namespace === "string" && DNS_LABEL.test(namespace) && namespace.length <= 63)) {
    ctx.errors.push(issueAt(ctx, base, ["metadata", "namespace"], `${what}: metadata.namespace ${JSON.stringify(namespace)} is not a valid DNS label (lower-case letters, digits and '-', 63 characters at most)`, "schema"));
  }
}

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
}

/** kubernetes-models' ValidationError → one issue per field, the noise of oneOf/anyOf left out. */
function modelErrors(ctx: Ctx, base: Path, what: string, e: unknown): void {
  const list = (e as { errors?: unknown }).errors;
  if (!Array.isArray(list) || list.length === 0) {
    ctx.errors.push(issueAt(ctx, base, [], `${what}: ${(e as Error).message ?? String(e)}`, "schema"));
    return;
  }
  const byPath = new Map<string, string[]>();
  for (const err of list as AjvError[]) {
    const p = err.instancePath ?? "";
    const msgs = byPath.get(p) ?? [];
    if (err.keyword !== "oneOf" && err.keyword !== "anyOf" && err.message) msgs.push(err.message);
    byPath.set(p, msgs);
  }
  for (const [pointer, msgs] of byPath) {
    const rel: Path = pointer
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const message = [...new Set(msgs.length > 0 ? msgs : ["does not match the schema"])].join(" or ");
    ctx.errors.push(issueAt(ctx, base, rel, `${what}: ${rel.length > 0 ? dotted(rel) : "object"} ${message}`, "schema"));
  }
}

// ---- Structural checks of the non-built-in objects the agents generate ----

const meta = z.object({ name: z.string().min(1) }).passthrough();
const labelMap = z.record(z.string(), z.string());

const istioDestination = z.object({ host: z.string().min(1), subset: z.string().min(1).optional(), port: z.object({ number: z.number().int().min(1).max(65535) }).optional() }).passthrough();
const virtualService = z
  .object({
    metadata: meta,
    spec: z
      .object({
        hosts: z.array(z.string().min(1)).min(1),
        gateways: z.array(z.string().min(1)).optional(),
        http: z
          .array(
            z
              .object({
                name: z.string().optional(),
                match: z.array(z.object({}).passthrough()).optional(),
                route: z.array(z.object({ destination: istioDestination, weight: z.number().int().min(0).max(100).optional() }).passthrough()).min(1),
              })
              .passthrough(),
          )
          .optional(),
      })
      .passthrough(),
  })
  .passthrough();
const destinationRule = z
  .object({
    metadata: meta,
    spec: z.object({ host: z.string().min(1), subsets: z.array(z.object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), labels: labelMap.optional() }).passthrough()).optional() }).passthrough(),
  })
  .passthrough();
const peerAuthentication = z
  .object({
    metadata: meta,
    spec: z
      .object({
        selector: z.object({ matchLabels: labelMap }).optional(),
        mtls: z.object({ mode: z.enum(["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]) }).optional(),
      })
      .passthrough(),
  })
  .passthrough();
const httpRoute = z
  .object({
    metadata: meta,
    spec: z
      .object({
        parentRefs: z.array(z.object({ name: z.string().min(1), group: z.string().optional(), kind: z.string().optional(), port: z.number().int().min(1).max(65535).optional() }).passthrough()).min(1).max(32),
        hostnames: z.array(z.string()).optional(),
        rules: z
          .array(
            z
              .object({
                backendRefs: z
                  .array(z.object({ name: z.string().min(1), kind: z.string().optional(), port: z.number().int().min(1).max(65535).optional(), weight: z.number().int().min(0).max(1000000).optional() }).passthrough())
                  .max(16)
                  .optional(),
              })
              .passthrough(),
          )
          .max(16)
          .optional(),
      })
      .passthrough(),
  })
  .passthrough();

const KUSTOMIZATION_FIELDS = [
  "apiVersion", "kind", "metadata", "resources", "components", "patches", "patchesStrategicMerge", "patchesJson6902", "namespace", "namePrefix", "nameSuffix",
  "commonLabels", "labels", "commonAnnotations", "images", "replicas", "configMapGenerator", "secretGenerator", "generatorOptions", "crds", "configurations",
  "generators", "transformers", "validators", "openapi", "buildMetadata", "sortOptions", "helmCharts", "helmGlobals", "vars", "replacements",
] as const;
const kustomizeTarget = z.strictObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  labelSelector: z.string().optional(),
  annotationSelector: z.string().optional(),
});
const kustomization = z
  .object({
    resources: z.array(z.string().min(1)).optional(),
    components: z.array(z.string().min(1)).optional(),
    namespace: z.string().regex(DNS_LABEL).optional(),
    patches: z
      .array(
        z
          .strictObject({ path: z.string().min(1).optional(), patch: z.string().min(1).optional(), target: kustomizeTarget.optional(), options: z.record(z.string(), z.boolean()).optional() })
          .refine((p) => (p.path === undefined) !== (p.patch === undefined), { message: "a patch needs exactly one of path and patch" }),
      )
      .optional(),
    images: z.array(z.strictObject({ name: z.string().min(1), newName: z.string().optional(), newTag: z.string().optional(), digest: z.string().optional() })).optional(),
  })
  .passthrough();

const patchOp = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("add"), path: z.string(), value: z.unknown() }),
  z.strictObject({ op: z.literal("replace"), path: z.string(), value: z.unknown() }),
  z.strictObject({ op: z.literal("test"), path: z.string(), value: z.unknown() }),
  z.strictObject({ op: z.literal("remove"), path: z.string() }),
  z.strictObject({ op: z.literal("move"), path: z.string(), from: z.string() }),
  z.strictObject({ op: z.literal("copy"), path: z.string(), from: z.string() }),
]);

function zodIssues(ctx: Ctx, base: Path, what: string, error: z.ZodError): void {
  for (const i of error.issues) {
    const rel = i.path.filter((p): p is string | number => typeof p !== "symbol");
    ctx.errors.push(issueAt(ctx, base, rel, `${what}: ${rel.length > 0 ? dotted(rel) : "object"}: ${i.message}`, "schema"));
  }
}

/** Issues of the strict custom-resource schemas: an unknown field is located at the field itself, a missing one said plainly. */
function customIssues(ctx: Ctx, base: Path, what: string, obj: Plain, error: z.ZodError): void {
  for (const i of error.issues) {
    const rel = i.path.filter((p): p is string | number => typeof p !== "symbol");
    const at = i.code === "unrecognized_keys" && i.keys[0] !== undefined ? [...rel, i.keys[0]] : rel;
    let value: unknown = obj;
    for (const step of rel) value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[step] : undefined;
    const message = i.code === "invalid_type" && value === undefined ? "required field is missing" : i.message;
    ctx.errors.push(issueAt(ctx, base, at, `${what}: ${rel.length > 0 ? dotted(rel) : "object"}: ${message}`, "schema"));
  }
}

/**
 * Fields the operator's CRD does not define: pruned silently by the API
 * server. Close to a known field it is a typo (error); otherwise it may be a
 * field of a newer operator than the model knows (warning).
 */
function checkOperatorFields(ctx: Ctx, base: Path, what: string, kind: string, obj: Plain): void {
  const table = OPERATOR_FIELDS[kind];
  if (!table) return;
  const visit = (value: unknown, pattern: string[], at: Path, label: string): void => {
    if (pattern.length === 0) {
      const known = table[label];
      if (!known || !isPlainObject(value)) return;
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const hint = didYouMean(key, known);
        const issue = issueAt(ctx, base, [...at, key], `${what}: ${dotted([...at, key])}: ${hint ? `unknown field '${key}'.${hint}` : `field '${key}' is not in the @kubernetes-models/prometheus-operator 4.4.4 schema; an API server whose CRD lacks it drops it silently`}`, "schema");
        (hint ? ctx.errors : ctx.warnings).push(issue);
      }
      return;
    }
    const [step, ...rest] = pattern;
    const many = step!.endsWith("[]");
    const name = many ? step!.slice(0, -2) : step!;
    const next = isPlainObject(value) ? value[name] : undefined;
    const nextLabel = label === "" ? step! : `${label}.${step!}`;
    if (many) {
      if (Array.isArray(next)) next.forEach((item, i) => visit(item, rest, [...at, name, i], nextLabel));
    } else visit(next, rest, [...at, name], nextLabel);
  };
  for (const label of Object.keys(table)) visit(obj, label.split("."), [], "");
}

/** A PrometheusRule's groups through `promtool check rules`, errors located at the rule they name. */
async function checkPrometheusRuleGroups(ctx: Ctx, base: Path, what: string, obj: Plain): Promise<void> {
  const spec = obj["spec"];
  if (!isPlainObject(spec) || !Array.isArray(spec["groups"])) return;
  const { promtoolRuleGroups } = await import("./prometheus.js");
  const name = isPlainObject(obj["metadata"]) && typeof obj["metadata"]["name"] === "string" ? obj["metadata"]["name"] : "rule";
  const r = await promtoolRuleGroups(spec["groups"], name);
  const groups = spec["groups"] as unknown[];
  for (const e of r.errors) {
    if (e.kind === "tool-missing" || e.kind === "tool-error") {
      ctx.errors.push({ ...e, path: ctx.path });
      continue;
    }
    const m = /^group "([^"]*)", rule (\d+)/.exec(e.message);
    const gi = m ? groups.findIndex((g) => isPlainObject(g) && g["name"] === m[1]) : -1;
    const at: Path = gi >= 0 ? ["spec", "groups", gi, "rules", Number(m![2]) - 1, "expr"] : ["spec", "groups"];
    ctx.errors.push(issueAt(ctx, base, at, `${what}: promtool check rules: ${e.message}`, "promtool"));
  }
  for (const w of r.warnings) ctx.warnings.push(issueAt(ctx, base, ["spec", "groups"], `${what}: promtool check rules: ${w.message}`, w.kind ?? "lint"));
}

function checkVirtualService(ctx: Ctx, base: Path, obj: Plain, what: string, subsetsByHost: Map<string, Set<string>>): void {
  const r = virtualService.safeParse(obj);
  if (!r.success) return zodIssues(ctx, base, what, r.error);
  r.data.spec.http?.forEach((route, i) => {
    const weights = route.route.map((d) => d.weight);
    if (route.route.length > 1 || weights.some((w) => w !== undefined)) {
      const total = weights.reduce<number>((s, w) => s + (w ?? 0), 0);
      if (total !== 100) ctx.errors.push(issueAt(ctx, base, ["spec", "http", i, "route"], `${what}: spec.http[${i}] route weights add up to ${total}; Istio requires 100`, "schema"));
    }
    route.route.forEach((d, j) => {
      const known = subsetsByHost.get(d.destination.host);
      if (d.destination.subset !== undefined && known !== undefined && !known.has(d.destination.subset)) {
        ctx.errors.push(
          issueAt(ctx, base, ["spec", "http", i, "route", j, "destination", "subset"], `${what}: subset ${d.destination.subset} is not defined by the DestinationRule of ${d.destination.host} (${[...known].join(", ")})`, "schema"),
        );
      }
    });
  });
}

function checkKustomization(ctx: Ctx, base: Path, obj: Plain): void {
  for (const key of Object.keys(obj)) {
    if (!(KUSTOMIZATION_FIELDS as readonly string[]).includes(key)) {
      ctx.errors.push(issueAt(ctx, base, [key], `Kustomization: unknown field '${key}'.${didYouMean(key, KUSTOMIZATION_FIELDS)}`, "schema"));
    }
  }
  const r = kustomization.safeParse(obj);
  if (!r.success) zodIssues(ctx, base, "Kustomization", r.error);
}

function checkPatchList(ctx: Ctx, list: unknown[]): void {
  list.forEach((op, i) => {
    const r = patchOp.safeParse(op);
    if (!r.success) return zodIssues(ctx, [i], "JSON patch", r.error);
    for (const key of ["path", "from"] as const) {
      const v = (r.data as { path: string; from?: string })[key];
      if (v !== undefined && v !== "" && !v.startsWith("/")) ctx.errors.push(issueAt(ctx, [i, key], [], `JSON patch: ${key} '${v}' is not a JSON pointer (it starts with /)`, "schema"));
    }
  });
}

function isPatchList(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isPlainObject(x) && "op" in x && "path" in x);
}

async function checkObject(ctx: Ctx, base: Path, obj: Plain, subsetsByHost: Map<string, Set<string>>): Promise<void> {
  const apiVersion = obj["apiVersion"];
  const kind = obj["kind"];
  if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") {
    ctx.errors.push(issueAt(ctx, base, [], "not a Kubernetes object: apiVersion and kind are required", "schema"));
    return;
  }
  const name = isPlainObject(obj["metadata"]) && typeof obj["metadata"]["name"] === "string" ? obj["metadata"]["name"] : "-";
  const what = `${kind} ${name}`;
  if (kind.endsWith("List") && Array.isArray(obj["items"])) {
    for (const [i, item] of (obj["items"] as unknown[]).entries()) {
      if (isPlainObject(item)) await checkObject(ctx, [...base, "items", i], item, subsetsByHost);
      else ctx.errors.push(issueAt(ctx, base, ["items", i], `${what}: items[${i}] is not an object`, "schema"));
    }
    return;
  }
  if (apiVersion.startsWith("kustomize.config.k8s.io/")) {
    if (kind === "Kustomization" || kind === "Component") return checkKustomization(ctx, base, obj);
  }
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const removed = REMOVED[apiVersion];
  if (removed) {
    ctx.errors.push(issueAt(ctx, base, ["apiVersion"], `${what}: ${apiVersion} is no longer served (removed in Kubernetes ${removed.removedIn}); use ${removed.use}`, "removed-api"));
    return;
  }
  const load = KINDS[`${apiVersion} ${kind}`];
  if (load) {
    checkName(ctx, base, obj, what);
    const Model = await load();
    try {
      new Model(obj as never).validate();
    } catch (e) {
      modelErrors(ctx, base, what, e);
    }
    return;
  }
  const operator = OPERATOR_KINDS[`${apiVersion} ${kind}`];
  if (operator) {
    checkName(ctx, base, obj, what);
    const Model = await operator();
    const before = ctx.errors.length;
    try {
      new Model(obj as never).validate();
    } catch (e) {
      modelErrors(ctx, base, what, e);
    }
    checkOperatorFields(ctx, base, what, kind, obj);
    if (kind === "PrometheusRule" && ctx.errors.length === before) await checkPrometheusRuleGroups(ctx, base, what, obj);
    return;
  }
  const custom = CUSTOM_RESOURCES[`${apiVersion} ${kind}`];
  if (custom) {
    checkName(ctx, base, obj, what);
    const r = custom.safeParse(obj);
    if (!r.success) customIssues(ctx, base, what, obj, r.error);
    return;
  }
  const project = KNOWN_GROUPS[group];
  if (project !== undefined) {
    const modelled = Object.keys(CUSTOM_RESOURCES).filter((k) => k.startsWith(`${group}/`)).map((k) => k.split(" ")[1]!);
    ctx.warnings.push(issueAt(ctx, base, ["kind"], `${what}: ${project} ${apiVersion} ${kind} has no schema here (checked: ${modelled.join(", ")}); not validated`, "skipped"));
    return;
  }
  if (group === "networking.istio.io" && kind === "VirtualService") return checkVirtualService(ctx, base, obj, what, subsetsByHost);
  const structural: Record<string, z.ZodType | undefined> = {
    "networking.istio.io DestinationRule": destinationRule,
    "security.istio.io PeerAuthentication": peerAuthentication,
    "gateway.networking.k8s.io HTTPRoute": httpRoute,
  };
  const schema = structural[`${group} ${kind}`];
  if (schema) {
    const r = schema.safeParse(obj);
    if (!r.success) zodIssues(ctx, base, what, r.error);
    return;
  }
  ctx.warnings.push(
    issueAt(
      ctx,
      base,
      ["kind"],
      BUILT_IN_GROUPS.has(group) ? `${what}: ${apiVersion} ${kind} is not in the validator's table; not validated` : `${what}: custom resource ${apiVersion} ${kind}; no schema available, not validated`,
      "skipped",
    ),
  );
}

/** DestinationRule subsets by host, so VirtualServices in the same file can be checked against them. */
function subsetsOf(values: unknown[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const v of values) {
    if (!isPlainObject(v) || v["kind"] !== "DestinationRule" || !isPlainObject(v["spec"])) continue;
    const host = v["spec"]["host"];
    const subsets = v["spec"]["subsets"];
    if (typeof host !== "string" || !Array.isArray(subsets)) continue;
    out.set(host, new Set(subsets.filter(isPlainObject).map((s) => String(s["name"]))));
  }
  return out;
}

async function validateManifestText(content: string, path: string): Promise<Result<null>> {
  const read = readDocuments(content, path);
  if ("tooLarge" in read) return fail([read.tooLarge]);
  const { lc, docs } = read;
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const parsed: { doc: Document.Parsed; value: unknown }[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      errors.push(...syntaxIssues(doc, path));
      continue;
    }
    let value: unknown;
    try {
      value = toPlain(doc);
    } catch (e) {
      errors.push({ message: `${path}: ${(e as Error).message}`, path, kind: "syntax" });
      continue;
    }
    if (value === null || value === undefined) continue;
    parsed.push({ doc, value });
  }
  const subsets = subsetsOf(parsed.map((p) => p.value));
  for (const { doc, value } of parsed) {
    const ctx: Ctx = { path, doc, lc, errors, warnings };
    if (isPatchList(value)) checkPatchList(ctx, value);
    else if (isPlainObject(value)) await checkObject(ctx, [], value, subsets);
    else errors.push(issueAt(ctx, [], [], "not a Kubernetes object, a Kustomization or a JSON patch list", "schema"));
  }
  if (parsed.length === 0 && errors.length === 0) warnings.push({ message: `${path} holds no documents`, path, kind: "empty" });
  return errors.length === 0 ? ok(null, warnings) : fail(errors, warnings);
}

/** Validate one manifest file. Never throws: a failure to load the schemas is an error of kind tool-missing. */
export async function validateKubernetes(content: string, path: string): Promise<Result<null>> {
  try {
    return await validateManifestText(content, path);
  } catch (e) {
    return fail([{ message: `kubernetes-models could not validate ${path}: ${(e as Error).message}`, path, kind: "tool-missing" }]);
  }
}

export const kubernetesValidator: ArtifactValidator = {
  kind: "kubernetes",
  tool: KUBERNETES_TOOL,
  validate: (a: Artifact) => validateKubernetes(a.content, a.path),
};

// ---- Go templates (Helm) ----

export type TemplateArg =
  | { kind: "field"; path: string[] }
  | { kind: "var"; name: string; path: string[] }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "ident"; name: string }
  | { kind: "pipe"; pipe: TemplatePipe; path: string[] };

export interface TemplatePipe {
  decl: string[];
  commands: TemplateArg[][];
}

export type TemplateNode =
  | { type: "text"; text: string }
  | { type: "action"; pipe: TemplatePipe; line: number }
  | { type: "if" | "with" | "range"; pipe: TemplatePipe; body: TemplateNode[]; elseBody: TemplateNode[]; line: number }
  | { type: "define"; name: string; body: TemplateNode[]; line: number }
  | { type: "template"; name: string; pipe?: TemplatePipe; line: number };

/** Functions a Helm template may call: Go's builtins, Helm's own and the Sprig functions charts use. */
export const HELM_FUNCTIONS: ReadonlySet<string> = new Set([
  // text/template
  "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery", "call", "slice",
  // Helm
  "include", "tpl", "required", "toYaml", "toYamlPretty", "fromYaml", "fromYamlArray", "toJson", "fromJson", "fromJsonArray", "toToml", "lookup", "fail",
  // Sprig
  "default", "empty", "coalesce", "ternary", "quote", "squote", "upper", "lower", "title", "trim", "trimAll", "trimPrefix", "trimSuffix", "trunc", "nospace",
  "contains", "hasPrefix", "hasSuffix", "replace", "repeat", "substr", "indent", "nindent", "cat", "wrap", "splitList", "split", "join", "sortAlpha",
  "toString", "toStrings", "int", "int64", "float64", "atoi", "add", "add1", "sub", "mul", "div", "mod", "max", "min", "ceil", "floor", "round",
  "list", "dict", "get", "set", "unset", "hasKey", "pluck", "keys", "values", "pick", "omit", "merge", "mergeOverwrite", "deepCopy", "first", "last",
  "rest", "initial", "append", "prepend", "concat", "reverse", "uniq", "without", "has", "compact", "until", "untilStep", "seq", "kindOf", "kindIs",
  "typeOf", "typeIs", "deepEqual", "b64enc", "b64dec", "sha1sum", "sha256sum", "adler32sum", "randAlphaNum", "uuidv4", "regexMatch", "regexFind",
  "regexFindAll", "regexReplaceAll", "regexSplit", "semver", "semverCompare", "now", "date", "toDate", "dateInZone", "snakecase", "camelcase",
  "kebabcase", "shuffle", "abbrev", "plural", "trimall", "urlParse", "urlJoin", "base", "dir", "ext", "clean", "isAbs", "fromJson", "mustToJson",
  "mustFromJson", "mustRegexMatch", "toPrettyJson", "toRawJson", "env", "expandenv", "getHostByName",
]);

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);

interface RawAction {
  content: string;
  line: number;
}

type Piece = { kind: "text"; text: string } | { kind: "action"; action: RawAction };

/** Split a template into text and actions, applying `{{-` and `-}}` trimming. */
function splitTemplate(src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  const lineAt = (offset: number) => src.slice(0, offset).split("\n").length;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (open < 0) {
      if (text) pieces.push({ kind: "text", text });
      break;
    }
    let start = open + 2;
    if (src.startsWith("- ", start) || src.startsWith("-\t", start) || src.startsWith("-\n", start)) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    if (text) pieces.push({ kind: "text", text });
    // Find the closing delimiter, skipping string literals and comments.
    let j = start;
    let close = -1;
    while (j < src.length) {
      const ch = src[j];
      if (src.startsWith("/*", j)) {
        const end = src.indexOf("*/", j + 2);
        if (end < 0) throw new TemplateSyntaxError("unclosed comment", lineAt(open));
        j = end + 2;
        continue;
      }
      if (ch === '"' || ch === "`" || ch === "'") {
        let k = j + 1;
        while (k < src.length && src[k] !== ch) {
          if (src[k] === "\\" && ch !== "`") k++;
          if (src[k] === "\n" && ch !== "`") throw new TemplateSyntaxError("unterminated quoted string", lineAt(j));
          k++;
        }
        if (k >= src.length) throw new TemplateSyntaxError("unterminated quoted string", lineAt(j));
        j = k + 1;
        continue;
      }
      if (src.startsWith("}}", j)) {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new TemplateSyntaxError("unclosed action: {{ without }}", lineAt(open));
    let end = close;
    if (/\s-$/.test(src.slice(start, close))) {
      end = close - 1;
      trimNext = true;
    }
    pieces.push({ kind: "action", action: { content: src.slice(start, end).trim(), line: lineAt(open) } });
    i = close + 2;
  }
  return pieces;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

type Token = { t: "str" | "num" | "bool" | "nil" | "field" | "var" | "ident" | "(" | ")" | "|" | "decl" | ","; v: string };

function tokenize(content: string, line: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < content.length) {
    const ch = content[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      let k = i + 1;
      let value = "";
      while (k < content.length && content[k] !== '"') {
        if (content[k] === "\\") {
          const n = content[k + 1];
          value += n === "n" ? "\n" : n === "t" ? "\t" : (n ?? "");
          k += 2;
          continue;
        }
        value += content[k];
        k++;
      }
      out.push({ t: "str", v: value });
      i = k + 1;
      continue;
    }
    if (ch === "`") {
      const k = content.indexOf("`", i + 1);
      out.push({ t: "str", v: content.slice(i + 1, k) });
      i = k + 1;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === "|" || ch === ",") {
      out.push({ t: ch, v: ch });
      i++;
      continue;
    }
    if (content.startsWith(":=", i) || (ch === "=" && content[i + 1] !== "=")) {
      out.push({ t: "decl", v: ch === ":" ? ":=" : "=" });
      i += ch === ":" ? 2 : 1;
      continue;
    }
    const m = /^(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(content.slice(i));
    if (!m) throw new TemplateSyntaxError(`unexpected '${ch}' in action {{ ${content} }}`, line);
    const word = m[1] ?? "";
    if (word.startsWith("$")) out.push({ t: "var", v: word });
    else if (word.startsWith(".")) out.push({ t: "field", v: word });
    else if (/^-?\d/.test(word)) out.push({ t: "num", v: word });
    else if (word === "true" || word === "false") out.push({ t: "bool", v: word });
    else if (word === "nil") out.push({ t: "nil", v: word });
    else out.push({ t: "ident", v: word });
    i += word.length;
  }
  return out;
}

function parsePipe(tokens: Token[], line: number): TemplatePipe {
  let pos = 0;
  const decl: string[] = [];
  const declAt = tokens.findIndex((t) => t.t === "decl");
  if (declAt > 0 && tokens.slice(0, declAt).every((t) => t.t === "var" || t.t === ",")) {
    for (const t of tokens.slice(0, declAt)) if (t.t === "var") decl.push(t.v);
    pos = declAt + 1;
  }
  const fieldPath = (v: string) => v.split(".").filter((s) => s !== "");
  const parseCommands = (stopAtParen: boolean): TemplateArg[][] => {
    const commands: TemplateArg[][] = [[]];
    while (pos < tokens.length) {
      const t = tokens[pos];
      if (!t) break;
      if (t.t === ")") {
        if (!stopAtParen) throw new TemplateSyntaxError("unexpected )", line);
        break;
      }
      pos++;
      const cmd = commands[commands.length - 1] ?? [];
      switch (t.t) {
        case "|":
          if (cmd.length === 0) throw new TemplateSyntaxError("missing command before |", line);
          commands.push([]);
          break;
        case "(": {
          const inner = parseCommands(true);
          if (tokens[pos]?.t !== ")") throw new TemplateSyntaxError("unclosed (", line);
          pos++;
          cmd.push({ kind: "pipe", pipe: { decl: [], commands: inner }, path: [] });
          break;
        }
        case "str":
          cmd.push({ kind: "string", value: t.v });
          break;
        case "num":
          cmd.push({ kind: "number", value: Number(t.v) });
          break;
        case "bool":
          cmd.push({ kind: "bool", value: t.v === "true" });
          break;
        case "nil":
          cmd.push({ kind: "nil" });
          break;
        case "field":
          cmd.push({ kind: "field", path: fieldPath(t.v) });
          break;
        case "var": {
          const [name = "$", ...rest] = t.v.split(".");
          cmd.push({ kind: "var", name, path: rest });
          break;
        }
        case "ident":
          if (KEYWORDS.has(t.v)) throw new TemplateSyntaxError(`unexpected keyword ${t.v}`, line);
          if (!HELM_FUNCTIONS.has(t.v)) throw new TemplateSyntaxError(`function "${t.v}" not defined.${didYouMean(t.v, HELM_FUNCTIONS)}`, line);
          cmd.push({ kind: "ident", name: t.v });
          break;
        default:
          throw new TemplateSyntaxError(`unexpected ${t.v}`, line);
      }
    }
    if (commands.some((c) => c.length === 0)) throw new TemplateSyntaxError("missing command in pipeline", line);
    return commands;
  };
  return { decl, commands: parseCommands(false) };
}

/**
 * Parse a Go template (the subset of text/template syntax Helm charts use)
 * into a tree. Throws TemplateSyntaxError with the line.
 */
export function parseGoTemplate(src: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  type Frame = { node: Extract<TemplateNode, { body: TemplateNode[] }>; inElse: boolean; chained: number };
  const stack: Frame[] = [];
  const target = (): TemplateNode[] => {
    const top = stack[stack.length - 1];
    if (!top) return root;
    return top.inElse && "elseBody" in top.node ? top.node.elseBody : top.node.body;
  };
  for (const piece of splitTemplate(src)) {
    if (piece.kind === "text") {
      target().push({ type: "text", text: piece.text });
      continue;
    }
    const { content, line } = piece.action;
    if (content.startsWith("/*")) {
      if (!content.endsWith("*/")) throw new TemplateSyntaxError("a comment must end the action: {{/* … */}}", line);
      continue;
    }
    const tokens = tokenize(content, line);
    const head = tokens[0];
    if (!head) throw new TemplateSyntaxError("empty action {{ }}", line);
    const word = head.t === "ident" && KEYWORDS.has(head.v) ? head.v : undefined;
    if (word === "if" || word === "with" || word === "range") {
      const node = { type: word, pipe: parsePipe(tokens.slice(1), line), body: [], elseBody: [], line } as Extract<TemplateNode, { type: "if" | "with" | "range" }>;
      target().push(node);
      stack.push({ node, inElse: false, chained: 0 });
    } else if (word === "define" || word === "block") {
      const name = tokens[1];
      if (name?.t !== "str") throw new TemplateSyntaxError(`${word} needs a quoted name`, line);
      if (word === "define" && stack.length > 0) throw new TemplateSyntaxError("{{ define }} must be at the top level", line);
      const node: TemplateNode = { type: "define", name: name.v, body: [], line };
      // A block is a define plus a template call where it stands.
      if (word === "block") target().push({ type: "template", name: name.v, pipe: parsePipe(tokens.slice(2), line), line });
      root.push(node);
      stack.push({ node, inElse: false, chained: 0 });
    } else if (word === "template") {
      const name = tokens[1];
      if (name?.t !== "str") throw new TemplateSyntaxError("template needs a quoted name", line);
      target().push(tokens.length > 2 ? { type: "template", name: name.v, pipe: parsePipe(tokens.slice(2), line), line } : { type: "template", name: name.v, line });
    } else if (word === "else") {
      const top = stack[stack.length - 1];
      if (!top || top.node.type === "define" || top.inElse) throw new TemplateSyntaxError("unexpected {{ else }}", line);
      top.inElse = true;
      const next = tokens[1];
      if (next?.t === "ident" && (next.v === "if" || next.v === "with")) {
        const node = { type: next.v, pipe: parsePipe(tokens.slice(2), line), body: [], elseBody: [], line } as Extract<TemplateNode, { type: "if" | "with" }>;
        target().push(node);
        stack.push({ node, inElse: false, chained: top.chained + 1 });
      }
    } else if (word === "end") {
      let top = stack.pop();
      if (!top) throw new TemplateSyntaxError("unexpected {{ end }}", line);
      // `else if` chains close with one end.
      while (top.chained > 0) {
        top = stack.pop();
        if (!top) throw new TemplateSyntaxError("unexpected {{ end }}", line);
      }
    } else if (word === "break" || word === "continue") {
      if (!stack.some((f) => f.node.type === "range")) throw new TemplateSyntaxError(`{{ ${word} }} outside range`, line);
    } else {
      target().push({ type: "action", pipe: parsePipe(tokens, line), line });
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw new TemplateSyntaxError(`{{ ${open.node.type} }} is never closed by {{ end }}`, open.node.line);
  return root;
}

// ---- Helm chart files ----

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const chartYaml = z
  .object({
    apiVersion: z.literal("v2", { error: () => "Helm 3 charts use apiVersion v2" }),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "a lower-case chart name (letters, digits, '-')" }),
    version: z.string({ error: () => "a SemVer 2 version string such as 0.1.0 (quote it: YAML reads 1.0 as a number)" }).regex(SEMVER, { message: "a SemVer 2 version such as 0.1.0" }),
    appVersion: z.string().optional(),
    kubeVersion: z.string().optional(),
    description: z.string().optional(),
    type: z.enum(["application", "library"]).optional(),
    dependencies: z.array(z.object({ name: z.string().min(1), version: z.string().min(1), repository: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

function yamlMapping(content: string, path: string, what: string): Result<Plain> {
  const read = readYamlDocuments(content, path, { single: true });
  if (!read.ok) return fail([read.issue]);
  const doc = read.value.docs[0];
  if (!doc) return ok({});
  if (doc.errors.length > 0) return fail(syntaxIssues(doc, path));
  const value: unknown = toPlain(doc);
  if (value === null || value === undefined) return ok({});
  if (!isPlainObject(value)) return fail([{ message: `${what} must be a mapping`, path, kind: "schema" }]);
  return ok(value);
}

function validateHelmFile(content: string, path: string): Result<null> | Promise<Result<null>> {
  const big = tooLarge(content, path);
  if (big) return fail([big]);
  const file = path.split("/").pop() ?? path;
  const inTemplates = /(^|\/)templates\//.test(path);
  if (file === "values.schema.json") return compileValuesSchema(content, path).then((r) => (r.ok ? ok(null) : fail(r.errors)));
  if (inTemplates && /\.(ya?ml|tpl|txt)$/.test(file)) {
    try {
      parseGoTemplate(content);
      return ok(null);
    } catch (e) {
      if (e instanceof TemplateSyntaxError) return fail([{ message: `template: ${e.message}`, path, line: e.line, kind: "template" }]);
      throw e;
    }
  }
  if (file === "Chart.yaml") {
    const m = yamlMapping(content, path, "Chart.yaml");
    if (!m.ok) return fail(m.errors);
    const r = chartYaml.safeParse(m.value);
    return r.success ? ok(null) : fail(r.error.issues.map((i) => ({ message: `Chart.yaml ${i.path.join(".") || "object"}: ${i.message}`, path, kind: "schema" })));
  }
  if (/^values.*\.ya?ml$/.test(file)) {
    const m = yamlMapping(content, path, file);
    return m.ok ? ok(null) : fail(m.errors);
  }
  if (file === ".helmignore" || file === "README.md" || file === "LICENSE") return ok(null);
  if (/\.ya?ml$/.test(file)) {
    const m = yamlMapping(content, path, file);
    return m.ok ? ok(null, [{ message: `${file} is not a file Helm reads specially; checked as YAML only`, path, kind: "skipped" }]) : fail(m.errors);
  }
  return ok(null, [{ message: `${file}: no check for this file`, path, kind: "skipped" }]);
}

/** Validate one file of a Helm chart on its own (values are not checked against a schema it cannot see). Never throws. */
export async function validateHelm(content: string, path: string): Promise<Result<null>> {
  try {
    return await validateHelmFile(content, path);
  } catch (e) {
    return fail([{ message: `the Helm checks failed on ${path}: ${(e as Error).message}`, path, kind: "tool-error" }]);
  }
}

const VALUES_FILE = /^values(-[^/]+)?\.ya?ml$/;

/**
 * The chart's values against its values.schema.json, for each values file at
 * a chart's root whose schema is in the plan: values.yaml on its own, every
 * other values file merged over values.yaml (as `helm -f` does). A values
 * file that cannot be checked because its schema or values.yaml is broken
 * fails too, naming why, so a broken schema never lets values through.
 */
async function valuesAgainstSchema(a: Artifact, plan: readonly Artifact[], schemas: Map<string, Promise<Result<ValidateFunction>>>): Promise<Issue[]> {
  const slash = a.path.lastIndexOf("/");
  const dir = slash < 0 ? "" : a.path.slice(0, slash + 1);
  const file = a.path.slice(slash + 1);
  if (!VALUES_FILE.test(file)) return [];
  const schemaFile = plan.find((x) => x.path === `${dir}values.schema.json`);
  if (!schemaFile) return [];
  let compiled = schemas.get(schemaFile.path);
  if (!compiled) schemas.set(schemaFile.path, (compiled = compileValuesSchema(schemaFile.content, schemaFile.path)));
  const validate = await compiled;
  if (!validate.ok) return [{ message: `${file} is not validated: ${dir}values.schema.json does not compile (see its errors)`, path: a.path, kind: "schema" }];
  const own = yamlMapping(a.content, a.path, file);
  if (!own.ok) return []; // its parse error is already reported
  if (file === "values.yaml" || file === "values.yml") return checkValues(validate.value, own.value, file, a.path);
  const baseFile = plan.find((x) => x.path === `${dir}values.yaml`);
  if (!baseFile) return checkValues(validate.value, own.value, file, a.path);
  const base = yamlMapping(baseFile.content, baseFile.path, "values.yaml");
  if (!base.ok) return [{ message: `${file} is not validated: ${dir}values.yaml, which it is merged over, does not parse`, path: a.path, kind: "schema" }];
  return checkValues(validate.value, mergeHelmValues(base.value, own.value), `${file} merged over values.yaml`, a.path);
}

/**
 * The gate's form: every file's own checks, plus values checked against the
 * chart's values.schema.json (which needs the other files of the plan). Never throws.
 */
export async function validateHelmAll(artifacts: readonly Artifact[], plan: readonly Artifact[]): Promise<Map<string, Result<null>>> {
  const schemas = new Map<string, Promise<Result<ValidateFunction>>>();
  const out = new Map<string, Result<null>>();
  for (const a of artifacts) {
    const own = await validateHelm(a.content, a.path);
    let extra: Issue[];
    try {
      extra = await valuesAgainstSchema(a, plan, schemas);
    } catch (e) {
      extra = [{ message: `the Helm values checks failed on ${a.path}: ${(e as Error).message}`, path: a.path, kind: "tool-error" }];
    }
    out.set(a.path, extra.length === 0 ? own : fail([...own.errors, ...extra], own.warnings));
  }
  return out;
}

export const helmValidator: ArtifactValidator = {
  kind: "helm",
  tool: HELM_TOOL,
  // On its own an artifact is checked with only itself in view; the gate engine uses validateAll with the whole plan.
  validate: async (a: Artifact) => (await validateHelmAll([a], [a])).get(a.path)!,
  validateAll: validateHelmAll,
};

import { z } from "zod";
import { didYouMean, editDistance } from "../../core/suggest.js";
import { parseCpu, parseMemory } from "./quantity.js";
import { oneOf } from "../../core/zod-enum.js";

export const STRATEGIES = ["rolling", "blue_green", "canary"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const MESHES = ["none", "istio", "linkerd"] as const;
export type Mesh = (typeof MESHES)[number];

export const PROBE_TYPES = ["http", "tcp", "grpc"] as const;
export const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export const SLOTS = ["blue", "green"] as const;
export type Slot = (typeof SLOTS)[number];

/**
 * A DNS-1035 label short enough for every derived name: objects are named
 * `<name>-default-deny`, `<name>-preview`, `<name>-canary`… and Service names
 * stop at 63 characters.
 */
const appName = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, { message: "a lower-case DNS label of at most 40 characters, starting with a letter, such as checkout-api (derived object names add up to 23 characters)" });

const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a Kubernetes namespace name (lower-case DNS label)" })
  .refine((n) => n !== "default" && !n.startsWith("kube-"), { message: "use a namespace dedicated to the application, not default or a kube-* system namespace" });

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,29}$/, { message: "environment names are lower-case letters, digits and '-', starting with a letter (they name overlay directories and values files)" });

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** registry[:port]/path[:tag][@sha256:…], lower-case repository as OCI requires. */
const IMAGE = /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export interface ImageRef {
  repository: string;
  tag: string;
  digest: string;
}

/** Split an image reference; `:` is a tag only after the last `/` (so `localhost:5000/app` has none). */
export function splitImage(image: string): ImageRef {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : "";
  const nameTag = at >= 0 ? image.slice(0, at) : image;
  const slash = nameTag.lastIndexOf("/");
  const colon = nameTag.lastIndexOf(":");
  if (colon > slash) return { repository: nameTag.slice(0, colon), tag: nameTag.slice(colon + 1), digest };
  return { repository: nameTag, tag: "", digest };
}

export function imageString(ref: ImageRef): string {
  return `${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

const image = z
  .string()
  .regex(IMAGE, { message: "an image reference such as ghcr.io/acme/checkout:1.4.2 (optionally @sha256:<64 hex>)" })
  .superRefine((v, ctx) => {
    const ref = splitImage(v);
    if (ref.tag === "latest") ctx.addIssue({ code: "custom", message: "the latest tag changes with every push; give a version tag and, better, a digest" });
    else if (ref.tag === "" && ref.digest === "") ctx.addIssue({ code: "custom", message: "give a version tag (ghcr.io/acme/app:1.4.2) or a digest; an untagged image means latest" });
  });

const digest = z.string().regex(DIGEST, { message: "a digest such as sha256:<64 lower-case hex characters>" });

const cpuQuantity = z
  .union([z.string(), z.number()], { error: () => 'a CPU quantity such as "250m", "0.5" or 2' })
  .refine((v) => parseCpu(v) !== undefined, { message: 'a CPU quantity such as "250m", "0.5" or 2 (at least 1m, whole millicores)' });

const memoryQuantity = z
  .union([z.string(), z.number()], { error: () => 'a memory quantity such as "256Mi" or "1Gi"' })
  .refine((v) => parseMemory(v) !== undefined, { message: 'a memory quantity such as "256Mi" or "1Gi" (at least 1Mi)' });

const cpuMemory = z.strictObject({
  cpu: cpuQuantity.optional().describe('CPU, e.g. "250m" (millicores) or "0.5" (cores).'),
  memory: memoryQuantity.optional().describe('Memory, e.g. "256Mi" or "1Gi".'),
});

export const resourcesSchema = z
  .strictObject({
    requests: cpuMemory.optional().describe("What the scheduler reserves for each pod. Default: cpu 100m, memory 256Mi."),
    limits: cpuMemory.optional().describe("The ceiling. Default: memory equal to the memory request (OOM-killed predictably), CPU four times the CPU request."),
  })
  .describe("Requests and limits of the application container.");

const portName = z
  .string()
  .regex(/^(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, { message: "an IANA service name: at most 15 lower-case letters, digits and '-', with a letter" });

const portNumber = z.number().int().min(1).max(65535);

const portSchema = z.union(
  [
    portNumber,
    z.strictObject({
      name: portName.describe("Port name, referenced by the Service, probes and NetworkPolicies (e.g. http, grpc)."),
      port: portNumber.describe("Port the container listens on."),
      protocol: oneOf("protocol", PROTOCOLS).default("TCP").describe("TCP, UDP or SCTP."),
      service_port: portNumber.optional().describe("Port the Service exposes. Default: the container port."),
    }),
  ],
  { error: () => "a port number (8080) or {name, port, protocol, service_port}" },
);

const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, { message: "a label key such as app.kubernetes.io/name" });
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, { message: "a label value: at most 63 letters, digits, '-', '_' or '.'" });
const labels = z.record(labelKey, labelValue);

const peerPorts = z
  .array(z.union([portNumber, z.strictObject({ port: portNumber, protocol: oneOf("protocol", PROTOCOLS).default("TCP") })]))
  .min(1);

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;

const egressRule = z
  .strictObject({
    cidr: z.string().regex(CIDR, { message: "an IPv4 or IPv6 CIDR such as 10.0.0.0/16" }).optional().describe("Destination address range (databases and APIs outside the cluster)."),
    except: z.array(z.string().regex(CIDR, { message: "a CIDR" })).optional().describe("Ranges inside cidr that stay denied (e.g. the cloud metadata address 169.254.169.254/32)."),
    namespace: namespaceName.optional().describe("Destination namespace inside the cluster (matched by its kubernetes.io/metadata.name label)."),
    pod_labels: labels.optional().describe("Destination pods, by labels (in the destination namespace, or the application's own)."),
    ports: peerPorts.describe("Destination ports, e.g. [5432] or [{port: 53, protocol: UDP}]."),
  })
  .superRefine((r, ctx) => {
    const inCluster = r.namespace !== undefined || r.pod_labels !== undefined;
    if (r.cidr === undefined && !inCluster) ctx.addIssue({ code: "custom", message: "give cidr, or namespace and/or pod_labels" });
    if (r.cidr !== undefined && inCluster) ctx.addIssue({ code: "custom", message: "cidr cannot be combined with namespace or pod_labels; write two rules" });
    if (r.except !== undefined && r.cidr === undefined) ctx.addIssue({ code: "custom", path: ["except"], message: "except applies to cidr" });
  })
  .describe("One allowed outbound flow.");

const ingressPeer = z
  .strictObject({
    namespace: namespaceName.optional().describe("Calling namespace (matched by its kubernetes.io/metadata.name label)."),
    pod_labels: labels.optional().describe("Calling pods, by labels (in that namespace, or the application's own)."),
    ports: z.array(portName).min(1).optional().describe("Named application ports the callers may reach. Default: every application port."),
  })
  .refine((p) => p.namespace !== undefined || p.pod_labels !== undefined, { message: "give namespace and/or pod_labels" })
  .describe("In-cluster callers allowed to reach the application.");

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that say the value is a credential (kept in line with the scanner's DP-K8S-SECRET-001). */
const SECRET_NAME = /(secret|passw(or)?d|passwd|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth[_-]?key|client[_-]?key|signing[_-]?key|encryption[_-]?key|connection[_-]?string|dsn)/i;
const NOT_A_SECRET_NAME = /(_|-|\b)(file|path|dir|directory|name|names|ref|id|url_path|ttl|expiry|expires|expiration|timeout|length|len|enabled|enable|disabled|header|type|algorithm|algo|namespace|mount|key_name|secret_name|location|endpoint|size|count|mode|policy|version)$/i;

export function looksLikeCredential(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_A_SECRET_NAME.test(name);
}

const envMap = z
  .record(z.string().regex(ENV_NAME, { message: "an environment variable name such as LOG_LEVEL" }), z.union([z.string().max(4096), z.number(), z.boolean()]))
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (looksLikeCredential(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${name} looks like a credential; a literal value would be committed to Git. Reference an existing Secret under secrets (mounted as a file, or as: env).`,
        });
      }
    }
  });

const configKey = z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { message: "a ConfigMap key: letters, digits, '-', '_' or '.' (it becomes a file name)" });
const configMap = z.record(configKey, z.union([z.string().max(262144), z.number(), z.boolean()]));

const absPath = z.string().regex(/^\/(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]*$/, { message: "an absolute path such as /tmp (no '..')" });
const httpPath = z.string().regex(/^\/[A-Za-z0-9._~/%-]*$/, { message: "an absolute URL path such as /healthz" });

const secretName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { message: "an existing Secret's name (DNS subdomain)" });
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { message: "a Secret key" });

const secretRef = z
  .strictObject({
    secret: secretName.describe("Name of an existing Secret in the namespace (created by External Secrets, SOPS or your platform; never by this plan)."),
    keys: z.array(secretKey).min(1).optional().describe("Keys to project as files. Default: every key of the Secret."),
    mount_path: absPath.optional().describe("Directory the files appear in. Default: /var/run/secrets/<secret>."),
    as: z.enum(["file", "env"]).default("file").describe("file (default: read-only files, which follow rotation) or env (environment variables; flagged by the scanner as DP-K8S-SECRET-002)."),
    env: z
      .record(z.string().regex(ENV_NAME, { message: "an environment variable name" }), secretKey)
      .optional()
      .describe("as: env only: environment variable → Secret key, e.g. {DB_PASSWORD: password}."),
  })
  .superRefine((s, ctx) => {
    if (s.as === "env") {
      if (s.env === undefined || Object.keys(s.env).length === 0) ctx.addIssue({ code: "custom", path: ["env"], message: "as: env needs env: {VARIABLE: key}" });
      for (const key of ["keys", "mount_path"] as const) if (s[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} applies to as: file` });
    } else if (s.env !== undefined) {
      ctx.addIssue({ code: "custom", path: ["env"], message: "env applies to as: env; files are the default because environment variables leak into crash dumps and child processes" });
    }
  })
  .describe("A reference to an existing Secret.");

const hostname = z
  .string()
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/, { message: "a DNS host name such as shop.example.com" });

export const INGRESS_CONTROLLER_NAMESPACES: Record<string, string> = {
  nginx: "ingress-nginx",
  traefik: "traefik",
  haproxy: "haproxy-controller",
  istio: "istio-system",
  alb: "kube-system",
};

const ingressSchema = z
  .strictObject({
    host: hostname.describe("Public host name, e.g. shop.example.com."),
    tls_secret: secretName.optional().describe("Secret holding the TLS certificate (kubernetes.io/tls). Default: <name>-tls; cert-manager can create it (see cert_manager_issuer)."),
    class: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, { message: "an IngressClass name such as nginx" })
      .default("nginx")
      .describe("IngressClass name: nginx (default), traefik, haproxy, istio, alb or your own."),
    controller_namespace: namespaceName
      .optional()
      .describe("Namespace of the ingress controller pods, allowed in by the NetworkPolicy. Default by class: nginx → ingress-nginx, traefik → traefik, haproxy → haproxy-controller, istio → istio-system, alb → kube-system."),
    path: httpPath.default("/").describe("Path prefix routed to the application."),
    cert_manager_issuer: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, { message: "a ClusterIssuer name" })
      .optional()
      .describe("cert-manager ClusterIssuer that issues tls_secret (adds the cert-manager.io/cluster-issuer annotation)."),
    annotations: z.record(z.string().min(1).max(253), z.string().max(4096)).optional().describe("Extra Ingress annotations, e.g. controller settings."),
  })
  .describe("Public HTTPS entry point. TLS is always on.");

const autoscalingSchema = z
  .strictObject({
    min: z.number().int().min(1).max(1000).describe("Minimum replicas (use 2 or more for availability)."),
    max: z.number().int().min(1).max(1000).describe("Maximum replicas."),
    cpu_target: z.number().int().min(10).max(100).default(70).describe("Target average CPU utilisation, percent of the CPU request."),
    memory_target: z.number().int().min(10).max(100).optional().describe("Optional target average memory utilisation, percent of the memory request."),
  })
  .refine((a) => a.min <= a.max, { message: "autoscaling.min must not exceed autoscaling.max", path: ["min"] })
  .describe("HorizontalPodAutoscaler (autoscaling/v2). When set, it owns the replica count.");

const pdbSchema = z
  .strictObject({
    max_unavailable: z.number().int().min(1).optional().describe("Pods that voluntary disruptions (drains, upgrades) may take down at once. Default: 1."),
    min_available: z.number().int().min(1).optional().describe("Alternative: pods that must stay up."),
  })
  .refine((p) => !(p.max_unavailable !== undefined && p.min_available !== undefined), { message: "give max_unavailable or min_available, not both" })
  .describe("PodDisruptionBudget.");

const probesSchema = z
  .strictObject({
    type: oneOf("probes.type", PROBE_TYPES).default("http").describe("http (default), tcp or grpc (gRPC health checking protocol)."),
    port: portName.optional().describe("Named port probed. Default: the first port."),
    liveness: httpPath.default("/healthz").describe("http only: liveness path; it must check the process only, never a shared dependency."),
    readiness: httpPath.default("/readyz").describe("http only: readiness path; it may fail while the pod warms up or sheds load."),
    startup: httpPath.default("/healthz").describe("http only: startup path; the pod gets up to 150 s before liveness applies."),
  })
  .describe("Startup, readiness and liveness probes.");

const percentiles = <T extends z.ZodType>(q: T, what: string) =>
  z.strictObject({
    p50: q.describe(`Median ${what}.`),
    p95: q.describe(`95th percentile ${what}.`),
    p99: q.describe(`99th percentile ${what}.`),
  });

const optimizeSchema = z
  .strictObject({
    cpu: percentiles(cpuQuantity, "CPU usage per pod, over at least 7 days including a traffic peak"),
    memory: percentiles(memoryQuantity, "memory working set per pod"),
    headroom: z
      .number()
      .min(1, { message: "headroom is a multiplier of at least 1, e.g. 1.2 for 20 % above the percentile" })
      .max(3, { message: "headroom above 3 (200 % over the percentile) is not right-sizing; check the data" })
      .default(1.2)
      .describe("Multiplier applied to the percentiles, e.g. 1.2 = 20 % headroom."),
    current: cpuMemory.optional().describe("Requests per pod running today, for the savings report."),
    prices: z
      .strictObject({
        cpu_core_month: z.number().positive().describe("Price of one requested CPU core per month."),
        memory_gib_month: z.number().positive().describe("Price of one requested GiB of memory per month."),
        currency: z.string().regex(/^[A-Z]{3}$/, { message: "an ISO currency code such as USD" }).default("USD"),
      })
      .optional()
      .describe("Unit prices to express the savings in money (e.g. your node cost divided by allocatable cores and GiB)."),
  })
  .superRefine((o, ctx) => {
    const order = (values: (number | undefined)[], what: "cpu" | "memory") => {
      const [p50, p95, p99] = values;
      if (p50 === undefined || p95 === undefined || p99 === undefined) return;
      if (!(p50 <= p95 && p95 <= p99)) ctx.addIssue({ code: "custom", path: [what], message: `${what} percentiles must not decrease: p50 ≤ p95 ≤ p99` });
    };
    order([o.cpu.p50, o.cpu.p95, o.cpu.p99].map(parseCpu), "cpu");
    order([o.memory.p50, o.memory.p95, o.memory.p99].map(parseMemory), "memory");
  })
  .describe("Right-sizing from observed usage: requests from p95 × headroom, memory limit from p99 × headroom, CPU limit max(p99 × headroom, 2 × request).");

const overrideSchema = z
  .strictObject({
    namespace: namespaceName.optional().describe("Namespace of this environment. Default: the task's namespace."),
    replicas: z.number().int().min(1).max(1000).optional().describe("Replicas in this environment (without autoscaling)."),
    resources: resourcesSchema.optional(),
    host: hostname.optional().describe("Ingress host of this environment."),
    tls_secret: secretName.optional().describe("TLS Secret of this environment's host."),
    autoscaling: z
      .strictObject({
        min: z.number().int().min(1).max(1000).optional(),
        max: z.number().int().min(1).max(1000).optional(),
        cpu_target: z.number().int().min(10).max(100).optional(),
      })
      .optional()
      .describe("Autoscaling bounds of this environment."),
    env: envMap.optional().describe("Environment variables added or changed in this environment."),
    config: configMap.optional().describe("ConfigMap entries added or changed in this environment."),
  })
  .describe("Per-environment differences: values only, never a different shape.");

export const kubernetesInputSchema = z
  .strictObject({
    name: appName.describe("Application name: names the Deployment, Service, ServiceAccount, chart and every other object."),
    namespace: namespaceName.optional().describe("Namespace of the application, created with Pod Security Admission labels (restricted). Default: the name."),
    image: image.describe("Container image, e.g. ghcr.io/acme/checkout:1.4.2 or …@sha256:<digest>. This is the release being rolled out."),
    digest: digest.optional().describe("Image digest (sha256:…), pinned after the tag. Without a digest the scanner reports DP-K8S-CONTAINER-019."),
    ports: z.array(portSchema).min(1).max(10).default([8080]).describe("Ports the container listens on: numbers (the first is named http) or {name, port, protocol, service_port}. The first port serves probes and the Ingress."),
    replicas: z.number().int().min(1).max(1000).optional().describe("Replicas when autoscaling is off. Default: 2."),
    resources: resourcesSchema.optional(),
    command: z.array(z.string().min(1)).min(1).optional().describe("Container entrypoint override."),
    args: z.array(z.string()).optional().describe("Container arguments."),
    env: envMap.optional().describe("Plain environment variables (no credentials: those go in secrets)."),
    config: configMap.optional().describe("Configuration files: a ConfigMap <name>-config mounted read-only at config_mount_path."),
    config_mount_path: absPath.optional().describe("Where config is mounted. Default: /etc/<name>."),
    secrets: z.array(secretRef).optional().describe("Existing Secrets the application reads; mounted as read-only files by default."),
    writable_paths: z.array(absPath).min(1).default(["/tmp"]).describe("Directories the application writes to, mounted as size-limited emptyDir volumes (the root filesystem is read-only)."),
    run_as_user: z.number().int().min(10000, { message: "UIDs below 10000 may coincide with host users (DP-K8S-CONTAINER-023); use 10000 or more" }).max(2147483647).default(10001).describe("UID (and GID, fsGroup) of the pod."),
    probes: probesSchema.optional(),
    shutdown: z
      .strictObject({
        drain_seconds: z.number().int().min(0).max(120).default(10).describe("preStop sleep: the pod keeps serving while load balancers remove it."),
        grace_period_seconds: z.number().int().min(1).max(3600).default(45).describe("terminationGracePeriodSeconds: must cover the drain plus the longest request."),
      })
      .refine((s) => s.grace_period_seconds > s.drain_seconds, { message: "grace_period_seconds must exceed drain_seconds", path: ["grace_period_seconds"] })
      .optional()
      .describe("Graceful shutdown."),
    ingress: ingressSchema.optional(),
    autoscaling: autoscalingSchema.optional(),
    pdb: z.union([z.literal(false), pdbSchema], { error: () => "false, or {max_unavailable} / {min_available}" }).optional().describe("PodDisruptionBudget; default {max_unavailable: 1}; false to leave it out."),
    egress: z.array(egressRule).optional().describe("Outbound flows the application needs besides DNS (databases, APIs). Everything else is denied."),
    allow_from: z.array(ingressPeer).optional().describe("In-cluster callers allowed in, besides the ingress controller."),
    metrics: z
      .strictObject({
        port: portNumber.describe("Port serving Prometheus metrics."),
        path: httpPath.default("/metrics"),
        namespace: namespaceName.default("monitoring").describe("Namespace of Prometheus, allowed in on the metrics port."),
      })
      .optional()
      .describe("Prometheus metrics endpoint (a named port metrics and a NetworkPolicy allow)."),
    environments: z
      .array(environmentName)
      .refine((e) => new Set(e).size === e.length, { message: "environments must not repeat" })
      .default([])
      .describe("Environments, e.g. [staging, production]: one Kustomize overlay and one Helm values file each."),
    overrides: z.record(environmentName, overrideSchema).optional().describe("Per-environment values, keyed by environment name."),
    strategy: oneOf("strategy", STRATEGIES).default("rolling").describe("rolling (default), blue_green (two Deployments and a Service switch) or canary (stable and canary Deployments)."),
    blue_green: z
      .strictObject({
        live: oneOf("blue_green.live", SLOTS).default("blue").describe("The colour serving users now; image is deployed to the other one."),
        live_image: image.optional().describe("Image running in the live colour (by digest). Default: image (first deployment)."),
      })
      .optional()
      .describe("blue_green settings."),
    canary: z
      .strictObject({
        weight: z.number().int().min(0).max(100).default(10).describe("Percent of requests sent to the canary (mesh routing)."),
        replicas: z.number().int().min(1).max(100).default(1).describe("Canary replicas."),
        stable_image: image.optional().describe("Image of the stable track (by digest). Default: image."),
      })
      .optional()
      .describe("canary settings."),
    mesh: oneOf("mesh", MESHES).default("none").describe("Service mesh: none, istio (VirtualService and DestinationRule) or linkerd (Gateway API HTTPRoute)."),
    optimize: optimizeSchema.optional(),
    chart: z.boolean().default(true).describe("Generate a Helm chart under charts/<name>."),
    kustomize: z.boolean().default(true).describe("Generate a Kustomize base and one overlay per environment under k8s/<name>; false writes plain manifests per environment."),
  })
  .superRefine((input, ctx) => {
    const ref = splitImage(input.image);
    if (input.digest !== undefined && ref.digest !== "") ctx.addIssue({ code: "custom", path: ["digest"], message: "the image already carries a digest; give it once" });

    const names = new Set<string>();
    const numbers = new Set<number>();
    input.ports.forEach((p, i) => {
      const name = typeof p === "number" ? (i === 0 ? "http" : `port-${p}`) : p.name;
      const port = typeof p === "number" ? p : p.port;
      if (names.has(name)) ctx.addIssue({ code: "custom", path: ["ports", i], message: `port name ${name} is used twice` });
      if (numbers.has(port)) ctx.addIssue({ code: "custom", path: ["ports", i], message: `port ${port} is listed twice` });
      names.add(name);
      numbers.add(port);
    });
    if (input.metrics) {
      if (names.has("metrics")) ctx.addIssue({ code: "custom", path: ["metrics"], message: "a port is already named metrics; remove it from ports or from metrics" });
      if (numbers.has(input.metrics.port)) {
        ctx.addIssue({ code: "custom", path: ["metrics", "port"], message: `port ${input.metrics.port} is also an application port; metrics needs its own port or none` });
      }
    }
    if (input.probes?.port !== undefined && !names.has(input.probes.port)) {
      ctx.addIssue({ code: "custom", path: ["probes", "port"], message: `probes.port '${input.probes.port}' is not a port name. Ports: ${[...names].join(", ")}.${didYouMean(input.probes.port, names)}` });
    }
    const first = input.ports[0];
    if (first !== undefined && typeof first !== "number" && first.protocol !== "TCP") {
      ctx.addIssue({ code: "custom", path: ["ports", 0], message: "the first port serves probes and the Ingress, so it must be TCP" });
    }
    input.allow_from?.forEach((peer, i) =>
      peer.ports?.forEach((p, j) => {
        if (!names.has(p)) ctx.addIssue({ code: "custom", path: ["allow_from", i, "ports", j], message: `'${p}' is not a port name. Ports: ${[...names].join(", ")}.${didYouMean(p, names)}` });
      }),
    );

    if (input.autoscaling && input.replicas !== undefined) {
      ctx.addIssue({ code: "custom", path: ["replicas"], message: "replicas and autoscaling both set the replica count; with autoscaling, autoscaling.min is the floor. Remove replicas." });
    }
    if (input.optimize && input.resources) {
      ctx.addIssue({ code: "custom", path: ["resources"], message: "resources and optimize both set requests and limits. Move today's requests to optimize.current (for the savings report) and remove resources." });
    }
    checkResources(input.resources, ctx, ["resources"]);

    const envNames = new Set(Object.keys(input.env ?? {}));
    input.secrets?.forEach((s, i) => {
      for (const v of Object.keys(s.env ?? {})) {
        if (envNames.has(v)) ctx.addIssue({ code: "custom", path: ["secrets", i, "env", v], message: `${v} is also a plain env variable` });
        envNames.add(v);
      }
    });
    const mounts = new Map<string, string>();
    const mount = (path: string, what: string, at: (string | number)[]) => {
      const prior = mounts.get(path);
      if (prior !== undefined) ctx.addIssue({ code: "custom", path: at, message: `${what} is mounted at ${path}, where ${prior} is already mounted` });
      mounts.set(path, what);
    };
    input.writable_paths.forEach((p, i) => mount(p, `writable path ${p}`, ["writable_paths", i]));
    if (input.config) mount(input.config_mount_path ?? `/etc/${input.name}`, "config", ["config_mount_path"]);
    input.secrets?.forEach((s, i) => {
      if (s.as === "file") mount(s.mount_path ?? `/var/run/secrets/${s.secret}`, `Secret ${s.secret}`, ["secrets", i, "mount_path"]);
    });
    if (input.config_mount_path !== undefined && input.config === undefined) ctx.addIssue({ code: "custom", path: ["config_mount_path"], message: "config_mount_path applies when config is given" });

    if (input.blue_green !== undefined && input.strategy !== "blue_green") {
      ctx.addIssue({ code: "custom", path: ["blue_green"], message: `blue_green settings apply to strategy blue_green (it is ${input.strategy})` });
    }
    if (input.canary !== undefined && input.strategy !== "canary") {
      ctx.addIssue({ code: "custom", path: ["canary"], message: `canary settings apply to strategy canary (it is ${input.strategy})` });
    }

    for (const [env, o] of Object.entries(input.overrides ?? {})) {
      const at = (...rest: string[]) => ["overrides", env, ...rest];
      if (!input.environments.includes(env)) {
        // `run --env <name>` narrows environments to one, leaving the other overrides unused (a note says so);
        // a name that is only a typo away from an environment is an error.
        const near = input.environments.find((e) => editDistance(e, env) <= Math.max(1, Math.floor(e.length / 4)));
        if (near !== undefined || input.environments.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: at(),
            message: `overrides names '${env}', which is not in environments (${input.environments.join(", ") || "none"}).${near ? ` Did you mean ${near}?` : ""}`,
          });
        }
      }
      if (o.replicas !== undefined && input.autoscaling) ctx.addIssue({ code: "custom", path: at("replicas"), message: "autoscaling owns the replica count; set overrides.<env>.autoscaling.min instead" });
      if (o.autoscaling !== undefined && !input.autoscaling) ctx.addIssue({ code: "custom", path: at("autoscaling"), message: "autoscaling bounds need autoscaling at the top level" });
      if ((o.host !== undefined || o.tls_secret !== undefined) && !input.ingress) ctx.addIssue({ code: "custom", path: at(o.host !== undefined ? "host" : "tls_secret"), message: "host and tls_secret need ingress at the top level" });
      if (o.config !== undefined && !input.config) ctx.addIssue({ code: "custom", path: at("config"), message: "config overrides need config at the top level (the ConfigMap and its mount)" });
      if (o.autoscaling && input.autoscaling) {
        const min = o.autoscaling.min ?? input.autoscaling.min;
        const max = o.autoscaling.max ?? input.autoscaling.max;
        if (min > max) ctx.addIssue({ code: "custom", path: at("autoscaling"), message: `autoscaling.min ${min} exceeds autoscaling.max ${max} in ${env}` });
      }
      checkResources(o.resources, ctx, at("resources"));
      for (const name of Object.keys(o.env ?? {})) {
        if (envNames.has(name) && !(name in (input.env ?? {}))) ctx.addIssue({ code: "custom", path: at("env", name), message: `${name} comes from a Secret; it cannot be overridden with a plain value` });
      }
    }
  });

function checkResources(r: z.output<typeof resourcesSchema> | undefined, ctx: z.RefinementCtx, at: (string | number)[]): void {
  if (!r) return;
  const cpuReq = r.requests?.cpu === undefined ? undefined : parseCpu(r.requests.cpu);
  const cpuLim = r.limits?.cpu === undefined ? undefined : parseCpu(r.limits.cpu);
  const memReq = r.requests?.memory === undefined ? undefined : parseMemory(r.requests.memory);
  const memLim = r.limits?.memory === undefined ? undefined : parseMemory(r.limits.memory);
  if (cpuReq !== undefined && cpuLim !== undefined && cpuLim < cpuReq) ctx.addIssue({ code: "custom", path: [...at, "limits", "cpu"], message: "the CPU limit is below the CPU request" });
  if (memReq !== undefined && memLim !== undefined && memLim < memReq) ctx.addIssue({ code: "custom", path: [...at, "limits", "memory"], message: "the memory limit is below the memory request" });
}

export type KubernetesInput = z.output<typeof kubernetesInputSchema>;

export function isProduction(env: string): boolean {
  return env === "production" || env === "prod";
}

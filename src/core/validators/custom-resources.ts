/**
 * Strict schemas for the custom resources the incident-response and
 * disaster-recovery specialists generate and no kubernetes-models package
 * covers, written from the projects' published CRDs and API types:
 *
 * - Chaos Mesh 2.x (chaos-mesh.org/v1alpha1): PodChaos, NetworkChaos,
 *   StressChaos, IOChaos, HTTPChaos, TimeChaos and Schedule
 *   (api/v1alpha1/*_types.go and helm/chaos-mesh/crds);
 * - LitmusChaos 3.x (litmuschaos.io/v1alpha1): ChaosEngine
 *   (chaos-operator api/litmuschaos/v1alpha1/chaosengine_types.go);
 * - Velero 1.15 (velero.io/v1): Backup and Schedule
 *   (pkg/apis/velero/v1/backup_types.go, schedule_types.go).
 *
 * Objects are strict where the CRD defines the fields, so an unknown field is
 * an error naming the nearest valid one, and a bad enum names the valid
 * values. Embedded Kubernetes types (resources, tolerations, env sources) are
 * left open. Cross-field rules the projects' admission webhooks enforce are
 * refinements (a `fixed` mode needs a value, `pod-failure` needs a duration,
 * `container-kill` needs container names, each network action its block).
 *
 * Also: the spec and endpoint field lists of the prometheus-operator kinds
 * validated with @kubernetes-models/prometheus-operator, whose schemas accept
 * unknown fields (the API server would prune them silently).
 */
import { z } from "zod";
import { oneOf, strict } from "./strict-zod.js";

/** A Go time.Duration string such as 30s, 1h30m or 300ms. */
const GO_DURATION = /^[-+]?((\d+(\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$/;
const duration = z.string().regex(GO_DURATION, { message: "must be a duration such as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)" });
const positiveDuration = duration.refine((d) => !d.startsWith("-"), { message: "must not be negative" });

/** robfig/cron's standard parser (Chaos Mesh and Velero): five fields or a descriptor. */
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every\s+\S+|(\S+\s+){4}\S+)$/;
const cron = z.string().trim().regex(CRON, { message: "must be a cron schedule of five fields (minute hour day-of-month month day-of-week), @daily-style descriptor or @every <duration>" });

const stringMap = z.record(z.string(), z.string());
const percent = z.string().regex(/^\d+(\.\d+)?$/, { message: "must be a percentage such as 25 or 0.5 (a string)" });

const labelSelectorRequirement = strict({ key: z.string().min(1), operator: oneOf(["In", "NotIn", "Exists", "DoesNotExist"]), values: z.array(z.string()).optional() });
const labelSelector = strict({ matchLabels: stringMap.optional(), matchExpressions: z.array(labelSelectorRequirement).optional() });

// ---------------------------------------------------------------------------
// Chaos Mesh

export const CHAOS_MODES = ["one", "all", "fixed", "fixed-percent", "random-max-percent"] as const;
const POD_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const;

const podSelectorSpec = strict({
  namespaces: z.array(z.string()).optional(),
  nodes: z.array(z.string()).optional(),
  pods: z.record(z.string(), z.array(z.string())).optional(),
  nodeSelectors: stringMap.optional(),
  fieldSelectors: stringMap.optional(),
  labelSelectors: stringMap.optional(),
  annotationSelectors: stringMap.optional(),
  expressionSelectors: z.array(labelSelectorRequirement).optional(),
  podPhaseSelectors: z.array(oneOf(POD_PHASES)).optional(),
});

/** The PodSelector every chaos kind inlines: selector, mode, value. */
const podSelector = { selector: podSelectorSpec, mode: oneOf(CHAOS_MODES), value: z.string().optional() };
const containerSelector = { ...podSelector, containerNames: z.array(z.string().min(1)).optional() };
const common = { duration: positiveDuration.optional(), remoteCluster: z.string().optional() };

/** Chaos Mesh's webhook: fixed needs a pod count, the percent modes a percentage; one and all take no value. */
function checkModeValue(spec: { mode: string; value?: string | undefined }, ctx: z.RefinementCtx, at: (string | number)[] = []): void {
  const { mode, value } = spec;
  if (mode === "fixed" || mode === "fixed-percent" || mode === "random-max-percent") {
    if (value === undefined || value === "") {
      ctx.addIssue({ code: "custom", path: [...at, "value"], message: `mode ${mode} needs value (${mode === "fixed" ? "the number of pods" : "a percentage from 0 to 100"})` });
      return;
    }
    const n = Number(value);
    if (mode === "fixed" && !(Number.isInteger(n) && n >= 1)) ctx.addIssue({ code: "custom", path: [...at, "value"], message: `mode fixed needs a whole number of pods (at least 1), not '${value}'` });
    if (mode !== "fixed" && !(Number.isFinite(n) && n >= 0 && n <= 100)) ctx.addIssue({ code: "custom", path: [...at, "value"], message: `mode ${mode} needs a percentage from 0 to 100, not '${value}'` });
  }
}

export const POD_CHAOS_ACTIONS = ["pod-failure", "pod-kill", "container-kill"] as const;
const podChaosSpec = strict({ ...containerSelector, ...common, action: oneOf(POD_CHAOS_ACTIONS), gracePeriod: z.number().int().min(0).optional() }).superRefine((s, ctx) => {
  checkModeValue(s, ctx);
  if (s.action === "pod-failure" && s.duration === undefined) ctx.addIssue({ code: "custom", path: ["duration"], message: "action pod-failure needs a duration (the pods stay failed for that long)" });
  if (s.action === "container-kill" && (s.containerNames ?? []).length === 0) ctx.addIssue({ code: "custom", path: ["containerNames"], message: "action container-kill needs containerNames" });
});

const NETWORK_ACTIONS = ["netem", "delay", "loss", "duplicate", "corrupt", "partition", "bandwidth"] as const;
const correlation = percent.optional();
const networkBlocks = {
  delay: strict({ latency: positiveDuration, correlation, jitter: positiveDuration.optional(), reorder: strict({ reorder: percent, correlation, gap: z.number().int().min(0) }).optional() }).optional(),
  loss: strict({ loss: percent, correlation }).optional(),
  duplicate: strict({ duplicate: percent, correlation }).optional(),
  corrupt: strict({ corrupt: percent, correlation }).optional(),
  rate: strict({ rate: z.string().min(1) }).optional(),
  bandwidth: strict({
    rate: z.string().regex(/^\d+(\.\d+)?(bps|kbps|mbps|gbps|tbps)$/i, { message: "must be a rate such as 1mbps (bps, kbps, mbps, gbps, tbps)" }),
    limit: z.number().int().min(1),
    buffer: z.number().int().min(1),
    peakrate: z.number().int().min(0).optional(),
    minburst: z.number().int().min(0).optional(),
  }).optional(),
};
const networkChaosSpec = strict({
  ...podSelector,
  ...common,
  ...networkBlocks,
  action: oneOf(NETWORK_ACTIONS),
  direction: oneOf(["to", "from", "both"]).optional(),
  target: strict(podSelector).optional(),
  externalTargets: z.array(z.string().min(1)).optional(),
  device: z.string().optional(),
  targetDevice: z.string().optional(),
}).superRefine((s, ctx) => {
  checkModeValue(s, ctx);
  if (s.target) checkModeValue(s.target, ctx, ["target"]);
  const block = s.action as keyof typeof networkBlocks;
  if (block in networkBlocks && s[block] === undefined) ctx.addIssue({ code: "custom", path: [block], message: `action ${s.action} needs its ${block} block` });
  if (s.action === "netem" && !s.delay && !s.loss && !s.duplicate && !s.corrupt && !s.rate) ctx.addIssue({ code: "custom", path: ["action"], message: "action netem needs at least one of delay, loss, duplicate, corrupt, rate" });
});

const stressor = { workers: z.number().int().min(1).max(8192), options: z.array(z.string()).optional() };
const stressChaosSpec = strict({
  ...containerSelector,
  ...common,
  stressors: strict({
    memory: strict({ ...stressor, size: z.string().regex(/^\d+(\.\d+)?(%|B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/, { message: "must be a size such as 256MB or a percentage such as 50%" }).optional(), oomScoreAdj: z.number().int().min(-1000).max(1000).optional() }).optional(),
    cpu: strict({ ...stressor, load: z.number().int().min(0).max(100).optional() }).optional(),
  }).optional(),
  stressngStressors: z.string().optional(),
}).superRefine((s, ctx) => {
  checkModeValue(s, ctx);
  if (!s.stressngStressors && !s.stressors?.memory && !s.stressors?.cpu) ctx.addIssue({ code: "custom", path: ["stressors"], message: "a StressChaos needs stressors.memory, stressors.cpu or stressngStressors" });
});

const IO_METHODS = [
  "lookup", "forget", "getattr", "setattr", "readlink", "mknod", "mkdir", "unlink", "rmdir", "symlink", "rename", "link", "open", "read", "write", "flush",
  "release", "fsync", "opendir", "readdir", "releasedir", "fsyncdir", "statfs", "setxattr", "getxattr", "listxattr", "removexattr", "access", "create",
  "getlk", "setlk", "bmap",
] as const;
const timespec = strict({ sec: z.number().int(), nsec: z.number().int() });
const ioChaosSpec = strict({
  ...containerSelector,
  ...common,
  action: oneOf(["latency", "fault", "attrOverride", "mistake"]),
  volumePath: z.string().min(1),
  path: z.string().optional(),
  delay: positiveDuration.optional(),
  errno: z.number().int().min(0).optional(),
  attr: strict({
    ino: z.number().int().min(0).optional(),
    size: z.number().int().min(0).optional(),
    blocks: z.number().int().min(0).optional(),
    atime: timespec.optional(),
    mtime: timespec.optional(),
    ctime: timespec.optional(),
    kind: oneOf(["namedPipe", "charDevice", "blockDevice", "directory", "regularFile", "TODO", "symlink", "socket"]).optional(),
    perm: z.number().int().min(0).optional(),
    nlink: z.number().int().min(0).optional(),
    uid: z.number().int().min(0).optional(),
    gid: z.number().int().min(0).optional(),
    rdev: z.number().int().min(0).optional(),
  }).optional(),
  mistake: strict({ filling: oneOf(["zero", "random"]).optional(), maxOccurrences: z.number().int().min(1).optional(), maxLength: z.number().int().min(1).optional() }).optional(),
  methods: z.array(oneOf(IO_METHODS)).optional(),
  percent: z.number().int().min(0).max(100).optional(),
}).superRefine((s, ctx) => {
  checkModeValue(s, ctx);
  const needs = { latency: "delay", fault: "errno", attrOverride: "attr", mistake: "mistake" } as const;
  const field = needs[s.action];
  if (s[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `action ${s.action} needs ${field}` });
});

const httpChaosSpec = strict({
  ...podSelector,
  ...common,
  target: oneOf(["Request", "Response"]),
  port: z.number().int().min(1).max(65535).optional(),
  path: z.string().optional(),
  method: z.string().optional(),
  code: z.number().int().min(100).max(599).optional(),
  request_headers: stringMap.optional(),
  response_headers: stringMap.optional(),
  abort: z.boolean().optional(),
  delay: positiveDuration.optional(),
  replace: strict({
    path: z.string().optional(),
    method: z.string().optional(),
    code: z.number().int().min(100).max(599).optional(),
    body: z.string().optional(),
    queries: stringMap.optional(),
    headers: stringMap.optional(),
  }).optional(),
  patch: strict({
    body: strict({ type: oneOf(["JSON"]), value: z.string() }).optional(),
    queries: z.array(z.array(z.string())).optional(),
    headers: z.array(z.array(z.string())).optional(),
  }).optional(),
  tls: strict({ secretName: z.string().min(1), secretNamespace: z.string().min(1), certName: z.string().optional(), keyName: z.string().optional(), caName: z.string().optional() }).optional(),
}).superRefine((s, ctx) => {
  checkModeValue(s, ctx);
  if (s.abort === undefined && s.delay === undefined && !s.replace && !s.patch) ctx.addIssue({ code: "custom", path: [], message: "an HTTPChaos needs at least one action: abort, delay, replace or patch" });
});

const CLOCK_IDS = [
  "CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
  "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME", "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM",
] as const;
const timeChaosSpec = strict({ ...containerSelector, ...common, timeOffset: duration, clockIds: z.array(oneOf(CLOCK_IDS)).optional() }).superRefine((s, ctx) => checkModeValue(s, ctx));

/** Chaos kinds with a schema here: the Schedule `type` and its embedded spec key. */
const EMBEDDED: Readonly<Record<string, { key: string; spec: z.ZodType }>> = {
  PodChaos: { key: "podChaos", spec: podChaosSpec },
  NetworkChaos: { key: "networkChaos", spec: networkChaosSpec },
  StressChaos: { key: "stressChaos", spec: stressChaosSpec },
  IOChaos: { key: "ioChaos", spec: ioChaosSpec },
  HTTPChaos: { key: "httpChaos", spec: httpChaosSpec },
  TimeChaos: { key: "timeChaos", spec: timeChaosSpec },
};
/** Schedule types Chaos Mesh accepts but whose spec is not modelled here (checked as an object only). */
const OTHER_SCHEDULED: Readonly<Record<string, string>> = {
  AWSChaos: "awsChaos", AzureChaos: "azureChaos", BlockChaos: "blockChaos", DNSChaos: "dnsChaos", GCPChaos: "gcpChaos", JVMChaos: "jvmChaos",
  KernelChaos: "kernelChaos", PhysicalMachineChaos: "physicalmachineChaos", Workflow: "workflow",
};
const SCHEDULE_TYPES = [...Object.keys(EMBEDDED), ...Object.keys(OTHER_SCHEDULED)] as [string, ...string[]];

const scheduleSpec = strict({
  schedule: cron,
  startingDeadlineSeconds: z.number().int().min(1).nullable().optional(),
  concurrencyPolicy: oneOf(["Forbid", "Allow"]).optional(),
  historyLimit: z.number().int().min(1).optional(),
  type: oneOf(SCHEDULE_TYPES),
  ...Object.fromEntries(Object.values(EMBEDDED).map((e) => [e.key, e.spec.optional()])),
  ...Object.fromEntries(Object.values(OTHER_SCHEDULED).map((k) => [k, z.record(z.string(), z.unknown()).optional()])),
}).superRefine((s, ctx) => {
  const type = s.type;
  const key = EMBEDDED[type]?.key ?? OTHER_SCHEDULED[type];
  if (key !== undefined && (s as Record<string, unknown>)[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: `type ${type} needs its spec under ${key}` });
  const others = [...Object.values(EMBEDDED).map((e) => e.key), ...Object.values(OTHER_SCHEDULED)].filter((k) => k !== key && (s as Record<string, unknown>)[k] !== undefined);
  for (const k of others) ctx.addIssue({ code: "custom", path: [k], message: `${k} is set but type is ${type}; a Schedule runs one kind` });
});

// ---------------------------------------------------------------------------
// LitmusChaos

const envVar = z.object({ name: z.string().min(1), value: z.string().optional(), valueFrom: z.object({}).passthrough().optional() }).strict();
const intOrDuration = z.union([z.number().int().min(0), positiveDuration]);
const comparator = strict({ type: oneOf(["int", "float", "string"]), criteria: z.string().min(1), value: z.string() }).superRefine((c, ctx) => {
  const numeric = [">=", "<=", "==", ">", "<", "!=", "oneOf", "between"];
  const text = ["equal", "notEqual", "contains", "matches", "notMatches", "oneOf"];
  const valid = c.type === "string" ? text : numeric;
  if (!valid.includes(c.criteria)) ctx.addIssue({ code: "custom", path: ["criteria"], message: `criteria '${c.criteria}' is not one of ${valid.join(", ")} (for type ${c.type})` });
});
const PROBE_TYPES = ["httpProbe", "cmdProbe", "k8sProbe", "promProbe", "sloProbe"] as const;
const probe = strict({
  name: z.string().min(1),
  type: oneOf(PROBE_TYPES),
  mode: oneOf(["SOT", "EOT", "Edge", "Continuous", "OnChaos"]),
  runProperties: strict({
    probeTimeout: intOrDuration.optional(),
    interval: intOrDuration.optional(),
    retry: z.number().int().min(0).optional(),
    attempt: z.number().int().min(0).optional(),
    probePollingInterval: intOrDuration.optional(),
    initialDelaySeconds: z.number().int().min(0).optional(),
    initialDelay: positiveDuration.optional(),
    stopOnFailure: z.boolean().optional(),
    evaluationTimeout: positiveDuration.optional(),
    verbosity: z.string().optional(),
  }),
  "httpProbe/inputs": strict({
    url: z.string().min(1),
    insecureSkipVerify: z.boolean().optional(),
    responseTimeout: z.number().int().min(0).optional(),
    method: strict({
      get: strict({ criteria: oneOf(["==", "!="]), responseCode: z.string() }).optional(),
      post: strict({ contentType: z.string().optional(), body: z.string().optional(), bodyPath: z.string().optional(), criteria: oneOf(["==", "!="]), responseCode: z.string() }).optional(),
    }),
  }).optional(),
  "cmdProbe/inputs": strict({ command: z.string().min(1), comparator, source: z.object({}).passthrough().optional() }).optional(),
  "k8sProbe/inputs": strict({
    group: z.string().optional(),
    version: z.string().min(1),
    resource: z.string().min(1),
    resourceNames: z.string().optional(),
    namespace: z.string().optional(),
    fieldSelector: z.string().optional(),
    labelSelector: z.string().optional(),
    operation: oneOf(["create", "delete", "present", "absent"]),
  }).optional(),
  "promProbe/inputs": strict({ endpoint: z.string().min(1), query: z.string().optional(), queryPath: z.string().optional(), comparator }).refine((p) => (p.query === undefined) !== (p.queryPath === undefined), {
    message: "promProbe/inputs needs exactly one of query and queryPath",
  }).optional(),
  "sloProbe/inputs": z.object({}).passthrough().optional(),
  data: z.string().optional(),
}).superRefine((p, ctx) => {
  const key = `${p.type}/inputs` as const;
  if ((p as Record<string, unknown>)[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: `a ${p.type} needs '${key}'` });
  for (const t of PROBE_TYPES) if (t !== p.type && (p as Record<string, unknown>)[`${t}/inputs`] !== undefined) ctx.addIssue({ code: "custom", path: [`${t}/inputs`], message: `'${t}/inputs' is set but the probe type is ${p.type}` });
});

const open = z.object({}).passthrough();
const chaosEngineSpec = strict({
  engineState: oneOf(["active", "stop"]).optional(),
  appinfo: strict({ appns: z.string().optional(), applabel: z.string().optional(), appkind: oneOf(["deployment", "statefulset", "daemonset", "deploymentconfig", "rollout"]).optional() }).optional(),
  selectors: strict({
    workloads: z.array(strict({ kind: oneOf(["deployment", "statefulset", "daemonset", "deploymentconfig", "rollout"]), namespace: z.string().min(1), names: z.string().optional(), labels: z.string().optional() })).optional(),
    pods: z.array(strict({ namespace: z.string().min(1), names: z.string().min(1) })).optional(),
  }).optional(),
  annotationCheck: oneOf(["true", "false"]).optional(),
  defaultHealthCheck: z.union([z.boolean(), oneOf(["true", "false"])]).optional(),
  chaosServiceAccount: z.string().min(1),
  components: strict({ runner: open.optional(), sidecar: z.array(open).optional() }).optional(),
  experiments: z
    .array(
      strict({
        name: z.string().min(1),
        spec: strict({
          rank: z.number().int().min(0).optional(),
          components: strict({
            env: z.array(envVar).optional(),
            configMaps: z.array(open).optional(),
            secrets: z.array(open).optional(),
            experimentAnnotations: stringMap.optional(),
            experimentImage: z.string().optional(),
            experimentImagePullSecrets: z.array(open).optional(),
            nodeSelector: stringMap.optional(),
            statusCheckTimeouts: strict({ delay: z.number().int().min(0).optional(), timeout: z.number().int().min(0).optional() }).optional(),
            resources: open.optional(),
            tolerations: z.array(open).optional(),
          }).optional(),
          probe: z.array(probe).optional(),
        }),
      }),
    )
    .min(1, { message: "a ChaosEngine runs at least one experiment" }),
  jobCleanUpPolicy: oneOf(["delete", "retain"]).optional(),
  auxiliaryAppInfo: z.string().optional(),
  terminationGracePeriodSeconds: z.number().int().min(0).optional(),
});

// ---------------------------------------------------------------------------
// Velero

const execHook = strict({ container: z.string().optional(), command: z.array(z.string()).min(1, { message: "an exec hook needs a command" }), onError: oneOf(["Continue", "Fail"]).optional(), timeout: positiveDuration.optional() });
const backupSpec = strict({
  metadata: strict({ labels: stringMap.optional() }).optional(),
  includedNamespaces: z.array(z.string()).nullable().optional(),
  excludedNamespaces: z.array(z.string()).nullable().optional(),
  includedResources: z.array(z.string()).nullable().optional(),
  excludedResources: z.array(z.string()).nullable().optional(),
  includedClusterScopedResources: z.array(z.string()).nullable().optional(),
  excludedClusterScopedResources: z.array(z.string()).nullable().optional(),
  includedNamespaceScopedResources: z.array(z.string()).nullable().optional(),
  excludedNamespaceScopedResources: z.array(z.string()).nullable().optional(),
  labelSelector: labelSelector.nullable().optional(),
  orLabelSelectors: z.array(labelSelector).nullable().optional(),
  snapshotVolumes: z.boolean().nullable().optional(),
  ttl: positiveDuration.optional(),
  includeClusterResources: z.boolean().nullable().optional(),
  hooks: strict({
    resources: z
      .array(
        strict({
          name: z.string().min(1),
          includedNamespaces: z.array(z.string()).nullable().optional(),
          excludedNamespaces: z.array(z.string()).nullable().optional(),
          includedResources: z.array(z.string()).nullable().optional(),
          excludedResources: z.array(z.string()).nullable().optional(),
          labelSelector: labelSelector.nullable().optional(),
          pre: z.array(strict({ exec: execHook })).optional(),
          post: z.array(strict({ exec: execHook })).optional(),
        }),
      )
      .nullable()
      .optional(),
  }).optional(),
  storageLocation: z.string().optional(),
  volumeSnapshotLocations: z.array(z.string()).optional(),
  defaultVolumesToRestic: z.boolean().nullable().optional(),
  defaultVolumesToFsBackup: z.boolean().nullable().optional(),
  orderedResources: stringMap.nullable().optional(),
  csiSnapshotTimeout: positiveDuration.optional(),
  itemOperationTimeout: positiveDuration.optional(),
  resourcePolicy: strict({ apiGroup: z.string().optional(), kind: z.string().min(1), name: z.string().min(1) }).optional(),
  snapshotMoveData: z.boolean().nullable().optional(),
  datamover: z.string().optional(),
  uploaderConfig: strict({ parallelFilesUpload: z.number().int().min(1).optional() }).optional(),
}).superRefine((s, ctx) => {
  if (s.labelSelector && s.orLabelSelectors && s.orLabelSelectors.length > 0) ctx.addIssue({ code: "custom", path: ["orLabelSelectors"], message: "labelSelector and orLabelSelectors cannot be used together" });
  const both = (s.includedNamespaces ?? []).filter((n) => (s.excludedNamespaces ?? []).includes(n));
  if (both.length > 0) ctx.addIssue({ code: "custom", path: ["excludedNamespaces"], message: `namespaces both included and excluded: ${both.join(", ")}` });
});
const veleroScheduleSpec = strict({ template: backupSpec, schedule: cron, useOwnerReferencesInBackup: z.boolean().optional(), paused: z.boolean().optional(), skipImmediately: z.boolean().nullable().optional() });

// ---------------------------------------------------------------------------

/** A whole object: strict at the top (apiVersion, kind, metadata, spec, status). */
function resource(spec: z.ZodType, required = true) {
  return strict({ apiVersion: z.string(), kind: z.string(), metadata: z.object({}).passthrough(), spec: required ? spec : spec.optional(), status: z.unknown().optional() });
}

/** Schemas by `apiVersion kind`. */
export const CUSTOM_RESOURCES: Readonly<Record<string, z.ZodType>> = {
  "chaos-mesh.org/v1alpha1 PodChaos": resource(podChaosSpec),
  "chaos-mesh.org/v1alpha1 NetworkChaos": resource(networkChaosSpec),
  "chaos-mesh.org/v1alpha1 StressChaos": resource(stressChaosSpec),
  "chaos-mesh.org/v1alpha1 IOChaos": resource(ioChaosSpec),
  "chaos-mesh.org/v1alpha1 HTTPChaos": resource(httpChaosSpec),
  "chaos-mesh.org/v1alpha1 TimeChaos": resource(timeChaosSpec),
  "chaos-mesh.org/v1alpha1 Schedule": resource(scheduleSpec),
  "litmuschaos.io/v1alpha1 ChaosEngine": resource(chaosEngineSpec),
  "velero.io/v1 Backup": resource(backupSpec),
  "velero.io/v1 Schedule": resource(veleroScheduleSpec),
};

/** Kinds of a known group whose schema is not modelled here: a warning names them instead of the generic skip. */
export const KNOWN_GROUPS: Readonly<Record<string, string>> = {
  "chaos-mesh.org": "Chaos Mesh",
  "litmuschaos.io": "LitmusChaos",
  "velero.io": "Velero",
};

// ---------------------------------------------------------------------------
// prometheus-operator field lists (@kubernetes-models/prometheus-operator 4.4.4)

const SM_ENDPOINT = "authorization basicAuth bearerTokenFile bearerTokenSecret enableHttp2 filterRunning followRedirects honorLabels honorTimestamps interval metricRelabelings oauth2 params path port proxyUrl relabelings scheme scrapeTimeout targetPort tlsConfig";
const PM_ENDPOINT = "authorization basicAuth bearerTokenSecret enableHttp2 filterRunning followRedirects honorLabels honorTimestamps interval metricRelabelings oauth2 params path port proxyUrl relabelings scheme scrapeTimeout targetPort tlsConfig";

/** Field names by location, for the operator kinds (their model schemas do not reject unknown fields). */
export const OPERATOR_FIELDS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  ServiceMonitor: {
    spec: "attachMetadata endpoints jobLabel labelLimit labelNameLengthLimit labelValueLengthLimit namespaceSelector podTargetLabels sampleLimit selector targetLabels targetLimit".split(" "),
    "spec.endpoints[]": SM_ENDPOINT.split(" "),
  },
  PodMonitor: {
    spec: "attachMetadata jobLabel labelLimit labelNameLengthLimit labelValueLengthLimit namespaceSelector podMetricsEndpoints podTargetLabels sampleLimit selector targetLimit".split(" "),
    "spec.podMetricsEndpoints[]": PM_ENDPOINT.split(" "),
  },
  PrometheusRule: {
    spec: ["groups"],
    "spec.groups[]": ["interval", "limit", "name", "partial_response_strategy", "rules"],
    "spec.groups[].rules[]": ["alert", "annotations", "expr", "for", "labels", "record", "keep_firing_for"],
  },
};

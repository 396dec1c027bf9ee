import type { Rule } from "../../types.js";
import type { ContainerRef, K8sDocument, Workload } from "../model.js";
import { isMap, listAt, mapAt } from "../workload.js";
import { capabilities, cis, containerLabel, containerRule, containerSC, effective, fail, isLongRunning, PASS, podSC, scPath, show, soc2 } from "./helpers.js";
import type { Verdict } from "./helpers.js";
import { parseImage } from "./image.js";

export const privilegedContainer = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-001",
    severity: "critical",
    title: "Container is not privileged",
    message: "The container runs privileged: it has every capability and the host's devices, which is root on the node.",
    recommendation: "Remove `securityContext.privileged: true`. Grant only the specific capability the workload needs, or move the task to a node-level agent reviewed separately.",
    fix: "securityContext:\n  privileged: false",
    aliases: ["CKV_K8S_16", "AVD-KSV-0017", "privileged-container"],
    compliance: [cis("5.2.2", true), soc2("CC6.1"), soc2("CC6.8")],
  },
  check(c) {
    const sc = containerSC(c);
    return sc["privileged"] === true ? fail(scPath(c, "privileged"), `${containerLabel(c)} runs privileged.`) : PASS;
  },
});

export const privilegeEscalation = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-002",
    severity: "high",
    title: "Container disallows privilege escalation",
    message: "The container does not set `allowPrivilegeEscalation: false`, so a setuid binary can gain more privileges than its parent process (the default allows it).",
    recommendation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    fix: "securityContext:\n  allowPrivilegeEscalation: false",
    aliases: ["CKV_K8S_20", "AVD-KSV-0001"],
    compliance: [cis("5.2.6", true), soc2("CC6.1")],
  },
  check(c) {
    const v = containerSC(c)["allowPrivilegeEscalation"];
    if (v === false) return PASS;
    return v === undefined
      ? fail(c.path, `${containerLabel(c)} does not set securityContext.allowPrivilegeEscalation to false.`)
      : fail(scPath(c, "allowPrivilegeEscalation"), `${containerLabel(c)} sets allowPrivilegeEscalation to ${show(v)}.`);
  },
});

function positiveInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

export const runAsNonRoot = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-003",
    severity: "medium",
    title: "Container runs as a non-root user",
    message: "Neither `runAsNonRoot: true` nor a non-zero `runAsUser` applies to the container (container settings override the pod's), so it runs as whatever user the image declares, often root.",
    recommendation: "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod `securityContext` (or per container).",
    fix: "securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n  runAsGroup: 10001",
    aliases: ["CKV_K8S_23", "AVD-KSV-0012", "run-as-non-root"],
    compliance: [cis("5.2.7", true), soc2("CC6.1")],
  },
  check(c, w) {
    const nonRoot = effective(c, w, "runAsNonRoot");
    const user = effective(c, w, "runAsUser");
    // runAsUser 0 under runAsNonRoot: true is refused by the kubelet and reported by DP-K8S-CONTAINER-004.
    if (nonRoot.value === true || positiveInt(user.value)) return PASS;
    if (nonRoot.value === false) return fail(nonRoot.at, `${containerLabel(c)} sets runAsNonRoot to false and no non-zero runAsUser.`);
    if (user.value === 0) return fail(user.at, `${containerLabel(c)} runs as UID 0.`);
    return fail(c.path, `${containerLabel(c)} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser applies to it.`);
  },
});

export const runAsUserZero = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-004",
    severity: "medium",
    title: "Container does not set runAsUser to 0",
    message: "`runAsUser: 0` applies to the container (its own setting, or the pod's when it has none): it runs as root.",
    recommendation: "Set `runAsUser` to a non-zero UID, or leave it unset together with `runAsNonRoot: true`.",
    fix: "securityContext:\n  runAsUser: 10001",
    aliases: ["AVD-KSV-0105"],
    compliance: [cis("5.2.7"), soc2("CC6.1")],
  },
  check(c, w) {
    const user = effective(c, w, "runAsUser");
    return user.value === 0 ? fail(user.at, `${containerLabel(c)} runs with runAsUser 0.`) : PASS;
  },
});

export const readOnlyRootFilesystem = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-005",
    severity: "low",
    title: "Container has a read-only root filesystem",
    message: "The container's root filesystem is writable: an intruder can modify binaries and drop tools.",
    recommendation: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the application must write (e.g. /tmp).",
    fix: "securityContext:\n  readOnlyRootFilesystem: true\nvolumeMounts:\n  - name: tmp\n    mountPath: /tmp",
    aliases: ["CKV_K8S_22", "AVD-KSV-0014", "no-read-only-root-fs"],
    compliance: [cis("5.7.3"), soc2("CC6.8")],
  },
  check(c) {
    const v = containerSC(c)["readOnlyRootFilesystem"];
    if (v === true) return PASS;
    return v === undefined
      ? fail(c.path, `${containerLabel(c)} does not set readOnlyRootFilesystem: true.`)
      : fail(scPath(c, "readOnlyRootFilesystem"), `${containerLabel(c)} sets readOnlyRootFilesystem to ${show(v)}.`);
  },
});

export const dropAllCapabilities = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-006",
    severity: "low",
    title: "Container drops all capabilities",
    message: "The container keeps the runtime's default capabilities (CHOWN, SETUID, NET_RAW…): `capabilities.drop` does not contain ALL.",
    recommendation: "Drop ALL capabilities and add back only the ones the process needs (often none, sometimes NET_BIND_SERVICE).",
    fix: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]",
    aliases: ["CKV_K8S_37", "AVD-KSV-0003"],
    compliance: [cis("5.2.10"), soc2("CC6.1")],
  },
  check(c) {
    if (capabilities(c, "drop").some((cap) => cap.name === "ALL")) return PASS;
    return fail(c.path, `${containerLabel(c)} does not drop ALL capabilities.`);
  },
});

export const dropNetRaw = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-007",
    severity: "medium",
    title: "Container drops NET_RAW",
    message: "The container keeps NET_RAW (the runtime grants it by default): it can craft raw packets and spoof traffic on the pod network.",
    recommendation: "Drop ALL (or at least NET_RAW) in `securityContext.capabilities.drop`, and do not add NET_RAW back.",
    fix: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]",
    aliases: ["CKV_K8S_28", "drop-net-raw-capability"],
    compliance: [cis("5.2.8"), soc2("CC6.6")],
  },
  check(c) {
    const added = capabilities(c, "add").find((cap) => cap.name === "NET_RAW" || cap.name === "ALL");
    if (added) return fail(scPath(c, "capabilities", "add", added.index), `${containerLabel(c)} adds ${added.name}.`);
    if (capabilities(c, "drop").some((cap) => cap.name === "ALL" || cap.name === "NET_RAW")) return PASS;
    return fail(c.path, `${containerLabel(c)} does not drop NET_RAW (or ALL).`);
  },
});

export const noAddedCapabilities = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-008",
    severity: "medium",
    title: "Container adds no capabilities",
    message: "The container adds Linux capabilities beyond the runtime's default set.",
    recommendation: "Remove `securityContext.capabilities.add`; if one capability is truly needed (e.g. NET_BIND_SERVICE), document why and suppress with a reason.",
    fix: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]",
    aliases: ["CKV_K8S_25", "AVD-KSV-0022"],
    compliance: [cis("5.2.9"), soc2("CC6.1")],
  },
  check(c) {
    const added = capabilities(c, "add");
    const first = added[0];
    if (!first) return PASS;
    return fail(scPath(c, "capabilities", "add", first.index), `${containerLabel(c)} adds capabilities: ${added.map((a) => a.name).join(", ")}.`);
  },
});

export const noSysAdmin = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-009",
    severity: "high",
    title: "Container does not add SYS_ADMIN",
    message: "The container adds CAP_SYS_ADMIN, which is close to full root on the node (mounts, namespaces, BPF, …).",
    recommendation: "Remove SYS_ADMIN from `securityContext.capabilities.add`; use a narrower capability or a dedicated device plugin.",
    fix: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]",
    aliases: ["CKV_K8S_39", "AVD-KSV-0005"],
    compliance: [cis("5.2.9"), soc2("CC6.1")],
  },
  check(c) {
    const cap = capabilities(c, "add").find((a) => a.name === "SYS_ADMIN");
    return cap ? fail(scPath(c, "capabilities", "add", cap.index), `${containerLabel(c)} adds SYS_ADMIN.`) : PASS;
  },
});

/** Capabilities that let a container escape or control the node or its network. */
const DANGEROUS_CAPS = new Set([
  "ALL",
  "SYS_ADMIN",
  "NET_ADMIN",
  "NET_RAW",
  "SYS_MODULE",
  "SYS_PTRACE",
  "SYS_RAWIO",
  "SYS_BOOT",
  "SYS_TIME",
  "SYS_RESOURCE",
  "BPF",
  "PERFMON",
  "DAC_READ_SEARCH",
  "MAC_ADMIN",
  "MAC_OVERRIDE",
  "SYSLOG",
  "LINUX_IMMUTABLE",
]);

export const noDangerousCapabilities = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-010",
    severity: "high",
    title: "Container adds no high-risk capability",
    message: "The container adds a capability that allows escaping to, or controlling, the node or its network (e.g. SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_MODULE, SYS_PTRACE, BPF).",
    recommendation: "Remove the capability. Network or kernel tuning belongs in a reviewed node-level DaemonSet, not in an application pod.",
    fix: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]",
    aliases: [],
    compliance: [cis("5.2.9"), soc2("CC6.1"), soc2("CC6.8")],
  },
  check(c) {
    const bad = capabilities(c, "add").filter((a) => DANGEROUS_CAPS.has(a.name));
    const first = bad[0];
    if (!first) return PASS;
    return fail(scPath(c, "capabilities", "add", first.index), `${containerLabel(c)} adds high-risk capabilities: ${bad.map((a) => a.name).join(", ")}.`);
  },
});

export const noHostPort = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-011",
    severity: "medium",
    title: "Container does not bind a host port",
    message: "The container maps a `hostPort`: it listens on the node's address, bypasses Service and NetworkPolicy design, and limits scheduling.",
    recommendation: "Remove `hostPort` and expose the pod through a Service (ClusterIP, or a LoadBalancer/Ingress at the edge).",
    fix: "ports:\n  - containerPort: 8080\n    name: http",
    aliases: ["CKV_K8S_26", "AVD-KSV-0024"],
    compliance: [cis("5.2.13"), soc2("CC6.6")],
  },
  check(c) {
    const ports = listAt(c.container, "ports");
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i];
      // Checkov and Trivy both flag any hostPort, 0 included.
      if (isMap(port) && port["hostPort"] !== undefined && port["hostPort"] !== null) {
        return fail([...c.path, "ports", i, "hostPort"], `${containerLabel(c)} binds host port ${show(port["hostPort"])}.`);
      }
    }
    return PASS;
  },
});

function resourceCheck(kind: "requests" | "limits", resource: "cpu" | "memory") {
  return (c: ContainerRef): Verdict => {
    const res = mapAt(c.container, "resources");
    const v = mapAt(res, kind)[resource];
    if (v !== undefined && v !== null && v !== "" && v !== 0) return PASS;
    const at = c.container["resources"] === undefined ? c.path : res[kind] === undefined ? [...c.path, "resources"] : [...c.path, "resources", kind];
    return fail(at, `${containerLabel(c)} has no ${resource} ${kind === "requests" ? "request" : "limit"}.`);
  };
}

const RESOURCE_LISTS = ["initContainers", "containers"] as const;

export const cpuRequests = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-012",
    severity: "low",
    title: "Container sets a CPU request",
    message: "The container has no CPU request: the scheduler cannot place it sensibly and it is the first to starve under contention.",
    recommendation: "Set `resources.requests.cpu` to the container's typical usage.",
    fix: "resources:\n  requests:\n    cpu: 100m",
    aliases: ["CKV_K8S_10", "AVD-KSV-0015", "unset-cpu-requirements"],
    compliance: [soc2("A1.1")],
  },
  lists: RESOURCE_LISTS,
  check: resourceCheck("requests", "cpu"),
});

export const cpuLimits = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-013",
    severity: "low",
    title: "Container sets a CPU limit",
    message: "The container has no CPU limit: a runaway or compromised process can take the node's CPU from its neighbours.",
    recommendation: "Set `resources.limits.cpu` (or a namespace LimitRange that sets one).",
    fix: "resources:\n  limits:\n    cpu: 500m",
    aliases: ["CKV_K8S_11", "AVD-KSV-0011", "unset-cpu-requirements"],
    compliance: [soc2("A1.1")],
  },
  lists: RESOURCE_LISTS,
  check: resourceCheck("limits", "cpu"),
});

export const memoryRequests = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-014",
    severity: "low",
    title: "Container sets a memory request",
    message: "The container has no memory request: the scheduler can overcommit the node and the pod is evicted first.",
    recommendation: "Set `resources.requests.memory` to the container's working set.",
    fix: "resources:\n  requests:\n    memory: 128Mi",
    aliases: ["CKV_K8S_12", "AVD-KSV-0016", "unset-memory-requirements"],
    compliance: [soc2("A1.1")],
  },
  lists: RESOURCE_LISTS,
  check: resourceCheck("requests", "memory"),
});

export const memoryLimits = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-015",
    severity: "low",
    title: "Container sets a memory limit",
    message: "The container has no memory limit: a leak or an attack can exhaust the node's memory and get other pods killed.",
    recommendation: "Set `resources.limits.memory` (usually equal to the request for predictable behaviour).",
    fix: "resources:\n  limits:\n    memory: 256Mi",
    aliases: ["CKV_K8S_13", "AVD-KSV-0018", "unset-memory-requirements"],
    compliance: [soc2("A1.1")],
  },
  lists: RESOURCE_LISTS,
  check: resourceCheck("limits", "memory"),
});

export const livenessProbe = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-016",
    severity: "low",
    title: "Container has a liveness probe",
    message: "The container has no liveness probe: a hung process keeps its pod Running and is never restarted.",
    recommendation: "Add a `livenessProbe` (HTTP, TCP, gRPC or exec) that fails only when the process must be restarted. Jobs and CronJobs are not evaluated.",
    fix: "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: http\n  periodSeconds: 10",
    aliases: ["CKV_K8S_8", "no-liveness-probe"],
    compliance: [soc2("A1.2")],
  },
  lists: ["containers"],
  appliesTo: isLongRunning,
  check(c) {
    return isMap(c.container["livenessProbe"]) ? PASS : fail(c.path, `${containerLabel(c)} has no livenessProbe.`);
  },
});

export const readinessProbe = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-017",
    severity: "low",
    title: "Container has a readiness probe",
    message: "The container has no readiness probe: it receives traffic before it can serve and while it is overloaded.",
    recommendation: "Add a `readinessProbe` that checks the container can serve requests. Jobs and CronJobs are not evaluated.",
    fix: "readinessProbe:\n  httpGet:\n    path: /ready\n    port: http\n  periodSeconds: 5",
    aliases: ["CKV_K8S_9", "no-readiness-probe"],
    compliance: [soc2("A1.2")],
  },
  lists: ["containers"],
  appliesTo: isLongRunning,
  check(c) {
    return isMap(c.container["readinessProbe"]) ? PASS : fail(c.path, `${containerLabel(c)} has no readinessProbe.`);
  },
});

function imageOf(c: ContainerRef): string | undefined {
  const image = c.container["image"];
  return typeof image === "string" && image.trim() !== "" ? image.trim() : undefined;
}

export const imageTagFixed = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-018",
    severity: "medium",
    title: "Container image has a fixed tag",
    message: "The image has no tag or uses `latest`: what runs changes with every push and a rollback cannot name the previous version.",
    recommendation: "Reference a versioned tag, better a digest (`image: repo/app:1.4.2@sha256:…`). Untagged images that a Skaffold config in the same project builds pass: Skaffold pins them at deploy time.",
    fix: "image: ghcr.io/acme/api:1.4.2@sha256:<digest>",
    aliases: ["CKV_K8S_14", "AVD-KSV-0013", "latest-tag"],
    compliance: [soc2("CC8.1")],
  },
  check(c, w, doc) {
    const image = imageOf(c);
    if (!image) return fail(c.path, `${containerLabel(c)} has no image.`);
    const ref = parseImage(image);
    if (ref.digest !== "") return PASS;
    if (ref.tag === "" && doc.set.builtBySkaffold(w.object, ref.repository)) return PASS;
    if (ref.tag === "") return fail([...c.path, "image"], `${containerLabel(c)} image "${image}" has no tag (defaults to latest).`);
    if (ref.tag === "latest") return fail([...c.path, "image"], `${containerLabel(c)} image "${image}" uses the latest tag.`);
    return PASS;
  },
});

export const imageDigest = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-019",
    severity: "low",
    title: "Container image is pinned by digest",
    message: "The image is referenced by tag only: a tag can be moved to different content at any time.",
    recommendation: "Pin the image by digest (`repo/app:1.4.2@sha256:…`); let a bot such as Renovate update the digest.",
    fix: "image: ghcr.io/acme/api:1.4.2@sha256:<digest>",
    aliases: ["CKV_K8S_43", "image-not-pinned-by-digest"],
    compliance: [cis("5.5.1"), soc2("CC8.1")],
  },
  check(c, w, doc) {
    const image = imageOf(c);
    if (!image) return fail(c.path, `${containerLabel(c)} has no image.`);
    if (!image.includes("@") && doc.set.builtBySkaffold(w.object, image)) return PASS;
    return image.includes("@") ? PASS : fail([...c.path, "image"], `${containerLabel(c)} image "${image}" is not pinned by digest.`);
  },
});

export const imagePullPolicyAlways = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-020",
    severity: "low",
    title: "Container image pull policy is Always",
    message: "The pull policy is not Always: a node reuses a cached image, so a re-pushed tag is not picked up and the registry's pull credentials are not re-checked for this pod.",
    recommendation: "Set `imagePullPolicy: Always` (the default only for `latest` or untagged images), or pin by digest.",
    fix: "imagePullPolicy: Always",
    aliases: ["CKV_K8S_15"],
    compliance: [soc2("CC8.1")],
  },
  check(c) {
    const image = imageOf(c);
    if (!image) return fail(c.path, `${containerLabel(c)} has no image.`);
    const policy = c.container["imagePullPolicy"];
    if (policy === undefined || policy === null) {
      // Kubernetes defaults to Always for `latest` and untagged images, IfNotPresent otherwise (digest ignored).
      const { tag } = parseImage(image);
      return tag === "" || tag === "latest" ? PASS : fail(c.path, `${containerLabel(c)} has no imagePullPolicy; tag "${tag}" defaults to IfNotPresent.`);
    }
    return policy === "Always" ? PASS : fail([...c.path, "imagePullPolicy"], `${containerLabel(c)} has imagePullPolicy ${show(policy)}.`);
  },
});

const SECCOMP_OK = new Set(["RuntimeDefault", "Localhost"]);

function seccompType(sc: unknown): unknown {
  const type = mapAt(sc, "seccompProfile")["type"];
  return type === null ? undefined : type;
}

function legacySeccompOk(value: unknown): boolean {
  return typeof value === "string" && (value === "runtime/default" || value === "docker/default" || value.startsWith("localhost/"));
}

export const seccompProfile = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-021",
    severity: "medium",
    title: "Container runs with a seccomp profile",
    message: "No RuntimeDefault or Localhost seccomp profile applies to the container: it can call every syscall the kernel offers.",
    recommendation: "Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec (containers inherit it); `Localhost` profiles also pass. The legacy `seccomp.security.alpha.kubernetes.io/pod` annotation is honoured.",
    fix: "securityContext:\n  seccompProfile:\n    type: RuntimeDefault",
    aliases: ["CKV_K8S_31", "AVD-KSV-0030"],
    compliance: [cis("5.7.2"), soc2("CC6.8")],
  },
  check(c, w) {
    const own = seccompType(containerSC(c));
    if (own !== undefined) {
      return SECCOMP_OK.has(show(own)) ? PASS : fail(scPath(c, "seccompProfile", "type"), `${containerLabel(c)} uses seccomp profile ${show(own)}.`);
    }
    const pod = seccompType(podSC(w));
    if (pod !== undefined) {
      return SECCOMP_OK.has(show(pod)) ? PASS : fail([...w.specPath, "securityContext", "seccompProfile", "type"], `The pod uses seccomp profile ${show(pod)}.`);
    }
    const annotationSources = [
      { annotations: mapAt(w.podMetadata, "annotations"), path: [...w.podMetadataPath, "annotations"] },
      { annotations: mapAt(w.object.raw["metadata"], "annotations"), path: ["metadata", "annotations"] },
    ];
    for (const { annotations, path } of annotationSources) {
      for (const key of [`container.seccomp.security.alpha.kubernetes.io/${c.name}`, "seccomp.security.alpha.kubernetes.io/pod"]) {
        const value = annotations[key];
        if (value === undefined) continue;
        return legacySeccompOk(value) ? PASS : fail([...path, key], `Annotation ${key} is ${show(value)}.`);
      }
    }
    return fail(c.path, `No seccomp profile applies to ${containerLabel(c)}.`);
  },
});

export const containerSecurityContext = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-022",
    severity: "low",
    title: "Container declares a security context",
    message: "The container has no `securityContext`: every setting is left to the runtime defaults, which are permissive.",
    recommendation: "Give every container an explicit `securityContext` (no privilege escalation, read-only root filesystem, drop ALL capabilities).",
    fix: "securityContext:\n  allowPrivilegeEscalation: false\n  readOnlyRootFilesystem: true\n  capabilities:\n    drop: [\"ALL\"]",
    aliases: ["CKV_K8S_30"],
    compliance: [cis("5.7.3"), soc2("CC6.8")],
  },
  check(c) {
    return Object.keys(containerSC(c)).length > 0 ? PASS : fail(c.path, `${containerLabel(c)} has no securityContext.`);
  },
});

export const highUid = containerRule({
  meta: {
    id: "DP-K8S-CONTAINER-023",
    severity: "low",
    title: "Container runs with a high UID",
    message: "The container's UID is below 10000 (or unset): it may coincide with a privileged user on the host if it ever escapes its user namespace.",
    recommendation: "Run as a UID of 10000 or more (pod `securityContext.runAsUser`, overridable per container).",
    fix: "securityContext:\n  runAsUser: 10001",
    aliases: ["CKV_K8S_40", "AVD-KSV-0020"],
    compliance: [cis("5.7.3"), soc2("CC6.1")],
  },
  check(c, w: Workload) {
    const user = effective(c, w, "runAsUser");
    if (typeof user.value === "number" && user.value >= 10000) return PASS;
    return user.value === undefined
      ? fail(c.path, `${containerLabel(c)} has no runAsUser.`)
      : fail(user.at, `${containerLabel(c)} runs as UID ${show(user.value)} (below 10000).`);
  },
});

export const containerRules: readonly Rule<K8sDocument>[] = [
  privilegedContainer,
  privilegeEscalation,
  runAsNonRoot,
  runAsUserZero,
  readOnlyRootFilesystem,
  dropAllCapabilities,
  dropNetRaw,
  noAddedCapabilities,
  noSysAdmin,
  noDangerousCapabilities,
  noHostPort,
  cpuRequests,
  cpuLimits,
  memoryRequests,
  memoryLimits,
  livenessProbe,
  readinessProbe,
  imageTagFixed,
  imageDigest,
  imagePullPolicyAlways,
  seccompProfile,
  containerSecurityContext,
  highUid,
];

import type { Rule } from "../../types.js";
import type { K8sDocument, PathSegment, Workload } from "../model.js";
import { isMap, listAt, stringAt } from "../workload.js";
import { cis, fail, PASS, podRule, podSC, soc2 } from "./helpers.js";
import type { Verdict } from "./helpers.js";

function hostNamespace(field: "hostNetwork" | "hostPID" | "hostIPC", what: string) {
  return (w: Workload): Verdict => (w.spec[field] === true ? fail([...w.specPath, field], `The pod shares the host's ${what} namespace (${field}: true).`) : PASS);
}

export const hostNetwork = podRule({
  meta: {
    id: "DP-K8S-POD-001",
    severity: "high",
    title: "Pod does not use the host network",
    message: "The pod shares the node's network namespace: it can sniff and bind node traffic and reach services bound to localhost, and NetworkPolicies do not apply to it.",
    recommendation: "Remove `hostNetwork: true`; expose the pod through a Service.",
    fix: "spec:\n  hostNetwork: false",
    aliases: ["CKV_K8S_19", "AVD-KSV-0009", "host-network"],
    compliance: [cis("5.2.5", true), soc2("CC6.6")],
  },
  check: hostNamespace("hostNetwork", "network"),
});

export const hostPid = podRule({
  meta: {
    id: "DP-K8S-POD-002",
    severity: "high",
    title: "Pod does not share the host PID namespace",
    message: "The pod shares the node's process namespace: it can see, signal and ptrace every process on the node.",
    recommendation: "Remove `hostPID: true`.",
    fix: "spec:\n  hostPID: false",
    aliases: ["CKV_K8S_17", "AVD-KSV-0010", "host-pid"],
    compliance: [cis("5.2.3", true), soc2("CC6.1")],
  },
  check: hostNamespace("hostPID", "process ID"),
});

export const hostIpc = podRule({
  meta: {
    id: "DP-K8S-POD-003",
    severity: "high",
    title: "Pod does not share the host IPC namespace",
    message: "The pod shares the node's IPC namespace: it can read and write other processes' shared memory.",
    recommendation: "Remove `hostIPC: true`.",
    fix: "spec:\n  hostIPC: false",
    aliases: ["CKV_K8S_18", "AVD-KSV-0008", "host-ipc"],
    compliance: [cis("5.2.4", true), soc2("CC6.1")],
  },
  check: hostNamespace("hostIPC", "IPC"),
});

interface HostPathVolume {
  name: string;
  path: string;
  at: PathSegment[];
}

function hostPathVolumes(w: Workload): HostPathVolume[] {
  const out: HostPathVolume[] = [];
  listAt(w.spec, "volumes").forEach((v, i) => {
    if (!isMap(v) || !isMap(v["hostPath"])) return;
    const path = stringAt(v["hostPath"], "path") ?? "";
    out.push({ name: stringAt(v, "name") ?? `#${i}`, path, at: [...w.specPath, "volumes", i, "hostPath"] });
  });
  return out;
}

/** `/var/run/` → `/var/run`, `//etc` → `/etc`. */
function normalisePath(path: string): string {
  const p = path.trim().replace(/\/+/g, "/");
  return p.length > 1 ? p.replace(/\/$/, "") : p;
}

export const noHostPath = podRule({
  meta: {
    id: "DP-K8S-POD-004",
    severity: "medium",
    title: "Pod mounts no hostPath volume",
    message: "The pod mounts a directory of the node (`hostPath`): it can read or change node files and persist across pods.",
    recommendation: "Use an `emptyDir`, a PersistentVolumeClaim, a ConfigMap/Secret or a CSI volume instead of `hostPath`.",
    fix: "volumes:\n  - name: data\n    emptyDir: {}",
    aliases: ["AVD-KSV-0023"],
    compliance: [cis("5.2.12"), soc2("CC6.1")],
  },
  check(w) {
    const vols = hostPathVolumes(w);
    const first = vols[0];
    if (!first) return PASS;
    return fail(first.at, `The pod mounts hostPath volumes: ${vols.map((v) => `${v.name} (${v.path || "?"})`).join(", ")}.`);
  },
});

const RUNTIME_SOCKET = /(^|\/)(docker|containerd|crio|cri-dockerd|dockershim|podman)\.sock$/;

export const noRuntimeSocket = podRule({
  meta: {
    id: "DP-K8S-POD-005",
    severity: "critical",
    title: "Pod does not mount the container runtime socket",
    message: "The pod mounts the container runtime socket (docker.sock, containerd.sock, crio.sock): whoever controls the pod controls every container on the node, and the node.",
    recommendation: "Remove the hostPath volume of the runtime socket. Build images with a rootless builder (BuildKit rootless, kaniko) and read runtime data through the Kubernetes API.",
    fix: "# remove the volume and its volumeMount:\n# - name: docker-sock\n#   hostPath:\n#     path: /var/run/docker.sock",
    aliases: ["CKV_K8S_27", "AVD-KSV-0006", "docker-sock", "container-runtime-sock"],
    compliance: [cis("5.2.12"), soc2("CC6.1"), soc2("CC6.8")],
  },
  check(w) {
    const sock = hostPathVolumes(w).find((v) => RUNTIME_SOCKET.test(normalisePath(v.path)));
    return sock ? fail([...sock.at, "path"], `The pod mounts the container runtime socket ${sock.path}.`) : PASS;
  },
});

const SENSITIVE_HOST_DIRS = new Set([
  "/",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/proc",
  "/sys",
  "/usr",
  "/root",
  "/run",
  "/var/run",
  "/var/lib/kubelet",
  "/var/lib/docker",
  "/var/lib/containerd",
  "/etc/kubernetes",
]);

export const noSensitiveHostMounts = podRule({
  meta: {
    id: "DP-K8S-POD-006",
    severity: "high",
    title: "Pod mounts no sensitive host directory",
    message: "The pod mounts a sensitive node directory (/, /etc, /proc, /sys, /dev, /var/run, /var/lib/kubelet, …): it exposes node credentials, devices or kernel interfaces.",
    recommendation: "Remove the hostPath volume; if node data is truly needed, mount the narrowest file read-only from a reviewed node agent.",
    fix: "# remove the hostPath volume, or narrow it to one file:\nvolumes:\n  - name: machine-id\n    hostPath:\n      path: /etc/machine-id\n      type: File",
    aliases: ["sensitive-host-mounts"],
    compliance: [cis("5.2.12"), soc2("CC6.1")],
  },
  check(w) {
    const bad = hostPathVolumes(w).filter((v) => SENSITIVE_HOST_DIRS.has(normalisePath(v.path)));
    const first = bad[0];
    if (!first) return PASS;
    return fail([...first.at, "path"], `The pod mounts sensitive host directories: ${bad.map((v) => v.path).join(", ")}.`);
  },
});

function serviceAccountName(w: Workload): { name: string; at: PathSegment[] } {
  for (const field of ["serviceAccountName", "serviceAccount"]) {
    const v = stringAt(w.spec, field);
    if (v !== undefined && v !== "") return { name: v, at: [...w.specPath, field] };
  }
  return { name: "default", at: w.specPath };
}

export const automountToken = podRule({
  meta: {
    id: "DP-K8S-POD-007",
    severity: "medium",
    title: "Pod does not mount a service-account token it does not need",
    message: "The pod mounts its service-account token (automountServiceAccountToken is not false on the pod nor on its ServiceAccount): an intruder gets an API credential for free.",
    recommendation: "Set `automountServiceAccountToken: false` on the pod spec (or on its ServiceAccount); mount a projected token only in pods that call the API.",
    fix: "spec:\n  automountServiceAccountToken: false",
    aliases: ["CKV_K8S_38", "automount-service-account-token"],
    compliance: [cis("5.1.6"), soc2("CC6.1")],
  },
  check(w, doc) {
    const own = w.spec["automountServiceAccountToken"];
    if (own === false) return PASS;
    if (own === true) return fail([...w.specPath, "automountServiceAccountToken"], "The pod sets automountServiceAccountToken: true.");
    const sa = serviceAccountName(w);
    const account = doc.set.serviceAccount(w.object, sa.name);
    if (account && account.raw["automountServiceAccountToken"] === false) return PASS;
    return fail(w.specPath, `The pod mounts the token of service account "${sa.name}": neither the pod nor the ServiceAccount sets automountServiceAccountToken: false.`);
  },
});

export const noDefaultServiceAccount = podRule({
  meta: {
    id: "DP-K8S-POD-008",
    severity: "medium",
    title: "Pod runs under a dedicated service account",
    message: "The pod runs as the namespace's `default` service account: every pod without its own account shares its permissions.",
    recommendation: "Create a ServiceAccount per workload and set `serviceAccountName`; grant it only what the workload needs.",
    fix: "spec:\n  serviceAccountName: api\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\nautomountServiceAccountToken: false",
    aliases: ["default-service-account"],
    compliance: [cis("5.1.5"), soc2("CC6.3")],
  },
  check(w) {
    const sa = serviceAccountName(w);
    return sa.name === "default" ? fail(sa.at, "The pod runs as the default service account.") : PASS;
  },
});

export const podSecurityContext = podRule({
  meta: {
    id: "DP-K8S-POD-009",
    severity: "low",
    title: "Pod declares a security context",
    message: "The pod has no `securityContext`: user, group, fsGroup and seccomp are left to the image and the runtime.",
    recommendation: "Set a pod `securityContext` with runAsNonRoot, runAsUser/runAsGroup, fsGroup and a RuntimeDefault seccomp profile.",
    fix: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n    fsGroup: 10001\n    seccompProfile:\n      type: RuntimeDefault",
    aliases: ["CKV_K8S_29"],
    compliance: [cis("5.7.3"), soc2("CC6.8")],
  },
  check(w) {
    return Object.keys(podSC(w)).length > 0 ? PASS : fail(w.specPath, "The pod has no securityContext.");
  },
});

export const podRules: readonly Rule<K8sDocument>[] = [
  hostNetwork,
  hostPid,
  hostIpc,
  noHostPath,
  noRuntimeSocket,
  noSensitiveHostMounts,
  automountToken,
  noDefaultServiceAccount,
  podSecurityContext,
];

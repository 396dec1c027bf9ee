/**
 * The hardening contract every generated workload meets, as a check over
 * plain objects. The tests run it over the manifests, every Kustomize build
 * and every rendered chart; it names each violation.
 */
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function get(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

/** Violations of the hardening contract in a Deployment, as messages; [] when it holds. */
export function hardeningViolations(deployment: Obj): string[] {
  const name = String(get(deployment, "metadata", "name"));
  const pod = get(deployment, "spec", "template", "spec");
  const out: string[] = [];
  const need = (cond: boolean, what: string) => {
    if (!cond) out.push(`Deployment ${name}: ${what}`);
  };
  need(isObj(pod), "has a pod spec");
  if (!isObj(pod)) return out;
  need(pod["automountServiceAccountToken"] === false, "does not mount a service-account token");
  need(typeof pod["serviceAccountName"] === "string" && pod["serviceAccountName"] !== "default", "runs under a dedicated ServiceAccount");
  need(pod["hostNetwork"] === undefined && pod["hostPID"] === undefined && pod["hostIPC"] === undefined, "shares no host namespace");
  const sc = get(pod, "securityContext");
  need(get(sc, "runAsNonRoot") === true, "sets runAsNonRoot");
  const uid = get(sc, "runAsUser");
  need(typeof uid === "number" && uid >= 10000, "runs as a UID of at least 10000");
  need(get(sc, "seccompProfile", "type") === "RuntimeDefault", "uses seccomp RuntimeDefault");
  need(Array.isArray(pod["topologySpreadConstraints"]) && pod["topologySpreadConstraints"].length > 0, "spreads across zones and nodes");
  const containers = [...((pod["initContainers"] as unknown[] | undefined) ?? []), ...((pod["containers"] as unknown[] | undefined) ?? [])].filter(isObj);
  need(containers.length > 0, "has containers");
  for (const c of containers) {
    const cn = `container ${String(c["name"])}`;
    const csc = c["securityContext"];
    need(get(csc, "allowPrivilegeEscalation") === false, `${cn} disallows privilege escalation`);
    need(get(csc, "readOnlyRootFilesystem") === true, `${cn} has a read-only root filesystem`);
    need(get(csc, "privileged") !== true, `${cn} is not privileged`);
    const drop = get(csc, "capabilities", "drop");
    need(Array.isArray(drop) && drop.includes("ALL"), `${cn} drops ALL capabilities`);
    need(get(csc, "capabilities", "add") === undefined, `${cn} adds no capability`);
    for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) need(get(c, "resources", kind, r) !== undefined, `${cn} sets ${r} ${kind}`);
    for (const p of ["livenessProbe", "readinessProbe", "startupProbe"]) need(isObj(c[p]), `${cn} has a ${p}`);
    need(c["imagePullPolicy"] === "Always", `${cn} pulls Always`);
    need(isObj(get(c, "lifecycle", "preStop")), `${cn} drains with a preStop hook`);
    const ports = (c["ports"] as unknown[] | undefined) ?? [];
    need(ports.every((p) => get(p, "hostPort") === undefined), `${cn} binds no host port`);
  }
  return out;
}

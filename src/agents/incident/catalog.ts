/**
 * What the agent knows about each incident type (packs/devops/data/
 * incident-management.md and chaos-engineering.md, made concrete): what it
 * means, when to declare it, the diagnosis checks per service, mitigations
 * from safest to most invasive, escalation and the chaos faults that
 * rehearse it. Unknown types use GENERIC.
 */
import type { Engine, Fault, KnownIncidentType } from "./schema.js";
import type { Check, Ref } from "./queries.js";
import { byCode, errorRatio, kubectl, latencyP99, logStream, memoryVsLimit, podMatchers, requestRate, restarts, throttling } from "./queries.js";

export type SevLevel = 1 | 2 | 3 | 4;

export interface Ctx {
  refs: Ref[];
  /** The first database-kind service, when one is listed. */
  db?: Ref;
}

/** One mitigation: what to do, the command, how to verify it worked. */
export interface Step {
  title: string;
  text?: string;
  code?: string;
  verify: string;
  /** Only with the incident commander's approval. */
  approval?: boolean;
}

export interface Profile {
  title: string;
  means: string;
  impact: string;
  declareWhen: string;
  /** The severity matrix's floor for this type (data loss and exposure are SEV1). */
  minSev?: SevLevel;
  checks(r: Ref, ctx: Ctx): Check[];
  /** Checks that are not about one service (nodes, certificates, cloud APIs). */
  shared?(ctx: Ctx): Check[];
  /** Finding → mitigation, as in the worked example. */
  findings?: [string, string][];
  mitigations(ctx: Ctx): Step[];
  escalation: string[];
  raiseWhen: string;
  /** What users see, for the status page: "Some users may …". */
  userSymptom: string;
  /** Faults that rehearse this incident, per engine; empty when none fits. */
  chaos: Record<Engine, Fault[]>;
  chaosNote?: string;
}

const each = (ctx: Ctx, line: (r: Ref) => string) => ctx.refs.map(line).join("\n");
const forAll = (faults: Fault[]): Record<Engine, Fault[]> => ({ chaos_mesh: faults, litmus: faults });

function promqlIf(title: string, code: string | undefined, bad: string): Check[] {
  return code === undefined ? [] : [{ title, lang: "promql", code, bad }];
}

const rollbackStep = (ctx: Ctx): Step => ({
  title: "Roll back the last change",
  text: "If a deploy, config or feature-flag change in the last 2 hours lines up with the start, undo it first (section 5 has the Helm and GitOps variants).",
  code: each(ctx, (r) => kubectl(r, `rollout undo ${r.workload}`)),
  verify: "The error ratio and latency return to their pre-incident level within one 5-minute window.",
});

const scaleOutStep = (ctx: Ctx): Step => ({
  title: "Scale out",
  text: "Add capacity while the cause is found. If a HorizontalPodAutoscaler manages the workload, raise its minReplicas instead, or it scales back down.",
  code: each(ctx, (r) => `${kubectl(r, `get ${r.workload} -o jsonpath='{.spec.replicas}'`)}\n${kubectl(r, `scale ${r.workload} --replicas=<current × 2>`)}`),
  verify: "New pods become Ready and per-pod CPU and latency drop.",
});

const failoverStep: Step = {
  title: "Fail over",
  text: "Move traffic or the data tier to the standby, following the disaster-recovery workflow (fence the primary first).",
  verify: "The smoke tests pass against the standby and the SLIs recover.",
  approval: true,
};

export const GENERIC: Profile = {
  title: "Incident",
  means: "A service is not behaving within its objectives and the cause is not yet classified.",
  impact: "Depends on the symptom: confirm it from the SLO dashboard before acting.",
  declareWhen: "the SLO error ratio is above its budget for 5 minutes, or users report failures",
  checks: (r) => [
    ...promqlIf("Responses by status code", byCode(r), "5xx (or Unavailable, Internal) share growing."),
    ...promqlIf("p99 latency", latencyP99(r), "Above the latency objective, or twice its usual value."),
    { title: "CPU throttling per pod", lang: "promql", code: throttling(r), bad: "Above 0.25: the pods are CPU-limited." },
  ],
  mitigations: (ctx) => [rollbackStep(ctx), scaleOutStep(ctx), failoverStep],
  escalation: ["No working mitigation after 15 minutes: page the secondary on-call of the owning team."],
  raiseWhen: "most users of a critical journey are affected, or data is at risk",
  userSymptom: "experience errors or slow responses",
  chaos: forAll(["pod_kill"]),
};

export const PROFILES: Record<KnownIncidentType, Profile> = {
  database_connection_failure: {
    title: "Database connection failure",
    means: "Services cannot open or keep connections to their database: connection refused, timeouts, pool exhaustion or rejected credentials.",
    impact: "Requests that read or write data fail or hang; background jobs stop.",
    declareWhen: "connection errors appear in the logs of more than one pod for 5 minutes, or the error ratio is above 5 %",
    checks: (r, ctx) => [
      {
        title: "Connection errors in the logs",
        lang: "bash",
        code: `${kubectl(r, `logs -l ${r.selector} --since=15m --tail=500 --prefix`)} | grep -iE 'connect|timeout|too many|refused|authentication' | tail -n 50`,
        bad: "Repeated 'connection refused', 'too many clients already', 'password authentication failed' or pool timeouts.",
      },
      {
        title: "Connection errors per pod over time (Loki)",
        lang: "logql",
        code: `sum by (pod) (count_over_time(${logStream(r)} |~ "(?i)(connection refused|too many (clients|connections)|timeout|authentication failed)" [5m]))`,
        bad: "Every pod affected (a shared cause: the database, DNS, credentials) or one pod only (that pod's node or pool).",
      },
      {
        title: "Network path and DNS from inside the namespace",
        lang: "bash",
        code: kubectl(r, `run dbcheck-${r.name} --rm -it --restart=Never --image=postgres:16-alpine -- pg_isready -h ${ctx.db ? `${ctx.db.name}.${ctx.db.ns}.svc.cluster.local` : "<database host>"} -p 5432`),
        bad: "'no response' or a DNS error: the network path, a NetworkPolicy or a security group blocks the database.",
      },
      {
        title: "Database credentials in sync (External Secrets)",
        lang: "bash",
        code: kubectl(r, "get externalsecrets"),
        bad: "STATUS SecretSyncedError, or a refresh time older than the last rotation.",
      },
    ],
    shared: (ctx) => [
      ...(ctx.db
        ? [
            { title: `Database ${ctx.db.name} reachable by its exporter`, lang: "promql" as const, code: `pg_up{job="${ctx.db.job}"}`, bad: "0: the exporter cannot connect either." },
            {
              title: "Connections by state against the limit",
              lang: "promql" as const,
              code: `sum by (state) (pg_stat_activity_count{job="${ctx.db.job}"})`,
              bad: `The total near max_connections (pg_settings_max_connections{job="${ctx.db.job}"}), many 'idle in transaction'.`,
            },
          ]
        : []),
      {
        title: "Connection saturation and the longest sessions (psql)",
        lang: "sql",
        code: [
          "SELECT state, count(*) FROM pg_stat_activity GROUP BY state;",
          "SHOW max_connections;",
          "SELECT pid, now() - xact_start AS age, state, left(query, 80)",
          "FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY age DESC LIMIT 10;",
        ].join("\n"),
        bad: "Connections at max_connections; old 'idle in transaction' sessions.",
      },
      {
        title: "Managed database status (RDS)",
        lang: "bash",
        code: "aws rds describe-db-instances --db-instance-identifier <instance> --query 'DBInstances[0].[DBInstanceStatus,MultiAZ,AvailabilityZone]'\naws rds describe-events --source-type db-instance --source-identifier <instance> --duration 60",
        bad: "Status rebooting, failing-over or storage-full; a failover or maintenance event in the last hour.",
      },
    ],
    findings: [
      ["Connections at max_connections, many 'idle in transaction'", "Terminate the oldest idle transactions (pg_terminate_backend), lower pool sizes, find the leaking code path."],
      ["A deploy just raised the replica count or pool size", "Roll back or scale replicas down: pool size × replicas must stay under max_connections."],
      ["Instance rebooting or a Multi-AZ failover in progress", "Wait for the failover (typically one to two minutes); clients must re-resolve DNS and reconnect."],
      ["DNS or security group change in the last hour", "Revert the infrastructure change through the pipeline."],
      ["Credentials rejected after a rotation", "Restart the pods that cached the old secret; check the External Secret's sync status."],
    ],
    mitigations: (ctx) => [
      rollbackStep(ctx),
      {
        title: "Free connections held by idle transactions",
        code: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity\nWHERE state = 'idle in transaction' AND now() - state_change > interval '5 minutes';",
        verify: "Active connections fall below 80 % of max_connections and the connection errors stop.",
      },
      {
        title: "Reduce the connection demand",
        text: "Scale the callers down so that pool size × replicas fits under max_connections (leave headroom for migrations and admin sessions).",
        code: each(ctx, (r) => kubectl(r, `scale ${r.workload} --replicas=<fewer>`)),
        verify: "Connection errors stop; the error ratio falls.",
      },
      {
        title: "Reload credentials",
        text: "After a rotation, restart the pods so they read the new secret.",
        code: each(ctx, (r) => kubectl(r, `rollout restart ${r.workload}`)),
        verify: "No 'authentication failed' lines in the logs after the restart.",
      },
      failoverStep,
    ],
    escalation: ["Page the database owner after 15 minutes without a working mitigation."],
    raiseWhen: "writes fail for all users",
    userSymptom: "see errors when saving or loading data",
    chaos: { chaos_mesh: ["network_latency"], litmus: ["network_latency"] },
  },

  high_error_rate: {
    title: "High error rate",
    means: "A larger share of requests fails than the SLO allows: the service burns its error budget.",
    impact: "Users see errors on the affected routes; retries add load.",
    declareWhen: "the 5-minute error ratio is above 5 %, or the fast-burn page fired",
    checks: (r) => [
      ...promqlIf("Responses by status code", byCode(r), "5xx (or Internal, Unavailable) rising while 2xx falls."),
      ...promqlIf("Error ratio per pod", errorRatio(r, "pod"), "One pod far above the others: a bad pod or node. All pods alike: a shared cause (deploy, dependency, config)."),
      {
        title: "Error lines with their messages (Loki)",
        lang: "logql",
        code: `${logStream(r)} |~ "(?i)(error|exception|panic)" | line_format "{{.pod}} {{__line__}}"`,
        bad: "One message dominating: a new exception after a deploy, a dependency timing out.",
      },
    ],
    mitigations: (ctx) => [
      rollbackStep(ctx),
      {
        title: "Take a bad pod out of service",
        text: "When one pod or node is the source, delete the pod; the ReplicaSet replaces it, on another node if the node is the problem.",
        code: each(ctx, (r) => kubectl(r, "delete pod <pod>")),
        verify: "The per-pod error ratio evens out.",
      },
      { title: "Turn off the failing feature", text: "Disable the feature flag of the failing route, or shed non-critical traffic.", verify: "The error ratio falls on the affected routes." },
      scaleOutStep(ctx),
    ],
    escalation: ["No working mitigation after 15 minutes: page the secondary on-call.", "A dependency is the source: page its owning team."],
    raiseWhen: "a critical journey fails for most users, or the fast-burn page fires on a critical-tier SLO",
    userSymptom: "see errors",
    chaos: { chaos_mesh: ["pod_kill", "http_abort"], litmus: ["pod_kill", "http_abort"] },
  },

  high_latency: {
    title: "High latency",
    means: "Requests take longer than the latency objective: saturation, a slow dependency or a slow code path.",
    impact: "Pages load slowly; clients time out and retry, which adds load.",
    declareWhen: "p99 latency is above the objective for 10 minutes, or the latency SLO's fast-burn page fired",
    checks: (r) => [
      ...promqlIf("p99 latency per pod", latencyP99(r, "pod"), "All pods slow (a dependency, load) or one pod (its node, a noisy neighbour)."),
      ...promqlIf("Request rate", requestRate(r), "A traffic step up at the start of the incident."),
      { title: "CPU throttling per pod", lang: "promql", code: throttling(r), bad: "Above 0.25: the CPU limit slows requests; raise it or scale out." },
      { title: "Memory against the limit", lang: "promql", code: memoryVsLimit(r), bad: "Above 0.9: garbage collection pressure, OOM kills soon." },
      { title: "Resource use now", lang: "bash", code: kubectl(r, `top pods -l ${r.selector}`), bad: "CPU at the limit on every pod." },
      {
        title: "Timeouts in the logs (Loki)",
        lang: "logql",
        code: `sum by (pod) (count_over_time(${logStream(r)} |~ "(?i)(timeout|deadline exceeded|slow)" [5m]))`,
        bad: "Timeouts naming one dependency.",
      },
    ],
    mitigations: (ctx) => [
      rollbackStep(ctx),
      scaleOutStep(ctx),
      { title: "Shed load", text: "Turn off expensive features or rate-limit non-critical clients.", verify: "p99 latency falls under the objective." },
      { title: "Raise the CPU limit", text: "Through the pipeline (devops_kubernetes resources), not by editing the live object.", verify: "Throttling falls under 0.1." },
      failoverStep,
    ],
    escalation: ["No working mitigation after 15 minutes: page the secondary on-call.", "A slow dependency: page its owning team."],
    raiseWhen: "requests time out for most users of a critical journey",
    userSymptom: "notice slow responses or timeouts",
    chaos: forAll(["network_latency", "cpu_stress"]),
  },

  pod_crash_loop: {
    title: "Pods in a crash loop",
    means: "Containers exit repeatedly and Kubernetes restarts them with growing back-off.",
    impact: "Capacity drops; with every replica down the service is unavailable.",
    declareWhen: "more than one replica is in CrashLoopBackOff, or the scrape target is down",
    checks: (r) => [
      { title: "Restarts per pod", lang: "promql", code: restarts(r), bad: "More than 3 in 15 minutes." },
      { title: "Why the last container stopped", lang: "bash", code: kubectl(r, `describe pods -l ${r.selector}`) + " | grep -A5 'Last State'", bad: "Reason OOMKilled (memory limit), Error with an exit code, or probe failures in the events." },
      { title: "Logs of the crashed container", lang: "bash", code: kubectl(r, `logs ${r.workload} --previous --tail=100`), bad: "A stack trace, a missing configuration value or secret, a failed migration." },
      {
        title: "Containers OOM-killed",
        lang: "promql",
        code: `kube_pod_container_status_last_terminated_reason${podMatchers(r, ',reason="OOMKilled"')}`,
        bad: "Any series: the memory limit is too low or memory leaks.",
      },
      { title: "Probe failures", lang: "bash", code: kubectl(r, "get events --field-selector reason=Unhealthy --sort-by=.lastTimestamp") + " | tail -n 20", bad: "Liveness failures killing containers that start slowly." },
    ],
    mitigations: (ctx) => [
      rollbackStep(ctx),
      { title: "Restore the missing configuration", text: "A ConfigMap or Secret the new version needs: apply it through the pipeline.", verify: "Pods reach Ready and restarts stop." },
      { title: "Raise the memory limit", text: "For OOMKilled containers, through the pipeline; then find the leak.", verify: "No new OOMKilled reasons." },
      {
        title: "Give slow starts room",
        text: "If liveness probes kill containers that are still starting, add a startupProbe (devops_kubernetes probes) rather than lengthening liveness.",
        verify: "No Unhealthy events during start.",
      },
    ],
    escalation: ["No working mitigation after 15 minutes: page the secondary on-call."],
    raiseWhen: "every replica is down",
    userSymptom: "see errors or an unavailable service",
    chaos: forAll(["container_kill", "memory_stress"]),
  },

  node_failure: {
    title: "Node failure",
    means: "One or more cluster nodes are NotReady or gone: their pods are evicted and rescheduled.",
    impact: "Capacity drops until pods are rescheduled; services whose replicas shared the node lose more.",
    declareWhen: "a node is NotReady for 5 minutes and service pods were on it",
    checks: (r) => [
      { title: "Where the pods run", lang: "bash", code: kubectl(r, `get pods -l ${r.selector} -o wide`), bad: "All replicas on one node or one zone: topology spread is missing." },
      { title: "Disruption budget", lang: "bash", code: kubectl(r, "get pdb"), bad: "ALLOWED DISRUPTIONS 0 while pods are missing: drains will block." },
    ],
    shared: () => [
      { title: "Node status", lang: "bash", code: "kubectl get nodes -o wide", bad: "NotReady, SchedulingDisabled, or a node missing." },
      { title: "Node conditions", lang: "bash", code: "kubectl describe node <node> | grep -A8 Conditions", bad: "MemoryPressure, DiskPressure or PIDPressure True; kubelet stopped posting status." },
      { title: "Nodes not ready", lang: "promql", code: 'kube_node_status_condition{condition="Ready",status="true"} == 0', bad: "Any series." },
      { title: "Node events", lang: "bash", code: "kubectl get events -A --field-selector involvedObject.kind=Node --sort-by=.lastTimestamp | tail -n 20", bad: "NodeNotReady, Rebooted, or the autoscaler removing the node." },
    ],
    mitigations: (ctx) => [
      {
        title: "Move workloads off the node",
        code: "kubectl cordon <node>\nkubectl drain <node> --ignore-daemonsets --delete-emptydir-data --timeout=5m",
        verify: `The pods of ${ctx.refs.map((r) => r.name).join(", ")} are Running on other nodes.`,
      },
      scaleOutStep(ctx),
      { title: "Replace the node", text: "Terminate the instance and let the node group or cluster autoscaler replace it.", verify: "A new node joins and is Ready." },
    ],
    escalation: ["Page the platform team (cluster owners) when more than one node is affected."],
    raiseWhen: "a whole zone is lost or pods cannot be rescheduled",
    userSymptom: "see intermittent errors",
    chaos: { chaos_mesh: ["pod_failure"], litmus: ["pod_kill"] },
  },

  certificate_expiry: {
    title: "Certificate expiry",
    means: "A TLS certificate has expired or is about to, so clients refuse the connection.",
    impact: "Clients fail TLS handshakes: browsers show a warning, API clients error out.",
    declareWhen: "a certificate in use expires within 24 hours or has expired",
    checks: (r) => [
      { title: "cert-manager certificates", lang: "bash", code: kubectl(r, "get certificates"), bad: "READY False, or a renewal time in the past." },
      { title: "Why renewal fails", lang: "bash", code: kubectl(r, "describe certificaterequests") + " | tail -n 30", bad: "ACME challenge failing, issuer not ready, rate limits." },
      {
        title: "Certificates expiring within 7 days",
        lang: "promql",
        code: `certmanager_certificate_expiration_timestamp_seconds{namespace="${r.ns}"} - time() < 7 * 86400`,
        bad: "Any series.",
      },
    ],
    shared: () => [
      {
        title: "Expiry of the certificate served",
        lang: "bash",
        code: "echo | openssl s_client -connect <host>:443 -servername <host> 2>/dev/null | openssl x509 -noout -enddate -issuer",
        bad: "notAfter in the past, or an unexpected issuer.",
      },
      { title: "Probed expiry (blackbox exporter)", lang: "promql", code: "probe_ssl_earliest_cert_expiry - time() < 86400", bad: "Any series: under a day left." },
    ],
    mitigations: (ctx) => [
      {
        title: "Renew with cert-manager",
        code: each(ctx, (r) => `cmctl renew -n ${r.ns} <certificate>`),
        verify: "The Certificate is READY True with a new notAfter.",
      },
      { title: "Fix the issuer", text: "Repair the ACME challenge path (Ingress, DNS record) or the issuer's credentials, then renew again.", verify: "The CertificateRequest is approved and ready." },
      {
        title: "Reload the certificate",
        text: "Workloads that read the certificate only at start need a restart.",
        code: each(ctx, (r) => kubectl(r, `rollout restart ${r.workload}`)),
        verify: "openssl shows the new notAfter.",
      },
    ],
    escalation: ["Page the owner of the issuer or DNS zone when renewal is blocked outside the cluster."],
    raiseWhen: "the certificate of a customer-facing endpoint has expired",
    userSymptom: "see security warnings or connection errors",
    chaos: forAll([]),
    chaosNote: "No chaos experiment is written for certificate expiry: rehearse it in staging with a certificate of a few hours' lifetime, or with Chaos Mesh TimeChaos (clock skew) by hand.",
  },

  disk_full: {
    title: "Disk full",
    means: "A volume or a node's filesystem is (nearly) full: writes fail, the kubelet evicts pods.",
    impact: "Writes and logs fail; databases stop accepting writes; pods are evicted.",
    declareWhen: "a volume used by the service is above 90 % full, or pods are evicted for disk pressure",
    checks: (r) => [
      { title: "Volume claims", lang: "bash", code: kubectl(r, "get pvc"), bad: "A claim Pending, or one near its capacity." },
      {
        title: "Free space per volume",
        lang: "promql",
        code: `kubelet_volume_stats_available_bytes{namespace="${r.ns}"} / kubelet_volume_stats_capacity_bytes{namespace="${r.ns}"}`,
        bad: "Under 0.1.",
      },
      {
        title: "Volumes that fill within 4 hours",
        lang: "promql",
        code: `predict_linear(kubelet_volume_stats_available_bytes{namespace="${r.ns}"}[6h], 4 * 3600) < 0`,
        bad: "Any series.",
      },
      { title: "What uses the space", lang: "bash", code: kubectl(r, `exec ${r.workload} -- df -h`), bad: "A mount at 100 %." },
      { title: "Evictions", lang: "bash", code: kubectl(r, "get events --field-selector reason=Evicted"), bad: "Pods evicted for ephemeral storage." },
    ],
    shared: () => [
      {
        title: "Node root filesystems",
        lang: "promql",
        code: 'node_filesystem_avail_bytes{mountpoint="/",fstype!="tmpfs"} / node_filesystem_size_bytes{mountpoint="/",fstype!="tmpfs"}',
        bad: "Under 0.1 on any node.",
      },
    ],
    mitigations: (ctx) => [
      { title: "Free space", text: "Delete rotated logs and temporary files; for PostgreSQL, check replication slots holding WAL.", verify: "Free space above 20 %." },
      {
        title: "Expand the volume",
        text: "Works when the StorageClass allows volume expansion.",
        code: each(ctx, (r) => kubectl(r, `patch pvc <claim> -p '{"spec":{"resources":{"requests":{"storage":"<new size>"}}}}'`)),
        verify: "The claim shows the new capacity.",
      },
      { title: "Lower retention", text: "Shorten log or data retention through the pipeline.", verify: "The fill rate (predict_linear) no longer reaches zero." },
    ],
    escalation: ["Page the database owner when a database volume is affected."],
    raiseWhen: "writes fail for all users",
    userSymptom: "see errors when saving data",
    chaos: forAll([]),
    chaosNote: "No chaos experiment is written for disk full: Chaos Mesh IOChaos or filling a volume in staging rehearses it; do that by hand with the team present.",
  },

  dependency_outage: {
    title: "Dependency outage",
    means: "A service this one depends on (internal, third-party or a cloud API) fails or is unreachable.",
    impact: "Features that need the dependency fail; without timeouts and circuit breakers, the whole service slows down.",
    declareWhen: "errors name the same dependency for 5 minutes, or its provider declares an incident",
    checks: (r) => [
      {
        title: "Errors naming a dependency (Loki)",
        lang: "logql",
        code: `${logStream(r)} |~ "(?i)(timeout|connection refused|503|unavailable|circuit)"`,
        bad: "One host or client name in most lines.",
      },
      ...promqlIf("Error ratio per pod", errorRatio(r, "pod"), "All pods alike: a shared dependency."),
      { title: "DNS from inside the namespace", lang: "bash", code: kubectl(r, `run dnscheck-${r.name} --rm -it --restart=Never --image=busybox:1.36 -- nslookup <dependency host>`), bad: "NXDOMAIN or a timeout." },
    ],
    mitigations: (ctx) => [
      { title: "Degrade gracefully", text: "Turn on the fallback: serve cached data, queue writes, hide the feature behind its flag.", verify: "The error ratio of the unaffected features returns to normal." },
      { title: "Fail over to the secondary provider or region", text: "If the dependency has one.", verify: "Requests to the dependency succeed.", approval: true },
      { title: "Shed load to the dependency", text: "Lower retries (retry storms prolong outages), open the circuit breaker.", verify: "Outbound request rate falls; the dependency recovers faster." },
      rollbackStep(ctx),
    ],
    escalation: ["Page the owning team of an internal dependency at once.", "Open a ticket with the third-party provider and follow its status page."],
    raiseWhen: "the dependency is needed by a critical journey and has no fallback",
    userSymptom: "see errors in some features",
    chaos: forAll(["network_latency", "network_loss"]),
  },

  deployment_failure: {
    title: "Deployment failure",
    means: "A rollout does not complete or leaves the service degraded: new pods fail, or a release is stuck.",
    impact: "Mixed versions serve traffic; a stuck rollout blocks fixes.",
    declareWhen: "the rollout exceeded its progress deadline, or the error ratio rose during the deploy",
    checks: (r) => [
      { title: "Rollout progress", lang: "bash", code: kubectl(r, `rollout status ${r.workload} --timeout=60s`), bad: "'exceeded its progress deadline', or waiting on unavailable replicas." },
      { title: "ReplicaSets of the rollout", lang: "bash", code: kubectl(r, `get rs -l ${r.selector}`), bad: "The new ReplicaSet with fewer ready pods than desired." },
      { title: "Image and scheduling errors", lang: "bash", code: kubectl(r, "get events --field-selector type=Warning --sort-by=.lastTimestamp") + " | tail -n 20", bad: "ErrImagePull, ImagePullBackOff, FailedScheduling, FailedCreate (quota, admission)." },
      { title: "Helm release state", lang: "bash", code: `helm -n ${r.ns} status ${r.name}`, bad: "STATUS failed or pending-upgrade: the release is stuck." },
      ...promqlIf("Errors by version during the rollout", errorRatio(r, "pod"), "New pods (newest ReplicaSet hash) erroring more than the old ones."),
    ],
    mitigations: (ctx) => [
      rollbackStep(ctx),
      {
        title: "Unstick a Helm release",
        text: "A release in pending-upgrade blocks the next deploy: roll back to the last deployed revision.",
        code: each(ctx, (r) => `helm -n ${r.ns} rollback ${r.name} <last deployed revision> --wait --timeout 5m`),
        verify: "helm status shows deployed.",
      },
      { title: "Fix forward", text: "Only when a rollback is impossible (an irreversible migration) and the fix is small.", verify: "The new rollout completes and the SLIs recover.", approval: true },
    ],
    escalation: ["Page the team that owns the change; block further deploys until the pipeline is green."],
    raiseWhen: "the previous version cannot be restored",
    userSymptom: "see errors during an update",
    chaos: { chaos_mesh: ["pod_failure"], litmus: ["pod_kill"] },
  },

  data_loss: {
    title: "Data loss",
    means: "Data was deleted, overwritten or corrupted, or cannot be read back.",
    impact: "Users miss data or see wrong data; legal and contractual duties may apply.",
    declareWhen: "any confirmed loss or corruption of user data",
    minSev: 1,
    checks: (r) => [
      {
        title: "Destructive statements or deletes in the logs (Loki)",
        lang: "logql",
        code: `${logStream(r)} |~ "(?i)(delete|drop|truncate|purge)"`,
        bad: "Deletes at the start of the loss window: the write path that destroys data.",
      },
      { title: "Backups of the namespace (Velero)", lang: "bash", code: `velero backup get --selector velero.io/schedule-name=${r.ns}-backup`, bad: "No completed backup before the loss window." },
    ],
    shared: () => [
      {
        title: "Point-in-time window (RDS)",
        lang: "bash",
        code: "aws rds describe-db-instances --db-instance-identifier <instance> --query 'DBInstances[0].[LatestRestorableTime,BackupRetentionPeriod]'\naws rds describe-db-snapshots --db-instance-identifier <instance> --query 'DBSnapshots[-3:].[DBSnapshotIdentifier,SnapshotCreateTime]'",
        bad: "A restorable time before the loss started is missing; no recent snapshot.",
      },
    ],
    mitigations: (ctx) => [
      {
        title: "Stop the destruction",
        text: "Stop the write path that loses data: scale the writer to zero or turn off the feature.",
        code: each(ctx, (r) => kubectl(r, `scale ${r.workload} --replicas=0`)),
        verify: "No more deletes or corrupt writes in the logs.",
        approval: true,
      },
      { title: "Preserve evidence", text: "Take a snapshot now, before any repair, so nothing else is lost.", code: "aws rds create-db-snapshot --db-instance-identifier <instance> --db-snapshot-identifier <incident-id>-before-repair", verify: "The snapshot is available." },
      {
        title: "Restore to a new instance",
        text: "Restore to a point just before the loss, next to production, and copy the missing data back; never restore over production.",
        code: "aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier <instance> --target-db-instance-identifier <instance>-restore --restore-time <UTC time before the loss>",
        verify: "Row counts and checksums of the affected tables match the last known good figures.",
        approval: true,
      },
    ],
    escalation: ["Page the database owner and the incident commander at once.", "Inform the legal or privacy owner when personal data is affected."],
    raiseWhen: "always SEV1 while the extent is unknown",
    userSymptom: "see missing or out-of-date data",
    chaos: forAll([]),
    chaosNote: "No chaos experiment is written for data loss: rehearse it with the restore drill of the recovery plan.",
  },

  security_incident: {
    title: "Security incident",
    means: "Suspected unauthorised access, a compromised workload or credential, or data exposure.",
    impact: "Confidentiality or integrity at risk; the scope is unknown until investigated.",
    declareWhen: "any credible sign of compromise: unexpected exec sessions, unknown images, leaked credentials, exfiltration",
    minSev: 1,
    checks: (r) => [
      {
        title: "Images actually running",
        lang: "bash",
        code: kubectl(r, `get pods -l ${r.selector} -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.containerStatuses[*].imageID}{"\\n"}{end}'`),
        bad: "An image digest that the pipeline did not build.",
      },
      { title: "What the service account may do", lang: "bash", code: `kubectl auth can-i --list --as=system:serviceaccount:${r.ns}:${r.name} -n ${r.ns}`, bad: "Secrets, exec or wildcard permissions it does not need." },
      {
        title: "Shells and downloads in the logs (Loki)",
        lang: "logql",
        code: `${logStream(r)} |~ "(?i)(/bin/sh|bash -c|curl |wget |base64 -d)"`,
        bad: "Shell commands or downloads that the application never runs.",
      },
    ],
    shared: () => [
      { title: "Exec and port-forward sessions (audit log)", lang: "bash", code: "kubectl get events -A --field-selector reason=Exec", bad: "Sessions nobody can account for; check the API server audit log too." },
    ],
    mitigations: (ctx) => [
      {
        title: "Contain, keep evidence",
        text: "Isolate suspect pods with a deny-all NetworkPolicy that selects a quarantine label, then take them out of the Service; do not delete them before evidence is copied.",
        code: each(ctx, (r) => `${kubectl(r, "label pod <pod> quarantine=true")}\n${kubectl(r, "label pod <pod> app.kubernetes.io/name-")}`),
        verify: "The pods receive no traffic and make no outbound connections.",
        approval: true,
      },
      { title: "Rotate exposed credentials", text: "Rotate every credential the workload could read; revoke tokens and sessions.", verify: "Old credentials are rejected." },
      { title: "Redeploy from a known-good build", text: "Redeploy the last pipeline-built image digest.", code: each(ctx, (r) => kubectl(r, `rollout undo ${r.workload}`)), verify: "Running image digests match the pipeline's." },
    ],
    escalation: ["Page the security team at once; they lead the response.", "Inform the legal or privacy owner when data exposure is possible."],
    raiseWhen: "always SEV1 until the security team lowers it",
    userSymptom: "see parts of the service unavailable while we investigate",
    chaos: forAll([]),
    chaosNote: "No chaos experiment is written for security incidents: rehearse them with a tabletop exercise.",
  },
};

export function profileOf(type: string): { profile: Profile; known: boolean } {
  const p = (PROFILES as Record<string, Profile | undefined>)[type];
  return p ? { profile: p, known: true } : { profile: GENERIC, known: false };
}

/** Profiles for alerts that are not an incident type of their own. */
export const ALERT_PROFILES: Record<"saturation" | "target_down", Profile> = {
  saturation: {
    title: "Saturation",
    means: "The service runs close to a resource limit (CPU, memory, connections): latency and errors follow if load grows.",
    impact: "None yet, or slower responses; the next traffic peak may cause errors.",
    declareWhen: "latency or errors rise together with the saturation",
    checks: (r) => [
      { title: "CPU throttling per pod", lang: "promql", code: throttling(r), bad: "Above 0.25." },
      { title: "Memory against the limit", lang: "promql", code: memoryVsLimit(r), bad: "Above 0.9." },
      ...promqlIf("Request rate", requestRate(r), "A sustained traffic step up."),
      { title: "Resource use now", lang: "bash", code: kubectl(r, `top pods -l ${r.selector}`), bad: "CPU or memory at the limit on every pod." },
      { title: "Autoscaler state", lang: "bash", code: kubectl(r, "get hpa"), bad: "REPLICAS at MAXPODS, or TARGETS unknown." },
    ],
    mitigations: (ctx) => [
      scaleOutStep(ctx),
      { title: "Raise limits or the autoscaler's maximum", text: "Through the pipeline (devops_kubernetes resources and HPA).", verify: "Saturation falls below 0.8." },
      rollbackStep(ctx),
    ],
    escalation: ["Ticket: handle in business hours unless latency or errors rise; then follow the high_latency runbook."],
    raiseWhen: "latency or error SLOs start burning",
    userSymptom: "notice slow responses",
    chaos: forAll(["cpu_stress"]),
  },
  target_down: {
    title: "Scrape target down",
    means: "Prometheus cannot scrape the service: the pods are down, or the scrape path is broken (port, NetworkPolicy, ServiceMonitor).",
    impact: "If the pods are down, users see errors; if only scraping broke, alerting is blind for this service.",
    declareWhen: "the pods are not Ready as well",
    checks: (r) => [
      { title: "Targets down", lang: "promql", code: `up{job="${r.job}"} == 0`, bad: "Any series; all instances means the service or the scrape config." },
      { title: "Service endpoints", lang: "bash", code: kubectl(r, `get endpointslices -l kubernetes.io/service-name=${r.name}`), bad: "No ready endpoints." },
      { title: "Restarts per pod", lang: "promql", code: restarts(r), bad: "Pods restarting: follow the pod_crash_loop runbook." },
      r.staticTarget
        ? { title: "Metrics endpoint of the static target", lang: "bash", code: `curl -sS --max-time 5 ${r.metricsUrl} | head -n 5`, bad: "Connection refused or a timeout: the exporter is down or unreachable from Prometheus." }
        : { title: "Metrics endpoint from inside the pod", lang: "bash", code: `${kubectl(r, `exec ${r.workload} -- wget -qO- ${r.metricsUrl}`)} | head -n 5`, bad: "Connection refused: the metrics port or path changed." },
    ],
    mitigations: (ctx) => [
      rollbackStep(ctx),
      { title: "Repair the scrape path", text: "Restore the metrics port name, the ServiceMonitor or the NetworkPolicy that lets Prometheus in, through the pipeline.", verify: "up returns 1 for every instance." },
    ],
    escalation: ["Page the platform team when Prometheus itself cannot scrape several services."],
    raiseWhen: "the pods are down for most users",
    userSymptom: "see errors",
    chaos: forAll(["pod_kill"]),
  },
};

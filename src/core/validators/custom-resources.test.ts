import { describe, expect, it } from "vitest";
import type { Result } from "../result.js";
import { CHAOS_MODES, CUSTOM_RESOURCES, POD_CHAOS_ACTIONS } from "./custom-resources.js";
import { KUBERNETES_TOOL, validateKubernetes } from "./kubernetes.js";

const lines = (r: Result<null>) => r.errors.map((e) => `${e.line ?? "-"}: ${e.message}`);

const SERVICE_MONITOR = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: { app: api }
  namespaceSelector:
    matchNames: [shop]
  endpoints:
    - port: http
      path: /metrics
      interval: 30s
`;

const PROMETHEUS_RULE = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: api-slo
  namespace: shop
spec:
  groups:
    - name: api-slo
      rules:
        - record: slo:sli_error:ratio_rate5m
          expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
        - alert: ApiErrorBudgetBurn
          expr: slo:sli_error:ratio_rate5m > (14.4 * 0.001)
          for: 2m
          labels: { severity: page }
`;

const POD_CHAOS = `apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata:
  name: api-pod-kill
  namespace: shop
spec:
  action: pod-kill
  mode: fixed
  value: "1"
  selector:
    namespaces: [shop]
    labelSelectors: { app: api }
`;

const OTHERS: Record<string, string> = {
  NetworkChaos: `apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: api-latency, namespace: shop }
spec:
  action: delay
  mode: all
  selector: { namespaces: [shop], labelSelectors: { app: api } }
  delay: { latency: 200ms, jitter: 20ms, correlation: "25" }
  direction: to
  target:
    mode: all
    selector: { namespaces: [shop], labelSelectors: { app: db } }
  duration: 5m
`,
  StressChaos: `apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: { name: api-cpu, namespace: shop }
spec:
  mode: one
  selector: { labelSelectors: { app: api } }
  stressors:
    cpu: { workers: 2, load: 80 }
    memory: { workers: 1, size: 256MB }
  duration: 10m
`,
  IOChaos: `apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: db-io, namespace: shop }
spec:
  action: latency
  mode: one
  selector: { labelSelectors: { app: db } }
  volumePath: /var/lib/postgresql/data
  path: /var/lib/postgresql/data/**/*
  delay: 100ms
  percent: 50
  methods: [read, write]
  duration: 5m
`,
  HTTPChaos: `apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: api-abort, namespace: shop }
spec:
  mode: all
  selector: { labelSelectors: { app: api } }
  target: Request
  port: 8080
  path: /checkout
  method: POST
  abort: true
  duration: 5m
`,
  TimeChaos: `apiVersion: chaos-mesh.org/v1alpha1
kind: TimeChaos
metadata: { name: clock-skew, namespace: shop }
spec:
  mode: one
  selector: { labelSelectors: { app: api } }
  timeOffset: -10m
  clockIds: [CLOCK_REALTIME]
  duration: 5m
`,
  Schedule: `apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata: { name: weekly-pod-kill, namespace: shop }
spec:
  schedule: "0 10 * * 2"
  concurrencyPolicy: Forbid
  historyLimit: 5
  type: PodChaos
  podChaos:
    action: pod-kill
    mode: one
    selector: { namespaces: [shop], labelSelectors: { app: api } }
`,
  ChaosEngine: `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata: { name: api-pod-delete, namespace: shop }
spec:
  engineState: active
  appinfo: { appns: shop, applabel: app=api, appkind: deployment }
  chaosServiceAccount: pod-delete-sa
  jobCleanUpPolicy: delete
  experiments:
    - name: pod-delete
      spec:
        components:
          env:
            - { name: TOTAL_CHAOS_DURATION, value: "60" }
            - { name: CHAOS_INTERVAL, value: "10" }
        probe:
          - name: error-budget-holds
            type: promProbe
            mode: Continuous
            runProperties: { probeTimeout: 5s, interval: 10s, retry: 1, stopOnFailure: true }
            promProbe/inputs:
              endpoint: http://prometheus.monitoring:9090
              query: sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
              comparator: { type: float, criteria: "<=", value: "0.02" }
`,
  "velero Schedule": `apiVersion: velero.io/v1
kind: Schedule
metadata: { name: shop-daily, namespace: velero }
spec:
  schedule: "0 2 * * *"
  useOwnerReferencesInBackup: false
  template:
    includedNamespaces: [shop]
    snapshotVolumes: true
    storageLocation: default
    ttl: 720h0m0s
    hooks:
      resources:
        - name: fsfreeze
          includedNamespaces: [shop]
          pre:
            - exec: { container: db, command: [/sbin/fsfreeze, --freeze, /var/lib/postgresql/data], onError: Fail, timeout: 30s }
`,
  Backup: `apiVersion: velero.io/v1
kind: Backup
metadata: { name: shop-drill, namespace: velero }
spec:
  includedNamespaces: [shop]
  labelSelector:
    matchExpressions:
      - { key: app, operator: In, values: [api, db] }
  defaultVolumesToFsBackup: true
  ttl: 72h
`,
};

describe("prometheus-operator objects", () => {
  it("validates a ServiceMonitor with @kubernetes-models/prometheus-operator", async () => {
    expect(KUBERNETES_TOOL).toContain("@kubernetes-models/prometheus-operator 4.4.4");
    expect(await validateKubernetes(SERVICE_MONITOR, "sm.yaml")).toEqual({ ok: true, value: null, warnings: [], errors: [] });
  });

  it("fails a field of the wrong type, a misspelled field, and a missing name", async () => {
    const r = await validateKubernetes(SERVICE_MONITOR.replace("port: http", "port: 8080").replace("interval: 30s", "intervl: 30s"), "sm.yaml");
    expect(lines(r)).toEqual(["12: ServiceMonitor api: spec.endpoints[0].port must be string", "14: ServiceMonitor api: spec.endpoints[0].intervl: unknown field 'intervl'. Did you mean interval?"]);
    const noName = await validateKubernetes(SERVICE_MONITOR.replace("  name: api\n", ""), "sm.yaml");
    expect(noName.errors[0]?.message).toMatch(/metadata\.name is required/);
  });

  it("warns, without failing, about a field the 4.4.4 schema does not know and no known field resembles", async () => {
    const r = await validateKubernetes(SERVICE_MONITOR.replace("      interval: 30s\n", "      interval: 30s\n      scrapeProtocols: [PrometheusProto]\n"), "sm.yaml");
    expect(r.ok).toBe(true);
    expect(r.warnings[0]?.message).toMatch(/spec\.endpoints\[0\]\.scrapeProtocols: field 'scrapeProtocols' is not in the @kubernetes-models\/prometheus-operator 4\.4\.4 schema/);
  });

  it("runs a PrometheusRule's groups through promtool, locating the rule", async () => {
    expect((await validateKubernetes(PROMETHEUS_RULE, "rule.yaml")).errors).toEqual([]);
    const r = await validateKubernetes(PROMETHEUS_RULE.replace("> (14.4 * 0.001)", "> (14.4 * 0.001"), "rule.yaml");
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 13, kind: "promtool" });
    expect(r.errors[0]?.message).toMatch(/^PrometheusRule api-slo: promtool check rules: group "api-slo", rule 2, "ApiErrorBudgetBurn": could not parse expression/);
    const wrongType = await validateKubernetes(PROMETHEUS_RULE.replace("for: 2m", "for: [2m]"), "rule.yaml");
    expect(wrongType.errors[0]?.message).toMatch(/spec\.groups\[0\]\.rules\[1\]\.for must be string/);
  });
});

describe("Chaos Mesh, LitmusChaos and Velero objects", () => {
  it("accepts valid objects of every modelled kind", async () => {
    expect((await validateKubernetes(POD_CHAOS, "pod-chaos.yaml")).errors).toEqual([]);
    for (const [name, doc] of Object.entries(OTHERS)) {
      const r = await validateKubernetes(doc, `${name}.yaml`);
      expect({ name, errors: lines(r), warnings: r.warnings }).toEqual({ name, errors: [], warnings: [] });
    }
    expect(Object.keys(CUSTOM_RESOURCES)).toHaveLength(10);
  });

  it("fails a PodChaos with a bad action, naming the valid actions, and an unknown field with a suggestion", async () => {
    const r = await validateKubernetes(POD_CHAOS.replace("action: pod-kill", "action: pod-explode").replace("  selector:", "  selecter:"), "pod-chaos.yaml");
    expect(lines(r)).toEqual([
      // A missing field is located at its parent.
      "6: PodChaos api-pod-kill: spec.selector: required field is missing",
      '7: PodChaos api-pod-kill: spec.action: "pod-explode" is not one of pod-failure, pod-kill, container-kill',
      "10: PodChaos api-pod-kill: spec: unknown field 'selecter'. Did you mean selector?",
    ]);
    expect(POD_CHAOS_ACTIONS).toEqual(["pod-failure", "pod-kill", "container-kill"]);
  });

  it("enforces the webhook rules: mode values, pod-failure duration, container-kill containers, durations", async () => {
    const mode = await validateKubernetes(POD_CHAOS.replace("mode: fixed", "mode: some"), "p.yaml");
    expect(lines(mode)).toEqual([`8: PodChaos api-pod-kill: spec.mode: "some" is not one of ${CHAOS_MODES.join(", ")}`]);
    const percent = await validateKubernetes(POD_CHAOS.replace("mode: fixed", "mode: fixed-percent").replace('value: "1"', 'value: "150"'), "p.yaml");
    expect(lines(percent)).toEqual(["9: PodChaos api-pod-kill: spec.value: mode fixed-percent needs a percentage from 0 to 100, not '150'"]);
    const failure = await validateKubernetes(POD_CHAOS.replace("action: pod-kill", "action: pod-failure"), "p.yaml");
    expect(failure.errors[0]?.message).toBe("PodChaos api-pod-kill: spec.duration: action pod-failure needs a duration (the pods stay failed for that long)");
    const container = await validateKubernetes(POD_CHAOS.replace("action: pod-kill", "action: container-kill"), "p.yaml");
    expect(container.errors[0]?.message).toMatch(/container-kill needs containerNames/);
    const duration = await validateKubernetes(OTHERS["NetworkChaos"]!.replace("duration: 5m", "duration: 5 minutes"), "n.yaml");
    expect(duration.errors[0]?.message).toMatch(/spec\.duration: must be a duration such as 30s/);
    const block = await validateKubernetes(OTHERS["NetworkChaos"]!.replace("action: delay", "action: loss"), "n.yaml");
    expect(block.errors[0]?.message).toBe("NetworkChaos api-latency: spec.loss: action loss needs its loss block");
  });

  it("checks a Schedule's embedded spec against its type", async () => {
    const wrong = await validateKubernetes(OTHERS["Schedule"]!.replace("type: PodChaos", "type: NetworkChaos"), "s.yaml");
    expect(wrong.errors.map((e) => e.message)).toEqual([
      "Schedule weekly-pod-kill: spec.networkChaos: type NetworkChaos needs its spec under networkChaos",
      "Schedule weekly-pod-kill: spec.podChaos: podChaos is set but type is NetworkChaos; a Schedule runs one kind",
    ]);
    const embedded = await validateKubernetes(OTHERS["Schedule"]!.replace("action: pod-kill", "action: kill"), "s.yaml");
    expect(embedded.errors[0]?.message).toMatch(/spec\.podChaos\.action: "kill" is not one of pod-failure/);
    const cron = await validateKubernetes(OTHERS["Schedule"]!.replace('"0 10 * * 2"', '"every tuesday"'), "s.yaml");
    expect(cron.errors[0]?.message).toMatch(/spec\.schedule: must be a cron schedule/);
  });

  it("fails a ChaosEngine probe without its inputs and a comparator with a bad criteria", async () => {
    const doc = OTHERS["ChaosEngine"]!;
    const r = await validateKubernetes(doc.replace("type: promProbe", "type: httpProbe"), "e.yaml");
    expect(r.errors.map((e) => e.message)).toEqual([
      "ChaosEngine api-pod-delete: spec.experiments[0].spec.probe[0].httpProbe/inputs: a httpProbe needs 'httpProbe/inputs'",
      "ChaosEngine api-pod-delete: spec.experiments[0].spec.probe[0].promProbe/inputs: 'promProbe/inputs' is set but the probe type is httpProbe",
    ]);
    const criteria = await validateKubernetes(doc.replace('criteria: "<="', "criteria: contains"), "e.yaml");
    expect(criteria.errors[0]?.message).toMatch(/criteria 'contains' is not one of >=, <=, ==, >, <, !=, oneOf, between \(for type float\)/);
    const noSa = await validateKubernetes(doc.replace("  chaosServiceAccount: pod-delete-sa\n", ""), "e.yaml");
    expect(noSa.errors[0]?.message).toBe("ChaosEngine api-pod-delete: spec.chaosServiceAccount: required field is missing");
  });

  it("fails a Velero Backup with a misspelled field and a bad ttl", async () => {
    const r = await validateKubernetes(OTHERS["Backup"]!.replace("includedNamespaces", "includeNamespaces").replace("ttl: 72h", "ttl: 3 days"), "b.yaml");
    expect(lines(r).sort()).toEqual([
      "10: Backup shop-drill: spec.ttl: must be a duration such as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)",
      "5: Backup shop-drill: spec: unknown field 'includeNamespaces'. Did you mean includedNamespaces?",
    ]);
    const hook = await validateKubernetes(OTHERS["velero Schedule"]!.replace("onError: Fail", "onError: Abort"), "s.yaml");
    expect(hook.errors[0]?.message).toMatch(/onError: "Abort" is not one of Continue, Fail/);
  });

  it("keeps metadata checks, and warns about kinds of these projects that are not modelled", async () => {
    const bad = await validateKubernetes(POD_CHAOS.replace("name: api-pod-kill", "name: Api_Pod_Kill").replace("namespace: shop", "namespace: Shop"), "p.yaml");
    expect(lines(bad)).toEqual([
      "4: PodChaos Api_Pod_Kill: metadata.name 'Api_Pod_Kill' is not a valid DNS subdomain",
      "5: PodChaos Api_Pod_Kill: metadata.namespace \"Shop\" is not a valid DNS label (lower-case letters, digits and '-', 63 characters at most)",
    ]);
    const dns = await validateKubernetes("apiVersion: chaos-mesh.org/v1alpha1\nkind: DNSChaos\nmetadata: { name: d }\nspec: {}\n", "d.yaml");
    expect(dns.ok).toBe(true);
    expect(dns.warnings[0]?.message).toMatch(/Chaos Mesh chaos-mesh\.org\/v1alpha1 DNSChaos has no schema here \(checked: PodChaos, NetworkChaos/);
  });
});

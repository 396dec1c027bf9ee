import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Artifact, ArtifactKind } from "../plans/plan.js";
import { artifact } from "../plans/plan.js";
import type { Result } from "../result.js";
import {
  alertmanagerConfigValidator,
  PROMETHEUS_INSTALL_HINT,
  prometheusConfigValidator,
  prometheusRulesValidator,
  promtoolRuleGroups,
  validateAlertmanagerConfigs,
  validatePrometheusConfigs,
  validatePrometheusRules,
  validatePrometheusRuleTests,
} from "./prometheus.js";

// These tests run the real promtool and amtool (Debian packages prometheus and
// prometheus-alertmanager). Without them every check below fails with a
// tool-missing error that names the apt command.

const RULES_DIR = "monitoring/prometheus/rules";

const RECORDING = `groups:
  - name: api-slo
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
`;

const ALERTS = `groups:
  - name: api-alerts
    rules:
      - alert: ApiHighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels:
          severity: page
          team: shop
        annotations:
          summary: API error rate above 5%
          runbook_url: https://runbooks.example.com/runbooks/alerts/ApiHighErrorRate.md
`;

const CONFIG = `global:
  scrape_interval: 30s
  evaluation_interval: 30s
rule_files:
  - rules/*.rules.yml
scrape_configs:
  - job_name: api
    static_configs:
      - targets: ["api.shop.svc:8080"]
`;

const TEST = `rule_files:
  - ../rules/api-alerts.rules.yml
evaluation_interval: 1m
tests:
  - name: errors page
    interval: 1m
    input_series:
      - series: 'http_requests_total{code="500"}'
        values: '0+10x30'
      - series: 'http_requests_total{code="200"}'
        values: '0+90x30'
    alert_rule_test:
      - eval_time: 20m
        alertname: ApiHighErrorRate
        exp_alerts:
          - exp_labels: { severity: page, team: shop }
            exp_annotations:
              summary: API error rate above 5%
              runbook_url: https://runbooks.example.com/runbooks/alerts/ApiHighErrorRate.md
  - name: healthy service alerts nothing
    interval: 1m
    input_series:
      - series: 'http_requests_total{code="200"}'
        values: '0+100x30'
    alert_rule_test:
      - eval_time: 20m
        alertname: ApiHighErrorRate
        exp_alerts: []
`;

const ALERTMANAGER = `route:
  receiver: default
  group_by: [alertname, team]
  routes:
    - matchers: ['severity="page"']
      receiver: pagerduty
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="ticket"']
    equal: [alertname, team]
receivers:
  - name: default
  - name: pagerduty
    pagerduty_configs:
      - routing_key_file: /etc/alertmanager/secrets/pagerduty-routing-key
        description: '{{ template "devops-pack.title" . }}'
templates:
  - templates/*.tmpl
`;

const TEMPLATE = '{{ define "devops-pack.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ end }}\n';

function a(path: string, kind: ArtifactKind, content: string): Artifact {
  return artifact(path, kind, content);
}

const rules = a(`${RULES_DIR}/api-alerts.rules.yml`, "prometheus-rules", ALERTS);
const recording = a(`${RULES_DIR}/api-slo.rules.yml`, "prometheus-rules", RECORDING);
const config = a("monitoring/prometheus/prometheus.yml", "prometheus-config", CONFIG);
const ruleTest = a("monitoring/prometheus/tests/api-alerts.test.yml", "prometheus-rule-test", TEST);
const alertmanager = a("monitoring/alertmanager/alertmanager.yml", "alertmanager-config", ALERTMANAGER);
const template = a("monitoring/alertmanager/templates/devops-pack.tmpl", "alertmanager-config", TEMPLATE);
const PLAN = [config, rules, recording, ruleTest, alertmanager, template];

function only(results: Map<string, Result<null>>, path: string): Result<null> {
  const r = results.get(path);
  if (!r) throw new Error(`no result for ${path}; got ${[...results.keys()].join(", ")}`);
  return r;
}

describe("prometheus-rules: promtool check rules", () => {
  it("passes good rule files and maps a bad expression back to its file, line and column, in one batch", async () => {
    const bad = a(`${RULES_DIR}/broken.rules.yml`, "prometheus-rules", ALERTS.replace("> 0.05", "> ").replace("sum(rate(", "sum(rate(("));
    const results = await validatePrometheusRules([rules, recording, bad]);
    expect(only(results, rules.path).errors).toEqual([]);
    expect(only(results, recording.path).errors).toEqual([]);
    const r = only(results, bad.path);
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ path: bad.path, line: 5, kind: "promtool" });
    expect(r.errors[0]?.message).toMatch(/^group "api-alerts", rule 1, "ApiHighErrorRate": could not parse expression: .*parse error/);
  });

  it("reports YAML syntax errors with their line, and a bad duration through promtool", async () => {
    const syntax = a(`${RULES_DIR}/syntax.rules.yml`, "prometheus-rules", "groups:\n  - name: g\n    rules:\n  - record: [\n");
    const duration = a(`${RULES_DIR}/duration.rules.yml`, "prometheus-rules", ALERTS.replace("for: 5m", "for: 5 minutes"));
    const results = await validatePrometheusRules([syntax, duration]);
    expect(only(results, syntax.path).errors[0]).toMatchObject({ kind: "syntax", line: 5 });
    expect(only(results, duration.path).errors[0]?.message).toMatch(/not a valid duration string: "5 minutes"/);
  });

  it("keeps promtool's duplicate-rule lint as a warning", async () => {
    const dup = a(`${RULES_DIR}/dup.rules.yml`, "prometheus-rules", `${RECORDING}      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m]))\n`);
    const r = only(await validatePrometheusRules([dup]), dup.path);
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toMatchObject({ kind: "lint" });
    expect(r.warnings[0]?.message).toMatch(/duplicate rule/);
  });

  it("refuses a path that climbs out of the plan or is absolute", async () => {
    const results = await validatePrometheusRules([a("../outside.rules.yml", "prometheus-rules", RECORDING), a("/etc/x.rules.yml", "prometheus-rules", RECORDING)]);
    expect(only(results, "../outside.rules.yml").errors[0]).toMatchObject({ kind: "unsafe-path" });
    expect(only(results, "../outside.rules.yml").errors[0]?.message).toMatch(/'\.\.'/);
    expect(only(results, "/etc/x.rules.yml").errors[0]?.message).toMatch(/absolute/);
  });

  it("checks PrometheusRule groups held in another document", async () => {
    const good = await promtoolRuleGroups([{ name: "g", rules: [{ record: "x:up", expr: "sum(up)" }] }], "api");
    expect(good.errors).toEqual([]);
    const bad = await promtoolRuleGroups([{ name: "g", rules: [{ alert: "A", expr: "up ==" }] }], "api");
    expect(bad.errors[0]?.message).toMatch(/^group "g", rule 1, "A": could not parse expression/);
    expect(bad.errors[0]?.line).toBeUndefined();
  });

  it("names the real promtool version in its tool string", async () => {
    const v = await prometheusRulesValidator();
    expect(v.kind).toBe("prometheus-rules");
    expect(v.tool).toMatch(/^promtool \d+\.\d+\.\d+\S* check rules$/);
  });
});

describe("prometheus-config: promtool check config over the plan", () => {
  it("resolves rule_files globs against the plan, so the rule files are checked too", async () => {
    const r = only(await validatePrometheusConfigs([config], PLAN), config.path);
    expect(r.errors).toEqual([]);
    const broken = a(`${RULES_DIR}/broken.rules.yml`, "prometheus-rules", ALERTS.replace("> 0.05", ">"));
    const withBroken = only(await validatePrometheusConfigs([config], [...PLAN, broken]), config.path);
    expect(withBroken.ok).toBe(false);
    expect(withBroken.errors[0]).toMatchObject({ kind: "rule-file", path: config.path });
    expect(withBroken.errors[0]?.message).toMatch(/^rule file monitoring\/prometheus\/rules\/broken\.rules\.yml:5 \(named by rule_files\): .*could not parse expression/);
  });

  it("fails a misspelled field with its line, and an explicit rule file missing from the plan", async () => {
    const typo = a(config.path, "prometheus-config", CONFIG.replace("scrape_interval: 30s", "scrape_intervall: 30s"));
    const r = only(await validatePrometheusConfigs([typo], [typo]), typo.path);
    expect(r.errors[0]).toMatchObject({ line: 2, kind: "promtool" });
    expect(r.errors[0]?.message).toMatch(/field scrape_intervall not found/);
    const missing = a(config.path, "prometheus-config", CONFIG.replace("rules/*.rules.yml", "rules/nothere.rules.yml"));
    expect(only(await validatePrometheusConfigs([missing], [missing]), missing.path).errors[0]?.message).toMatch(/"monitoring\/prometheus\/rules\/nothere\.rules\.yml" does not point to an existing file/);
  });

  it("warns when a rule_files glob matches nothing in the plan", async () => {
    const r = only(await validatePrometheusConfigs([config], [config]), config.path);
    expect(r.ok).toBe(true);
    expect(r.warnings).toContainEqual(expect.objectContaining({ kind: "no-match", message: "rule_files entry 'rules/*.rules.yml' matches no file in the plan" }));
  });

  it("checks Kubernetes service discovery and leaves server-side credential files out, with warnings", async () => {
    const k8s = `${CONFIG}  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
        namespaces: { names: [shop] }
    authorization:
      credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token
`;
    const good = a(config.path, "prometheus-config", k8s);
    const r = only(await validatePrometheusConfigs([good], [good]), good.path);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/serviceaccount\/token is read on the Prometheus server/));
    const bad = a(config.path, "prometheus-config", k8s.replace("role: pod", "role: pods"));
    const rb = only(await validatePrometheusConfigs([bad], [bad]), bad.path);
    expect(rb.ok).toBe(false);
    // Either this promtool knows kubernetes_sd_configs and refuses the role, or the block is checked here.
    expect(rb.errors[0]?.message).toMatch(/role/);
    expect(rb.errors[0]?.line).toBe(12);
  });

  it("refuses a config whose path escapes the plan, and leaves unsafe plan files unwritten", async () => {
    const escaping = a("../prometheus.yml", "prometheus-config", CONFIG);
    expect(only(await validatePrometheusConfigs([escaping], [escaping]), escaping.path).errors[0]).toMatchObject({ kind: "unsafe-path" });
    const r = only(await validatePrometheusConfigs([config], [config, rules, a("../../etc/evil.rules.yml", "prometheus-rules", RECORDING)]), config.path);
    expect(r.warnings).toContainEqual(expect.objectContaining({ kind: "plan-file-skipped", path: "../../etc/evil.rules.yml" }));
  });
});

describe("prometheus-rule-test: promtool test rules over the plan", () => {
  it("passes a test whose rule file is elsewhere in the plan (relative to the test file)", async () => {
    const r = only(await validatePrometheusRuleTests([ruleTest], PLAN), ruleTest.path);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("reports a failing test: which test, which alert, expected and got", async () => {
    const failing = a(ruleTest.path, "prometheus-rule-test", TEST.replace("values: '0+100x30'", "values: '0+100x30'\n      - series: 'http_requests_total{code=\"500\"}'\n        values: '0+50x30'"));
    const r = only(await validatePrometheusRuleTests([failing], PLAN), failing.path);
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: "rule-test" });
    expect(r.errors[0]?.message).toMatch(/^test failed: name: healthy service alerts nothing, alertname: ApiHighErrorRate, time: 20m, exp:\[\], got:\[ 0: Labels:\{alertname="ApiHighErrorRate".*severity="page"/);
    expect(r.errors[0]?.message.length).toBeLessThan(720);
  });

  it("fails a test whose rule file is not in the plan, instead of passing it vacuously", async () => {
    const r = only(await validatePrometheusRuleTests([ruleTest], [ruleTest]), ruleTest.path);
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ kind: "dangling-reference" });
    expect(r.errors[0]?.message).toMatch(/rule_files entry '\.\.\/rules\/api-alerts\.rules\.yml' matches no file in the plan/);
  });

  it("fails a test of an alert no rule defines, with a suggestion", async () => {
    const typo = a(ruleTest.path, "prometheus-rule-test", TEST.replace("alertname: ApiHighErrorRate\n        exp_alerts: []", "alertname: ApiHighErorRate\n        exp_alerts: []"));
    const r = only(await validatePrometheusRuleTests([typo], PLAN), typo.path);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.kind).toBe("unknown-alert");
    expect(r.errors[0]?.message).toMatch(/^test 'healthy service alerts nothing': alertname ApiHighErorRate is not defined by any alerting rule .* Did you mean ApiHighErrorRate\?$/);
  });

  it("runs independent tests concurrently and caches by the plan's content", async () => {
    const second = a("monitoring/prometheus/tests/copy.test.yml", "prometheus-rule-test", TEST);
    const plan = [...PLAN, second];
    const first = await validatePrometheusRuleTests([ruleTest, second], plan);
    expect([...first.values()].map((r) => r.ok)).toEqual([true, true]);
    const again = await validatePrometheusRuleTests([ruleTest, second], plan);
    expect(again.get(ruleTest.path)).toBe(first.get(ruleTest.path));
  });
});

describe("alertmanager-config: amtool check-config over the plan", () => {
  it("passes a config whose templates resolve in the plan, and the template itself", async () => {
    const results = await validateAlertmanagerConfigs([alertmanager, template], PLAN);
    expect(only(results, alertmanager.path).errors).toEqual([]);
    expect(only(results, template.path).errors).toEqual([]);
  });

  it("fails a route to an unknown receiver, naming the nearest one", async () => {
    const typo = a(alertmanager.path, "alertmanager-config", ALERTMANAGER.replace("receiver: pagerduty", "receiver: pagerdty"));
    const r = only(await validateAlertmanagerConfigs([typo], PLAN), typo.path);
    expect(r.errors).toEqual([expect.objectContaining({ kind: "amtool", message: 'undefined receiver "pagerdty" used in route. Did you mean pagerduty?' })]);
  });

  it("fails templates that match nothing in the plan, and a broken template with its line", async () => {
    const r = only(await validateAlertmanagerConfigs([alertmanager], [alertmanager]), alertmanager.path);
    expect(r.errors[0]).toMatchObject({ kind: "dangling-reference" });
    const broken = a(template.path, "alertmanager-config", '{{ define "devops-pack.title" }}\n{{ .Status \n');
    const rt = only(await validateAlertmanagerConfigs([broken], [alertmanager, broken]), broken.path);
    expect(rt.errors[0]).toMatchObject({ kind: "template", line: 3 });
    expect(rt.errors[0]?.message).toMatch(/^template: devops-pack\.tmpl:3: unclosed action/);
  });

  it("names the real amtool version in its tool string", async () => {
    expect((await alertmanagerConfigValidator()).tool).toMatch(/^amtool \d+\.\d+\.\d+\S* check-config$/);
  });
});

describe("a missing promtool or amtool", () => {
  let saved: string | undefined;
  let empty: string;
  beforeAll(() => {
    saved = process.env["PATH"];
    empty = mkdtempSync(join(tmpdir(), "devops-pack-empty-path-"));
    process.env["PATH"] = empty;
  });
  afterAll(() => {
    process.env["PATH"] = saved;
    rmSync(empty, { recursive: true, force: true });
  });

  it("is an error of kind tool-missing with the apt command, for every validator, and is not cached", async () => {
    // Content no other test used, so no cached verdict can answer.
    const fresh = (x: Artifact): Artifact => a(x.path, x.kind, `${x.content}# missing-tool test\n`);
    const plan = PLAN.map(fresh);
    const byPath = (p: string) => plan.find((x) => x.path === p)!;
    const results = [
      only(await validatePrometheusRules([byPath(rules.path)]), rules.path),
      only(await validatePrometheusConfigs([byPath(config.path)], plan), config.path),
      only(await validatePrometheusRuleTests([byPath(ruleTest.path)], plan), ruleTest.path),
      only(await validateAlertmanagerConfigs([byPath(alertmanager.path)], plan), alertmanager.path),
    ];
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.errors[0]).toMatchObject({ kind: "tool-missing" });
      expect(r.errors[0]?.message).toContain(PROMETHEUS_INSTALL_HINT);
      expect(r.errors[0]?.message).toContain("apt-get install -y --no-install-recommends prometheus prometheus-alertmanager");
    }
    // The version was read once, while promtool was on PATH; it stays in the tool string.
    expect((await prometheusConfigValidator()).tool).toMatch(/^promtool \d/);
    // Once the tool is back, the same content is checked again rather than answered from the cache.
    process.env["PATH"] = saved;
    expect(only(await validatePrometheusRules([byPath(rules.path)]), rules.path).errors).toEqual([]);
    process.env["PATH"] = empty;
  });
});

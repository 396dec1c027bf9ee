/**
 * The real promtool (Debian package prometheus) over generated rules and
 * tests: check rules, test rules, and the acceptance numbers — at a 2 % error
 * rate against a 99.9 % objective something pages within 1 h; at 0.05 %
 * nothing fires, ever.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanDraft } from "../../core/plans/plan.js";
import { PATHS } from "../observability/index.js";
import type { AlertRuleTest, PromtoolTest } from "./rule-test.js";
import type { ToolRun } from "./testing/tools.js";
import { planExample, planInput, requireTool, run, validatePlan, withTemp, writeArtifacts } from "./testing/tools.js";

beforeAll(() => {
  requireTool("promtool");
  requireTool("amtool");
});

async function expectValid(plan: PlanDraft, label: string): Promise<void> {
  const v = await validatePlan(plan);
  expect(v.checkRules.status, `${label}: promtool check rules\n${v.checkRules.out}`).toBe(0);
  expect(v.testRules.length, label).toBeGreaterThan(0);
  for (const t of v.testRules) expect(t.status, `${label}: promtool test rules\n${t.out}`).toBe(0);
  expect(v.amtool?.status, `${label}: amtool check-config\n${v.amtool?.out ?? ""}`).toBe(0);
}

const ROUTING = { teams: [{ name: "shop", pagerduty: {}, ticket_webhook: "https://tickets.example.com/hooks/am" }] };

describe("promtool check rules + test rules, amtool check-config", () => {
  it("alerting.yaml: every generated file passes and every generated test passes", async () => {
    await expectValid(planExample("alerting.yaml").plan, "alerting.yaml");
  });

  const variants: Record<string, Record<string, unknown>> = {
    "grpc service, 99.99 % objective": {
      services: [{ name: "ledger", kind: "grpc", team: "shop", tier: "critical" }],
      slos: [{ name: "ledger-availability", service: "ledger", objective: 99.99 }],
    },
    "worker with a two-metric ratio SLI and a bad-events SLI": {
      services: [{ name: "mailer", kind: "worker", team: "shop", namespace: "jobs" }],
      slos: [
        { name: "mailer-success", service: "mailer", objective: 0.995, sli: { ratio: { good: 'jobs_succeeded_total{queue="mail"}', total: 'jobs_processed_total{queue="mail"}' } } },
        { name: "mailer-bounces", service: "mailer", objective: 98, window: "28d", sli: { ratio: { bad: 'mail_sent_total{queue="mail",result=~"bounce|reject"}', total: 'mail_sent_total{queue="mail",result!="test"}' } } },
      ],
    },
    "custom http selectors, latency SLO with matchers, stricter latency threshold": {
      services: [{ name: "web", kind: "http", team: "shop" }],
      slos: [
        { name: "web-availability", service: "web", objective: 99.5, sli: { ratio: { good: 'http_requests_total{job="web",route!~"/health.*",code=~"[1-4].."}', total: 'http_requests_total{job="web",route!~"/health.*"}' } } },
        { name: "web-latency", service: "web", objective: 95, sli: { latency: { histogram: "http_server_duration_seconds", threshold_seconds: 1, matchers: '{service="web",route!~"/health.*"}' } } },
      ],
      thresholds: { latency_seconds: 0.5, error_rate: 0.02 },
    },
    "database default SLI (a PromQL template: cases skipped), standard tier, no SLO on a second service": {
      services: [
        { name: "orders-db", kind: "database", team: "shop", metrics: { target: "orders-db.internal:9187" } },
        { name: "gateway", kind: "http", team: "shop" },
      ],
      slos: [{ name: "orders-db-up", service: "orders-db", objective: 99.9 }],
    },
    "low objectives: 90 % caps the fast burn below 100 %, 80 % cannot page": {
      services: [{ name: "batch", kind: "http", team: "shop" }],
      slos: [
        { name: "batch-ninety", service: "batch", objective: 90 },
        { name: "batch-eighty", service: "batch", objective: 80 },
      ],
      thresholds: { error_rate: 0.5 },
    },
  };

  for (const [name, input] of Object.entries(variants)) {
    it(name, async () => {
      const plan = planInput({ ...input, routing: ROUTING });
      await expectValid(plan, name);
    });
  }

  it("says which SLOs had no derivable series, and still proves the rest", () => {
    const plan = planInput({ ...variants["database default SLI (a PromQL template: cases skipped), standard tier, no SLO on a second service"], routing: ROUTING });
    const notes = plan.notes.map((n) => n.text).join("\n");
    expect(notes).toContain("no synthetic series could be derived for SLO orders-db-up (its SLI is a PromQL template ($window), not a selector)");
    const test = plan.artifacts.find((a) => a.path === PATHS.ruleTest("orders-db"))!.content;
    expect(test).toContain("orders-db: healthy service fires nothing");
    expect(test).not.toContain("orders-db-up: fast burn");
  });

  it("has teeth: a wrong threshold, for or annotation makes the generated test fail", async () => {
    const plan = planInput({ services: [{ name: "api", kind: "http", team: "shop" }], slos: [{ name: "api-availability", service: "api", objective: 99.9 }], routing: ROUTING });
    const rules = plan.artifacts.find((a) => a.path === PATHS.alertRules("api"))!;
    const mutations: [string, string][] = [
      ["> 0.0144", "> 0.5"], // with the 6× pair below: the fast burn no longer pages at 2 %
      ["> 0.006", "> 0.5"],
      ["> 0.001", "> 0.01"], // the slow burn no longer tickets at 0.2 %
      ["for: 2m", "for: 30m"], // the page is still pending when the test looks
      ["runbooks/alerts/ApiAvailabilityErrorBudgetFastBurn.md", "runbooks/alerts/Other.md"],
      ["> 0.05", "> 0.00001"], // HighErrorRate fires on the healthy service
      ['up{job="api"} == 0', 'up{job="api"} == 1'], // TargetDown fires on a healthy target
    ];
    const cases: [string, string][][] = [[mutations[0]!, mutations[1]!], [mutations[2]!], [mutations[3]!], [mutations[4]!], [mutations[5]!], [mutations[6]!]];
    for (const group of cases) {
      let content = rules.content;
      for (const [from, to] of group) {
        expect(content, from).toContain(from);
        content = content.replaceAll(from, to);
      }
      const mutated = plan.artifacts.map((a) => (a === rules ? { ...a, content } : a));
      const r = await withTemp(async (dir) => {
        writeArtifacts(dir, mutated);
        return run("promtool", ["test", "rules", "api-alerts.test.yml"], join(dir, "monitoring/prometheus/tests"));
      });
      expect(r.status, `mutation ${JSON.stringify(group)} was not caught:\n${r.out}`).toBe(1);
    }
  });
});

/** Counter values over consecutive segments of [per-minute increase, minutes]; the first sample is 0 at t=0. */
function counter(segments: [number, number][]): string {
  let last = 0;
  return segments
    .map(([inc, mins], i) => {
      const start = i === 0 ? 0 : last + inc;
      const n = i === 0 ? mins : mins - 1;
      last = start + inc * n;
      return `${Number(start.toPrecision(12))}+${inc}x${n}`;
    })
    .join(" ");
}

describe("acceptance numbers: http service, default SLI, 99.9 % objective", () => {
  const plan = planInput({
    services: [{ name: "api", kind: "http", team: "shop" }],
    slos: [{ name: "api-availability", service: "api", objective: 99.9 }],
    routing: ROUTING,
    links: { runbook_base_url: "https://runbooks.example.com" },
  });
  const alertsFile = plan.artifacts.find((a) => a.path === PATHS.alertRules("api"))!.content;
  const alertNames = [...alertsFile.matchAll(/- alert: (\S+)/g)].map((m) => m[1]!);

  type Scenario = PromtoolTest & { promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[] };
  function runScenario(tests: Scenario[]): Promise<ToolRun> {
    return withTemp((dir) => {
      writeArtifacts(dir, plan.artifacts);
      const file = { rule_files: ["../rules/api-slo.rules.yml", "../rules/api-alerts.rules.yml"], evaluation_interval: "1m", tests };
      writeFileSync(join(dir, "monitoring/prometheus/tests/acceptance.test.yml"), stringify(file, { lineWidth: 0 }));
      return run("promtool", ["test", "rules", "acceptance.test.yml"], join(dir, "monitoring/prometheus/tests"));
    });
  }

  const silentAt = (at: string): AlertRuleTest[] => alertNames.map((alertname) => ({ eval_time: at, alertname, exp_alerts: [] }));

  it("covers every alert of the service", () => {
    expect(alertNames).toEqual(["ApiAvailabilityErrorBudgetFastBurn", "ApiAvailabilityErrorBudgetSlowBurn", "ApiHighErrorRate", "ApiHighLatency", "ApiSaturation", "ApiTargetDown"]);
  });

  it("2 % errors after a day at 0.05 %: nothing fires before, and the fast-burn page fires within 1 h (about 45 minutes)", async () => {
    const baseline = 1440;
    const burn = 60;
    const page = 'ALERTS{alertstate="firing",severity="page"}';
    const firing = [{ labels: 'ALERTS{alertname="ApiAvailabilityErrorBudgetFastBurn",alertstate="firing",service="api",severity="page",slo="api-availability",team="shop"}', value: 1 }];
    const r = await runScenario([
      {
        name: "2% errors page within an hour of onset",
        interval: "1m",
        input_series: [
          { series: 'http_requests_total{job="api",code="200"}', values: counter([[999.5, baseline], [980, burn]]) },
          { series: 'http_requests_total{job="api",code="500"}', values: counter([[0.5, baseline], [20, burn]]) },
          { series: 'up{job="api",instance="10.0.0.1:9090"}', values: `1x${baseline + burn}` },
        ],
        alert_rule_test: silentAt(`${baseline}m`),
        promql_expr_test: [
          // Nothing was even pending during the healthy day.
          { expr: "count_over_time(ALERTS[1d])", eval_time: `${baseline}m`, exp_samples: [] },
          // The 1h ratio needs about 43 minutes to pass 14.4 × 0.1 %; plus for: 2m.
          { expr: page, eval_time: `${baseline + 40}m`, exp_samples: [] },
          { expr: page, eval_time: `${baseline + 50}m`, exp_samples: firing },
          { expr: page, eval_time: `${baseline + burn}m`, exp_samples: firing },
        ],
      },
    ]);
    expect(r.status, r.out).toBe(0);
  });

  it("0.05 % errors for 3 days and 6 hours: no alert is ever pending or firing", async () => {
    const minutes = 3 * 1440 + 360;
    const r = await runScenario([
      {
        name: "0.05% errors stay quiet",
        interval: "1m",
        input_series: [
          { series: 'http_requests_total{job="api",code="200"}', values: counter([[999.5, minutes]]) },
          { series: 'http_requests_total{job="api",code="500"}', values: counter([[0.5, minutes]]) },
          { series: 'up{job="api",instance="10.0.0.1:9090"}', values: `1x${minutes}` },
        ],
        alert_rule_test: ["5m", "1h", "6h", "1d", "3d", `${minutes}m`].flatMap(silentAt),
        // ALERTS holds a sample for every evaluation at which any alert was pending or firing.
        promql_expr_test: [{ expr: `count_over_time(ALERTS[${minutes}m])`, eval_time: `${minutes}m`, exp_samples: [] }],
      },
    ]);
    expect(r.status, r.out).toBe(0);
    // 4,680 evaluations of every rule: about 16 s alone, several times that on a loaded machine.
  }, 300_000);

  it("the scenario checker itself fails when the page does not come (sanity)", async () => {
    const r = await runScenario([
      {
        name: "0.05% must not page",
        interval: "1m",
        input_series: [
          { series: 'http_requests_total{job="api",code="200"}', values: counter([[999.5, 120]]) },
          { series: 'http_requests_total{job="api",code="500"}', values: counter([[0.5, 120]]) },
        ],
        alert_rule_test: [{ eval_time: "120m", alertname: "ApiAvailabilityErrorBudgetFastBurn", exp_alerts: [{ exp_labels: { severity: "page" } }] }],
      } as unknown as Scenario,
    ]);
    expect(r.status).not.toBe(0);
  });
});

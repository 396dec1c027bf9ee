/**
 * The acceptance numbers for SLIs written the other ways users write them:
 * full PromQL with fixed ranges ([5m]) and Sloth's {{.window}}, with the
 * objective as a ratio (0.999). At 2 % errors a page fires within an hour;
 * at 0.05 % nothing fires. Real promtool, synthetic series.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { canonicalSli } from "../observability/index.js";
import { alertingSpecialist } from "./index.js";
import { parseInput, requireTool, run, withTemp, writeArtifacts } from "./testing/tools.js";

const FORMS: Record<string, { good: string; total: string }> = {
  "fixed ranges": { good: 'sum(rate(http_requests_total{job="api",code!~"5.."}[5m]))', total: 'sum(rate(http_requests_total{job="api"}[5m]))' },
  "sloth window": { good: 'sum(rate(http_requests_total{job="api",code!~"5.."}[{{.window}}]))', total: 'sum(rate(http_requests_total{job="api"}[{{.window}}]))' },
};

function plan(sli: { good: string; total: string }) {
  const input = parseInput({
    services: [{ name: "api", kind: "http", team: "shop" }],
    slos: [{ name: "api-availability", service: "api", objective: 0.999, window: "30d", sli: { ratio: sli } }],
    routing: { teams: [{ name: "shop", pagerduty: { routing_key_file: "/etc/alertmanager/secrets/shop-pagerduty" }, ticket_webhook: "https://tickets.example.com/hook" }] },
  });
  return alertingSpecialist.plan(input, { files: new Map() });
}

function firingAt(minutes: number, errorsPer1000: number) {
  return {
    interval: "1m",
    input_series: [
      { series: 'http_requests_total{job="api",code="200"}', values: `0+${1000 - errorsPer1000}x${minutes}` },
      { series: 'http_requests_total{job="api",code="500"}', values: `0+${errorsPer1000}x${minutes}` },
      { series: 'up{job="api"}', values: `1x${minutes}` },
    ],
  };
}

describe("SLIs as full PromQL", () => {
  it("canonicalSli rewrites fixed ranges and {{.window}} to $window, and leaves selectors alone", () => {
    expect(canonicalSli("sum(rate(x_total[5m])) / 2")).toBe("sum(rate(x_total[$window])) / 2");
    expect(canonicalSli("sum(rate(x_total[{{.window}}]))")).toBe("sum(rate(x_total[$window]))");
    expect(canonicalSli('x_total{code="5m"}')).toBe('x_total{code="5m"}');
  });

  for (const [form, sli] of Object.entries(FORMS)) {
    it(`${form}: 2 % errors page within 1 h, 0.05 % fires nothing`, async () => {
      requireTool("promtool");
      const draft = plan(sli);
      const alertsFile = draft.artifacts.find((a) => a.path.endsWith("api-alerts.rules.yml"))!;
      const alertNames = [...alertsFile.content.matchAll(/- alert: (\S+)/g)].map((m) => m[1]!);
      expect(alertNames).toContain("ApiAvailabilityErrorBudgetFastBurn");
      await withTemp(async (dir) => {
        writeArtifacts(dir, draft.artifacts);
        const tests = {
          rule_files: ["monitoring/prometheus/rules/api-slo.rules.yml", "monitoring/prometheus/rules/api-alerts.rules.yml"],
          evaluation_interval: "1m",
          tests: [
            {
              name: "2% errors",
              ...firingAt(60, 20),
              // Labels only (the annotations are the generated test's business): a page is firing at 60m.
              promql_expr_test: [
                {
                  expr: 'ALERTS{alertstate="firing",severity="page"}',
                  eval_time: "60m",
                  exp_samples: [{ labels: 'ALERTS{alertname="ApiAvailabilityErrorBudgetFastBurn",alertstate="firing",service="api",severity="page",slo="api-availability",team="shop"}', value: 1 }],
                },
              ],
            },
            {
              name: "0.05% errors",
              interval: "1m",
              input_series: [
                { series: 'http_requests_total{job="api",code="200"}', values: "0+1999x480" },
                { series: 'http_requests_total{job="api",code="500"}', values: "0+1x480" },
                { series: 'up{job="api"}', values: "1x480" },
              ],
              alert_rule_test: alertNames.flatMap((alertname) => ["30m", "60m", "480m"].map((eval_time) => ({ eval_time, alertname, exp_alerts: [] }))),
              promql_expr_test: [{ expr: "count_over_time(ALERTS[480m])", eval_time: "480m", exp_samples: [] }],
            },
          ],
        };
        writeFileSync(join(dir, "acceptance.test.yml"), stringify(tests));
        const r = await run("promtool", ["test", "rules", "acceptance.test.yml"], dir);
        expect(r.status, r.out).toBe(0);
      });
    }, 120_000);
  }
});

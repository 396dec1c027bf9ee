/**
 * The alerting example tasks in the repository's examples/ run through the real task parser, the schema, the
 * planner, promtool, amtool and the security scanner.
 */
import { describe, expect, it } from "vitest";
import { alertingSpecialist } from "./index.js";
import { scanFiles } from "../testing/scan.js";
import { planExample, requireTool, validatePlan } from "./testing/tools.js";

describe("examples/alerting*.yaml", () => {
  it("alerting.yaml: two services, PagerDuty and Opsgenie, production: valid, tested, scanned clean", async () => {
    requireTool("promtool");
    requireTool("amtool");
    const { input, plan } = planExample("alerting.yaml");
    expect(alertingSpecialist.environments(input)).toEqual(["production"]);
    expect(input.services.map((s) => s.name)).toEqual(["checkout-api", "payments"]);
    expect(input.routing?.teams.map((t) => [t.name, t.pagerduty ? "pagerduty" : t.opsgenie ? "opsgenie" : "none"])).toEqual([
      ["shop-backend", "pagerduty"],
      ["payments", "opsgenie"],
    ]);
    expect(plan.findings).toEqual([]);
    expect(plan.touchesSecrets ?? false).toBe(false);
    expect(plan.artifacts.map((a) => [a.path, a.kind])).toEqual([
      ["monitoring/prometheus/rules/checkout-api-slo.rules.yml", "prometheus-rules"],
      ["monitoring/prometheus/rules/checkout-api-alerts.rules.yml", "prometheus-rules"],
      ["monitoring/prometheus/tests/checkout-api-alerts.test.yml", "prometheus-rule-test"],
      ["monitoring/prometheus/rules/payments-slo.rules.yml", "prometheus-rules"],
      ["monitoring/prometheus/rules/payments-alerts.rules.yml", "prometheus-rules"],
      ["monitoring/prometheus/tests/payments-alerts.test.yml", "prometheus-rule-test"],
      ["monitoring/alertmanager/alertmanager.yml", "alertmanager-config"],
    ]);
    const v = await validatePlan(plan);
    expect(v.checkRules.status, v.checkRules.out).toBe(0);
    for (const t of v.testRules) expect(t.status, t.out).toBe(0);
    expect(v.amtool?.status, v.amtool?.out).toBe(0);
    const scan = await scanFiles(plan.artifacts);
    expect(scan.findings).toEqual([]);
  });

  it("alerting-analyze.yaml: the report scans clean and its findings are quality findings only", async () => {
    const { input, plan } = planExample("alerting-analyze.yaml");
    expect(alertingSpecialist.environments(input)).toEqual([]);
    expect(plan.findings.every((f) => f.severity === "low" || f.severity === "medium")).toBe(true);
    const scan = await scanFiles(plan.artifacts);
    expect(scan.findings).toEqual([]);
  });
});

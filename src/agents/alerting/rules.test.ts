/**
 * Sharp properties of the generated rules and tests, whatever the goldens say:
 * every alert carries what a responder and the router need, burn thresholds
 * are burn rate × error budget, and the test file covers every alert.
 */
import { posix } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { PlanDraft } from "../../core/plans/plan.js";
import { hasMarker } from "../../core/plans/plan.js";
import type { Links, Slo } from "../observability/index.js";
import { BURN_CONDITIONS, dashboardUid, dashboardUrl, errorBudget, PATHS, runbookUrl, sloAlertName, sloErrorRatioRecord, sloRulesFile, symptomAlertName } from "../observability/index.js";
import { durationSeconds } from "./analyze.js";
import type { RuleTestFile } from "./rule-test.js";
import type { AlertingInput } from "./schema.js";
import { parseInput, planExample, planInput } from "./testing/tools.js";

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function alertRules(plan: PlanDraft): { path: string; rules: Rule[] }[] {
  return plan.artifacts
    .filter((a) => /-alerts\.rules\.yml$/.test(a.path))
    .map((a) => ({ path: a.path, rules: (parse(a.content) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules) }));
}

const cases: { label: string; input: AlertingInput; plan: PlanDraft }[] = [];
{
  const ex = planExample("alerting.yaml");
  cases.push({ label: "alerting.yaml", ...ex });
  const input = {
    services: [
      { name: "web", kind: "http", team: "shop", tier: "critical" },
      { name: "mailer", kind: "worker", team: "ops" },
      { name: "orders-db", kind: "database", team: "ops" },
    ],
    slos: [
      { name: "web-availability", service: "web", objective: 99.95 },
      { name: "mailer-success", service: "mailer", objective: 99, sli: { ratio: { good: "jobs_ok_total", total: "jobs_total" } } },
    ],
    routing: { teams: [{ name: "shop", opsgenie: {}, chat_webhook_file: "/etc/alertmanager/secrets/shop-chat" }], default: { pagerduty: {}, ticket_webhook: "https://t.example.com/h" } },
  };
  const plan = planInput(input);
  cases.push({ label: "three kinds, relative links", input: parseInput(input), plan });
}

describe.each(cases)("$label", ({ input, plan }) => {
  const links: Links = input.links;
  const files = alertRules(plan);
  const all = files.flatMap((f) => f.rules);

  it("starts every artifact with the generated-file marker", () => {
    for (const a of plan.artifacts) expect(hasMarker(a.content), a.path).toBe(true);
  });

  it("gives every alert severity, team, service, summary, description with $value, runbook_url and dashboard_url", () => {
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      expect(r.alert, r.expr).toBeTruthy();
      const svc = input.services.find((s) => s.name === r.labels?.service);
      expect(svc, r.alert).toBeDefined();
      expect(["page", "ticket"]).toContain(r.labels?.severity);
      expect(r.labels?.team).toBe(svc?.team);
      expect(r.annotations?.summary, r.alert).toMatch(new RegExp(`^${svc!.name}: `));
      expect(r.annotations?.description, r.alert).toMatch(/\{\{ \$value( \| humanize(Percentage|Duration))? \}\}/);
      expect(r.annotations?.runbook_url).toBe(runbookUrl(r.alert!, links));
      expect(r.annotations?.dashboard_url).toBe(dashboardUrl(dashboardUid(svc!.name), links));
      expect(durationSeconds(r.for ?? "")).toBeGreaterThanOrEqual(120);
    }
  });

  it("writes the shared SLO recording file verbatim and one alert file per service", () => {
    for (const s of input.services) {
      const shared = sloRulesFile(s, input.slos);
      const got = plan.artifacts.find((a) => a.path === PATHS.sloRules(s.name));
      expect(got?.content).toBe(shared?.content);
      if (shared) expect(got?.kind).toBe("prometheus-rules");
      expect(plan.artifacts.find((a) => a.path === PATHS.alertRules(s.name))?.kind).toBe("prometheus-rules");
    }
  });

  it("sets every burn-rate threshold to burn rate × error budget, over the recorded long and short windows", () => {
    for (const slo of input.slos) {
      for (const severity of ["page", "ticket"] as const) {
        const rule = all.find((r) => r.alert === sloAlertName(slo, severity))!;
        expect(rule.labels).toMatchObject({ severity, slo: slo.name });
        expect(rule.for).toBe(severity === "page" ? "2m" : "15m");
        const pairs = [...rule.expr.matchAll(/(slo:sli_error:ratio_rate\w+)\{slo="([^"]+)"\} > ([0-9.e-]+)/g)].map((m) => [m[1], m[2], Number(m[3])]);
        const expected = BURN_CONDITIONS.filter((c) => c.severity === severity).flatMap((c) => [c.long, c.short].map((w) => [sloErrorRatioRecord(w), slo.name, c.burnRate * errorBudget(slo)]));
        expect(pairs.length).toBe(expected.length);
        pairs.forEach((p, i) => {
          expect(p[0]).toBe(expected[i]![0]);
          expect(p[1]).toBe(slo.name);
          expect(p[2]).toBeCloseTo(expected[i]![2] as number, 12);
        });
      }
    }
  });

  it("pages on HighErrorRate and TargetDown only for critical services; TargetDown is never absent()", () => {
    for (const s of input.services) {
      for (const r of all.filter((x) => x.labels?.service === s.name && !x.labels.slo)) {
        const paging = s.tier === "critical" && (r.alert === symptomAlertName(s, "HighErrorRate") || r.alert === symptomAlertName(s, "TargetDown"));
        expect(r.labels?.severity, r.alert).toBe(paging ? "page" : "ticket");
        expect(durationSeconds(r.for!)).toBeGreaterThanOrEqual(300);
        expect(r.expr).not.toMatch(/absent\s*\(/);
      }
      expect(all.find((r) => r.alert === symptomAlertName(s, "TargetDown"))?.expr).toBe(`up{job="${s.name}"} == 0`);
    }
  });

  it("writes a promtool test per service that names both rule files relative to itself and silences every alert when healthy", () => {
    for (const s of input.services) {
      const test = plan.artifacts.find((a) => a.path === PATHS.ruleTest(s.name))!;
      expect(test.kind).toBe("prometheus-rule-test");
      const file = parse(test.content) as RuleTestFile;
      const dir = posix.dirname(test.path);
      const named = file.rule_files.map((f) => posix.normalize(posix.join(dir, f)));
      const own = input.slos.filter((o) => o.service === s.name);
      expect(named).toEqual([...(own.length > 0 ? [PATHS.sloRules(s.name)] : []), PATHS.alertRules(s.name)]);
      for (const p of named) expect(plan.artifacts.some((a) => a.path === p)).toBe(true);
      const names = all.filter((r) => r.labels?.service === s.name).map((r) => r.alert);
      const healthy = file.tests.filter((t) => /healthy service/.test(t.name));
      expect(healthy.length).toBeGreaterThan(0);
      for (const t of healthy) {
        expect(t.alert_rule_test.map((x) => x.alertname).sort()).toEqual([...names].sort());
        for (const x of t.alert_rule_test) expect(x.exp_alerts).toEqual([]);
      }
    }
  });
});

describe("generated test cases per SLO", () => {
  const slo: Slo = { name: "api-availability", service: "api", objective: 99.9, window: "30d" };
  const plan = planInput({ services: [{ name: "api", kind: "http", team: "shop" }], slos: [slo], routing: { teams: [{ name: "shop", pagerduty: {}, ticket_webhook: "https://t.example.com/h" }] } });
  const file = parse(plan.artifacts.find((a) => a.path === PATHS.ruleTest("api"))!.content) as RuleTestFile;

  it("a fast burn of 20× the budget pages; a slow burn of 2× tickets and does not page; 0.5× is healthy", () => {
    const [fast, slow, healthy] = file.tests;
    expect(fast?.name).toBe("api-availability: fast burn (2% errors, 20× the 0.1% budget) pages");
    expect(fast?.input_series).toEqual([
      { series: 'http_requests_total{code="200",job="api"}', values: "0+980x20" },
      { series: 'http_requests_total{code="500",job="api"}', values: "0+20x20" },
    ]);
    expect(fast?.alert_rule_test).toHaveLength(1);
    expect(fast?.alert_rule_test[0]?.exp_alerts[0]?.exp_labels).toEqual({ slo: "api-availability", service: "api", team: "shop", severity: "page" });
    expect(slow?.alert_rule_test.map((t) => [t.eval_time, t.alertname, t.exp_alerts.length])).toEqual([
      ["7h", "ApiAvailabilityErrorBudgetSlowBurn", 1],
      ["7h", "ApiAvailabilityErrorBudgetFastBurn", 0],
    ]);
    expect(slow?.input_series[1]).toEqual({ series: 'http_requests_total{code="500",job="api"}', values: "0+2x420" });
    expect(healthy?.input_series[1]).toEqual({ series: 'http_requests_total{code="500",job="api"}', values: "0+0.5x420" });
    expect(errorBudget(slo)).toBe(0.001);
  });

  it("is deterministic: planning twice gives identical bytes", () => {
    const again = planInput({ services: [{ name: "api", kind: "http", team: "shop" }], slos: [slo], routing: { teams: [{ name: "shop", pagerduty: {}, ticket_webhook: "https://t.example.com/h" }] } });
    expect(JSON.stringify(again)).toBe(JSON.stringify(plan));
  });
});

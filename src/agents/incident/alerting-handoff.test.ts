/**
 * The hand-off the lifecycle workflow makes: devops_alerting's real rule
 * files become this agent's `alerts`, and every rule's runbook_url must
 * resolve to a runbook this agent writes. The alerts are read from the rule
 * files here the way the workflow reads them (name, severity and service
 * labels, summary and description annotations, expr).
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { resolveLink } from "../observability/index.js";
import { alertingSpecialist } from "../alerting/index.js";
import { alertingInputSchema } from "../alerting/schema.js";
import { codeBlocks, planInput, promqlQueries, promtoolCheck } from "./testing/support.js";

const services = [
  { name: "checkout-api", kind: "http", team: "shop-backend", tier: "critical", namespace: "shop" },
  { name: "payments", kind: "grpc", team: "payments" },
  { name: "orders-db", kind: "database", team: "data", namespace: "shop", metrics: { target: "orders-db-exporter.shop.svc:9187" } },
];
const slos = [
  { name: "checkout-availability", service: "checkout-api", objective: 99.9 },
  { name: "payments-availability", service: "payments", objective: 99.95 },
];
const links = { runbook_base_url: "https://github.com/acme/shop/blob/main", grafana_url: "https://grafana.example.com" };

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe("alerts from devops_alerting become runbooks", () => {
  const alertingInput = alertingInputSchema.parse({
    services,
    slos,
    links,
    routing: { teams: ["shop-backend", "payments", "data"].map((name) => ({ name, pagerduty: {}, ticket_webhook: "https://tickets.example.com/hooks/alertmanager" })) },
  });
  const rulesFiles = alertingSpecialist.plan(alertingInput, { files: new Map() }).artifacts.filter((a) => a.kind === "prometheus-rules");
  const rules = rulesFiles.flatMap((a) => ((parse(a.content) as { groups: { rules: Rule[] }[] }).groups ?? []).flatMap((g) => g.rules)).filter((r): r is Rule & { alert: string } => typeof r.alert === "string");
  const alerts = rules.map((r) => ({
    name: r.alert,
    severity: r.labels?.["severity"] === "page" ? "page" : "ticket",
    service: r.labels?.["service"] ?? "",
    summary: r.annotations?.["summary"] ?? r.alert,
    ...(r.annotations?.["description"] !== undefined ? { description: r.annotations["description"] } : {}),
    expr: r.expr,
  }));

  it("devops_alerting wrote alerts for every service, each labelled with its service", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(services.length * 3);
    for (const a of alerts) expect(services.map((s) => s.name), a.name).toContain(a.service);
  });

  const { plan } = planInput({ incident_types: ["high_error_rate", "database_connection_failure"], services, alerts, links });
  const paths = new Set(plan.artifacts.map((a) => a.path));

  it("every rule's runbook_url resolves to a runbook in this plan", () => {
    for (const r of rules) {
      const url = r.annotations?.["runbook_url"];
      expect(url, r.alert).toBeDefined();
      const target = resolveLink(url!, links).runbook;
      expect(target, `${r.alert}: ${url}`).toBeDefined();
      expect(paths.has(target!), `${r.alert} → ${target}`).toBe(true);
      expect(plan.artifacts.find((a) => a.path === target)!.kind).toBe("runbook");
    }
  });

  it("each alert runbook quotes its rule's expression, and every query parses", () => {
    for (const r of rules) {
      const md = plan.artifacts.find((a) => a.path === `runbooks/alerts/${r.alert}.md`)!.content;
      expect(codeBlocks(md, "promql")[0], r.alert).toBe(r.expr.trim());
    }
    const queries = [...new Set(plan.artifacts.flatMap((a) => promqlQueries(a.content)))];
    const check = promtoolCheck(queries);
    expect(check.ok, check.output).toBe(true);
  });
});

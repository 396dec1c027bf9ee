/**
 * The real amtool (Debian package prometheus-alertmanager): the generated
 * configuration passes check-config, and `amtool config routes test` proves
 * where a page and a ticket of each team go.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanDraft } from "../../core/plans/plan.js";
import { PATHS } from "../observability/index.js";
import type { AlertmanagerConfig } from "./alertmanager.js";
import { planExample, planInput, requireTool, run, withTemp } from "./testing/tools.js";

beforeAll(() => requireTool("amtool"));

function amConfig(plan: PlanDraft): { text: string; config: AlertmanagerConfig } {
  const a = plan.artifacts.find((x) => x.path === PATHS.alertmanagerConfig)!;
  expect(a.kind).toBe("alertmanager-config");
  return { text: a.content, config: parse(a.content) as AlertmanagerConfig };
}

/** check-config, then one `routes test` per label set; returns the receivers amtool prints. */
async function routes(plan: PlanDraft, labelSets: string[][]): Promise<string[]> {
  const { text } = amConfig(plan);
  return withTemp(async (dir) => {
    const file = join(dir, "alertmanager.yml");
    writeFileSync(file, text);
    const check = await run("amtool", ["check-config", file]);
    expect(check.status, check.out).toBe(0);
    const out: string[] = [];
    for (const labels of labelSets) {
      const r = await run("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels]);
      expect(r.status, r.out).toBe(0);
      out.push(r.out.split("\n").find((l) => l.trim() !== "" && !l.startsWith("Warning")) ?? "");
    }
    return out;
  });
}

describe("alertmanager.yml from alerting.yaml", () => {
  const { plan } = planExample("alerting.yaml");
  const { text, config } = amConfig(plan);

  it("routes pages to the team's pager (and chat copy) and tickets to its webhook", async () => {
    expect(
      await routes(plan, [
        ["severity=page", "team=shop-backend", "service=checkout-api", "slo=checkout-availability"],
        ["severity=ticket", "team=shop-backend", "service=checkout-api"],
        ["severity=page", "team=payments", "service=payments"],
        ["severity=ticket", "team=payments", "service=payments"],
        ["severity=page", "team=unknown-team", "service=x"],
        ["alertname=Watchdog"],
      ]),
    ).toEqual(["shop-backend-chat,shop-backend-page", "shop-backend-ticket", "payments-page", "payments-ticket", "default-ticket", "default-ticket"]);
  });

  it("groups by alertname, service and slo, with hourly pages and daily tickets", () => {
    expect(config.route.group_by).toEqual(["alertname", "service", "slo"]);
    const team = config.route.routes![0]!;
    expect(team.matchers).toEqual(['team="shop-backend"']);
    expect(team.routes?.map((r) => [r.receiver, r.matchers, r.continue ?? false, r.repeat_interval])).toEqual([
      ["shop-backend-chat", ['severity="page"'], true, "1h"],
      ["shop-backend-page", ['severity="page"'], false, "1h"],
      ["shop-backend-ticket", ['severity="ticket"'], false, "24h"],
    ]);
  });

  it("inhibits tickets under a page of the same service and SLO, and a down service's other alerts", () => {
    expect(config.inhibit_rules[0]).toEqual({ source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ["service", "slo"] });
    expect(config.inhibit_rules[1]).toEqual({
      source_matchers: ['alertname=~"CheckoutApiTargetDown|PaymentsTargetDown"', 'severity="page"'],
      target_matchers: ['alertname!~"CheckoutApiTargetDown|PaymentsTargetDown"'],
      equal: ["service"],
    });
    expect(config.inhibit_rules[2]?.target_matchers).toContain('severity="ticket"');
  });

  it("reads every key from a mounted file and inlines none", () => {
    const pd = config.receivers.find((r) => r.name === "shop-backend-page")?.pagerduty_configs?.[0];
    expect(pd?.routing_key_file).toBe("/etc/alertmanager/secrets/shop-backend-pagerduty");
    expect(pd?.severity).toBe("critical");
    const og = config.receivers.find((r) => r.name === "payments-page")?.opsgenie_configs?.[0];
    expect(og).toMatchObject({ api_key_file: "/etc/alertmanager/secrets/payments-opsgenie", priority: "P1", api_url: "https://api.eu.opsgenie.com/", responders: [{ name: "Payments", type: "team" }] });
    expect(config.receivers.find((r) => r.name === "shop-backend-chat")?.slack_configs?.[0]?.api_url_file).toBe("/etc/alertmanager/secrets/shop-backend-chat");
    expect(config.receivers.find((r) => r.name === "payments-ticket")?.webhook_configs?.[0]?.http_config?.authorization.credentials_file).toBe("/etc/alertmanager/secrets/payments-ticket-token");
    expect(text).not.toMatch(/^\s*-?\s*(routing_key|service_key|api_key|credentials|bot_token|password):/m);
    for (const r of config.receivers) for (const c of r.slack_configs ?? []) expect(Object.keys(c)).not.toContain("api_url");
  });
});

describe("routing variants", () => {
  const svc = (name: string, team: string, tier = "standard") => ({ name, kind: "http", team, tier });

  it("teams without an entry fall back to routing.default; a team with only a chat gets its tickets there", async () => {
    const plan = planInput({
      services: [svc("a", "alpha", "critical"), svc("b", "beta")],
      slos: [{ name: "b-availability", service: "b", objective: 99 }],
      routing: { teams: [{ name: "alpha", opsgenie: {}, chat_webhook_file: "/etc/alertmanager/secrets/alpha-chat" }], default: { pagerduty: { routing_key_file: "/var/run/secrets/pd/key" }, ticket_webhook: "https://t.example.com/h" } },
    });
    expect(
      await routes(plan, [
        ["severity=page", "team=alpha", "service=a"],
        ["severity=ticket", "team=alpha", "service=a"],
        ["severity=page", "team=beta", "service=b"],
        ["severity=ticket", "team=beta", "service=b"],
      ]),
    ).toEqual(["alpha-chat,alpha-page", "alpha-chat", "default-page", "default-ticket"]);
    expect(amConfig(plan).config.receivers.find((r) => r.name === "default-page")?.pagerduty_configs?.[0]?.routing_key_file).toBe("/var/run/secrets/pd/key");
    expect(plan.notes.map((n) => n.text).join("\n")).toContain("Teams without an entry in routing.teams use routing.default: beta (pages → default-page)");
  });

  it("without routing.default, alerts without a team reach a receiver that notifies no one, and a note says so", async () => {
    const plan = planInput({ services: [svc("a", "alpha")], routing: { teams: [{ name: "alpha", ticket_webhook: "https://t.example.com/h" }] } });
    expect(await routes(plan, [["alertname=Watchdog"], ["severity=ticket", "team=alpha"]])).toEqual(["unrouted", "alpha-ticket"]);
    expect(plan.notes.some((n) => n.kind === "warning" && n.text.includes("reach the receiver unrouted, which notifies no one"))).toBe(true);
  });
});

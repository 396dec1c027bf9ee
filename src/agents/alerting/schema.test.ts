import { describe, expect, it } from "vitest";
import { validateTaskInput } from "../../core/tasks/parse.js";
import { alertingSpecialist } from "./index.js";
import { alertingInputSchema } from "./schema.js";

const SERVICE = { name: "api", kind: "http", team: "shop" };
const ROUTING = { teams: [{ name: "shop", pagerduty: {}, ticket_webhook: "https://tickets.example.com/hooks/am" }] };
const MIN = { services: [SERVICE], slos: [{ name: "api-availability", service: "api", objective: 99.9 }], routing: ROUTING };

/** The message a user sees: the task parser's error for this input. */
function error(input: Record<string, unknown>): string {
  try {
    validateTaskInput({ type: "devops.alerting", input }, alertingSpecialist, "task.yaml");
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

const withTeam = (team: Record<string, unknown>) => ({ ...MIN, routing: { teams: [{ name: "shop", ...team }] } });

describe("devops.alerting input schema", () => {
  it("fills the documented defaults", () => {
    const input = alertingInputSchema.parse(MIN);
    expect(input.thresholds).toEqual({ error_rate: 0.05, cpu_saturation: 0.9, cpu_throttling: 0.25, memory_saturation: 0.9 });
    expect(input.environments).toEqual([]);
    expect(input.links).toEqual({});
    expect(input.slos[0]?.window).toBe("30d");
  });

  it("needs services (or analyze), and routing with services", () => {
    expect(error({})).toContain("task.input.services: give at least one service to generate alerts for, or analyze: <path>");
    expect(error({ services: [SERVICE] })).toMatch(/task\.input\.routing: routing is required with services: e\.g\. routing: \{teams: \[\{name: shop, pagerduty: \{\}/);
    expect(error({ analyze: "monitoring/rules" })).toBe("");
  });

  it("names unknown fields and suggests the nearest", () => {
    expect(error({ ...MIN, treshold: {} })).toContain("Unknown field 'treshold' in task.input. Did you mean thresholds?");
    expect(error(withTeam({ pagerdutty: {}, ticket_webhook: "https://t.example.com/h" }))).toContain("Unknown field 'pagerdutty' in task.input.routing.teams[0]. Did you mean pagerduty?");
  });

  it("never accepts an inline key, and says to mount a secret", () => {
    const msg = error(withTeam({ pagerduty: { routing_key: "R0ABCDEF0123456789ABCDEF01234567" }, ticket_webhook: "https://t.example.com/h" }));
    expect(msg).toContain("task.input.routing.teams[0].pagerduty.routing_key: pagerduty.routing_key is refused: Keys are never written into alertmanager.yml: store the key in a Kubernetes Secret");
    expect(msg).not.toContain("R0ABCDEF0123456789ABCDEF01234567");
    expect(error(withTeam({ opsgenie: { api_key: "x" }, ticket_webhook: "https://t.example.com/h" }))).toContain("opsgenie.api_key is refused");
    expect(error(withTeam({ pagerduty: {}, chat_webhook: "https://hooks.slack.com/services/T0/B0/abc" }))).toContain("chat_webhook is refused");
  });

  it("refuses a key pasted into a *_file field without echoing it", () => {
    const key = "e93facc04764012d7bfb002500d5d1a6";
    const msg = error(withTeam({ pagerduty: { routing_key_file: key }, ticket_webhook: "https://t.example.com/h" }));
    expect(msg).toContain("pagerduty.routing_key_file looks like the key itself (not repeated here). Keys are never written into alertmanager.yml");
    expect(msg).toContain("mount it into the Alertmanager pod");
    expect(msg).not.toContain(key);
    expect(error(withTeam({ pagerduty: { routing_key_file: "secrets/pd" }, ticket_webhook: "https://t.example.com/h" }))).toContain("pagerduty.routing_key_file must be the absolute path of a file mounted from a Secret");
    expect(error(withTeam({ pagerduty: { routing_key_file: "/etc/alertmanager/../pd" }, ticket_webhook: "https://t.example.com/h" }))).toContain("must be the absolute path");
  });

  it("refuses webhook URLs that carry credentials", () => {
    expect(error(withTeam({ pagerduty: {}, ticket_webhook: "http://tickets.example.com/h" }))).toContain("an https:// URL");
    expect(error(withTeam({ pagerduty: {}, ticket_webhook: "https://user:pw@tickets.example.com/h" }))).toContain("the URL carries credentials");
    expect(error(withTeam({ pagerduty: {}, ticket_webhook: "https://tickets.example.com/h?token=abc123" }))).toContain("the URL carries a token");
    expect(error(withTeam({ pagerduty: {}, ticket_webhook: "https://hooks.slack.com/services/T000/B000/XXXXXXXX" }))).toContain("chat_webhook_file for a Slack-compatible webhook URL");
  });

  it("requires a pager for teams that own page alerts, and a ticket destination for every team", () => {
    expect(error(withTeam({ ticket_webhook: "https://t.example.com/h" }))).toContain(
      "team shop owns page alerts (ApiAvailabilityErrorBudgetFastBurn) but routing.teams[0] has neither pagerduty nor opsgenie: pages would reach no one on call.",
    );
    // A standard-tier service without SLOs owns no page alert: a ticket destination is enough.
    expect(error({ services: [SERVICE], routing: { teams: [{ name: "shop", ticket_webhook: "https://t.example.com/h" }] } })).toBe("");
    expect(error({ services: [{ ...SERVICE, tier: "critical" }], routing: { teams: [{ name: "shop", ticket_webhook: "https://t.example.com/h" }] } })).toContain(
      "owns page alerts (ApiHighErrorRate, ApiTargetDown)",
    );
    expect(error(withTeam({ pagerduty: {} }))).toContain("team shop owns ticket alerts (every service has some) but routing.teams[0] has neither ticket_webhook nor chat_webhook_file");
    expect(error(withTeam({ pagerduty: {}, opsgenie: {}, ticket_webhook: "https://t.example.com/h" }))).toContain("give pagerduty or opsgenie, not both");
    expect(error(withTeam({}))).toContain("give at least one destination");
  });

  it("falls back to routing.default for teams without an entry, and says when there is none", () => {
    expect(error({ ...MIN, routing: { teams: [{ name: "shopp", pagerduty: {}, ticket_webhook: "https://t.example.com/h" }] } })).toContain(
      "team shop (services api) has no entry in routing.teams and there is no routing.default to fall back to",
    );
    expect(error({ ...MIN, routing: { teams: [], default: { pagerduty: {}, ticket_webhook: "https://t.example.com/h" } } })).toBe("");
    expect(error({ ...MIN, routing: { default: { ticket_webhook: "https://t.example.com/h" } } })).toContain("team shop owns page alerts (ApiAvailabilityErrorBudgetFastBurn) but routing.default has neither pagerduty nor opsgenie");
    expect(error({ ...MIN, routing: { teams: [{ name: "default", pagerduty: {}, ticket_webhook: "https://t.example.com/h" }], default: { ticket_webhook: "https://t.example.com/h" } } })).toContain("a team named default clashes");
  });

  it("checks services and SLOs with the shared rules", () => {
    expect(error({ ...MIN, slos: [{ name: "x", service: "apx", objective: 99 }] })).toContain("SLO x names service apx, which is not in services. Did you mean api?");
    expect(error({ ...MIN, services: [{ name: "q", kind: "worker", team: "shop" }], slos: [{ name: "q-ok", service: "q", objective: 99 }] })).toContain("worker services have no default SLI");
    expect(error({ ...MIN, thresholds: { error_rate: 5 } })).toContain("error_rate is a ratio between 0 and 1");
    expect(error({ ...MIN, environments: ["prod", "prod"] })).toContain("environments must not repeat");
    expect(error({ ...MIN, analyze: "../outside" })).toContain("a relative path inside the project");
  });

  it("describes every field", () => {
    const shape = alertingInputSchema.shape as Record<string, { description?: string }>;
    for (const [k, v] of Object.entries(shape)) expect(v.description, k).toBeTruthy();
  });
});

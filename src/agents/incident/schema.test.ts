import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";
import { incidentInputSchema } from "./schema.js";
import { errorsOf } from "./testing/support.js";

const seed = { incident_type: "database_connection_failure", services: ["api", "worker"], severity: "high" };

const pm = {
  id: "INC-1",
  title: "Checkout errors",
  summary: "Checkout failed.",
  impact: "5% of requests failed.",
  started_at: "2024-05-02T14:00:00Z",
  detected_at: "2024-05-02T14:05:00Z",
  resolved_at: "2024-05-02T15:00:00Z",
  events: [{ at: "2024-05-02T14:05:00Z", text: "Paged.", kind: "detection" }],
};

describe("devops.incident_runbook input", () => {
  it("accepts the documented form exactly and fills the documented defaults", () => {
    const input = incidentInputSchema.parse(seed);
    expect(input).toMatchObject({ incident_type: "database_connection_failure", severity: "high", alerts: [], environments: [], links: {} });
    const cfg = resolveConfig(input);
    expect(cfg.types).toEqual(["database_connection_failure"]);
    expect(cfg.sev).toBe(2);
    expect(cfg.services.map((s) => [s.name, s.kind, s.team, s.namespace ?? s.name, s.tier])).toEqual([
      ["api", "http", "platform", "api", "standard"],
      ["worker", "http", "platform", "worker", "standard"],
    ]);
    expect(cfg.namedOnly).toEqual(["api", "worker"]);
  });

  it("maps severities to SEV1..SEV4", () => {
    const sevs = (["critical", "high", "medium", "low"] as const).map((severity) => resolveConfig(incidentInputSchema.parse({ ...seed, severity })).sev);
    expect(sevs).toEqual([1, 2, 3, 4]);
  });

  it("names the nearest field for an unknown one, at the top and nested", () => {
    expect(errorsOf({ ...seed, severty: "high" })).toEqual([expect.stringMatching(/Unknown field 'severty' in task\.input\. Did you mean severity\? Valid fields: .*incident_types/)]);
    expect(errorsOf({ ...seed, postmortem: { ...pm, startd_at: "x" } })).toEqual([expect.stringMatching(/Unknown field 'startd_at' in task\.input\.postmortem\. Did you mean started_at\?/)]);
    expect(errorsOf({ ...seed, chaos: { engine: "litmus", experiments: [{ service: "api", falt: "pod_kill" }] } }).join("\n")).toMatch(/Unknown field 'falt'.*Did you mean fault\?/);
  });

  it("explains a bad service object with the nearest field", () => {
    const errs = errorsOf({ ...seed, services: ["api", { name: "worker", kind: "worker", namspace: "jobs" }] });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/task\.input\.services\[1\]/);
    expect(errs[0]).toMatch(/unknown field 'namspace'.*Did you mean namespace\?/i);
    // A missing required field beside the unknown one still names both.
    expect(errorsOf({ ...seed, services: [{ nmae: "worker", kind: "worker" }] }).join("\n")).toMatch(/services\[0\].*name: required field missing.*unknown field 'nmae'\. Did you mean name\?/s);
    expect(errorsOf({ ...seed, services: [{ name: "api", kind: "htp" }] })[0]).toMatch(/kind: Unsupported kind 'htp'.*Did you mean http\?/);
    expect(errorsOf({ ...seed, services: [42] })[0]).toMatch(/expected a service name such as api, or a service object/);
    expect(errorsOf({ ...seed, services: ["API"] })[0]).toMatch(/lower-case DNS label/);
  });

  it("suggests the nearest value of a closed set", () => {
    expect(errorsOf({ ...seed, severity: "hihg" })[0]).toMatch(/"hihg" for task\.input\.severity\. Did you mean high\? Valid values: critical, high, medium, low\./);
    expect(errorsOf({ ...seed, chaos: { engine: "chaosmesh" } })[0]).toMatch(/Did you mean chaos_mesh\?/);
  });

  it("refuses timestamps that are not ISO 8601 with a zone, or not real dates", () => {
    for (const bad of ["2024-05-02 14:00:00", "2024-05-02T14:00:00", "2024-13-02T14:00:00Z", "2024-02-30T14:00:00Z", "2024-05-02T24:00:00Z", "yesterday"]) {
      const errs = errorsOf({ ...seed, postmortem: { ...pm, started_at: bad } });
      expect(errs.join("\n"), bad).toMatch(/started_at must be an ISO 8601 timestamp with a time zone/);
    }
    expect(errorsOf({ ...seed, postmortem: { ...pm, started_at: "2024-05-02T16:00:00+02:00" } })).toEqual([]);
  });

  it("refuses timestamps out of order and events out of range", () => {
    expect(errorsOf({ ...seed, postmortem: { ...pm, detected_at: "2024-05-02T13:55:00Z" } })[0]).toMatch(/detected_at .* is before started_at/);
    expect(errorsOf({ ...seed, postmortem: { ...pm, resolved_at: "2024-05-02T14:01:00Z" } })[0]).toMatch(/resolved_at .* is before detected_at/);
    expect(errorsOf({ ...seed, postmortem: { ...pm, mitigated_at: "2024-05-02T16:00:00Z" } })[0]).toMatch(/mitigated_at .* must lie between/);
    const late = { ...pm, events: [...pm.events, { at: "2024-06-02T14:05:00Z", text: "Typo in the month." }] };
    expect(errorsOf({ ...seed, postmortem: late })).toEqual([expect.stringMatching(/postmortem\.events\[1\]\.at: event 2 at 2024-06-02T14:05:00Z is outside the incident window/)]);
    // A trigger shortly before the start and a follow-up after the end are fine.
    const edges = { ...pm, events: [{ at: "2024-05-02T13:40:00Z", text: "Deploy." }, ...pm.events, { at: "2024-05-03T09:00:00Z", text: "Customers told.", kind: "communication" }] };
    expect(errorsOf({ ...seed, postmortem: edges })).toEqual([]);
  });

  it("validates action items against the lifecycle feedback schema", () => {
    const items = [{ id: "AI-1", kind: "set_min_replicas", title: "More replicas", service: "api", replicas: 0 }];
    expect(errorsOf({ ...seed, postmortem: { ...pm, action_items: items } }).join("\n")).toMatch(/action_items\[0\]\.replicas/);
    const dup = [
      { id: "AI-1", kind: "note", title: "a" },
      { id: "AI-1", kind: "note", title: "b" },
    ];
    expect(errorsOf({ ...seed, postmortem: { ...pm, action_items: dup } })[0]).toMatch(/action item id AI-1 is used twice/);
  });

  it("needs an incident type or alerts, and not both forms of the type", () => {
    expect(errorsOf({ services: ["api"] })[0]).toMatch(/incident_type is required/);
    expect(errorsOf({ services: ["api"], alerts: [{ name: "ApiTargetDown", severity: "ticket", service: "api", summary: "down" }] })).toEqual([]);
    expect(errorsOf({ ...seed, incident_types: ["high_latency"] })[0]).toMatch(/give incident_type or incident_types, not both/);
    expect(errorsOf({ ...seed, incident_type: "Database Failure" })[0]).toMatch(/snake_case incident type/);
  });

  it("checks alerts and experiments against the services", () => {
    expect(errorsOf({ ...seed, alerts: [{ name: "ApiDown", severity: "page", service: "apii", summary: "x" }] })[0]).toMatch(/names service apii, which is not in services \(api, worker\)\. Did you mean api\?/);
    expect(errorsOf({ ...seed, alerts: [{ name: "Api Down", severity: "page", service: "api", summary: "x" }] })[0]).toMatch(/Prometheus alert name/);
    const chaos = (experiments: unknown[], engine = "chaos_mesh") => errorsOf({ ...seed, chaos: { engine, experiments } }).join("\n");
    expect(chaos([{ service: "api", fault: "pod_failure" }], "litmus")).toMatch(/LitmusChaos has no pod-failure experiment/);
    expect(chaos([{ service: "api", fault: "network_partition" }])).toMatch(/network_partition needs target_service/);
    expect(chaos([{ service: "api", fault: "pod_kill", latency: "200ms" }])).toMatch(/latency applies to network_latency, http_delay, not pod_kill/);
    expect(chaos([{ service: "api", fault: "pod_kill", mode: "fixed-percent" }])).toMatch(/mode fixed-percent needs percent/);
    expect(chaos([{ service: "api", fault: "pod_kill", mode: "fixed-percent", percent: 80 }])).toMatch(/percent/);
    expect(chaos([{ service: "api", fault: "pod_kill", duration: "2h" }])).toMatch(/a duration in seconds or minutes/);
    expect(chaos([{ service: "api", fault: "pod_kill", duration: "45m" }])).toMatch(/between 30s and 30m/);
    expect(chaos([{ service: "api", fault: "pod_kill" }, { service: "api", fault: "pod_kill" }])).toMatch(/listed twice/);
    expect(chaos([{ service: "api", fault: "pod_kil" }])).toMatch(/Did you mean pod_kill\?/);
    expect(chaos([{ service: "api", fault: "network_latency", target_service: "api" }])).toMatch(/another service/);
    expect(errorsOf({ ...seed, services: [{ name: "api", kind: "grpc" }], chaos: { experiments: [{ service: "api", fault: "http_abort" }] } }).join("\n")).toMatch(/kind grpc/);
    expect(errorsOf({ ...seed, chaos: { max_error_ratio: 0.1, abort_error_ratio: 0.05 } })[0]).toMatch(/must be above max_error_ratio/);
  });

  it("checks the recovery fields", () => {
    expect(errorsOf({ ...seed, recovery: { rto: "1 hour" } })[0]).toMatch(/Prometheus duration/);
    expect(errorsOf({ ...seed, recovery: { schedule: "every hour" } })[0]).toMatch(/not a cron schedule/);
    expect(errorsOf({ ...seed, recovery: { schedule: "0 25 * * *" } })[0]).toMatch(/hour '25' is outside 0-23/);
    expect(errorsOf({ ...seed, recovery: { schedule: "0 0 30 2 *" } })[0]).toMatch(/never runs/);
    expect(errorsOf({ ...seed, recovery: { backup: "restic" } })[0]).toMatch(/Valid values: velero, aws_backup, none/);
  });

  it("refuses repeated services, types and environments", () => {
    expect(errorsOf({ ...seed, services: ["api", "api"] })[0]).toMatch(/service api is listed twice/);
    expect(errorsOf({ services: ["api"], incident_types: ["disk_full", "disk_full"] })[0]).toMatch(/listed twice/);
    expect(errorsOf({ ...seed, environments: ["staging", "staging"] })[0]).toMatch(/must not repeat/);
  });
});

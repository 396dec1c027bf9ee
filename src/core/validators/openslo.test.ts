import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Result } from "../result.js";
import { OPENSLO_TOOL, openSloValidator, validateOpenSlo } from "./openslo.js";

const lines = (r: Result<null>) => r.errors.map((e) => `${e.line ?? "-"}: ${e.message}`);

/** Every `slo/*.yaml` under the monitoring golden tree, found at test time (read as data; no agents code is imported). */
function goldenSloFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".yaml") && dir.endsWith(`${"/"}slo`)) out.push(full);
    }
  };
  walk(join(process.cwd(), "src/agents/monitoring/__golden__"));
  return out.sort();
}

const SERVICE = `apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
  displayName: checkout
spec:
  description: http service owned by shop-backend
`;

// Line numbers below are of the full file: SERVICE (7 lines) + "---" (line 8) + this document from line 9.
const SLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
  labels:
    team: shop-backend
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-latency-sli
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(good)
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(total)
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: 99% good
      target: 0.99
`;

const file = (slo: string, service = SERVICE) => `${service}---\n${slo}`;
const check = (slo: string, service?: string) => validateOpenSlo(file(slo, service), "monitoring/slo/checkout-latency.yaml");
const swap = (from: string, to: string) => {
  if (!SLO.includes(from)) throw new Error(`fixture lacks ${from}`);
  return SLO.replace(from, to);
};

describe("validateOpenSlo: golden files", () => {
  const files = goldenSloFiles();
  it("finds the generator's golden OpenSLO files", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
  it.each(files)("%s passes with no warnings", (f) => {
    const r = validateOpenSlo(readFileSync(f, "utf8"), f);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe("validateOpenSlo: valid variants", () => {
  it("accepts the fixture", () => {
    expect(check(SLO)).toMatchObject({ ok: true, warnings: [] });
  });

  it("accepts a calendar window, Timeslices with its fields, a raw ratio and targetPercent", () => {
    const slo = swap("    - duration: 30d\n      isRolling: true\n", "    - duration: 1M\n      isRolling: false\n      calendar:\n        startTime: 2024-01-01 00:00:00\n        timeZone: Europe/Berlin\n")
      .replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")
      .replace("      target: 0.99\n", "      targetPercent: 99.5\n      timeSliceTarget: 0.95\n      timeSliceWindow: 5m\n")
      .replace(/ {8}good:[\s\S]*?query: sum\(total\)\n/, "        rawType: success\n        raw:\n          metricSource:\n            metricSourceRef: prometheus\n            spec:\n              query: ratio\n");
    expect(lines(check(slo))).toEqual([]);
  });

  it("accepts a thresholdMetric with op and value, and alert policies by reference and inline", () => {
    const slo = swap(/ {6}ratioMetric:[\s\S]*?query: sum\(total\)\n/.exec(SLO)?.[0] ?? "", "      thresholdMetric:\n        metricSource:\n          type: Prometheus\n          spec:\n            query: latency\n")
      .replace("      target: 0.99\n", "      op: lte\n      value: 0.3\n      target: 0.99\n")
      .concat(`  alertPolicies:
    - alertPolicyRef: page-oncall
    - kind: AlertPolicy
      metadata:
        name: fast-burn
      spec:
        alertWhenBreaching: true
        conditions:
          - kind: AlertCondition
            metadata:
              name: burn-14x
            spec:
              severity: page
              condition:
                kind: burnrate
                threshold: 14.4
                lookbackWindow: 1h
                alertAfter: 5m
        notificationTargets:
          - targetRef: oncall
`);
    expect(lines(check(slo))).toEqual([]);
  });
});

describe("validateOpenSlo: broken variants", () => {
  it("rejects a wrong apiVersion, naming the right one", () => {
    const r = check(swap("apiVersion: openslo/v1", "apiVersion: openslo/v1alpha"));
    expect(lines(r)).toEqual([`9: SLO checkout-latency: apiVersion: must be openslo/v1 (got "openslo/v1alpha")`]);
  });

  it("rejects an unknown kind, naming the v1 kinds", () => {
    const r = check(swap("kind: SLO", "kind: ServiceLevelObjective"));
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.message).toBe(`ServiceLevelObjective checkout-latency: kind: "ServiceLevelObjective" is not one of DataSource, SLO, SLI, AlertPolicy, AlertCondition, AlertNotificationTarget, Service`);
    expect(r.errors[0]?.line).toBe(10);
  });

  it("rejects a missing metadata.name and a name that is not RFC 1123", () => {
    expect(lines(check(swap("  name: checkout-latency\n", "")))).toEqual(["11: SLO #2: metadata.name: required field is missing"]);
    const r = check(swap("  name: checkout-latency\n", "  name: Checkout_Latency\n"));
    expect(r.errors.map((e) => e.message)).toEqual([expect.stringContaining("SLO Checkout_Latency: metadata.name: must be an RFC 1123 name")]);
  });

  it("rejects an unknown field with a did-you-mean, pointing at the key", () => {
    const r = check(swap("budgetingMethod: Occurrences", "budgetMethod: Occurrences"));
    expect(lines(r)).toContain("36: SLO checkout-latency: spec.budgetMethod: unknown field 'budgetMethod'. Did you mean budgetingMethod?");
    expect(r.errors[0]?.kind).toBe("schema");
    expect(r.errors[0]?.path).toBe("monitoring/slo/checkout-latency.yaml");
  });

  it("rejects a bad budgetingMethod, naming the valid ones", () => {
    const r = check(swap("budgetingMethod: Occurrences", "budgetingMethod: Events"));
    expect(r.errors.map((e) => e.message)).toEqual([`SLO checkout-latency: spec.budgetingMethod: "Events" is not one of Occurrences, Timeslices, RatioTimeslices`]);
  });

  it("rejects target 1.5 and targetPercent 100", () => {
    expect(check(swap("target: 0.99", "target: 1.5")).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.objectives[0].target: must be between 0 and 1 (exclusive)"]);
    expect(check(swap("target: 0.99", "targetPercent: 100")).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.objectives[0].targetPercent: must be between 0 and 100 (exclusive)"]);
  });

  it("rejects both target and targetPercent, and neither", () => {
    expect(check(swap("      target: 0.99\n", "      target: 0.99\n      targetPercent: 99\n")).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.objectives[0].targetPercent: target and targetPercent cannot both be set"]);
    expect(check(swap("      target: 0.99\n", "")).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.objectives[0]: needs one of target (0..1) or targetPercent (0..100)"]);
  });

  it("rejects both indicator and indicatorRef, and neither", () => {
    expect(check(swap("  service: checkout\n", "  service: checkout\n  indicatorRef: checkout-latency-sli\n")).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.indicatorRef: indicator and indicatorRef cannot both be set"]);
    const noIndicator = SLO.replace(/ {2}indicator:[\s\S]*?query: sum\(total\)\n/, "");
    expect(check(noIndicator).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec: needs exactly one of indicator (an inline SLI) or indicatorRef"]);
  });

  it("rejects Timeslices without timeSliceTarget and timeSliceWindow", () => {
    const r = check(swap("budgetingMethod: Occurrences", "budgetingMethod: Timeslices"));
    expect(r.errors.map((e) => e.message)).toEqual([
      "SLO checkout-latency: spec.objectives[0].timeSliceWindow: required when budgetingMethod is Timeslices",
      "SLO checkout-latency: spec.objectives[0].timeSliceTarget: required when budgetingMethod is Timeslices",
    ]);
  });

  it("rejects a ratioMetric with neither good/bad nor raw", () => {
    const slo = SLO.replace(/ {8}good:[\s\S]*?query: sum\(total\)\n/, "");
    expect(check(slo).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.indicator.spec.ratioMetric: needs either good or bad with total, or raw with rawType"]);
  });

  it("rejects good and bad together, and raw without rawType", () => {
    const both = swap("        total:\n", "        bad:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: sum(bad)\n        total:\n");
    expect(check(both).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.indicator.spec.ratioMetric.bad: good and bad cannot both be set; use one of them with total"]);
    const raw = SLO.replace(/ {8}good:[\s\S]*?query: sum\(total\)\n/, "        raw:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: ratio\n");
    expect(check(raw).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.indicator.spec.ratioMetric.rawType: required with raw (success or failure)"]);
  });

  it("rejects a timeWindow with two items", () => {
    const r = check(swap("      isRolling: true\n", "      isRolling: true\n    - duration: 7d\n      isRolling: true\n"));
    expect(lines(r)).toEqual(["33: SLO checkout-latency: spec.timeWindow: must hold exactly one item"]);
  });

  it("rejects a duration with a unit v1 does not allow", () => {
    for (const bad of ["30s", "1y", "0d", "1.5h", "30 d"]) {
      const r = check(swap("duration: 30d", `duration: ${bad}`));
      expect(r.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^SLO checkout-latency: spec\.timeWindow\[0\]\.duration: must be a duration shorthand: .*m, h, d, w, M, Q, Y/)]);
    }
  });

  it("rejects a non-rolling window without a calendar, and a bad time zone", () => {
    expect(check(swap("isRolling: true", "isRolling: false")).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.timeWindow[0].calendar: required when isRolling is false (startTime and timeZone)"]);
    const tz = swap("      isRolling: true\n", "      isRolling: false\n      calendar:\n        startTime: 2024-01-01 00:00:00\n        timeZone: Mars/Olympus\n");
    expect(check(tz).errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.timeWindow[0].calendar.timeZone: must be an IANA time zone name, e.g. America/New_York"]);
  });

  it("rejects an unknown Service field and a wrongly typed field", () => {
    const r = validateOpenSlo(file(SLO, SERVICE.replace("  description:", "  descripton:")), "s.yaml");
    expect(r.errors.map((e) => e.message)).toEqual(["Service checkout: spec.descripton: unknown field 'descripton'. Did you mean description?"]);
    expect(check(swap("counter: true", "counter: yes")).errors.map((e) => e.message)).toEqual([`SLO checkout-latency: spec.indicator.spec.ratioMetric.counter: must be a boolean (got string "yes")`]);
  });

  it("reports a YAML syntax error with its line", () => {
    const r = check(swap("  service: checkout\n", "  service: [checkout\n"));
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.kind).toBe("syntax");
    expect(r.errors[0]?.message).toMatch(/^YAML syntax: /);
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(16);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    }
    const started = Date.now();
    const r = validateOpenSlo(`apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: bomb\nspec:\n  lol:\n${levels.map((l) => `    ${l}`).join("\n")}\n`, "bomb.yaml");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.kind).toBe("syntax");
    expect(r.errors[0]?.message).toMatch(/^document 1: .*alias/i);
  });

  it("rejects an empty file, a file of empty documents, and a non-object document", () => {
    expect(validateOpenSlo("", "e.yaml").errors).toEqual([expect.objectContaining({ kind: "empty", message: "e.yaml holds no OpenSLO documents" })]);
    expect(validateOpenSlo("# nothing\n---\n---\n", "e.yaml").ok).toBe(false);
    expect(lines(validateOpenSlo("- just\n- a list\n", "l.yaml"))).toEqual(["1: document 1: not an OpenSLO object (got a list); expected a map with apiVersion, kind, metadata and spec"]);
  });

  it("rejects a duplicate kind and name in one file", () => {
    const r = validateOpenSlo(`${SERVICE}---\n${SERVICE}---\n${SLO}`, "d.yaml");
    expect(lines(r)).toEqual(["12: Service checkout: defined twice in this file (documents 1 and 2)"]);
    expect(r.errors[0]?.kind).toBe("duplicate");
  });

  it("requires op and value on objectives of a thresholdMetric indicator", () => {
    const slo = SLO.replace(/ {6}ratioMetric:[\s\S]*?query: sum\(total\)\n/, "      thresholdMetric:\n        metricSource:\n          type: Prometheus\n          spec:\n            query: latency\n");
    expect(check(slo).errors.map((e) => e.message)).toEqual([
      "SLO checkout-latency: spec.objectives[0].op: required with a thresholdMetric indicator (lte, gte, lt or gt)",
      "SLO checkout-latency: spec.objectives[0].value: required with a thresholdMetric indicator",
    ]);
  });

  it("rejects a metricSource without type or metricSourceRef", () => {
    const r = check(swap("            type: Prometheus\n            spec:\n              query: sum(good)\n", "            spec:\n              query: sum(good)\n"));
    expect(r.errors.map((e) => e.message)).toEqual(["SLO checkout-latency: spec.indicator.spec.ratioMetric.good.metricSource.type: required field is missing (type may be omitted only with metricSourceRef)"]);
  });
});

describe("validateOpenSlo: cross-document references", () => {
  it("warns, but passes, when the SLO's service is not in the file", () => {
    const r = validateOpenSlo(SLO, "slo.yaml");
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([expect.objectContaining({ kind: "reference", line: 8, message: "SLO checkout-latency: spec.service: no Service checkout in this file; it must be defined elsewhere" })]);
  });
});

describe("openSloValidator", () => {
  it("wraps validateOpenSlo with the tool name", async () => {
    expect(openSloValidator.tool).toBe(OPENSLO_TOOL);
    expect(String(openSloValidator.kind)).toBe("openslo");
    const r = await openSloValidator.validate({ kind: openSloValidator.kind, path: "a.yaml", content: file(swap("target: 0.99", "target: 1.5")) } as Parameters<typeof openSloValidator.validate>[0]);
    expect(r.errors[0]?.message).toContain("must be between 0 and 1 (exclusive)");
  });
});

import { describe, expect, it } from "vitest";
import { formatG, humanizeDuration, humanizePercentage } from "./humanize.js";
import { deriveHistogram, deriveRatio } from "./rule-test.js";
import { matches, parseSelector, regexExamples, selectorMatches, solve, solveOutside } from "./selectors.js";

describe("Go-compatible number formatting (what promtool prints in annotations)", () => {
  it("formats %.4g like Go", () => {
    expect(formatG(2)).toBe("2");
    expect(formatG(1.44)).toBe("1.44");
    expect(formatG(0.001234)).toBe("0.001234");
    expect(formatG(0.00001234)).toBe("1.234e-05");
    expect(formatG(123456)).toBe("1.235e+05");
    expect(formatG(9.99961)).toBe("10");
    expect(formatG(0.020000000000000018 * 100)).toBe("2");
  });

  it("humanizes percentages and durations as Prometheus' templates do", () => {
    expect(humanizePercentage(0.0144)).toBe("1.44%");
    expect(humanizePercentage(0.95)).toBe("95%");
    expect(humanizeDuration(0.597)).toBe("597ms");
    expect(humanizeDuration(1.99)).toBe("1.99s");
    expect(humanizeDuration(90)).toBe("1m 30s");
    expect(humanizeDuration(0)).toBe("0s");
    expect(humanizeDuration(0.000002)).toBe("2us");
  });
});

describe("selector parser", () => {
  it("parses names, every operator and all three quote styles", () => {
    expect(parseSelector(`http_requests_total{job="api",code!~"5..", method =~ 'GET|POST' , path!=\`/health\`}`)).toEqual({
      metric: "http_requests_total",
      matchers: [
        { label: "job", op: "=", value: "api" },
        { label: "code", op: "!~", value: "5.." },
        { label: "method", op: "=~", value: "GET|POST" },
        { label: "path", op: "!=", value: "/health" },
      ],
    });
    expect(parseSelector(`{__name__="up",job="api"}`)).toEqual({ metric: "up", matchers: [{ label: "job", op: "=", value: "api" }] });
    expect(parseSelector("up")).toEqual({ metric: "up", matchers: [] });
  });

  it("refuses what is not a plain selector", () => {
    expect(parseSelector("sum(rate(x[5m]))")).toBeUndefined();
    expect(parseSelector(`x{job="a"} + 1`)).toBeUndefined();
    expect(parseSelector(`x{job=a}`)).toBeUndefined();
  });
});

describe("label-matcher solver", () => {
  it("anchors regexes like Prometheus", () => {
    expect(matches({ op: "=~", value: "5.." }, "500")).toBe(true);
    expect(matches({ op: "=~", value: "5.." }, "5000")).toBe(false);
    expect(matches({ op: "!~", value: "5.." }, "")).toBe(true);
  });

  it("generates examples for common regexes", () => {
    expect(regexExamples("5..")).toEqual(["500"]);
    expect(regexExamples("Unknown|Internal")).toEqual(["Unknown", "Internal"]);
    expect(regexExamples("[45]xx")).toEqual(["4xx"]);
    expect(regexExamples("(GET|POST)/api/.+")).toEqual(["GET/api/0"]);
  });

  it("solves =, !=, =~ and !~ and finds a series outside a selector", () => {
    const good = parseSelector(`http_requests_total{job="api",code!~"5.."}`)!;
    const total = parseSelector(`http_requests_total{job="api"}`)!;
    const inside = solve([...total.matchers, ...good.matchers]);
    const outside = solveOutside(total.matchers, good.matchers);
    expect(inside).toEqual({ code: "200", job: "api" });
    expect(outside).toEqual({ code: "500", job: "api" });
    expect(selectorMatches(good, "http_requests_total", outside!)).toBe(false);
    expect(solve([{ label: "a", op: "=", value: "x" }, { label: "a", op: "!=", value: "x" }])).toBeUndefined();
    expect(solve([{ label: "container", op: "!=", value: "" }])).toEqual({ container: "x" });
  });

  it("derives good-and-total vs bad-and-total series, and series of two metrics", () => {
    const same = deriveRatio({ bad: `grpc_server_handled_total{job="p",grpc_code=~"Unknown|Internal"}`, total: `grpc_server_handled_total{job="p"}` });
    expect(same.ok && same.traffic(0.1)).toEqual([
      { kind: "counter", metric: "grpc_server_handled_total", labels: { grpc_code: "Unknown", job: "p" }, perMinute: 100 },
      { kind: "counter", metric: "grpc_server_handled_total", labels: { grpc_code: "OK", job: "p" }, perMinute: 900 },
    ]);
    const two = deriveRatio({ good: `jobs_succeeded_total{queue="mail"}`, total: `jobs_processed_total{queue="mail"}` });
    expect(two.ok && two.traffic(0.25).map((s) => [s.metric, s.kind === "counter" ? s.perMinute : undefined])).toEqual([
      ["jobs_succeeded_total", 750],
      ["jobs_processed_total", 1000],
    ]);
    expect(deriveRatio({ good: "sum(rate(x[$window]))", total: "sum(rate(y[$window]))" })).toEqual({ ok: false, reason: "its SLI is a PromQL template ($window), not a selector" });
    expect(deriveRatio({ good: `x{job="a",job!="a"}`, total: `x{job="a"}` }).ok).toBe(false);
  });

  it("derives histogram buckets at every boundary, slow requests only in +Inf", () => {
    const d = deriveHistogram("http_request_duration_seconds", `{job="api",route!~"/health.*"}`, [0.3, 0.1]);
    expect(d.ok && d.traffic(0.01).map((s) => [s.metric, s.labels.le, s.kind === "counter" ? s.perMinute : undefined])).toEqual([
      ["http_request_duration_seconds_bucket", "0.1", 990],
      ["http_request_duration_seconds_bucket", "0.3", 990],
      ["http_request_duration_seconds_bucket", "+Inf", 1000],
      ["http_request_duration_seconds_count", undefined, 1000],
    ]);
    expect(deriveHistogram("h", `{le="1"}`, [1]).ok).toBe(false);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Artifact } from "../plans/plan.js";
import type { Result } from "../result.js";
import { componentIdProblem, OTEL_COLLECTOR_TOOL, otelCollectorValidator, validateOtelCollectorConfig } from "./otel-collector.js";

const GOLDEN_ROOT = join(import.meta.dirname, "..", "..", "agents", "monitoring", "__golden__");

/** Every `otel/*.yaml` under the monitoring golden files. */
function goldenCollectorFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...goldenCollectorFiles(full));
    else if (/\.ya?ml$/.test(entry.name) && dir.split(/[\\/]/).at(-1) === "otel") out.push(full);
  }
  return out.sort();
}

const messages = (issues: { message: string }[]) => issues.map((i) => i.message);

const VALID = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: \${env:MY_POD_IP}:4317
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
  batch:
exporters:
  otlp:
    endpoint: tempo:4317
extensions:
  health_check:
service:
  extensions: [health_check]
  telemetry:
    logs:
      level: info
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp]
`;

function check(text: string): Result<null> {
  return validateOtelCollectorConfig(text, "otel/collector.yaml");
}

describe("validateOtelCollectorConfig: golden files", () => {
  const files = goldenCollectorFiles(GOLDEN_ROOT);

  it("finds the golden collector configs", () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
  });

  it.each(files.map((f) => [relative(GOLDEN_ROOT, f), f]))("%s passes with no warnings", (_name, file) => {
    const r = validateOtelCollectorConfig(readFileSync(file, "utf8"), file);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe("validateOtelCollectorConfig: valid configs", () => {
  it("accepts a small config with extensions, telemetry and env substitutions", () => {
    const r = check(VALID);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("accepts named pipelines and a connector used on both sides", () => {
    const r = check(`receivers:
  otlp:
connectors:
  spanmetrics:
exporters:
  otlp/tempo:
    endpoint: \${TEMPO_ENDPOINT}
  prometheusremotewrite:
    endpoint: http://mimir/api/v1/push
service:
  pipelines:
    traces/in:
      receivers: [otlp]
      exporters: [otlp/tempo, spanmetrics]
    metrics/spans:
      receivers: [spanmetrics]
      exporters: [prometheusremotewrite]
`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it("the validator object wraps the function", async () => {
    expect(otelCollectorValidator.kind).toBe("otel-collector");
    expect(otelCollectorValidator.tool).toBe(OTEL_COLLECTOR_TOOL);
    const artifact: Artifact = { path: "otel/collector.yaml", kind: "otel-collector", content: VALID, sha256: "" };
    expect((await otelCollectorValidator.validate(artifact)).ok).toBe(true);
  });
});

describe("componentIdProblem", () => {
  it("accepts type and type/name ids", () => {
    expect(componentIdProblem("otlp")).toBeUndefined();
    expect(componentIdProblem("otlp/tempo-1.eu")).toBeUndefined();
    expect(componentIdProblem("memory_limiter")).toBeUndefined();
  });
  it("refuses empty parts, bad types and names with spaces or symbols", () => {
    expect(componentIdProblem("otlp/")).toMatch(/the part after \/ \(the name\) must not be empty/);
    expect(componentIdProblem("/x")).toMatch(/the part before \//);
    expect(componentIdProblem("1otlp")).toMatch(/must start with a letter/);
    expect(componentIdProblem("ot-lp")).toMatch(/letters, digits and underscores/);
    expect(componentIdProblem("otlp/a b")).toMatch(/whitespace, control or symbol/);
    expect(componentIdProblem("otlp/a+b")).toMatch(/whitespace, control or symbol/);
  });
});

describe("validateOtelCollectorConfig: broken configs", () => {
  it("unknown top-level key: error with did-you-mean and line", () => {
    const r = check(VALID.replace("exporters:\n  otlp:\n    endpoint: tempo:4317\n", "exporters:\n  otlp:\n    endpoint: tempo:4317\nexporter:\n  debug:\n"));
    expect(r.ok).toBe(false);
    const e = r.errors.find((x) => x.message.includes("'exporter'"));
    expect(e?.message).toBe("exporter: unknown top-level key 'exporter'; valid keys: receivers, processors, exporters, connectors, extensions, service. Did you mean exporters?");
    expect(e?.line).toBe(14);
    expect(e?.column).toBe(1);
    expect(e?.kind).toBe("schema");
    expect(e?.path).toBe("otel/collector.yaml");
  });

  it("missing service", () => {
    const r = check("receivers:\n  otlp:\nexporters:\n  debug:\n");
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toEqual(["service is required: it enables extensions and defines the pipelines (service.pipelines)"]);
  });

  it("empty pipelines", () => {
    const r = check("receivers:\n  otlp:\nexporters:\n  debug:\nservice:\n  pipelines: {}\n");
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toContain("service.pipelines: service.pipelines is empty: the service must have at least one pipeline");
  });

  it("missing pipelines", () => {
    const r = check("receivers:\n  otlp:\nexporters:\n  debug:\nservice:\n  extensions: []\n");
    expect(messages(r.errors)).toContain("service: service.pipelines is required: the service must have at least one pipeline");
  });

  it("pipeline with no receivers", () => {
    const r = check(VALID.replace("      receivers: [otlp]\n", ""));
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toContain("service.pipelines.traces: a pipeline must have at least one receiver (receivers: [...])");
    const empty = check(VALID.replace("receivers: [otlp]", "receivers: []"));
    expect(messages(empty.errors)).toContain("service.pipelines.traces.receivers: a pipeline must have at least one receiver (receivers: [...])");
  });

  it("pipeline with no exporters", () => {
    const r = check(VALID.replace("      exporters: [otlp]\n", ""));
    expect(messages(r.errors)).toContain("service.pipelines.traces: a pipeline must have at least one exporter (exporters: [...])");
  });

  it("undefined processor reference, with its line", () => {
    const r = check(VALID.replace("processors: [memory_limiter, batch]", "processors: [memory_limiter, bacth]"));
    expect(r.ok).toBe(false);
    const e = r.errors.find((x) => x.kind === "reference");
    expect(e?.message).toBe("service.pipelines.traces.processors[1]: processor 'bacth' is not defined; defined processors: memory_limiter, batch. Did you mean batch?");
    expect(e?.line).toBe(24);
  });

  it("undefined exporter reference", () => {
    const r = check(VALID.replace("exporters: [otlp]", "exporters: [otlphttp]"));
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toContain("service.pipelines.traces.exporters[0]: exporter 'otlphttp' is not defined; defined exporters: otlp. Did you mean otlp?");
    // The now unused otlp exporter is a warning.
    expect(messages(r.warnings)).toContain("exporters.otlp: exporter 'otlp' is defined but used by no pipeline; the Collector ignores it");
  });

  it("undefined receiver reference names the defined ones", () => {
    const r = check(VALID.replace("receivers: [otlp]", "receivers: [jaeger]"));
    expect(messages(r.errors)).toContain("service.pipelines.traces.receivers[0]: receiver 'jaeger' is not defined; defined receivers: otlp");
  });

  it("bad pipeline id (trace)", () => {
    const r = check(VALID.replace("    traces:\n", "    trace:\n"));
    expect(r.ok).toBe(false);
    const e = r.errors.find((x) => x.message.startsWith("service.pipelines.trace:"));
    expect(e?.message).toBe("service.pipelines.trace: pipeline id 'trace' must start with a signal: traces, metrics, logs, profiles (optionally followed by /name). Did you mean traces?");
    expect(e?.line).toBe(22);
  });

  it("bad component id (otlp/)", () => {
    const r = check(VALID.replace("exporters:\n  otlp:\n", "exporters:\n  otlp/:\n"));
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toContain("exporters.otlp/: invalid exporter id: in 'otlp/': the part after / (the name) must not be empty");
  });

  it("component settings that are not a mapping", () => {
    const r = check(VALID.replace("  batch:\n", "  batch: fast\n"));
    expect(messages(r.errors)).toContain("processors.batch: the settings of processor 'batch' must be a mapping (or empty for the defaults), not string");
  });

  it("duplicate processor in a list", () => {
    const r = check(VALID.replace("processors: [memory_limiter, batch]", "processors: [memory_limiter, batch, batch]"));
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toEqual(["service.pipelines.traces.processors[2]: processor 'batch' is listed more than once"]);
  });

  it("undefined extension in service.extensions", () => {
    const r = check(VALID.replace("extensions: [health_check]", "extensions: [health_check, pprof]"));
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toEqual(["service.extensions[1]: extension 'pprof' is not defined; defined extensions: health_check"]);
  });

  it("extension defined but not enabled: warning", () => {
    const r = check(VALID.replace("  extensions: [health_check]\n", ""));
    expect(r.ok).toBe(true);
    expect(messages(r.warnings)).toEqual(["extensions.health_check: extension 'health_check' is defined but not enabled in service.extensions; the Collector ignores it"]);
  });

  it("connector used on one side only", () => {
    const r = check(`receivers:
  otlp:
connectors:
  spanmetrics:
exporters:
  otlp:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp, spanmetrics]
`);
    expect(r.ok).toBe(false);
    expect(messages(r.errors)).toEqual(["service.pipelines.traces.exporters[1]: connector 'spanmetrics' is used as an exporter but no pipeline uses it as a receiver; a connector must be both"]);
  });

  it("connector in processors is an error", () => {
    const r = check(`receivers: { otlp: }
processors: { batch: }
connectors: { forward: }
exporters: { otlp: }
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [forward]
      exporters: [otlp]
`);
    expect(messages(r.errors)).toContain("service.pipelines.traces.processors[0]: 'forward' is a connector; connectors go in a pipeline's receivers or exporters, not its processors");
  });

  it("unknown field in a pipeline and in service", () => {
    const r = check(VALID.replace("      exporters: [otlp]\n", "      exporters: [otlp]\n      exporter: [otlp]\n").replace("  telemetry:\n", "  telemetri:\n"));
    expect(messages(r.errors)).toContain("service.pipelines.traces.exporter: unknown pipeline field 'exporter'; valid fields: receivers, processors, exporters. Did you mean exporters?");
    expect(messages(r.errors)).toContain("service.telemetri: unknown service field 'telemetri'; valid fields: extensions, pipelines, telemetry. Did you mean telemetry?");
  });

  it("unused receiver: warning, still passes", () => {
    const r = check(VALID.replace("receivers:\n  otlp:\n", "receivers:\n  zipkin:\n  otlp:\n"));
    expect(r.ok).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.message).toBe("receivers.zipkin: receiver 'zipkin' is defined but used by no pipeline; the Collector ignores it");
    expect(r.warnings[0]?.line).toBe(2);
  });

  it("memory_limiter not first: warning", () => {
    const r = check(VALID.replace("processors: [memory_limiter, batch]", "processors: [batch, memory_limiter]"));
    expect(r.ok).toBe(true);
    expect(messages(r.warnings)).toContain(
      "service.pipelines.traces.processors[1]: memory_limiter should be the first processor of the pipeline (it is at position 2), so it can refuse data before other processors spend memory on it",
    );
    expect(messages(r.warnings)).toContain("service.pipelines.traces.processors[0]: batch should come after memory_limiter (batch after memory limiting and sampling)");
  });

  it("batch before a sampling processor: warning", () => {
    const r = check(VALID.replace("  batch:\n", "  batch:\n  tail_sampling:\n").replace("processors: [memory_limiter, batch]", "processors: [memory_limiter, batch, tail_sampling]"));
    expect(r.ok).toBe(true);
    expect(messages(r.warnings)).toEqual(["service.pipelines.traces.processors[1]: batch should come after tail_sampling (batch after memory limiting and sampling)"]);
  });

  it("bare $VAR: warning; ${env:VAR}, ${VAR} and $$ are fine", () => {
    const r = check(VALID.replace("endpoint: tempo:4317", "endpoint: $TEMPO_HOST:4317"));
    expect(r.ok).toBe(true);
    expect(messages(r.warnings)).toEqual(["exporters.otlp.endpoint: '$TEMPO_HOST' is the bare environment variable form, which the Collector no longer expands; write ${env:TEMPO_HOST}"]);
    const fine = check(VALID.replace("endpoint: tempo:4317", () => 'endpoint: "${env:HOST}:${PORT}/$$literal"'));
    expect(fine.errors).toEqual([]);
    expect(fine.warnings).toEqual([]);
  });

  it("YAML syntax error with its line", () => {
    const r = check("receivers:\n  otlp:\n    protocols: [grpc\nservice:\n  pipelines: {}\n");
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.kind).toBe("syntax");
    expect(r.errors[0]?.message).toMatch(/^YAML syntax: /);
    expect(r.errors[0]?.line).toBe(4);
  });

  it("duplicate keys are a syntax error", () => {
    const r = check("receivers:\n  otlp:\n  otlp:\n");
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.kind).toBe("syntax");
    expect(r.errors[0]?.message).toMatch(/^YAML syntax: .*unique/);
    // At the repeated key itself (yaml's own check pointed past the end of line 2 when the earlier key had no value).
    expect(r.errors[0]?.line).toBe(3);
  });

  it("alias bomb is refused quickly", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]",
      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]",
      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]",
      "",
    ].join("\n");
    const started = performance.now();
    const r = check(bomb);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.kind).toBe("syntax");
    expect(r.errors[0]?.message).toMatch(/alias/i);
  });

  it("a multi-document file is an error", () => {
    const r = check(`${VALID}---\n${VALID}`);
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toBe("otel/collector.yaml holds 2 YAML documents; the Collector reads one config document per file (split them or remove the extra '---')");
  });

  it("not a mapping, empty file and oversized input", () => {
    expect(messages(check("- receivers\n").errors)).toEqual(["an OpenTelemetry Collector config must be a mapping with receivers, processors, exporters, connectors, extensions, service"]);
    expect(check("").ok).toBe(false);
    expect(check("# only a comment\n").ok).toBe(false);
    const big = check(`# ${"x".repeat(2 * 1024 * 1024)}\n`);
    expect(big.errors[0]?.kind).toBe("too-large");
  });

  it("a connector id shared with a receiver is ambiguous", () => {
    const r = check(`receivers: { forward: }
connectors: { forward: }
exporters: { otlp: }
service:
  pipelines:
    traces:
      receivers: [forward]
      exporters: [otlp]
`);
    expect(messages(r.errors)).toContain("connectors.forward: ambiguous id: 'forward' is both a receiver and a connector; rename one of them");
  });
});

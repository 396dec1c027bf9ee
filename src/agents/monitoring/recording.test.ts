/**
 * The recording rules compute what their names say: `promtool test rules`
 * feeds synthetic series to the generated rule files and checks the recorded
 * values, including that USE series keep only the service's own pods.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { effectiveSli, PATHS } from "../observability/index.js";
import { GRPC_ERROR_CODES, USE } from "./recording.js";
import { planInput, promtool, withArtifacts } from "./testing/support.js";

const { input, plan } = planInput({
  services: [
    { name: "checkout", kind: "http", namespace: "shop" },
    { name: "payments", kind: "grpc", namespace: "shop" },
    { name: "jobs", kind: "worker", namespace: "shop" },
    { name: "pg", kind: "database", namespace: "shop", metrics: { target: "pg-exporter.shop.svc:9187" } },
  ],
});

const series = (s: string, values: string) => ({ series: s, values });
const sample = (labels: string, value: number) => ({ labels, value });

const TEST = {
  rule_files: ["checkout-recording.rules.yml", "payments-recording.rules.yml", "jobs-recording.rules.yml", "pg-recording.rules.yml"].map((f) => `../rules/${f}`),
  evaluation_interval: "1m",
  tests: [
    {
      name: "RED and USE from synthetic traffic",
      interval: "1m",
      input_series: [
        series('http_requests_total{job="checkout",code="200",route="/cart"}', "0+90x15"),
        series('http_requests_total{job="checkout",code="500",route="/cart"}', "0+10x15"),
        series('http_request_duration_seconds_bucket{job="checkout",le="0.1"}', "0+50x15"),
        series('http_request_duration_seconds_bucket{job="checkout",le="0.5"}', "0+90x15"),
        series('http_request_duration_seconds_bucket{job="checkout",le="+Inf"}', "0+100x15"),
        series('grpc_server_handled_total{job="payments",grpc_code="OK",grpc_service="Pay",grpc_method="Charge"}', "0+60x15"),
        series('jobs_processed_total{job="jobs",queue="orders"}', "0+120x15"),
        series('jobs_failed_total{job="jobs",queue="orders"}', "0+6x15"),
        series('queue_depth{job="jobs",queue="orders",pod="jobs-1"}', "7x15"),
        series('queue_depth{job="jobs",queue="orders",pod="jobs-2"}', "9x15"),
        series('pg_stat_database_xact_commit{job="pg",datname="app"}', "0+57x15"),
        series('pg_stat_database_xact_rollback{job="pg",datname="app"}', "0+3x15"),
        series('pg_stat_activity_count{job="pg",datname="app",state="active"}', "30x15"),
        series('pg_settings_max_connections{job="pg"}', "100x15"),
        series('up{job="checkout",namespace="shop",pod="checkout-1"}', "1x15"),
        series('up{job="other",namespace="shop",pod="other-1"}', "1x15"),
        series('container_cpu_usage_seconds_total{namespace="shop",pod="checkout-1",container="app"}', "0+30x15"),
        series('container_cpu_usage_seconds_total{namespace="shop",pod="other-1",container="app"}', "0+60x15"),
        series('kube_pod_container_resource_requests{namespace="shop",pod="checkout-1",container="app",resource="cpu"}', "0.25x15"),
        series('container_memory_working_set_bytes{namespace="shop",pod="checkout-1",container="app"}', "100x15"),
        series('kube_pod_container_resource_limits{namespace="shop",pod="checkout-1",container="app",resource="memory"}', "400x15"),
      ],
      promql_expr_test: [
        { expr: 'job:http_requests:rate5m{job="checkout"} * 60', eval_time: "10m", exp_samples: [sample('{job="checkout"}', 100)] },
        { expr: 'job:http_request_errors_per_request:ratio_rate5m{job="checkout"}', eval_time: "10m", exp_samples: [sample('{__name__="job:http_request_errors_per_request:ratio_rate5m",job="checkout"}', 0.1)] },
        {
          expr: 'job_quantile:http_request_duration_seconds:histogram_quantile_rate5m{job="checkout",quantile="0.5"}',
          eval_time: "10m",
          exp_samples: [sample('{__name__="job_quantile:http_request_duration_seconds:histogram_quantile_rate5m",job="checkout",quantile="0.5"}', 0.1)],
        },
        // No failing RPC yet: the error rate is 0, not missing.
        { expr: 'job:grpc_server_handled_errors:rate5m{job="payments"}', eval_time: "10m", exp_samples: [sample('{__name__="job:grpc_server_handled_errors:rate5m",job="payments"}', 0)] },
        { expr: 'job:jobs_failed_per_processed:ratio_rate5m{job="jobs"}', eval_time: "10m", exp_samples: [sample('{__name__="job:jobs_failed_per_processed:ratio_rate5m",job="jobs"}', 0.05)] },
        { expr: "job_queue:queue_depth:max", eval_time: "10m", exp_samples: [sample('{__name__="job_queue:queue_depth:max",job="jobs",queue="orders"}', 9)] },
        { expr: 'job:pg_rollbacks_per_transaction:ratio_rate5m{job="pg"}', eval_time: "10m", exp_samples: [sample('{__name__="job:pg_rollbacks_per_transaction:ratio_rate5m",job="pg"}', 0.05)] },
        { expr: 'job:pg_connections_used:ratio{job="pg"}', eval_time: "10m", exp_samples: [sample('{__name__="job:pg_connections_used:ratio",job="pg"}', 0.3)] },
        // Only the pods scraped as job=checkout: other-1 in the same namespace is left out.
        { expr: USE.cpu, eval_time: "10m", exp_samples: [sample(`{__name__="${USE.cpu}",namespace="shop",pod="checkout-1",service="checkout"}`, 0.5)] },
        { expr: USE.cpuPerRequest, eval_time: "10m", exp_samples: [sample(`{__name__="${USE.cpuPerRequest}",namespace="shop",pod="checkout-1",service="checkout"}`, 2)] },
        { expr: USE.memoryPerLimit, eval_time: "10m", exp_samples: [sample(`{__name__="${USE.memoryPerLimit}",namespace="shop",pod="checkout-1",service="checkout"}`, 0.25)] },
        { expr: 'job:up:avg{job="checkout"}', eval_time: "10m", exp_samples: [sample('{__name__="job:up:avg",job="checkout"}', 1)] },
      ],
    },
  ],
};

describe("recording rules", () => {
  it("record the documented values from synthetic series (promtool test rules)", () => {
    withArtifacts(plan.artifacts, (dir) => {
      const tests = join(dir, PATHS.prometheusDir, "tests");
      mkdirSync(tests, { recursive: true });
      writeFileSync(join(tests, "recording.test.yml"), stringify(TEST));
      const r = promtool(["test", "rules", "tests/recording.test.yml"], join(dir, PATHS.prometheusDir));
      expect(r.output).toContain("SUCCESS");
      expect(r.code, r.output).toBe(0);
    });
  });

  it("a static target gets RED rules but no USE group (it has no pods)", () => {
    const pg = plan.artifacts.find((a) => a.path === PATHS.recordingRules("pg"))!;
    expect(pg.content).toContain("name: pg-red");
    expect(pg.content).not.toContain("name: pg-use");
    expect(plan.artifacts.find((a) => a.path === PATHS.recordingRules("checkout"))!.content).toContain("name: checkout-use");
  });

  it("count as gRPC errors the same codes as the default gRPC SLI", () => {
    const sli = effectiveSli({ name: "p", service: "payments", objective: 99.9, window: "30d" }, input.services[1]!);
    expect(sli.ratio?.bad).toContain(`grpc_code=~"${GRPC_ERROR_CODES}"`);
  });
});

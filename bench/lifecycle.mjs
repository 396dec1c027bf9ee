#!/usr/bin/env node
// Lifecycle workflow benchmark: 5 services with 2 SLOs each, through every step and every
// gate, in one warm process. Usage: npm run bench:lifecycle [-- --runs N]
// Reports the median wall time of a whole run and the same minus the time during which a
// promtool or amtool process was running (the goal counts our own time only), beside a
// baseline measured in the same process: one devops.kubernetes task through its gates.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { runs: { type: "string" } } });
const runs = Number(values.runs ?? 7);

const { runWorkflowText } = await import(join(repo, "dist/agents/manager/workflow-runtime.js"));
const { runTask } = await import(join(repo, "dist/agents/manager/runtime.js"));
const { wired } = await import(join(repo, "dist/interfaces/wiring.js"));
const { toolBusyMs } = await import(join(repo, "dist/core/validators/tool-run.js"));

const digest = (i) => `sha256:${String(i).repeat(64).slice(0, 64)}`;
const services = ["checkout", "catalog", "payments", "search", "accounts"].map((name, i) => ({
  name,
  kind: i % 2 === 0 ? "http" : "grpc",
  team: i < 3 ? "shop" : "platform",
  tier: i === 0 ? "critical" : "standard",
  namespace: "shop",
  metrics: { port: 9090 },
  kubernetes: { image: `ghcr.io/acme/${name}:1.0.${i}`, digest: digest(i + 1), ports: [{ name: i % 2 === 0 ? "http" : "grpc", port: 8080 }], replicas: 2 },
  cicd: { project_type: "node", stages: ["lint", "test", "build", "security"] },
}));
// The validators cache results by content, so every run gets slightly different objectives:
// each run's rule files, tests and dashboards are new bytes, and promtool and amtool really run.
const slos = (run) => services.flatMap((s) => [
  { name: `${s.name}-availability`, service: s.name, objective: Number((99.9 - run * 0.01).toFixed(2)) },
  {
    name: `${s.name}-latency`,
    service: s.name,
    objective: Number((99 - run * 0.01).toFixed(2)),
    sli: { latency: { histogram: s.kind === "http" ? "http_request_duration_seconds" : "grpc_server_handling_seconds", threshold_seconds: 0.3 } },
  },
]);
const input = (run) => ({
  workflow: "lifecycle",
  input: {
    name: "bench",
    environments: ["staging"],
    services,
    slos: slos(run),
    alerting: {
      routing: {
        teams: ["shop", "platform"].map((t) => ({ name: t, pagerduty: { routing_key_file: `/etc/alertmanager/secrets/${t}-pagerduty` }, ticket_webhook: "https://tickets.example.com/hooks/am" })),
      },
    },
  },
});
let run = 0;
const kubeTask = stringify({ task: { type: "devops.kubernetes", input: { name: "checkout", namespace: "shop", image: "ghcr.io/acme/checkout:1.0.0", digest: digest(1), environments: ["staging"] } } });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function once(fn) {
  const dir = mkdtempSync(join(tmpdir(), "dp-bench-"));
  const busy0 = toolBusyMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = performance.now() - t0;
  const tools = toolBusyMs() - busy0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, own: wall - tools, tools, cpu: (cpu.user + cpu.system) / 1000 };
}

const lifecycle = (dir) =>
  runWorkflowText("lifecycle", stringify(input(run++)), "bench.yaml", wired(dir)).then((o) => {
    if (o.verdict === "failed") throw new Error(`lifecycle failed: ${o.gates.filter((g) => g.status === "failed").map((g) => g.gate).join(", ")}`);
    return o;
  });
// The baseline changes its bytes per run too (its replica count), so its validators run as well.
const kube = (dir) => runTask(kubeTask.replace("environments:", `replicas: ${2 + (run++ % 50)}\n    environments:`), "kube.yaml", wired(dir));

await once(lifecycle); // warm-up: module loading, wasm start, schema compilation
await once(kube);
const L = [];
const K = [];
for (let i = 0; i < runs; i++) {
  L.push(await once(lifecycle));
  K.push(await once(kube));
}
const ms = (x) => `${Math.round(x)} ms`;
const lw = median(L.map((r) => r.wall));
const lo = median(L.map((r) => r.own));
const lt = median(L.map((r) => r.tools));
const kw = median(K.map((r) => r.wall));
console.log(`machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`lifecycle, 5 services × 2 SLOs, ${runs} runs (warm):`);
console.log(`  wall median ${ms(lw)} (min ${ms(Math.min(...L.map((r) => r.wall)))}, max ${ms(Math.max(...L.map((r) => r.wall)))})`);
console.log(`  promtool/amtool busy median ${ms(lt)}`);
console.log(`  wall minus promtool/amtool median ${ms(lo)}   goal ≤ 2000 ms`);
// Our own work overlaps the tool processes (the gates run concurrently), so the CPU time of
// this process is reported too: it is what devops-pack itself spent, tools excluded.
console.log(`  devops-pack CPU time (user + system of this process) median ${ms(median(L.map((r) => r.cpu)))}`);
console.log(`baseline: one devops.kubernetes task with its gates, wall median ${ms(kw)}; lifecycle / baseline = ${(lw / kw).toFixed(2)}×, own time / baseline = ${(lo / kw).toFixed(2)}×`);

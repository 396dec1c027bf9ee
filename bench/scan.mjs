#!/usr/bin/env node
// Scanner benchmark. Usage: npm run bench:scan [-- --dir <any dir>] [--runs N] [--no-scale]
// Measures, in one run on this machine:
//  - baseline: read every file and parse it single-threaded with @cdktf/hcl2json (.tf)
//    and yaml (.yaml/.yml), no rules — the reference the goals are ratios against;
//  - the whole scan, as a user runs it (`devops-pack scan <dir> --format json`), wall time
//    and peak RSS (from /proc via /usr/bin/time when present, else process.resourceUsage);
//  - scaling: the same directory copied 10 times.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, lstatSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { dir: { type: "string" }, runs: { type: "string" }, "no-scale": { type: "boolean" } } });
const dir = resolve(values.dir ?? join(repo, "../shared/corpus"));
if (!existsSync(dir)) {
  console.error(`no directory to scan at ${dir}; pass --dir <path>`);
  process.exit(2);
}
const runs = Number(values.runs ?? 5);
const bin = join(repo, "bin/devops-pack.js");

function walk(d, out = []) {
  for (const name of readdirSync(d).sort()) {
    if (name === ".git" || name === "node_modules" || name === ".terraform") continue;
    const p = join(d, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function baseline(files) {
  const hcl = require("@cdktf/hcl2json");
  const YAML = await import("yaml");
  const t = process.hrtime.bigint();
  let parsed = 0;
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    try {
      if (f.endsWith(".tf")) {
        await hcl.parse(f, text);
        parsed++;
      } else if (/\.ya?ml$/.test(f)) {
        YAML.parseAllDocuments(text);
        parsed++;
      }
    } catch {
      // malformed input still counts as read and attempted
    }
  }
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, parsed };
}

function scanOnce(target) {
  const hasTime = existsSync("/usr/bin/time");
  const args = [bin, "scan", target, "--format", "json", "--output", "/dev/null"];
  const t = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], { encoding: "utf8", maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`scan exited ${r.status}: ${r.stderr}`);
  const rssKb = hasTime ? Number(r.stderr.trim().split("\n").pop()) : NaN;
  return { ms, rssMb: rssKb / 1024 };
}

const files = walk(dir);
const bytes = files.reduce((n, f) => n + lstatSync(f).size, 0);
console.log(`# devops-pack scan benchmark — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB`);
console.log(`directory: ${dir} — ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB\n`);

const base = [];
let parsed = 0;
for (let i = 0; i < runs; i++) {
  const b = await baseline(files);
  base.push(b.ms);
  parsed = b.parsed;
}
const scans = [];
for (let i = 0; i < runs; i++) scans.push(scanOnce(dir));
const baseMs = median(base);
const scanMs = median(scans.map((s) => s.ms));
const rss = Math.max(...scans.map((s) => s.rssMb));
const rows = [
  ["baseline: read + parse (hcl2json, yaml), single thread, no rules", baseMs, `${parsed} files parsed`, ""],
  ["devops-pack scan (whole, wall time, CLI process)", scanMs, `${Math.round(files.length / (scanMs / 1000))} files/s; × baseline ${(scanMs / baseMs).toFixed(2)}`, `≤ 2000 ms ${scanMs <= 2000 ? "✓" : "✗"}; ≤ 0.70× ${scanMs / baseMs <= 0.7 ? "✓" : "✗"}`],
  ["peak RSS of the scan", rss, "MB", `≤ 500 MB ${rss <= 500 ? "✓" : "✗"}`],
];
if (!values["no-scale"]) {
  const big = mkdtempSync(join(tmpdir(), "devops-pack-scale-"));
  for (let i = 0; i < 10; i++) cpSync(dir, join(big, `copy${i}`), { recursive: true, verbatimSymlinks: true });
  const bigScans = [];
  for (let i = 0; i < Math.max(1, Math.min(runs, 3)); i++) bigScans.push(scanOnce(big));
  rmSync(big, { recursive: true, force: true });
  const bigMs = median(bigScans.map((s) => s.ms));
  rows.push(["scan of 10 copies (10× the files)", bigMs, `${(bigMs / scanMs).toFixed(2)}× the single scan`, `≤ 10.5× ${bigMs / scanMs <= 10.5 ? "✓" : "✗"}`]);
  rows.push(["peak RSS of the 10× scan", Math.max(...bigScans.map((s) => s.rssMb)), "MB", ""]);
}
console.log("| what | median | notes | goal |");
console.log("|---|---:|---|---|");
for (const [what, v, notes, goal] of rows) console.log(`| ${what} | ${typeof v === "number" ? v.toFixed(1) : v} | ${notes} | ${goal} |`);

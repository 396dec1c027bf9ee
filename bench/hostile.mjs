#!/usr/bin/env node
// Hostile-input benchmark (issue 12, findings 9 and 10a, and tracker text): inputs at or under the 2 MiB input
// limit that used to make parsing quadratic or worse. Each case runs the built CLI once in a
// child process under /usr/bin/time and reports wall time and peak RSS; the goal is at most
// 2 s and 300 MB per case.
//
// Usage: npm run bench:hostile [-- --bin <path/to/bin/devops-pack.js>] [--timeout <s>] [--only <substring>]
// `--bin` measures another checkout's build (the baseline before a fix) with the same inputs.
import { spawn, spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { bin: { type: "string" }, timeout: { type: "string" }, only: { type: "string" } } });
const bin = resolve(values.bin ?? join(repo, "bin/devops-pack.js"));
const timeoutS = Number(values.timeout ?? 120);
const LIMIT = 2 * 1024 * 1024;
const GOAL_MS = 2000;
const GOAL_MB = 300;

if (!existsSync("/usr/bin/time")) throw new Error("bench:hostile needs /usr/bin/time (Debian package 'time') to measure the peak memory of the child process");

const work = mkdtempSync(join(tmpdir(), "devops-pack-hostile-"));

/** A fresh directory holding the given files. */
function project(name, files) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    const size = Buffer.byteLength(content);
    if (size > LIMIT) throw new Error(`${name}/${path} is ${size} bytes, over the ${LIMIT}-byte input limit`);
  }
  return dir;
}

const lines = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join("\n") + "\n";

// A stand-in for the GitHub and Jira REST APIs in its own process (the CLI runs under spawnSync),
// answering one story: GET /repos/o/r/issues/1 with the issue body in $GITHUB_BODY_FILE and
// GET /rest/api/3/issue/KAN-1 with the description in $JIRA_BODY_FILE; lists are empty.
const TRACKER_SERVER = `
const { createServer } = require("node:http");
const { readFileSync } = require("node:fs");
const body = (f) => (process.env[f] ? readFileSync(process.env[f], "utf8") : "");
const server = createServer((req, res) => {
  const send = (status, value) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(value)); };
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/repos/o/r/issues/1") return send(200, { id: 1, number: 1, title: "Hostile", body: body("GITHUB_BODY_FILE"), state: "open", html_url: "https://github.com/o/r/issues/1", labels: [] });
  if (path === "/rest/api/3/issue/KAN-1") return send(200, { id: "1", key: "KAN-1", fields: { summary: "Hostile", description: body("JIRA_BODY_FILE"), labels: [] } });
  if (path.endsWith("/issues") || path.endsWith("/sub_issues")) return send(200, []);
  if (path.includes("/search")) return send(200, { issues: [], isLast: true });
  send(404, { message: "Not Found" });
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

let tracker;
/** The stand-in tracker's URL, started on first use with the hostile bodies written beside it. */
async function trackerUrl() {
  if (tracker) return tracker.url;
  const dir = join(work, "tracker");
  mkdirSync(dir, { recursive: true });
  const githubBody = join(dir, "github-body.md");
  const jiraBody = join(dir, "jira-description.md");
  // Each line takes the checkbox expression's shape: a box, text, a long run of spaces, then U+2028.
  writeFileSync(githubBody, "Build it.\n\n- [ ] a" + " ".repeat(1_000_000) + "\u2028b\n- [ ] deploy\n");
  // A long line before the criteria: the acceptance-heading expression's \s* … [^\w]* pair on spaces.
  writeFileSync(jiraBody, " ".repeat(1_000_000) + "x\n\n## Acceptance Criteria\n- [ ] a" + " ".repeat(500_000) + "\u2028b\n- deploy\n");
  const child = spawn(process.execPath, ["-e", TRACKER_SERVER], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, GITHUB_BODY_FILE: githubBody, JIRA_BODY_FILE: jiraBody } });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
    child.once("exit", (code) => reject(new Error(`the stand-in tracker exited with ${code}`)));
  });
  tracker = { url: `http://127.0.0.1:${port}`, child };
  return tracker.url;
}

const cicdHead = "task:\n  type: devops.cicd\n  input:\n    platform: github_actions\n";

const cases = [
  {
    name: "run: task with 100k keys (1.4 MB)",
    dir: () => project("task-keys", { "task.yaml": cicdHead + "    extra:\n" + lines(100_000, (i) => `      k${i}: ${i}`) }),
    args: ["run", "task.yaml"],
  },
  {
    name: "run: task with 50k keys and one duplicate at the end",
    dir: () => project("task-dup", { "task.yaml": cicdHead + "    extra:\n" + lines(50_000, (i) => `      k${i}: ${i}`) + "      k0: again\n" }),
    args: ["run", "task.yaml"],
  },
  {
    name: "run: task nested 100k deep (flow sequences)",
    dir: () => project("task-deep", { "task.yaml": cicdHead + "    extra: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n" }),
    args: ["run", "task.yaml"],
  },
  {
    name: "run: task of 500k documents",
    dir: () => project("task-docs", { "task.yaml": cicdHead + "---\n".repeat(500_000) }),
    args: ["run", "task.yaml"],
  },
  {
    name: "run: task with a 2 MB line",
    dir: () => project("task-line", { "task.yaml": cicdHead + "    extra: " + "a".repeat(LIMIT - 200) + "\n" }),
    args: ["run", "task.yaml"],
  },
  {
    name: "scan: ConfigMap with 100k keys (1.7 MB)",
    dir: () => project("cm-keys", { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n" + lines(100_000, (i) => `  k${i}: "v"`) }),
    args: ["scan", "."],
  },
  {
    name: "scan: 20k Pod documents (2 MB)",
    dir: () => project("pods", { "pods.yaml": lines(20_000, (i) => `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n  - name: c\n    image: nginx`) }),
    args: ["scan", "."],
  },
  {
    name: "scan: 1,000 Pod documents (the document limit)",
    dir: () => project("pods-1k", { "pods.yaml": lines(1_000, (i) => `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n  - name: c\n    image: nginx`) }),
    args: ["scan", "."],
  },
  {
    name: "scan: manifest nested 100k deep",
    dir: () => project("k8s-deep", { "deep.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n" }),
    args: ["scan", "."],
  },
  {
    name: "scan: manifest of 500k documents",
    dir: () => project("k8s-docs", { "docs.yaml": "apiVersion: v1\nkind: ConfigMap\n" + "---\n".repeat(500_000) }),
    args: ["scan", "."],
  },
  {
    name: "scan: manifest with a 2 MB line",
    dir: () => project("k8s-line", { "line.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\ndata:\n  x: " + "a".repeat(LIMIT - 200) + "\n" }),
    args: ["scan", "."],
  },
  {
    name: "scan: workflow with 100k keys",
    dir: () => project("gha-keys", { ".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n    - run: echo\n    env:\n" + lines(100_000, (i) => `      K${i}: v`) }),
    args: ["scan", "."],
  },
  {
    name: "scan: Dockerfile with 30k stages",
    dir: () => project("docker-stages", { Dockerfile: lines(30_000, (i) => `FROM alpine:3.20 AS s${i}\nRUN echo ${i}`) }),
    args: ["scan", "."],
  },
  {
    name: "scan: Dockerfile with 100k heredoc markers on one line",
    dir: () => project("docker-heredoc", { Dockerfile: "FROM alpine:3.20\nRUN " + "<<A ".repeat(100_000) + "\n" + "A\n".repeat(100_000) }),
    args: ["scan", "."],
  },
  {
    name: "story (github): issue body '- [ ] a' + 1 MB of spaces + U+2028 'b'",
    dir: () => project("gh-body", {}),
    env: async () => ({ GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "o/r", GITHUB_API_URL: await trackerUrl() }),
    args: ["story", "1", "--tracker", "github", "--dry-run"],
  },
  {
    name: "story (jira): description with a 1 MB line of spaces and a padded checkbox",
    dir: () => project("jira-desc", {}),
    env: async () => ({ JIRA_BASE_URL: await trackerUrl(), JIRA_EMAIL: "e@x.test", JIRA_API_TOKEN: "t" }),
    args: ["story", "KAN-1", "--tracker", "jira", "--dry-run"],
  },
  {
    name: "story: heading 'Story x: T' + 8,000 spaces + 'b'",
    dir: () => project("story-8k", { "stories/x.md": "# Story x: T" + " ".repeat(8_000) + "b\n\nBody.\n" }),
    args: ["story", "x", "--dry-run", "--stories-dir", "stories"],
  },
  {
    name: "story: heading 'Story x: T' + 1 MB of spaces + 'b', beside a good story",
    dir: () =>
      project("story-1m", {
        "stories/bad.md": "# Story bad: T" + " ".repeat(1_000_000) + "b\n",
        "stories/x.md": "# Story x: Deploy the API\n\n**Story ID:** x\n\nBuild and deploy.\n",
      }),
    args: ["story", "x", "--dry-run", "--stories-dir", "stories"],
  },
];

async function run(c) {
  const dir = c.dir();
  const env = { ...process.env, ...(c.env ? await c.env() : {}) };
  const timeFile = join(dir, ".time");
  const t = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, process.execPath, bin, ...c.args], {
    cwd: dir,
    env,
    encoding: "utf8",
    timeout: timeoutS * 1000,
    killSignal: "SIGKILL",
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const timedOut = r.error?.code === "ETIMEDOUT" || r.signal === "SIGKILL";
  const [, rssKb] = !timedOut && existsSync(timeFile) && statSync(timeFile).size > 0 ? readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number) : [];
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n").find((l) => /refus|limit|error|invalid|not a valid|too|DP-SCAN|line \d+/i.test(l)) ?? "";
  return { name: c.name, wallMs, rssMb: rssKb === undefined ? undefined : rssKb / 1024, exit: timedOut ? "timeout" : r.status, timedOut, note: out.trim().slice(0, 140) };
}

console.log(`devops-pack hostile-input benchmark — ${bin}`);
console.log(`${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`goal: each case ≤ ${GOAL_MS} ms wall and ≤ ${GOAL_MB} MB peak RSS; timeout ${timeoutS} s\n`);
console.log("| case | wall s | peak MB | exit | goal | first line of output |");
console.log("|---|---:|---:|---:|---|---|");
let failed = 0;
try {
  for (const c of cases) {
    if (values.only && !c.name.includes(values.only)) continue;
    const r = await run(c);
    const okGoal = !r.timedOut && r.wallMs <= GOAL_MS && r.rssMb !== undefined && r.rssMb <= GOAL_MB;
    if (!okGoal) failed++;
    const wall = r.timedOut ? `> ${timeoutS}` : (r.wallMs / 1000).toFixed(2);
    const rss = r.rssMb === undefined ? "–" : r.rssMb.toFixed(0);
    console.log(`| ${r.name} | ${wall} | ${rss} | ${r.exit} | ${okGoal ? "✓" : "✗"} | ${r.note.replace(/\|/g, "\\|")} |`);
  }
} finally {
  tracker?.child.kill();
  rmSync(work, { recursive: true, force: true });
}
console.log(failed === 0 ? "\nevery case within the goal" : `\n${failed} case(s) over the goal`);
process.exitCode = failed === 0 ? 0 : 1;

import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cli, cliJson } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const INSECURE_TF = `resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;
const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: bad
  namespace: apps
spec:
  containers:
    - name: c
      image: nginx:latest
      securityContext:
        privileged: true
`;

/** The CLI with a time limit: a scan that blocks on a FIFO is killed and fails the test instead of hanging it. */
function cliWithin(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000, env: { ...process.env, DEVOPS_PACK_ACTOR: "test" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ScanJson {
  ok: boolean;
  score: number;
  findings: { ruleId: string; severity: string; file: string; line: number; resource: string; suppressed?: { reason: string } }[];
}

describe("devops-pack scan", () => {
  it("finds Terraform and Kubernetes problems with file, line and resource, and exits 1", () => {
    const dir = tempDir();
    writeTree(dir, { "infra/main.tf": INSECURE_TF, "k8s/pod.yaml": PRIVILEGED_POD });
    const r = cliJson<ScanJson>(["scan", "infra", "k8s"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    const sg = r.json.findings.find((f) => f.resource === "aws_security_group.ssh" && f.severity !== "low");
    expect(sg?.file).toBe("infra/main.tf");
    expect(sg?.line).toBeGreaterThanOrEqual(5);
    const priv = r.json.findings.find((f) => f.file === "k8s/pod.yaml" && f.severity === "critical");
    expect(priv?.resource).toBe("Pod/apps/bad");
  });

  it("writes SARIF 2.1.0 for code scanning", () => {
    const dir = tempDir();
    writeTree(dir, { "main.tf": INSECURE_TF });
    const r = cli(["scan", ".", "--format", "sarif", "--output", "out.sarif"], { cwd: dir });
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8")) as { version: string; runs: { tool: { driver: { rules: unknown[] } }; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.tool.driver.rules.length).toBeGreaterThan(100);
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe("main.tf");
  });

  it("a threshold of 0 passes unless something is critical; bad flags exit 2", () => {
    const dir = tempDir();
    writeTree(dir, { "main.tf": INSECURE_TF });
    expect(cli(["scan", ".", "--threshold", "0"], { cwd: dir }).code).toBe(0);
    expect(cli(["scan", ".", "--threshold", "200"], { cwd: dir }).code).toBe(2);
    expect(cli(["scan", ".", "--format", "xml"], { cwd: dir }).code).toBe(2);
    expect(cli(["scan", "nope"], { cwd: dir }).code).toBe(2);
    expect(cli(["scan", ".", "--framework", "hipaa"], { cwd: dir }).stderr).toMatch(/Unknown compliance framework 'hipaa'/);
  });

  it("suppressions from the config file are reported as suppressed and need a reason", () => {
    const dir = tempDir();
    writeTree(dir, { "main.tf": INSECURE_TF });
    const before = cliJson<ScanJson>(["scan", "."], { cwd: dir }).json.findings.filter((f) => !f.suppressed);
    const rule = before[0]!.ruleId;
    writeTree(dir, { ".devops-pack/suppressions.yaml": `suppressions:\n  - rule: ${rule}\n    path: "*.tf"\n    reason: accepted in the sandbox account\n` });
    const after = cliJson<ScanJson>(["scan", "."], { cwd: dir }).json.findings;
    expect(after.filter((f) => f.ruleId === rule).every((f) => f.suppressed?.reason === "accepted in the sandbox account")).toBe(true);
    writeTree(dir, { ".devops-pack/suppressions.yaml": `suppressions:\n  - rule: ${rule}\n` });
    const bad = cli(["scan", "."], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/reason/);
  });

  it("hostile files: malformed, binary, alias bombs and symlinks out of the root never stop the scan", () => {
    const dir = tempDir();
    const outside = tempDir();
    writeTree(outside, { "secret.tf": INSECURE_TF });
    const bomb = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: b, namespace: x}", "data:", "  a: &a [x,x,x,x,x,x,x,x,x,x]", "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]", "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]", "  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]", "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]", "  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]", "  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]", "  h: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]"].join("\n");
    writeTree(dir, {
      "broken.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = \n',
      "garbage.tf": "\u0000\u0001\u0002binary",
      "bomb.yaml": bomb,
      "huge.tf": "# " + "x".repeat(3 * 1024 * 1024),
      "ok.tf": INSECURE_TF,
    });
    symlinkSync(join(outside, "secret.tf"), join(dir, "link.tf"));
    const started = Date.now();
    const r = cliJson<ScanJson>(["scan", "."], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    const scanErrors = r.json.findings.filter((f) => f.ruleId === "DP-SCAN-001").map((f) => f.file).sort();
    expect(scanErrors).toEqual(["bomb.yaml", "broken.tf", "garbage.tf", "huge.tf"]);
    expect(r.json.findings.some((f) => f.file === "ok.tf")).toBe(true);
    expect(r.json.findings.some((f) => f.file.includes("link") || f.file.includes("secret"))).toBe(false);
    // Same input, same bytes.
    expect(cli(["scan", ".", "--json"], { cwd: dir }).stdout).toBe(cli(["scan", ".", "--json"], { cwd: dir }).stdout);
  });

  // Issue 12, finding 14f: nothing scanned must not look like a pass.
  it("a FIFO is never opened: named alone it is refused (exit 2), inside a directory it is skipped with its reason", () => {
    const dir = tempDir();
    writeTree(dir, { "infra/main.tf": INSECURE_TF });
    expect(spawnSync("mkfifo", [join(dir, "pipe")]).status).toBe(0);
    expect(spawnSync("mkfifo", [join(dir, "infra", "pipe.tf")]).status).toBe(0);
    // A scan that opened the FIFO would block for ever: spawnSync's timeout makes that a failure, not a hang.
    const alone = cliWithin(["scan", "pipe"], dir);
    expect(alone.code).toBe(2);
    expect(alone.stdout).not.toMatch(/PASS/);
    expect(alone.stderr).toMatch(/Nothing was scanned in pipe: 0 files could be scanned\. Skipped: pipe \(not a regular file or directory: FIFO; not opened\)/);
    const json = cliWithin(["scan", "pipe", "--json"], dir);
    expect(json.code).toBe(2);
    const err = JSON.parse(json.stdout) as { error: { code: string; data: { skipped: { path: string; reason: string }[] } } };
    expect(err.error.code).toBe("BAD_INPUT");
    expect(err.error.data.skipped).toEqual([{ path: "pipe", reason: "not a regular file or directory: FIFO; not opened" }]);
    const mixed = cliJson<ScanJson & { files: { scanned: number; skipped: { path: string; reason: string }[] } }>(["scan", "infra"], { cwd: dir });
    expect(mixed.code).toBe(1);
    expect(mixed.json.files.scanned).toBe(1);
    expect(mixed.json.files.skipped).toContainEqual({ path: "infra/pipe.tf", reason: "not a regular file or directory: FIFO; not opened" });
  });

  it("/proc/self/environ and an empty directory scan nothing: exit 2, never PASS", () => {
    const dir = tempDir();
    writeTree(dir, { "empty/.keep": "", "assets/logo.png": "\u0089PNG\u0000\u0000binary" });
    const proc = cliWithin(["scan", "/proc/self/environ"], dir);
    expect(proc.code).toBe(2);
    expect(proc.stdout).not.toMatch(/PASS/);
    expect(proc.stderr).toMatch(/Nothing was scanned in \/proc\/self\/environ: 0 files could be scanned/);
    expect(proc.stderr).toMatch(/size 0/);
    const empty = cli(["scan", "empty", "assets"], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stdout).not.toMatch(/PASS/);
    expect(empty.stderr).toMatch(/Nothing was scanned in empty, assets: 0 files could be scanned\. No file there is one the scanner reads \(Terraform, Kubernetes YAML, Dockerfiles, GitHub workflows, or text for the secrets check\)\./);
  });

  it("the worker-thread scan really runs its worker and gives exactly the single-thread result", () => {
    const dir = tempDir();
    writeTree(dir, { "infra/main.tf": INSECURE_TF, "k8s/pod.yaml": PRIVILEGED_POD, "Dockerfile": "FROM node:latest\nRUN npm ci\n", "notes.txt": "token = 'x9Qz3LmP8vR2tY6wK4nB'\n" });
    const parallel = cli(["scan", ".", "--format", "json"], { cwd: dir, env: { DEVOPS_PACK_SCAN_WORKERS: "1" } });
    const single = cli(["scan", ".", "--format", "json"], { cwd: dir, env: { DEVOPS_PACK_SCAN_WORKERS: "0" } });
    // Issue 13, defect 5: a worker that failed fell back silently, so equal outputs proved nothing.
    const workersOf = (out: string): unknown => (JSON.parse(out) as { workers?: unknown }).workers;
    expect(workersOf(parallel.stdout)).toEqual({ used: 1, fellBack: false });
    expect(parallel.stderr).not.toMatch(/warning/);
    expect(workersOf(single.stdout)).toEqual({ used: 0, fellBack: false, reason: "DEVOPS_PACK_SCAN_WORKERS=0" });
    const withoutWorkers = (out: string): string => JSON.stringify({ ...(JSON.parse(out) as object), workers: undefined });
    expect(withoutWorkers(parallel.stdout)).toBe(withoutWorkers(single.stdout));
    expect((JSON.parse(parallel.stdout) as ScanJson).findings.some((f) => f.file === "infra/main.tf")).toBe(true);
    expect((JSON.parse(parallel.stdout) as ScanJson).findings.some((f) => f.file === "Dockerfile")).toBe(true);
  });

  it("rules --json lists every rule with aliases and compliance mappings", () => {
    const r = cliJson<{ rules: { id: string; aliases: string[]; compliance: unknown[]; severity: string }[] }>(["rules"], { cwd: tempDir() });
    expect(r.code).toBe(0);
    const ids = r.json.rules.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !id.startsWith("DP-SCAN-")).length).toBeGreaterThanOrEqual(120);
    expect(r.json.rules.filter((x) => x.aliases.length > 0).length).toBeGreaterThan(80);
  });
});

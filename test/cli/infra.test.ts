import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, REPO } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

interface RunJson {
  verdict: string;
  plan: { id: string; artifacts: { path: string }[] };
  gates: { gate: string; status: string }[];
}

function tool(name: string): void {
  const r = spawnSync(name, ["version"], { encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" } });
  expect(r.error, `${name} is not installed: it is needed to check applied files`).toBeUndefined();
}

/** run → approve → apply, as a user does it; returns the directory the plan was applied to. */
function runApproveApply(example: string): { dir: string; out: string; run: RunJson } {
  const dir = tempDir();
  copyFileSync(join(REPO, "examples", example), join(dir, example));
  const run = cliJson<RunJson>(["run", example], { cwd: dir });
  expect(run.code, JSON.stringify(run.json)).toBe(0);
  for (const g of run.json.gates) expect(g.status, g.gate).not.toBe("failed");
  if (run.json.verdict === "awaiting_approval") expect(cli(["approve", run.json.plan.id, "--by", "alice"], { cwd: dir }).code).toBe(0);
  const apply = cli(["apply", run.json.plan.id, "--dir", "out"], { cwd: dir });
  expect(apply.code, apply.stderr).toBe(0);
  return { dir, out: join(dir, "out"), run: run.json };
}

describe("applied infrastructure passes the real tools", () => {
  it("Terraform: every applied file is unchanged by terraform fmt -check", () => {
    tool("terraform");
    const { out, run } = runApproveApply("terraform-platform.yaml");
    expect(run.plan.artifacts.filter((a) => a.path.endsWith(".tf")).length).toBeGreaterThan(10);
    const fmt = spawnSync("terraform", ["fmt", "-check", "-recursive", "-diff", out], { encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" } });
    expect(fmt.status, fmt.stdout + fmt.stderr).toBe(0);
  });

  it("Kubernetes: every applied overlay builds with kubectl kustomize", () => {
    tool("kubectl");
    const { out } = runApproveApply("kubernetes.yaml");
    const apps = readdirSync(join(out, "k8s"));
    let built = 0;
    for (const app of apps) {
      const overlays = join(out, "k8s", app, "overlays");
      if (!existsSync(overlays)) continue;
      for (const env of readdirSync(overlays)) {
        const r = spawnSync("kubectl", ["kustomize", join(overlays, env)], { encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/kind: Deployment/);
        built++;
      }
    }
    expect(built).toBe(2);
  });
});

import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPacks } from "../../src/core/packs/loader.js";
import { prepareTask } from "../../src/agents/manager/runtime.js";
import { cli, REPO } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const readme = readFileSync(join(REPO, "README.md"), "utf8");

function blocks(lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
  for (let m = re.exec(readme); m; m = re.exec(readme)) out.push(m[1]!);
  return out;
}

describe("README", () => {
  it("starts with the two set-up commands: install and run, then test", () => {
    const first = blocks("sh")[0]!.trim().split("\n");
    expect(first).toEqual(["npm ci && npx devops-pack run examples/cicd.yaml", "npm test"]);
  });

  it("every `npx devops-pack` command in the quick start runs, in order", () => {
    const dir = tempDir();
    cpSync(join(REPO, "examples"), join(dir, "examples"), { recursive: true });
    // Code for the scan examples to read: hardened Terraform and Kubernetes from the rule fixtures.
    cpSync(join(REPO, "src/scanner/terraform/fixtures/DP-AWS-S3-001/pass.tf"), join(dir, "infra/main.tf"));
    cpSync(join(REPO, "src/scanner/kubernetes/fixtures/DP-K8S-POD-001/pass.yaml"), join(dir, "k8s/app.yaml"));
    const commands = blocks("sh")
      .flatMap((b) => b.split("\n"))
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter((l) => l.startsWith("npx devops-pack "))
      .filter((l) => !l.includes("path/to/pack"))
      // Servers run until stopped; test/mcp drives them with a real MCP client instead.
      .filter((l) => !l.startsWith("npx devops-pack mcp"));
    expect(commands.length).toBeGreaterThanOrEqual(8);
    let planId = "";
    for (const line of commands) {
      // split respecting double quotes
      const args = (line.slice("npx devops-pack ".length).match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, "").replace("<plan-id>", planId));
      const r = cli(args, { cwd: dir });
      // scan exits 1 when the code it reads has findings over the threshold: an answer, not a failure.
      const allowed = args[0] === "scan" ? [0, 1] : [0];
      expect(allowed, `${line}\n${r.stdout}\n${r.stderr}`).toContain(r.code);
      if (args[0] === "scan") expect(r.stdout + r.stderr).toMatch(/score \d|wrote sarif/);
      const m = /^plan ([0-9a-f]{12})/m.exec(r.stdout);
      if (args[0] === "run" && m) planId = m[1]!;
    }
    expect(planId).toMatch(/^[0-9a-f]{12}$/);
  });

  it("the task shown in the README is valid", async () => {
    const yaml = blocks("yaml")[0]!;
    const { specialist } = await prepareTask(yaml, "README.md", loadPacks());
    expect(specialist.agent).toBe("devops_cicd");
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPacks, runTask, scan } from "../src/index.js";
import { REPO } from "./helpers/cli.js";
import { tempDir, writeTree } from "./helpers/tmp.js";

describe("library entry point", () => {
  it("runTask runs every gate, the security gate included", async () => {
    const dir = tempDir();
    const outcome = await runTask(readFileSync(join(REPO, "examples/cicd-node.yaml"), "utf8"), "cicd-node.yaml", { projectDir: dir, actor: "test" });
    const security = outcome.gates.find((g) => g.gate === "gate.security.infra");
    expect(security?.status).toBe("passed");
    expect(security?.checks[0]?.message).toMatch(/\d+ rule evaluation/);
    expect(loadPacks().agentIds()).toContain("devops_cicd");
  });

  it("scan finds problems in a directory", async () => {
    const dir = tempDir();
    writeTree(dir, { "Dockerfile": "FROM node:latest\nUSER root\n" });
    const r = await scan([dir]);
    expect(r.findings.some((f) => f.ruleId === "DP-DOCKER-001")).toBe(true);
  });
});

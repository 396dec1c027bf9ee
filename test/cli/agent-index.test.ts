import { appendFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { indexedBuiltinAgents } from "../../src/interfaces/cli/agent-index.js";
import { cli, REPO } from "../helpers/cli.js";
import { agentMd } from "../helpers/packs.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

describe("the built-in agent index behind `devops-pack agents`", () => {
  it("lists exactly what the pack loader lists", () => {
    const dir = tempDir();
    const fast = cli(["agents", "--json"], { cwd: dir });
    const slow = cli(["agents", "--json"], { cwd: dir, env: { DEVOPS_PACK_NO_AGENT_INDEX: "1" } });
    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe(slow.stdout);
    expect(indexedBuiltinAgents(dir)?.length).toBe(8);
  });

  it("is not used when the project has packs: the overlay's agents show", () => {
    const dir = tempDir();
    writeTree(dir, { ".devops-pack/packs/acme/agents/acme_helper.md": agentMd("acme_helper", { handles: ["acme.help"] }) });
    expect(indexedBuiltinAgents(dir)).toBeUndefined();
    expect(cli(["agents"], { cwd: dir }).stdout).toContain("acme_helper");
  });

  it("is not used once a built-in agent file changes", () => {
    const copy = tempDir();
    cpSync(join(REPO, "packs/devops"), join(copy, "pack"), { recursive: true });
    const where = { indexFile: join(REPO, "dist/builtin-agents.json"), packDir: join(copy, "pack") };
    expect(indexedBuiltinAgents(tempDir(), where)?.length).toBe(8);
    appendFileSync(join(copy, "pack/agents/devops_cicd.md"), "\nedited\n");
    expect(indexedBuiltinAgents(tempDir(), where)).toBeUndefined();
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isDevopsPackError } from "../../src/core/errors.js";
import type { PackFs } from "../../src/core/packs/fs.js";
import { nodePackFs } from "../../src/core/packs/fs.js";
import { lintPacks } from "../../src/core/packs/lint.js";
import { BUILTIN_PACK_DIR, loadPacks } from "../../src/core/packs/loader.js";
import { agentMd, packYaml } from "../helpers/packs.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

function countingFs(): PackFs & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile: (p) => {
      reads.push(p);
      return nodePackFs.readFile(p);
    },
    list: (d) => nodePackFs.list(d),
    isDir: (p) => nodePackFs.isDir(p),
  };
}

function syntheticPack(): string {
  const dir = tempDir();
  writeTree(dir, {
    "pack.yaml": packYaml("devops", ["alpha", "beta"]),
    "agents/alpha.md": agentMd("alpha", { handles: ["devops.alpha"], data: ["patterns.md"], workflows: ["deploy.md"] }),
    "agents/beta.md": agentMd("beta", { handles: ["devops.beta"], data: ["patterns.md"] }),
    "data/patterns.md": "# Patterns\n",
    "workflows/deploy.md": "# Deploy\n",
  });
  return dir;
}

describe("pack loader", () => {
  it("activating an agent reads only that agent's file", () => {
    const fs = countingFs();
    const packs = loadPacks({ builtinDir: BUILTIN_PACK_DIR, fs });
    const manifestReads = fs.reads.length;
    expect(fs.reads.every((r) => r.endsWith("pack.yaml"))).toBe(true);
    const agent = packs.activate("devops_cicd");
    const activationReads = fs.reads.slice(manifestReads);
    expect(activationReads).toEqual([join(BUILTIN_PACK_DIR, "agents", "devops_cicd.md")]);
    expect(agent.dependencies.length).toBeGreaterThan(0);
    // Dependencies are resolved, not read, until asked for.
    const dep = agent.dependencies[0]!;
    packs.readDependency("devops_cicd", dep.category, dep.name);
    expect(fs.reads.slice(manifestReads)).toEqual([join(BUILTIN_PACK_DIR, "agents", "devops_cicd.md"), dep.file]);
  });

  it("a broken reference is a hard error naming the file and the closest names", () => {
    const dir = syntheticPack();
    writeTree(dir, { "agents/alpha.md": agentMd("alpha", { data: ["paterns.md"] }) });
    const packs = loadPacks({ builtinDir: dir });
    try {
      packs.activate("alpha");
      expect.fail("activation should throw");
    } catch (e) {
      expect(isDevopsPackError(e) && e.code).toBe("PACK_INVALID");
      expect((e as Error).message).toContain(join(dir, "agents", "alpha.md"));
      expect((e as Error).message).toContain("'paterns.md'");
      expect((e as Error).message).toContain("Closest: patterns.md");
    }
  });

  it("an unknown agent suggests the nearest id", () => {
    const packs = loadPacks();
    expect(() => packs.activate("devops_terafrom")).toThrow(/Unknown agent 'devops_terafrom'. Did you mean devops_terraform\?/);
  });

  it("an agent file with an unknown field is a schema error naming the field", () => {
    const dir = syntheticPack();
    writeTree(dir, { "agents/beta.md": agentMd("beta").replace("handles:", "handels: []\nhandles:") });
    expect(() => loadPacks({ builtinDir: dir }).activate("beta")).toThrow(/Unknown field 'handels'.*Did you mean handles\?/s);
  });

  it("project overlays load after the built-in pack and override it", () => {
    const builtin = syntheticPack();
    const project = tempDir();
    writeTree(project, {
      ".devops-pack/packs/devops/agents/beta.md": agentMd("beta", { handles: ["devops.beta"], data: ["patterns.md", "extra.md"] }).replace("Test Specialist", "Overridden"),
      ".devops-pack/packs/devops/data/extra.md": "# Extra\n",
      ".devops-pack/packs/acme/pack.yaml": packYaml("acme", ["gamma"]),
      ".devops-pack/packs/acme/agents/gamma.md": agentMd("gamma", { handles: ["acme.gamma"], data: ["patterns.md"] }),
    });
    const packs = loadPacks({ builtinDir: builtin, projectDir: project });
    expect(packs.layers.map((l) => `${l.origin}:${l.id}`)).toEqual(["builtin:devops", "project:acme", "project:devops"]);
    expect(packs.agentIds()).toEqual(["alpha", "beta", "gamma"]);
    const beta = packs.activate("beta");
    expect(beta.doc.spec.agent.title).toBe("Overridden");
    expect(beta.dependencies.find((d) => d.name === "extra.md")?.file).toBe(join(project, ".devops-pack/packs/devops/data/extra.md"));
    // gamma (project pack) references built-in knowledge
    expect(packs.activate("gamma").dependencies[0]?.file).toBe(join(builtin, "data", "patterns.md"));
    expect(packs.handlers().get("acme.gamma")).toBe("gamma");
    expect(lintPacks({ builtinDir: builtin, projectDir: project }).errors).toEqual([]);
  });

  it("a malformed pack.yaml is a clear error", () => {
    const dir = syntheticPack();
    writeTree(dir, { "pack.yaml": "id: devops\nagents: [alpha\n" });
    expect(() => loadPacks({ builtinDir: dir })).toThrow(/pack\.yaml/);
  });
});

describe("pack lint", () => {
  it("the built-in pack is clean", () => {
    const report = lintPacks();
    expect(report.errors).toEqual([]);
    expect(report.packs[0]?.agents).toBe(8);
  });

  it("reports orphans, broken references, budget overruns and unknown listed agents", () => {
    const dir = syntheticPack();
    writeTree(dir, {
      "pack.yaml": packYaml("devops", ["alpha", "beta", "delta"]),
      "data/orphan.md": "# Nobody reads me\n",
      "agents/beta.md": agentMd("beta", { data: ["missing.md"], extraLines: 300 }),
    });
    const report = lintPacks({ builtinDir: dir });
    expect(report.ok).toBe(false);
    const kinds = report.errors.map((e) => e.kind).sort();
    expect(kinds).toEqual(["budget", "orphan", "reference", "reference"]);
    expect(report.errors.find((e) => e.kind === "orphan")?.message).toContain("data/orphan.md");
    expect(report.errors.find((e) => e.kind === "budget")?.message).toMatch(/\d+ lines; the budget is 250/);
  });

  it("the line budget is configurable", () => {
    const dir = syntheticPack();
    expect(lintPacks({ builtinDir: dir, lineBudget: 10 }).errors.filter((e) => e.kind === "budget")).toHaveLength(2);
  });
});

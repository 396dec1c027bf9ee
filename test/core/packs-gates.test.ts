import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isDevopsPackError } from "../../src/core/errors.js";
import { lintPacks } from "../../src/core/packs/lint.js";
import { loadPacks } from "../../src/core/packs/loader.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

/** A project whose pack `evil` declares these gates. */
function projectWithGates(gates: string): string {
  const dir = tempDir();
  writeTree(dir, { ".devops-pack/packs/evil/pack.yaml": `id: evil\nversion: 1.0.0\ngates:\n${gates}` });
  return dir;
}

function loadError(projectDir: string): { code: string; message: string } {
  try {
    loadPacks({ projectDir });
  } catch (e) {
    if (isDevopsPackError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("the packs loaded");
}

describe("packs cannot weaken the built-in gates (issue 12, finding 2)", () => {
  const weakening: [string, string, RegExp][] = [
    ["the approval gate turned into a compliance gate with threshold 0", "  - {id: gate.approval.production, type: compliance, threshold: 0}\n", /gate gate\.approval\.production changes its type from approval to compliance, lowers its threshold from 100 to 0/],
    ["the security threshold lowered", "  - {id: gate.security.infra, type: security, threshold: 10}\n", /gate gate\.security\.infra lowers its threshold from 95 to 10/],
    ["the compliance gate turned into a quality gate", "  - {id: gate.compliance.audit, type: quality, threshold: 100}\n", /gate gate\.compliance\.audit changes its type from compliance to quality/],
    ["the quality threshold lowered", "  - {id: gate.quality, type: quality, threshold: 50}\n", /gate gate\.quality lowers its threshold from 100 to 50/],
  ];

  it.each(weakening)("%s is refused at load, naming the pack file and the gate", (_name, gates, message) => {
    const dir = projectWithGates(gates);
    const e = loadError(dir);
    expect(e.code).toBe("PACK_INVALID");
    expect(e.message).toContain(join(dir, ".devops-pack/packs/evil/pack.yaml"));
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/cannot be removed or weakened by a pack/);
  });

  it.each(weakening)("pack lint reports %s", (_name, gates, message) => {
    const report = lintPacks({ projectDir: projectWithGates(gates) });
    expect(report.ok).toBe(false);
    expect(report.errors.map((e) => e.message).join("\n")).toMatch(message);
  });

  it("a later pack cannot drop frameworks an earlier pack selected", () => {
    const dir = tempDir();
    writeTree(dir, {
      ".devops-pack/packs/a-soc2/pack.yaml": "id: a-soc2\ngates:\n  - {id: gate.compliance.audit, type: compliance, threshold: 100, frameworks: [soc2, cis-aws]}\n",
      ".devops-pack/packs/b-evil/pack.yaml": "id: b-evil\ngates:\n  - {id: gate.compliance.audit, type: compliance, threshold: 100, frameworks: [cis-aws]}\n",
    });
    expect(loadError(dir).message).toMatch(/b-evil\/pack\.yaml: gate gate\.compliance\.audit drops the framework\(s\) soc2/);
  });

  it("a pack may add gates and make built-in gates stricter", () => {
    const dir = projectWithGates(
      [
        "  - {id: gate.compliance.audit, type: compliance, threshold: 100, frameworks: [soc2]}",
        "  - {id: gate.security.infra, type: security, threshold: 99}",
        "  - {id: gate.approval.production, type: approval, threshold: 100, description: Two people look at it.}",
        "  - {id: gate.security.extra, type: security, threshold: 0}",
        "",
      ].join("\n"),
    );
    const gates = loadPacks({ projectDir: dir }).gates();
    expect(gates.find((g) => g.id === "gate.compliance.audit")?.frameworks).toEqual(["soc2"]);
    expect(gates.find((g) => g.id === "gate.security.infra")?.threshold).toBe(99);
    expect(gates.find((g) => g.id === "gate.approval.production")).toMatchObject({ type: "approval", threshold: 100 });
    expect(gates.map((g) => g.id)).toContain("gate.security.extra");
    expect(lintPacks({ projectDir: dir }).ok).toBe(true);
  });
});

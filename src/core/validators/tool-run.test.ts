import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { filesKey, globToRegExp, joinPlanPath, matchPlanPaths, runTool, toolVersion, unsafePathReason, withPlanDir } from "./tool-run.js";

describe("plan paths", () => {
  it("refuses absolute paths, '..' segments and other paths that cannot be written under a directory", () => {
    expect(unsafePathReason("monitoring/prometheus/prometheus.yml")).toBeUndefined();
    expect(unsafePathReason("../x.yml")).toMatch(/'\.\.'/);
    expect(unsafePathReason("a/../../x.yml")).toMatch(/'\.\.'/);
    expect(unsafePathReason("/etc/passwd")).toMatch(/absolute/);
    expect(unsafePathReason("C:/x")).toMatch(/absolute/);
    expect(unsafePathReason("a\\b")).toMatch(/backslash/);
    expect(unsafePathReason("a//b")).toMatch(/empty/);
    expect(unsafePathReason("")).toMatch(/empty/);
  });

  it("joins relative references as the tools resolve them, without touching the disk", () => {
    expect(joinPlanPath("monitoring/prometheus/tests", "../rules/a.rules.yml")).toBe("monitoring/prometheus/rules/a.rules.yml");
    expect(joinPlanPath("", "./a.yml")).toBe("a.yml");
    expect(joinPlanPath("a", "../../x")).toBeUndefined();
  });

  it("matches Go filepath.Match globs: * and ? stop at '/', classes work", () => {
    expect(globToRegExp("rules/*.rules.yml").test("rules/api.rules.yml")).toBe(true);
    expect(globToRegExp("rules/*.rules.yml").test("rules/sub/api.rules.yml")).toBe(false);
    expect(globToRegExp("r?.yml").test("r1.yml")).toBe(true);
    expect(globToRegExp("[ab].yml").test("b.yml")).toBe(true);
    expect(globToRegExp("[ab].yml").test("c.yml")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    const paths = ["monitoring/prometheus/rules/a.rules.yml", "monitoring/prometheus/rules/b.rules.yml", "monitoring/prometheus/prometheus.yml"];
    expect(matchPlanPaths("rules/*.rules.yml", "monitoring/prometheus/prometheus.yml", paths)).toEqual(paths.slice(0, 2));
    expect(matchPlanPaths("../rules/a.rules.yml", "monitoring/prometheus/tests/t.yml", paths)).toEqual([paths[0]]);
    expect(matchPlanPaths("/etc/prometheus/*.yml", "monitoring/prometheus/prometheus.yml", paths)).toBeUndefined();
  });

  it("keys a set of files by path and content, whatever their order", () => {
    const x = { path: "a", content: "1" };
    const y = { path: "b", content: "2" };
    expect(filesKey([x, y])).toBe(filesKey([y, x]));
    expect(filesKey([x, y])).not.toBe(filesKey([x, { ...y, content: "3" }]));
    expect(filesKey([x, y])).not.toBe(filesKey([{ path: "a", content: "12" }, { path: "b", content: "" }]));
  });
});

describe("withPlanDir", () => {
  it("writes the plan with its relative paths, skips unsafe paths and removes the directory afterwards", async () => {
    let seen = "";
    const r = await withPlanDir(
      [
        { path: "a/b/c.yml", content: "c: 1\n" },
        { path: "../escape.yml", content: "x" },
        { path: "/abs.yml", content: "x" },
      ],
      async (pd) => {
        seen = pd.dir;
        expect(readFileSync(join(pd.dir, "a/b/c.yml"), "utf8")).toBe("c: 1\n");
        expect(existsSync(join(pd.dir, "..", "escape.yml"))).toBe(false);
        return { written: [...pd.written], skipped: pd.skipped.map((s) => `${s.path} ${s.kind}`) };
      },
    );
    expect(r).toEqual({ written: ["a/b/c.yml"], skipped: ["../escape.yml unsafe-path", "/abs.yml unsafe-path"] });
    expect(existsSync(seen)).toBe(false);
  });
});

describe("runTool", () => {
  it("reports a binary that is not on PATH as missing, with the install hint, instead of throwing", async () => {
    const r = await runTool("devops-pack-no-such-tool", ["--version"], { cwd: tmpdir(), installHint: "install it with apt" });
    expect(r).toEqual({ kind: "missing", message: "devops-pack-no-such-tool is not installed or not on PATH; install it with apt" });
    expect(await toolVersion("devops-pack-no-such-tool")).toBeUndefined();
  });

  it("keeps the order of stdout and stderr and the exit code", async () => {
    const r = await runTool("sh", ["-c", "echo one; echo two >&2; echo three; exit 3"], { cwd: tmpdir(), installHint: "" });
    expect(r).toEqual({ kind: "done", code: 3, output: "one\ntwo\nthree\n" });
  });

  it("stops a process that runs past its time limit", async () => {
    const r = await runTool("sleep", ["5"], { cwd: tmpdir(), installHint: "", timeoutMs: 200 });
    expect(r.kind).toBe("error");
    expect(r.kind === "error" ? r.message : "").toMatch(/did not finish within 0\.2 s/);
  });
});

import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isDevopsPackError } from "../../src/core/errors.js";
import { readProjectFiles } from "../../src/core/project-files.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const yml = { roots: [".github/workflows"], include: (p: string) => p.endsWith(".yml") };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isDevopsPackError(e) ? e.code : "other";
  }
  return undefined;
}

describe("reading project files for a specialist", () => {
  it("reads the requested files, relative and POSIX", () => {
    const dir = tempDir();
    writeTree(dir, { ".github/workflows/ci.yml": "on: push\n", ".github/workflows/README.md": "x", "other.yml": "x" });
    expect([...readProjectFiles(dir, yml).keys()]).toEqual([".github/workflows/ci.yml"]);
  });

  it("refuses a root outside the project (exit 3)", () => {
    const dir = tempDir();
    expect(code(() => readProjectFiles(dir, { roots: ["../"], include: () => true }))).toBe("REFUSED");
    expect(code(() => readProjectFiles(dir, { roots: ["/etc"], include: () => true }))).toBe("REFUSED");
  });

  it("refuses symlinks, even ones pointing inside", () => {
    const dir = tempDir();
    const outside = tempDir();
    writeTree(outside, { "secret.yml": "token: x\n" });
    writeTree(dir, { ".github/workflows/ci.yml": "on: push\n" });
    symlinkSync(join(outside, "secret.yml"), join(dir, ".github/workflows/leak.yml"));
    expect(code(() => readProjectFiles(dir, yml))).toBe("REFUSED");
  });

  it("a missing root is bad input (exit 2)", () => {
    expect(code(() => readProjectFiles(tempDir(), yml))).toBe("BAD_INPUT");
  });

  it("refuses oversized files", () => {
    const dir = tempDir();
    writeTree(dir, { ".github/workflows/huge.yml": "a".repeat(3 * 1024 * 1024) });
    expect(code(() => readProjectFiles(dir, yml))).toBe("BAD_INPUT");
  });
});

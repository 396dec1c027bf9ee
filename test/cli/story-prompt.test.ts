import { cpSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runStoryCommand } from "../../src/interfaces/cli/commands/story.js";
import type { CliContext } from "../../src/interfaces/cli/context.js";
import { REPO } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

function ctx(dir: string, answer: string, tty: boolean): { ctx: CliContext; out: string[] } {
  const out: string[] = [];
  const stdin = Object.assign(Readable.from([answer]), { isTTY: tty });
  return { ctx: { argv: [], json: false, projectDir: dir, out: (t) => out.push(t), err: () => undefined, stdin }, out };
}

describe("story without an id", () => {
  it("asks for one on a terminal and uses the answer", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "docs"));
    cpSync(join(REPO, "examples/stories"), join(dir, "docs/stories"), { recursive: true });
    const { ctx: c, out } = ctx(dir, "7.2.1\n", true);
    expect(await runStoryCommand(c, { "dry-run": true }, [])).toBe(0);
    expect(out.join("\n")).toMatch(/dry run: would create "Order History API - DevOps"/);
    expect(readdirSync(join(dir, "docs/stories"))).toEqual(["7.2.1-order-history-api.md"]);
  });

  it("refuses an empty answer, and does not ask when standard input is not a terminal", async () => {
    const dir = tempDir();
    await expect(runStoryCommand(ctx(dir, "\n", true).ctx, {}, [])).rejects.toThrow(/A story id is required/);
    await expect(runStoryCommand(ctx(dir, "7.2.1\n", false).ctx, {}, [])).rejects.toThrow(/A story id is required\. Usage/);
  });
});

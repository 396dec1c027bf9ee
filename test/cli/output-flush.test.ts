import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "devops-pack-flush-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Run the CLI into a shell pipe whose reader waits `delayS` seconds before
 * reading: the kernel's pipe buffer (64 KiB) fills, and the CLI must wait
 * for it to drain rather than exit with the rest of its output unwritten.
 */
function intoSlowPipe(args: string[], delayS: number): { code: number | null; stdout: string; stderr: string } {
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(" ")} | (sleep ${delayS}; cat)`;
  const r = spawnSync("sh", ["-c", cmd], { cwd: dir, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("output into a slow pipe", () => {
  it("rules --json writes all of its ~150 KB before exiting, even when the reader is late", () => {
    const r = intoSlowPipe(["rules", "--json"], 1);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(140_000);
    const parsed = JSON.parse(r.stdout) as { rules: unknown[] };
    expect(parsed.rules.length).toBeGreaterThan(120);
  });

  it("a reader that goes away early (as `| head` does) ends the CLI quietly, without a stack trace", async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "rules", "--json"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).not.toMatch(/EPIPE|Error:|at /);
    expect(r.code).not.toBeNull();
  });
});

/**
 * Issue 12 finding 7: the apply lock. 8 processes × 100 applies of two plans
 * that write the same files into one directory. Every apply either completes or
 * is refused cleanly because another one runs, and whenever the lock is free
 * the directory is wholly one plan's, with no journal or staging left behind.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ledgerWith } from "../helpers/ledger.js";
import { tempDir } from "../helpers/tmp.js";
import { racePlans } from "./scripts/race-plans.js";

interface Summary {
  applied: number;
  refusedBusy: number;
  otherErrors: string[];
  inconsistent: string[];
  checks: number;
}

function worker(args: string[]): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "scripts/apply-race.ts"), ...args]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`worker exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Summary);
    });
  });
}

describe("apply lock under contention", () => {
  it("8 × 100 parallel applies: all or nothing, and every failure is a clean 'another apply is running'", async () => {
    const dir = tempDir();
    const { path } = await ledgerWith(...racePlans());
    const results = await Promise.all(Array.from({ length: 8 }, (_, w) => worker([dir, path, "100", String(w)])));
    const total = results.reduce((n, r) => n + r.applied + r.refusedBusy + r.otherErrors.length, 0);
    expect(total).toBe(800);
    expect(results.flatMap((r) => r.otherErrors)).toEqual([]);
    expect(results.flatMap((r) => r.inconsistent)).toEqual([]);
    expect(results.reduce((n, r) => n + r.applied, 0)).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + r.checks, 0)).toBeGreaterThan(0);
  }, 240_000);
});

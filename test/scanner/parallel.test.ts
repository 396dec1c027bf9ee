import { afterEach, describe, expect, it } from "vitest";
import { scanSources } from "../../src/scanner/engine.js";
import { loadTargets } from "../../src/scanner/index.js";
import { scanSourcesParallel } from "../../src/scanner/parallel.js";

/**
 * Issue 13, defect 5: the parallel scan fell back to one thread on any worker
 * problem without a trace. The fallback is now reported in the result (and the
 * CLI warns on stderr and shows it under `workers` in --json; the built CLI's
 * test in test/cli/scan.test.ts asserts that the worker really ran).
 */
const saved = process.env.DEVOPS_PACK_SCAN_WORKERS;
afterEach(() => {
  if (saved === undefined) delete process.env.DEVOPS_PACK_SCAN_WORKERS;
  else process.env.DEVOPS_PACK_SCAN_WORKERS = saved;
});

const files = [{ path: "main.tf", content: 'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n' }];

describe("scanSourcesParallel", () => {
  it("workers asked for but unavailable (the sources ship no worker script): a visible fallback, same findings", async () => {
    process.env.DEVOPS_PACK_SCAN_WORKERS = "1";
    const targets = await loadTargets();
    const r = await scanSourcesParallel(files, { targets });
    expect(r.workers).toMatchObject({ used: 0, fellBack: true });
    expect(r.workers?.reason).toMatch(/no worker script/);
    expect(r.findings).toEqual(scanSources(files, { targets }).findings);
  });

  it("small input without a setting: no worker, and says why (not a fallback)", async () => {
    delete process.env.DEVOPS_PACK_SCAN_WORKERS;
    const r = await scanSourcesParallel(files, { targets: await loadTargets() });
    expect(r.workers).toMatchObject({ used: 0, fellBack: false });
    expect(r.workers?.reason).toMatch(/below/);
  });
});

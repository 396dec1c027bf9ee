/**
 * The security scanner, for the specialists' tests only. Runtime code in
 * src/agents never imports the scanner (the layer rule); the tests must prove
 * that what each agent generates scans clean, so they reach it through this
 * one file.
 */
import type { ScanResult } from "../../scanner/engine.js";
import { scanSources } from "../../scanner/engine.js";
import { loadTargets } from "../../scanner/index.js";

/** Scan files in memory with every target and rule of `devops-pack scan`. */
export async function scanFiles(files: readonly { path: string; content: string }[]): Promise<ScanResult> {
  return scanSources(files, { targets: await loadTargets() });
}

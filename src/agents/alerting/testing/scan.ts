/**
 * The security scanner, for tests only (runtime code in src/agents never
 * imports it): generated artifacts must scan clean.
 */
import type { ScanResult } from "../../../scanner/engine.js";
import { scanSources } from "../../../scanner/engine.js";
import { loadTargets } from "../../../scanner/index.js";

export async function scanFiles(files: readonly { path: string; content: string }[]): Promise<ScanResult> {
  return scanSources(files, { targets: await loadTargets() });
}

import type { RuntimeOptions } from "../agents/manager/runtime.js";
import type { SpecialistEntry } from "../agents/registry.js";
import { SPECIALISTS } from "../agents/registry.js";
import { SECURITY_SPECIALIST, securityGateEnv } from "../scanner/index.js";

/**
 * The whole product, put together above the layers: every specialist (the
 * agents layer's and the scanner's) and every gate evaluator. The CLI, the
 * library entry point and the MCP server all run tasks through this.
 */
export const ALL_SPECIALISTS: readonly SpecialistEntry[] = [...SPECIALISTS, SECURITY_SPECIALIST];

export function wired(projectDir: string): RuntimeOptions {
  return { projectDir, specialists: ALL_SPECIALISTS, gateEnv: securityGateEnv() };
}

import type { RuntimeOptions } from "../agents/manager/runtime.js";
import { securityGateEnv } from "../scanner/index.js";
import { ALL_SPECIALISTS } from "./specialists.js";

/**
 * The whole product, put together above the layers: every specialist (the
 * agents layer's and the scanner's) and every gate evaluator. The CLI, the
 * library entry point and the MCP server all run tasks through this.
 */
export { ALL_SPECIALISTS };

export function wired(projectDir: string): RuntimeOptions {
  return { projectDir, specialists: ALL_SPECIALISTS, gateEnv: securityGateEnv() };
}

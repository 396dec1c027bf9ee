/** node (one package) and typescript_fullstack (npm workspaces, frontend + backend). */
import type { Step } from "../model.js";
import type { ResolvedConfig } from "../config.js";
import { primaryVersion } from "../config.js";
import type { LanguageKit } from "./steps.js";
import { matrixExpr, run } from "./steps.js";

function prepare(version: string): Step[] {
  return [
    { name: "Set up Node.js", action: "setupNode", with: { "node-version": version, cache: "npm" } },
    // Exactly the lockfile; the security job also verifies registry signatures.
    run("Install dependencies", "npm ci"),
  ];
}

export function nodeKit(cfg: ResolvedConfig): LanguageKit {
  const fullstack = cfg.type === "typescript_fullstack";
  const kit: LanguageKit = {
    prepare,
    primary: primaryVersion(cfg),
    lint: [run("Lint", "npm run lint")],
    test: [run("Test", "npm test")],
    build: fullstack
      ? [run("Build workspace", 'npm run build --workspace "$WORKSPACE"', { env: { WORKSPACE: matrixExpr("workspace") } })]
      : [run("Build", "npm run build")],
    audit: [
      run("Audit production dependencies", "npm audit --omit=dev --audit-level=high"),
      run("Verify registry signatures and provenance", "npm audit signatures"),
    ],
  };
  if (cfg.versions.length > 1) kit.testMatrix = { axis: "node", values: cfg.versions, label: "Node" };
  if (fullstack) kit.buildMatrix = { axis: "workspace", values: cfg.workspaces, label: "" };
  return kit;
}

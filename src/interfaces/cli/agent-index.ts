import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { builtinPackDir, packageRoot } from "../../core/package-root.js";

/** What `devops-pack agents` shows for one agent. */
export interface AgentRow {
  id: string;
  name: string;
  title: string;
  icon: string;
  handles: string[];
  pack: string;
  origin: "builtin" | "project";
}

export interface AgentIndex {
  version: 1;
  agents: (AgentRow & { file: string; sha256: string })[];
}

/** Written by `npm run build` (scripts/agent-index.mjs) from the validated built-in pack. */
export const AGENT_INDEX_PATH = ["dist", "builtin-agents.json"] as const;

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The built-in agents as the build validated them, when that still holds: no
 * project packs, the same agent files, and each file's content hashing to what
 * was validated. Listing agents then needs neither the YAML parser nor zod.
 * Any difference returns undefined and the caller loads the packs for real.
 */
export function indexedBuiltinAgents(
  projectDir: string,
  where: { indexFile: string; packDir: string } = { indexFile: join(packageRoot(), ...AGENT_INDEX_PATH), packDir: builtinPackDir() },
): AgentRow[] | undefined {
  if (process.env.DEVOPS_PACK_NO_AGENT_INDEX === "1") return undefined;
  if (existsSync(join(projectDir, ".devops-pack", "packs"))) return undefined;
  const { indexFile } = where;
  if (!existsSync(indexFile)) return undefined;
  try {
    const index = JSON.parse(readFileSync(indexFile, "utf8")) as AgentIndex;
    const agentsDir = join(where.packDir, "agents");
    const files = readdirSync(agentsDir).filter((f) => f.endsWith(".md")).sort();
    if (index.version !== 1 || files.join("\n") !== index.agents.map((a) => a.file).sort().join("\n")) return undefined;
    for (const a of index.agents) {
      if (sha256(readFileSync(join(agentsDir, a.file), "utf8")) !== a.sha256) return undefined;
    }
    return index.agents.map(({ id, name, title, icon, handles, pack, origin }) => ({ id, name, title, icon, handles, pack, origin }));
  } catch {
    return undefined;
  }
}

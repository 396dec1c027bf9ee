// Write dist/builtin-agents.json: the built-in agents, loaded and validated by the
// real pack loader, with the sha256 of each agent file. `devops-pack agents` uses it
// only while every file still hashes the same (src/interfaces/cli/agent-index.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { loadPacks } from "../dist/core/packs/loader.js";
import { sha256 } from "../dist/interfaces/cli/agent-index.js";

const agents = loadPacks().allAgents().map((a) => ({
  id: a.id,
  name: a.doc.spec.agent.name,
  title: a.doc.spec.agent.title,
  icon: a.doc.spec.agent.icon,
  handles: a.doc.spec.handles,
  pack: a.layer.id,
  origin: a.layer.origin,
  file: basename(a.file),
  sha256: sha256(readFileSync(a.file, "utf8")),
}));
writeFileSync("dist/builtin-agents.json", JSON.stringify({ version: 1, agents }, null, 2) + "\n");

import type { ActivatedAgent } from "../core/packs/loader.js";

/**
 * An agent's activation text, from its markdown: intro, persona, principles,
 * commands and knowledge. `devops-pack agents <id>` prints it after its
 * greeting; the MCP server sends it as the agent's prompt.
 */
export function agentBrief(a: ActivatedAgent, taskTypes: string): string[] {
  const s = a.doc.spec;
  return [
    a.doc.intro,
    "",
    `Role:  ${s.persona.role}`,
    `Style: ${s.persona.style}`,
    `Focus: ${s.persona.focus}`,
    "Principles:",
    ...s.persona.core_principles.map((p) => `  - ${p}`),
    "",
    "Commands:",
    ...s.commands.map((c) => `  *${c.name}${c.args ? ` ${c.args}` : ""} — ${c.description}`),
    "",
    `Task types: ${taskTypes}`,
  ];
}

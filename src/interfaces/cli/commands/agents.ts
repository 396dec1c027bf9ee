import type { ActivatedAgent } from "../../../core/packs/loader.js";
import { agentBrief } from "../../agent-brief.js";
import { ALL_SPECIALISTS } from "../../specialists.js";
import type { AgentRow } from "../agent-index.js";
import { indexedBuiltinAgents } from "../agent-index.js";
import { onePositional } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

function status(handles: readonly string[]): { built: boolean; text: string } {
  if (handles.length === 0) return { built: true, text: "routes tasks to the specialists" };
  const built = handles.filter((t) => ALL_SPECIALISTS.some((s) => s.taskType === t));
  if (built.length === handles.length) return { built: true, text: `ready: runs ${handles.join(", ")}` };
  return { built: false, text: `not built yet: will take ${handles.filter((t) => !built.includes(t)).join(", ")}` };
}

function row(a: ActivatedAgent): AgentRow {
  const { name, title, icon } = a.doc.spec.agent;
  return { id: a.id, name, title, icon, handles: a.doc.spec.handles, pack: a.layer.id, origin: a.layer.origin };
}

export async function runAgents(ctx: CliContext): Promise<number> {
  let agents = indexedBuiltinAgents(ctx.projectDir);
  if (!agents) {
    const { loadPacks } = await import("../../../core/packs/loader.js");
    agents = loadPacks({ projectDir: ctx.projectDir }).allAgents().map(row);
  }
  if (ctx.json) {
    printJson(ctx, {
      agents: agents.map((a) => {
        const st = status(a.handles);
        return { id: a.id, name: a.name, title: a.title, icon: a.icon, handles: a.handles, built: st.built, status: st.text, pack: a.pack, origin: a.origin };
      }),
    });
    return 0;
  }
  const w = Math.max(...agents.map((a) => a.id.length));
  const t = Math.max(...agents.map((a) => a.title.length));
  for (const a of agents) ctx.out(`${a.icon} ${a.id.padEnd(w)}  ${a.title.padEnd(t)}  ${status(a.handles).text}`);
  return 0;
}

export async function runAgent(ctx: CliContext, _values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const id = onePositional(positionals, "agent id", "agent <id>");
  const { loadPacks } = await import("../../../core/packs/loader.js");
  const packs = loadPacks({ projectDir: ctx.projectDir });
  const a = packs.activate(id);
  const s = a.doc.spec;
  const st = status(s.handles);
  if (ctx.json) {
    printJson(ctx, { id: a.id, file: a.file, agent: s.agent, persona: s.persona, commands: s.commands, handles: s.handles, built: st.built, status: st.text, dependencies: a.dependencies.map((d) => ({ category: d.category, name: d.name })) });
    return 0;
  }
  const lines = [
    `${s.agent.icon} Hello, I am ${s.agent.name}, your ${s.agent.title} (${a.id}).`,
    s.agent.whenToUse,
    "",
    ...agentBrief(a, `${s.handles.length > 0 ? s.handles.join(", ") : "none (routes tasks)"} — ${st.text}`),
    `Knowledge (read on demand): ${a.dependencies.map((d) => `${d.category}/${d.name}`).join(", ") || "none"}`,
  ];
  ctx.out(lines.join("\n"));
  return 0;
}

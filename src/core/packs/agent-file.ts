import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import { parseYamlSafe } from "../yaml.js";
import { describeZodError } from "../zod-errors.js";
import type { AgentSpec } from "./schema.js";
import { agentSpecSchema } from "./schema.js";

export interface AgentDocument {
  /** The `# ` heading. */
  heading: string;
  /** Persona prose between the heading and the yaml block. */
  intro: string;
  spec: AgentSpec;
  lines: number;
}

const FENCE_OPEN = /^```ya?ml\s*$/;
const FENCE_CLOSE = /^```\s*$/;

/** Parse an agent markdown file: a heading, persona prose and exactly one fenced yaml block. */
export function parseAgentDocument(text: string, file: string): Result<AgentDocument> {
  const lines = text.split(/\r?\n/);
  const heading = lines.find((l) => l.startsWith("# "))?.slice(2).trim();
  const errors: Issue[] = [];
  if (!heading) errors.push({ path: file, message: `${file}: missing a '# Title' heading` });

  const blocks: { start: number; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (FENCE_OPEN.test(lines[i] ?? "")) {
      let j = i + 1;
      while (j < lines.length && !FENCE_CLOSE.test(lines[j] ?? "")) j++;
      if (j >= lines.length) {
        errors.push({ path: file, line: i + 1, message: `${file}:${i + 1}: the yaml block is never closed with \`\`\`` });
        break;
      }
      blocks.push({ start: i, end: j });
      i = j;
    }
  }
  if (blocks.length !== 1 && errors.length === 0) {
    errors.push({ path: file, message: `${file}: expected exactly one \`\`\`yaml block, found ${blocks.length}` });
  }
  const block = blocks[0];
  if (errors.length > 0 || !block) return fail(errors);

  const yamlText = lines.slice(block.start + 1, block.end).join("\n");
  const parsed = parseYamlSafe(yamlText, file);
  if (!parsed.ok) {
    return fail(parsed.errors.map((e) => (e.line === undefined ? e : { ...e, line: e.line + block.start + 1, message: `${file}:${e.line + block.start + 1}: ${e.message}` })));
  }
  const result = agentSpecSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) {
    return fail(describeZodError(result.error, agentSpecSchema, "").map((e) => ({ ...e, message: `${file}: ${e.message}`, path: file })));
  }
  const headingIndex = lines.findIndex((l) => l.startsWith("# "));
  const intro = lines
    .slice(headingIndex + 1, block.start)
    .join("\n")
    .trim();
  return ok({ heading: heading ?? "", intro, spec: result.data, lines: lines.length - (text.endsWith("\n") ? 1 : 0) });
}

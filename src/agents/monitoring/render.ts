/** Serialisation of this agent's typed objects: the last step, and the only place text is made. */
import { stringify } from "yaml";
import { markerLine } from "../../core/plans/plan.js";

export const AGENT_ID = "devops_monitoring";

const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** One or more YAML documents under the generated-file marker and optional comment lines. */
export function renderYamlFile(documents: readonly unknown[], comment: readonly string[] = []): string {
  const header = [markerLine(AGENT_ID), ...comment.map((l) => (l === "" ? "#" : `# ${l}`))].join("\n");
  return `${header}\n${documents.map((d) => stringify(d, YAML_OPTIONS)).join("---\n")}`;
}

/** The marker as plain text, for formats without comments (the first key of a JSON file). */
export function markerText(): string {
  return markerLine(AGENT_ID, "").trim();
}

/** Pretty-printed JSON with the given key first (object key order is insertion order). */
export function renderJson(value: Record<string, unknown>): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Markdown under the marker as an HTML comment. */
export function renderMarkdown(lines: readonly string[]): string {
  return `<!-- ${markerText()} -->\n${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

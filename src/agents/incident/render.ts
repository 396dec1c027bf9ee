import { Document } from "yaml";
import { markerLine } from "../../core/plans/plan.js";

export const AGENT_ID = "devops_incident_response";

const YAML_OPTIONS = { lineWidth: 0, indentSeq: true } as const;

/** A YAML file: the generated-file marker (and an optional comment), then one document per value. */
export function renderYamlFile(values: readonly unknown[], comment?: string): string {
  const header = [markerLine(AGENT_ID), ...(comment ? comment.split("\n").map((l) => `# ${l}`) : [])].join("\n");
  const docs = values.map((v) => new Document(v, { aliasDuplicateObjects: false }).toString(YAML_OPTIONS));
  return `${header}\n${docs.join("---\n")}`;
}

import { Document, isScalar, visit } from "yaml";
import { markerLine } from "../../core/plans/plan.js";
import type { Manifest } from "./manifests.js";
import { FILE_ORDER } from "./manifests.js";

export const AGENT_ID = "devops_kubernetes";

/** The `yaml` options every file of this agent is written with. */
export const YAML_OPTIONS = { lineWidth: 0, indentSeq: true, blockQuote: "literal" } as const;

/** One YAML document, without the marker. Deterministic: key order is the objects' construction order. */
export function renderDocument(value: unknown): string {
  // No anchors and aliases: objects shared between builders are written out each time.
  const doc = new Document(value, { aliasDuplicateObjects: false });
  // File modes are decimal in YAML 1.2; say what they are in octal.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "defaultMode" && isScalar(pair.value) && typeof pair.value.value === "number") {
        pair.value.comment = ` 0${pair.value.value.toString(8)}`;
      }
    },
  });
  return doc.toString(YAML_OPTIONS);
}

/** A multi-document YAML file: the generated-file marker, then one document per value. */
export function renderYamlFile(values: readonly unknown[]): string {
  return `${markerLine(AGENT_ID)}\n${values.map(renderDocument).join("---\n")}`;
}

/** Group manifests by file, in FILE_ORDER; objects keep their order inside a file. */
export function groupByFile(manifests: readonly Manifest[]): Map<string, Manifest[]> {
  const groups = new Map<string, Manifest[]>();
  for (const m of manifests) {
    const group = groups.get(m.file);
    if (group) group.push(m);
    else groups.set(m.file, [m]);
  }
  const rank = (f: string) => {
    const i = (FILE_ORDER as readonly string[]).indexOf(f);
    return i < 0 ? FILE_ORDER.length : i;
  };
  return new Map([...groups.entries()].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)));
}

/** Render manifests into files `<dir>/<file>.yaml`, in order. */
export function renderManifestFiles(dir: string, manifests: readonly Manifest[]): { path: string; content: string }[] {
  return [...groupByFile(manifests).entries()].map(([file, ms]) => ({ path: `${dir}/${file}.yaml`, content: renderYamlFile(ms.map((m) => m.object)) }));
}

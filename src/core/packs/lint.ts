import { join } from "node:path";
import { isDevopsPackError } from "../errors.js";
import type { Issue } from "../result.js";
import { nearest } from "../suggest.js";
import { parseAgentDocument } from "./agent-file.js";
import type { PackFs } from "./fs.js";
import { nodePackFs } from "./fs.js";
import type { LoadPacksOptions, PackSet } from "./loader.js";
import { loadPacks } from "./loader.js";
import { DEPENDENCY_CATEGORIES } from "./schema.js";

export const DEFAULT_AGENT_LINE_BUDGET = 250;

export interface PackLintReport {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
  packs: { id: string; dir: string; origin: string; agents: number; files: number }[];
}

export interface PackLintOptions extends LoadPacksOptions {
  lineBudget?: number;
}

/**
 * Lint every loaded pack: manifests, agent schemas, references, orphan
 * knowledge files, task-type conflicts and the per-agent line budget.
 * Returns a report; never throws for problems in the packs.
 */
export function lintPacks(opts: PackLintOptions = {}): PackLintReport {
  const fs: PackFs = opts.fs ?? nodePackFs;
  const budget = opts.lineBudget ?? DEFAULT_AGENT_LINE_BUDGET;
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  let set: PackSet;
  try {
    set = loadPacks({ ...opts, fs });
  } catch (e) {
    if (isDevopsPackError(e)) return { ok: false, errors: [{ message: e.message, kind: "manifest" }], warnings, packs: [] };
    throw e;
  }

  const referenced = new Set<string>(); // "<category>/<name>": a reference covers the file in every layer it shadows
  const handledBy = new Map<string, string>();
  const packs: PackLintReport["packs"] = [];

  for (const layer of set.layers) {
    const agentFiles = fs.list(join(layer.dir, "agents")).filter((f) => f.endsWith(".md"));
    const listed = new Set(layer.manifest?.agents ?? []);
    let knowledgeFiles = 0;
    for (const category of DEPENDENCY_CATEGORIES) knowledgeFiles += fs.list(join(layer.dir, category)).length;
    packs.push({ id: layer.id, dir: layer.dir, origin: layer.origin, agents: agentFiles.length, files: knowledgeFiles });

    for (const name of agentFiles) {
      const id = name.slice(0, -3);
      const file = join(layer.dir, "agents", name);
      const parsed = parseAgentDocument(fs.readFile(file), file);
      if (!parsed.ok) {
        for (const e of parsed.errors) errors.push({ ...e, path: file, kind: e.kind ?? "schema" });
        continue;
      }
      const doc = parsed.value;
      if (doc.lines > budget) {
        errors.push({ path: file, kind: "budget", message: `${file}: ${doc.lines} lines; the budget is ${budget}. Move knowledge into data/ or workflows/ and reference it.` });
      }
      if (doc.spec.agent.id !== id) {
        errors.push({ path: file, kind: "schema", message: `${file}: agent.id is '${doc.spec.agent.id}' but the file is named ${name}.` });
      }
      if (layer.manifest && !listed.has(id)) {
        warnings.push({ path: file, kind: "unlisted", message: `${file}: agent ${id} is not listed in ${join(layer.dir, "pack.yaml")} agents.` });
      }
      for (const t of doc.spec.handles) {
        const other = handledBy.get(t);
        if (other !== undefined && other !== id) {
          errors.push({ path: file, kind: "conflict", message: `${file}: task type ${t} is handled by both ${other} and ${id}.` });
        } else handledBy.set(t, id);
      }
      for (const category of DEPENDENCY_CATEGORIES) {
        for (const ref of doc.spec.dependencies[category]) {
          referenced.add(`${category}/${ref}`);
          if (!set.resolveDependency(category, ref)) {
            const close = nearest(ref, set.available(category));
            errors.push({
              path: file,
              kind: "reference",
              message: `${file}: dependencies.${category} references '${ref}', which does not exist.${close.length > 0 ? ` Closest: ${close.join(", ")}.` : ""}`,
            });
          }
        }
      }
    }
    for (const id of listed) {
      if (!set.agentIds().includes(id)) {
        const close = nearest(id, set.agentIds(), 1)[0];
        errors.push({ path: join(layer.dir, "pack.yaml"), kind: "reference", message: `${join(layer.dir, "pack.yaml")}: agent '${id}' has no file agents/${id}.md.${close ? ` Did you mean ${close}?` : ""}` });
      }
    }
    for (const w of layer.manifest?.workflows ?? []) {
      referenced.add(`workflows/${w.file}`);
      if (!set.resolveDependency("workflows", w.file)) errors.push({ path: join(layer.dir, "pack.yaml"), kind: "reference", message: `${join(layer.dir, "pack.yaml")}: workflow ${w.id} references workflows/${w.file}, which does not exist.` });
    }
  }

  for (const layer of set.layers) {
    for (const category of DEPENDENCY_CATEGORIES) {
      for (const name of fs.list(join(layer.dir, category))) {
        const file = join(layer.dir, category, name);
        if (!referenced.has(`${category}/${name}`)) {
          errors.push({ path: file, kind: "orphan", message: `${file}: orphan file; no agent or pack.yaml references ${category}/${name}.` });
        }
      }
    }
  }
  return { ok: errors.length === 0, errors, warnings, packs };
}

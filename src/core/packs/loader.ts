import { join, resolve } from "node:path";
import { DevopsPackError } from "../errors.js";
import { builtinPackDir } from "../package-root.js";
import { nearest } from "../suggest.js";
import { parseYamlSafe } from "../yaml.js";
import { describeZodError } from "../zod-errors.js";
import type { AgentDocument } from "./agent-file.js";
import { parseAgentDocument } from "./agent-file.js";
import type { PackFs } from "./fs.js";
import { nodePackFs } from "./fs.js";
import type { DependencyCategory, GateSpec, PackManifest } from "./schema.js";
import { DEPENDENCY_CATEGORIES, packManifestSchema } from "./schema.js";

/** The built-in pack ships with the package: <package>/packs/devops. */
export const BUILTIN_PACK_DIR = builtinPackDir();

export type PackOrigin = "builtin" | "project";

export interface PackLayer {
  id: string;
  dir: string;
  origin: PackOrigin;
  manifest: PackManifest | undefined;
}

export interface Dependency {
  category: DependencyCategory;
  name: string;
  /** Absolute path of the file that wins across the overlay layers. */
  file: string;
}

export interface ActivatedAgent {
  id: string;
  file: string;
  layer: PackLayer;
  doc: AgentDocument;
  /** Resolved, not read. Read them with `PackSet.readDependency`. */
  dependencies: Dependency[];
}

export interface LoadPacksOptions {
  /** The project whose `.devops-pack/packs/<id>/` overlays are loaded. */
  projectDir?: string;
  /** Override the built-in pack directory (tests). */
  builtinDir?: string;
  /** Extra pack directories layered after the built-in and before the project (e.g. `pack lint <dir>`). */
  extraDirs?: string[];
  fs?: PackFs;
}

/**
 * Load the pack layers: the built-in pack first, then extra packs, then the
 * project's `.devops-pack/packs/<id>/`. Only the `pack.yaml` manifests are read
 * here; agent files are read when an agent is activated or listed.
 */
export function loadPacks(opts: LoadPacksOptions = {}): PackSet {
  const fs = opts.fs ?? nodePackFs;
  const layers: PackLayer[] = [];
  const builtinDir = opts.builtinDir ?? BUILTIN_PACK_DIR;
  if (!fs.isDir(builtinDir)) {
    throw new DevopsPackError("PACK_INVALID", `The built-in pack is missing at ${builtinDir}. Reinstall devops-pack.`);
  }
  layers.push(readLayer(fs, builtinDir, "builtin"));
  for (const dir of opts.extraDirs ?? []) {
    const abs = resolve(dir);
    if (abs === resolve(builtinDir)) continue;
    if (!fs.isDir(abs)) throw new DevopsPackError("NOT_FOUND", `Pack directory ${dir} does not exist.`);
    layers.push(readLayer(fs, abs, "project"));
  }
  if (opts.projectDir !== undefined) {
    const root = join(opts.projectDir, ".devops-pack", "packs");
    for (const name of fs.list(root)) {
      const dir = join(root, name);
      if (fs.isDir(dir)) layers.push(readLayer(fs, dir, "project"));
    }
  }
  const weakened = gateOverrideProblems(layers);
  if (weakened.length > 0) {
    throw new DevopsPackError("PACK_INVALID", weakened.map((w) => w.message).join("\n"), { file: weakened[0]?.file, gates: weakened.map((w) => w.gate) });
  }
  return new PackSet(layers, fs);
}

/**
 * The built-in pack's gates are a floor. A later pack may add gates, and may
 * redeclare a built-in gate only to make it at least as strict: the same type,
 * a threshold no lower, and every framework it had. Anything else would switch
 * off a protection (the production approval above all), so it is refused.
 */
export function gateOverrideProblems(layers: readonly PackLayer[]): { file: string; gate: string; message: string }[] {
  const builtin = layers.find((l) => l.origin === "builtin");
  const floor = new Map<string, GateSpec>();
  for (const g of builtin?.manifest?.gates ?? []) floor.set(g.id, g);
  const problems: { file: string; gate: string; message: string }[] = [];
  for (const layer of layers) {
    if (layer === builtin) continue;
    const file = join(layer.dir, "pack.yaml");
    for (const g of layer.manifest?.gates ?? []) {
      const base = floor.get(g.id);
      if (!base) continue;
      const why: string[] = [];
      if (g.type !== base.type) why.push(`changes its type from ${base.type} to ${g.type}`);
      if (g.threshold < base.threshold) why.push(`lowers its threshold from ${base.threshold} to ${g.threshold}`);
      const dropped = (base.frameworks ?? []).filter((f) => !(g.frameworks ?? []).includes(f));
      if (dropped.length > 0) why.push(`drops the framework(s) ${dropped.join(", ")}`);
      if (why.length > 0) {
        problems.push({
          file,
          gate: g.id,
          message: `${file}: gate ${g.id} ${why.join(", ")}. The built-in gates cannot be removed or weakened by a pack; a pack may add gates with new ids, or redeclare ${g.id} as ${base.type} with threshold ≥ ${base.threshold}${(base.frameworks ?? []).length > 0 ? ` and frameworks including ${(base.frameworks ?? []).join(", ")}` : ""}.`,
        });
      } else floor.set(g.id, g); // a stricter redeclaration raises the floor for the packs after it
    }
  }
  return problems;
}

function readLayer(fs: PackFs, dir: string, origin: PackOrigin): PackLayer {
  const manifestPath = join(dir, "pack.yaml");
  const fallbackId = dir.split(/[\\/]/).pop() ?? "pack";
  if (!fs.list(dir).includes("pack.yaml")) {
    if (origin === "builtin") throw new DevopsPackError("PACK_INVALID", `${manifestPath} is missing.`);
    return { id: fallbackId, dir, origin, manifest: undefined };
  }
  const parsed = parseYamlSafe(fs.readFile(manifestPath), manifestPath);
  if (!parsed.ok) {
    throw new DevopsPackError("PACK_INVALID", parsed.errors.map((e) => `${manifestPath}${e.line ? `:${e.line}` : ""}: ${e.message}`).join("\n"), { file: manifestPath });
  }
  const result = packManifestSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) {
    const issues = describeZodError(result.error, packManifestSchema, "");
    throw new DevopsPackError("PACK_INVALID", issues.map((i) => `${manifestPath}: ${i.message}`).join("\n"), { file: manifestPath, issues });
  }
  return { id: result.data.id, dir, origin, manifest: result.data };
}

export class PackSet {
  readonly layers: readonly PackLayer[];
  private readonly fs: PackFs;
  private readonly listings = new Map<string, string[]>();
  private readonly activated = new Map<string, ActivatedAgent>();

  constructor(layers: PackLayer[], fs: PackFs) {
    this.layers = layers;
    this.fs = fs;
  }

  private list(dir: string): string[] {
    let names = this.listings.get(dir);
    if (!names) {
      names = this.fs.list(dir);
      this.listings.set(dir, names);
    }
    return names;
  }

  /** Agent ids across all layers (from file names; nothing is read). */
  agentIds(): string[] {
    const ids = new Set<string>();
    for (const layer of this.layers) {
      for (const f of this.list(join(layer.dir, "agents"))) if (f.endsWith(".md")) ids.add(f.slice(0, -3));
    }
    return [...ids].sort();
  }

  /** The file that defines an agent: the last layer that has it wins. */
  agentLocation(id: string): { file: string; layer: PackLayer } {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (layer && this.list(join(layer.dir, "agents")).includes(`${id}.md`)) return { file: join(layer.dir, "agents", `${id}.md`), layer };
    }
    const ids = this.agentIds();
    const close = nearest(id, ids, 1)[0];
    throw new DevopsPackError(
      "NOT_FOUND",
      `Unknown agent '${id}'.${close ? ` Did you mean ${close}?` : ""} Available agents: ${ids.join(", ")}.`,
      { agent: id, available: ids },
    );
  }

  /** Resolve a dependency across layers, later layers first. */
  resolveDependency(category: DependencyCategory, name: string): string | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (layer && this.list(join(layer.dir, category)).includes(name)) return join(layer.dir, category, name);
    }
    return undefined;
  }

  /** Every file name available in a dependency category, across layers. */
  available(category: DependencyCategory): string[] {
    const names = new Set<string>();
    for (const layer of this.layers) for (const n of this.list(join(layer.dir, category))) names.add(n);
    return [...names].sort();
  }

  /**
   * Activate an agent: read its file (and only its file), validate it, and
   * resolve — without reading — its dependencies. A broken reference is a
   * hard error naming the file, the reference and the closest names.
   */
  activate(id: string): ActivatedAgent {
    const cached = this.activated.get(id);
    if (cached) return cached;
    const { file, layer } = this.agentLocation(id);
    const parsed = parseAgentDocument(this.fs.readFile(file), file);
    if (!parsed.ok) {
      throw new DevopsPackError("PACK_INVALID", parsed.errors.map((e) => e.message).join("\n"), { file, issues: parsed.errors });
    }
    const doc = parsed.value;
    if (doc.spec.agent.id !== id) {
      throw new DevopsPackError("PACK_INVALID", `${file}: agent.id is '${doc.spec.agent.id}' but the file is named ${id}.md; they must match.`, { file });
    }
    const dependencies: Dependency[] = [];
    const broken: string[] = [];
    for (const category of DEPENDENCY_CATEGORIES) {
      for (const name of doc.spec.dependencies[category]) {
        const resolved = this.resolveDependency(category, name);
        if (resolved) dependencies.push({ category, name, file: resolved });
        else {
          const close = nearest(name, this.available(category));
          broken.push(
            `${file}: dependencies.${category} references '${name}', which does not exist in any pack's ${category}/.` +
              (close.length > 0 ? ` Closest: ${close.join(", ")}.` : ` Available: ${this.available(category).join(", ") || "none"}.`),
          );
        }
      }
    }
    if (broken.length > 0) throw new DevopsPackError("PACK_INVALID", broken.join("\n"), { file, broken });
    const agent: ActivatedAgent = { id, file, layer, doc, dependencies };
    this.activated.set(id, agent);
    return agent;
  }

  /** Read one dependency of an activated agent, on demand. */
  readDependency(agentId: string, category: DependencyCategory, name: string): { file: string; content: string } {
    const agent = this.activate(agentId);
    const dep = agent.dependencies.find((d) => d.category === category && d.name === name);
    if (!dep) {
      const declared = agent.dependencies.filter((d) => d.category === category).map((d) => d.name);
      const close = nearest(name, declared, 1)[0];
      throw new DevopsPackError(
        "NOT_FOUND",
        `Agent ${agentId} has no ${category} dependency '${name}'.${close ? ` Did you mean ${close}?` : ""} Declared: ${declared.join(", ") || "none"}.`,
      );
    }
    return { file: dep.file, content: this.fs.readFile(dep.file) };
  }

  /** Activate every agent (reads every agent file): for listings and routing. */
  allAgents(): ActivatedAgent[] {
    return this.agentIds().map((id) => this.activate(id));
  }

  /** Task type → the agent that handles it, from the agents' `handles`. */
  handlers(): Map<string, string> {
    const map = new Map<string, string>();
    for (const a of this.allAgents()) for (const t of a.doc.spec.handles) if (!map.has(t)) map.set(t, a.id);
    return map;
  }

  /** Gates declared by the packs; a later layer's gate with the same id overrides (only ever stricter: see {@link gateOverrideProblems}). */
  gates(): GateSpec[] {
    const byId = new Map<string, GateSpec>();
    for (const layer of this.layers) for (const g of layer.manifest?.gates ?? []) byId.set(g.id, g);
    return [...byId.values()];
  }

  /** Workflows declared by the packs, with their resolved files. */
  workflows(): { id: string; file: string; pack: string }[] {
    const byId = new Map<string, { id: string; file: string; pack: string }>();
    for (const layer of this.layers) {
      for (const w of layer.manifest?.workflows ?? []) {
        byId.set(w.id, { id: w.id, file: this.resolveDependency("workflows", w.file) ?? join(layer.dir, "workflows", w.file), pack: layer.id });
      }
    }
    return [...byId.values()];
  }
}

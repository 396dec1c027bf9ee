/**
 * Parsed files → TfProject: modules (one per directory), module instances
 * (`module.<call>.` paths from local `module` calls), evaluated blocks and
 * the `referencing` index.
 */
import { posix } from "node:path";
import type { ParseError } from "../types.js";
import { collectRefs, evaluate, isObject, unknown, deepEqual, isFullyKnown, toStr } from "./evaluate.js";
import type { Bound, EvalContext } from "./evaluate.js";
import type { TfAttr, TfBlock, TfModule, TfProject, TfResource, TfValue } from "./model.js";
import { lineStarts, position } from "./parse.js";
import type { AstAttr, AstBlock, AstFile } from "./parse.js";

export interface ParsedFile {
  path: string;
  ast: AstFile;
}

/** How many elements of a known `for_each` a dynamic block is expanded to, at most. */
const MAX_DYNAMIC_EXPANSION = 256;

class FileCtx implements EvalContext {
  readonly src: string;
  private starts: number[] | null = null;
  constructor(
    readonly path: string,
    readonly ast: AstFile,
    readonly scope: ModuleScope,
  ) {
    this.src = ast.src;
  }
  variable(name: string): TfValue {
    return this.scope.variable(name);
  }
  local(name: string): TfValue {
    return this.scope.local(name);
  }
  pos(offset: number): { line: number; column: number } {
    this.starts ??= lineStarts(this.src);
    return position(this.starts, offset);
  }
}

/** Evaluates nothing: the context of variable defaults. */
class ConstCtx implements EvalContext {
  constructor(readonly src: string) {}
  variable(name: string): TfValue {
    return unknown(`var.${name}`);
  }
  local(name: string): TfValue {
    return unknown(`local.${name}`);
  }
}

interface Caller {
  call: AstBlock;
  ctx: FileCtx;
}

const IN_PROGRESS = Symbol("in-progress");

class ModuleScope {
  readonly files: FileCtx[] = [];
  readonly localDefs = new Map<string, { attr: AstAttr; ctx: FileCtx }>();
  readonly varDefs = new Map<string, { block: AstBlock; ctx: FileCtx }>();
  readonly callers: Caller[] = [];
  modulePath: string | null = null;
  private readonly localCache = new Map<string, TfValue | typeof IN_PROGRESS>();
  private readonly varCache = new Map<string, TfValue | typeof IN_PROGRESS>();
  private readonly localRefCache = new Map<string, Set<string> | typeof IN_PROGRESS>();

  constructor(readonly dir: string) {}

  local(name: string): TfValue {
    const cached = this.localCache.get(name);
    if (cached === IN_PROGRESS) return unknown(`local.${name}`);
    if (cached !== undefined) return cached;
    const def = this.localDefs.get(name);
    if (def === undefined) return unknown(`local.${name}`);
    this.localCache.set(name, IN_PROGRESS);
    const v = evaluate(def.attr.expr, def.ctx);
    this.localCache.set(name, v);
    return v;
  }

  variable(name: string): TfValue {
    const cached = this.varCache.get(name);
    if (cached === IN_PROGRESS) return unknown(`var.${name}`);
    if (cached !== undefined) return cached;
    this.varCache.set(name, IN_PROGRESS);
    const v = this.computeVariable(name);
    this.varCache.set(name, v);
    return v;
  }

  private computeVariable(name: string): TfValue {
    const self = unknown(`var.${name}`);
    const def = this.varDefs.get(name);
    if (def === undefined) return self;
    const defaultAttr = def.block.attrs.find((a) => a.name === "default");
    const defaultValue = defaultAttr === undefined ? self : evaluate(defaultAttr.expr, new ConstCtx(def.ctx.src));
    if (this.callers.length === 0) return defaultValue;
    // A module called from elsewhere: its value is known only when every caller gives the same known value.
    let value: TfValue | undefined;
    for (const c of this.callers) {
      const arg = c.call.attrs.find((a) => a.name === name);
      let v = arg === undefined ? defaultValue : evaluate(arg.expr, c.ctx);
      if (v === null && arg !== undefined && defaultAttr !== undefined && isNonNullable(def.block)) v = defaultValue;
      if (!isFullyKnown(v)) return self;
      if (value === undefined) value = v;
      else if (!deepEqual(value, v)) return self;
    }
    return value ?? self;
  }

  /** References reached through `local.name`, transitively (chains deeper than 64 locals are cut). */
  localRefs(name: string, depth = 0): Set<string> {
    const cached = this.localRefCache.get(name);
    if (cached === IN_PROGRESS) return new Set();
    if (cached !== undefined) return cached;
    const def = this.localDefs.get(name);
    const out = new Set<string>();
    if (def === undefined || depth > 64) return out;
    this.localRefCache.set(name, IN_PROGRESS);
    for (const r of collectRefs(def.attr.expr)) {
      out.add(r);
      if (r.startsWith("local.")) for (const rr of this.localRefs(r.slice(6), depth + 1)) out.add(rr);
    }
    this.localRefCache.set(name, out);
    return out;
  }
}

function isNonNullable(block: AstBlock): boolean {
  const n = block.attrs.find((a) => a.name === "nullable");
  return n !== undefined && n.expr.t === "lit" && n.expr.v === false;
}

function normDir(dir: string): string {
  const n = posix.normalize(dir === "" ? "." : dir);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

function literalString(attr: AstAttr | undefined): string | null {
  if (attr === undefined) return null;
  const e = attr.expr;
  if (e.t === "tpl" && e.parts.length === 1 && typeof e.parts[0] === "string" && e.directives === null) return e.parts[0];
  return null;
}

/** Is `source` a local path (`./x`, `../x`)? */
function isLocalSource(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../") || source === "." || source === "..";
}

class Builder {
  readonly scopes = new Map<string, ModuleScope>();

  addFiles(files: ParsedFile[]): void {
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of sorted) {
      const dir = normDir(posix.dirname(f.path.replace(/\\/g, "/")));
      let scope = this.scopes.get(dir);
      if (scope === undefined) {
        scope = new ModuleScope(dir);
        this.scopes.set(dir, scope);
      }
      const ctx = new FileCtx(f.path, f.ast, scope);
      scope.files.push(ctx);
      for (const b of f.ast.blocks) {
        if (b.type === "locals") {
          for (const a of b.attrs) if (!scope.localDefs.has(a.name)) scope.localDefs.set(a.name, { attr: a, ctx });
        } else if (b.type === "variable" && b.labels.length >= 1) {
          const name = b.labels[0]!;
          if (!scope.varDefs.has(name)) scope.varDefs.set(name, { block: b, ctx });
        }
      }
    }
  }

  /** Wire module calls between directories and give every directory its module path. */
  link(): void {
    const dirs = [...this.scopes.keys()].sort();
    const calls = new Map<string, { name: string; target: ModuleScope }[]>();
    for (const dir of dirs) {
      const scope = this.scopes.get(dir)!;
      const out: { name: string; target: ModuleScope }[] = [];
      for (const ctx of scope.files) {
        for (const b of ctx.ast.blocks) {
          if (b.type !== "module" || b.labels.length < 1) continue;
          const source = literalString(b.attrs.find((a) => a.name === "source"));
          if (source === null || !isLocalSource(source)) continue;
          const target = this.scopes.get(normDir(posix.join(dir, source)));
          if (target === undefined || target === scope) continue;
          target.callers.push({ call: b, ctx });
          out.push({ name: b.labels[0]!, target });
        }
      }
      calls.set(dir, out);
    }
    const assign = (root: ModuleScope): void => {
      root.modulePath = "";
      const queue: ModuleScope[] = [root];
      while (queue.length > 0) {
        const cur = queue.shift()!;
        for (const c of calls.get(cur.dir) ?? []) {
          if (c.target.modulePath !== null) continue;
          c.target.modulePath = `${cur.modulePath}module.${c.name}.`;
          queue.push(c.target);
        }
      }
    };
    for (const dir of dirs) {
      const s = this.scopes.get(dir)!;
      if (s.callers.length === 0 && s.modulePath === null) assign(s);
    }
    // Directories only reachable through a cycle of calls: treat as roots.
    for (const dir of dirs) {
      const s = this.scopes.get(dir)!;
      if (s.modulePath === null) assign(s);
    }
  }

  buildModule(scope: ModuleScope): TfModule {
    const module: TfModule = {
      dir: scope.dir,
      modulePath: scope.modulePath ?? "",
      files: scope.files.map((f) => f.path),
      resources: [],
      variables: [],
      locals: {},
      outputs: [],
      moduleCalls: [],
      providers: [],
    };
    for (const ctx of scope.files) {
      for (const b of ctx.ast.blocks) {
        switch (b.type) {
          case "resource":
          case "data": {
            if (b.labels.length < 2) break;
            const block = convertBlock(b, ctx, NO_BOUND);
            const resourceType = b.labels[0]!;
            const name = b.labels[1]!;
            const localAddress = b.type === "data" ? `data.${resourceType}.${name}` : `${resourceType}.${name}`;
            const resource: TfResource = Object.assign(block, {
              mode: b.type === "data" ? ("data" as const) : ("managed" as const),
              resourceType,
              name,
              localAddress,
              address: module.modulePath + localAddress,
              modulePath: module.modulePath,
              file: ctx.path,
            });
            module.resources.push(resource);
            break;
          }
          case "variable":
            module.variables.push(convertBlock(b, ctx, NO_BOUND));
            break;
          case "output":
            module.outputs.push(convertBlock(b, ctx, NO_BOUND));
            break;
          case "module":
            module.moduleCalls.push(convertBlock(b, ctx, NO_BOUND));
            break;
          case "provider":
            module.providers.push(convertBlock(b, ctx, NO_BOUND));
            break;
          case "locals":
            for (const a of b.attrs) {
              if (Object.hasOwn(module.locals, a.name)) continue;
              module.locals[a.name] = new LazyAttr(a, ctx, NO_BOUND);
            }
            break;
          default:
            break;
        }
      }
    }
    return module;
  }
}

/**
 * An attribute whose value and references are computed on first use: rules
 * read a small fraction of all attributes, so evaluating lazily keeps the
 * whole-corpus parse fast. `toJSON` gives the plain shape.
 */
class LazyAttr implements TfAttr {
  private v: TfValue | undefined;
  private r: string[] | undefined;
  readonly line: number;
  readonly column: number;
  constructor(
    private readonly a: AstAttr,
    private readonly ctx: FileCtx,
    private readonly bound: Bound,
  ) {
    const p = ctx.pos(a.s);
    this.line = p.line;
    this.column = p.column;
  }
  get value(): TfValue {
    if (this.v === undefined) this.v = evaluate(this.a.expr, this.ctx, this.bound);
    return this.v;
  }
  get refs(): string[] {
    this.r ??= collectRefs(this.a.expr, this.bound.size === 0 ? NO_NAMES : new Set(this.bound.keys()));
    return this.r;
  }
  get expr(): string {
    return this.ctx.src.slice(this.a.expr.s, this.a.expr.e);
  }
  toJSON(): TfAttr {
    return { value: this.value, expr: this.expr, refs: this.refs, line: this.line, column: this.column };
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();
const NO_BOUND: Bound = new Map();

function convertBlock(b: AstBlock, ctx: FileCtx, bound: Bound): TfBlock {
  const start = ctx.pos(b.s);
  const block: TfBlock = {
    type: b.type,
    labels: b.labels,
    attrs: {},
    blocks: [],
    line: start.line,
    column: start.column,
    endLine: ctx.pos(b.e).line,
  };
  for (const a of b.attrs) {
    if (!Object.hasOwn(block.attrs, a.name)) block.attrs[a.name] = new LazyAttr(a, ctx, bound);
  }
  if (b.type === "dynamic") {
    expandDynamic(b, block, ctx, bound);
    return block;
  }
  for (const child of b.blocks) block.blocks.push(convertBlock(child, ctx, bound));
  return block;
}

/**
 * A `dynamic "x"` block keeps type "dynamic" and labels ["x"]; its `content`
 * block appears once per element of a known `for_each` (with the iterator
 * bound to `{key, value}`), or once with an unknown iterator when `for_each`
 * is not known.
 */
function expandDynamic(b: AstBlock, block: TfBlock, ctx: FileCtx, bound: Bound): void {
  const content = b.blocks.find((c) => c.type === "content");
  if (content === undefined) return;
  const iteratorAttr = b.attrs.find((a) => a.name === "iterator");
  let iterator = b.labels[0] ?? "each";
  if (iteratorAttr !== undefined) {
    if (iteratorAttr.expr.t === "var") iterator = iteratorAttr.expr.name;
    else {
      const s = toStr(evaluate(iteratorAttr.expr, ctx, bound));
      if (s !== null) iterator = s;
    }
  }
  const forEach = block.attrs.for_each?.value;
  let entries: [TfValue, TfValue][] | null = null;
  // for_each over a list or set: the key is the element itself; over a map: the map key.
  if (Array.isArray(forEach)) entries = forEach.map((v, i) => [typeof v === "string" || typeof v === "number" ? v : i, v]);
  else if (isObject(forEach)) entries = Object.keys(forEach).map((k) => [k, forEach[k]!]);
  if (entries !== null && entries.length <= MAX_DYNAMIC_EXPANSION) {
    for (const [key, value] of entries) {
      const inner = new Map(bound);
      inner.set(iterator, { key, value });
      block.blocks.push(convertBlock(content, ctx, inner));
    }
    return;
  }
  const inner = new Map(bound);
  inner.set(iterator, unknown(iterator));
  block.blocks.push(convertBlock(content, ctx, inner));
}

interface ModuleEntry {
  scope: ModuleScope;
  byType: Map<string, TfResource[]>;
  /** `${type}|${viaAttr}` → referenced local address → referencing resources (built on first use). */
  refIndex: Map<string, Map<string, TfResource[]>>;
}

class Project implements TfProject {
  readonly resources: TfResource[];
  private readonly moduleOf = new Map<TfResource, ModuleEntry>();

  constructor(
    readonly modules: TfModule[],
    scopes: ModuleScope[],
  ) {
    this.resources = modules.flatMap((m) => m.resources);
    modules.forEach((m, i) => {
      const entry: ModuleEntry = { scope: scopes[i]!, byType: new Map(), refIndex: new Map() };
      for (const r of m.resources) {
        const list = entry.byType.get(r.resourceType);
        if (list) list.push(r);
        else entry.byType.set(r.resourceType, [r]);
        this.moduleOf.set(r, entry);
      }
    });
  }

  referencing(target: TfResource, type: string, viaAttr?: string): TfResource[] {
    const entry = this.moduleOf.get(target);
    if (entry === undefined) return [];
    const key = `${type}|${viaAttr ?? "*"}`;
    let index = entry.refIndex.get(key);
    if (index === undefined) {
      index = new Map();
      for (const c of entry.byType.get(type) ?? []) {
        const refs = new Set<string>();
        if (viaAttr !== undefined) {
          const a = c.attrs[viaAttr];
          if (a !== undefined) addRefs(a, entry.scope, refs);
        } else {
          blockRefs(c, entry.scope, refs);
        }
        for (const r of refs) {
          const list = index.get(r);
          if (list) list.push(c);
          else index.set(r, [c]);
        }
      }
      entry.refIndex.set(key, index);
    }
    return (index.get(target.localAddress) ?? []).filter((c) => c !== target);
  }
}

/** References of an attribute, with those reached through locals. */
function addRefs(a: TfAttr, scope: ModuleScope, out: Set<string>): void {
  for (const r of a.refs) {
    out.add(r);
    if (r.startsWith("local.")) for (const rr of scope.localRefs(r.slice(6))) out.add(rr);
  }
}

function blockRefs(b: TfBlock, scope: ModuleScope, out: Set<string>): void {
  for (const k in b.attrs) addRefs(b.attrs[k]!, scope, out);
  for (const c of b.blocks) blockRefs(c, scope, out);
}

/** Build the project. Never throws: a module that fails to build is reported per file. */
export function buildProject(files: ParsedFile[]): { project: TfProject; errors: ParseError[] } {
  const errors: ParseError[] = [];
  const builder = new Builder();
  builder.addFiles(files);
  try {
    builder.link();
  } catch (err) {
    for (const s of builder.scopes.values()) if (s.modulePath === null) s.modulePath = "";
    errors.push({ file: files[0]?.path ?? "", message: `internal error linking modules: ${errMsg(err)}` });
  }
  const modules: TfModule[] = [];
  const scopes: ModuleScope[] = [];
  for (const dir of [...builder.scopes.keys()].sort()) {
    const scope = builder.scopes.get(dir)!;
    try {
      modules.push(builder.buildModule(scope));
      scopes.push(scope);
    } catch (err) {
      for (const f of scope.files) errors.push({ file: f.path, message: `internal error evaluating the module: ${errMsg(err)}` });
    }
  }
  return { project: new Project(modules, scopes), errors };
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

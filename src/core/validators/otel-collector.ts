/**
 * Quality gate for OpenTelemetry Collector configuration files
 * (`gate.quality.otel-collector`). Returns data and never throws.
 *
 * `otelcol validate --config` cannot run offline here, so this is a
 * structural and referential check written from the Collector's documented
 * configuration rules (opentelemetry.io/docs/collector/configuration and the
 * component, pipeline and service config types of opentelemetry-collector):
 *
 * - one YAML document, a mapping whose keys are receivers, processors,
 *   exporters, connectors, extensions and service;
 * - component ids are `type` or `type/name`: the type starts with a letter and
 *   holds letters, digits and underscores (at most 63 characters); the name is
 *   non-empty, at most 1024 characters, with no whitespace, control or symbol
 *   characters; each component's settings are a mapping or empty (defaults);
 * - service needs pipelines, at least one; pipeline ids are traces, metrics,
 *   logs or profiles, optionally `/name`; each pipeline has receivers and
 *   exporters (non-empty lists) and optional processors, and nothing else;
 * - every id a pipeline names is defined in the matching section (receivers
 *   and exporters may name connectors); a connector must be used as an
 *   exporter of one pipeline and a receiver of another; ids are not repeated
 *   in a list; service.extensions names defined extensions only; an id may not
 *   be both a connector and a receiver or exporter (ambiguous);
 * - warnings: components defined but used by no pipeline, extensions not
 *   enabled, memory_limiter not first, batch before memory_limiter or a
 *   sampling processor, the bare `$VAR` form (no longer expanded: use
 *   `${env:VAR}`), the experimental profiles signal.
 *
 * Component-specific settings (an exporter's endpoint, a processor's options)
 * are not checked: they depend on each component's own config type.
 */
import type { ArtifactValidator } from "../gates/engine.js";
import type { Artifact } from "../plans/plan.js";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import { didYouMean } from "../suggest.js";
import type { Plain, YamlFile, YamlPath } from "./yaml-nodes.js";
import { dotted, isPlainObject, nodeIssue, readDocuments, syntaxIssues, toPlain } from "./yaml-nodes.js";

export const OTEL_COLLECTOR_TOOL = "OpenTelemetry Collector config check (devops-pack, from the Collector's config rules)";

const COMPONENT_SECTIONS = ["receivers", "processors", "exporters", "connectors", "extensions"] as const;
type Section = (typeof COMPONENT_SECTIONS)[number];
const TOP_LEVEL_KEYS: readonly string[] = [...COMPONENT_SECTIONS, "service"];
const SERVICE_KEYS: readonly string[] = ["extensions", "pipelines", "telemetry"];
const PIPELINE_KEYS: readonly string[] = ["receivers", "processors", "exporters"];
/** The Collector's signals; profiles is experimental (feature gate service.profilesSupport). */
const SIGNALS: readonly string[] = ["traces", "metrics", "logs", "profiles"];
const SINGULAR: Readonly<Record<Section, string>> = { receivers: "receiver", processors: "processor", exporters: "exporter", connectors: "connector", extensions: "extension" };

/** component.Type: a letter, then letters, digits or underscores; 63 characters at most. */
const TYPE_RE = /^[a-zA-Z][0-9a-zA-Z_]{0,62}$/;
/** The name after `/`: no Unicode whitespace (Z), control/format (C) or symbol (S) characters. */
const NAME_RE = /^[^\p{Z}\p{C}\p{S}]+$/u;
const MAX_NAME_LENGTH = 1024;

/** Processors that drop data, which batch should follow. */
const SAMPLING_PROCESSORS: readonly string[] = ["tail_sampling", "probabilistic_sampler"];

type Path = YamlPath;

function list(values: Iterable<string>): string {
  const all = [...values];
  return all.length === 0 ? "(none)" : all.join(", ");
}

interface Ctx extends YamlFile {
  errors: Issue[];
  warnings: Issue[];
}

function issue(ctx: Ctx, path: Path, message: string, kind: string): Issue {
  return nodeIssue(ctx, path, `${path.length > 0 ? `${dotted(path)}: ` : ""}${message}`, kind);
}

function error(ctx: Ctx, path: Path, message: string, kind: "schema" | "reference"): void {
  ctx.errors.push(issue(ctx, path, message, kind));
}

function warn(ctx: Ctx, path: Path, message: string, kind: string): void {
  ctx.warnings.push(issue(ctx, path, message, kind));
}

/** Why `id` is not a valid `type[/name]` component id, or undefined when it is. */
export function componentIdProblem(id: string): string | undefined {
  if (id.trim() === "") return "an id must not be empty";
  const slash = id.indexOf("/");
  const type = slash < 0 ? id : id.slice(0, slash);
  if (type === "") return `in '${id}': the part before / (the type) must not be empty`;
  if (!TYPE_RE.test(type)) return `in '${id}': type '${type}' must start with a letter and hold only letters, digits and underscores (at most 63 characters)`;
  if (slash < 0) return undefined;
  const name = id.slice(slash + 1);
  if (name === "") return `in '${id}': the part after / (the name) must not be empty`;
  if (name.length > MAX_NAME_LENGTH) return `in '${id}': the name is longer than ${MAX_NAME_LENGTH} characters`;
  if (!NAME_RE.test(name)) return `in '${id}': name '${name}' must not contain whitespace, control or symbol characters`;
  return undefined;
}

function typeOf(id: string): string {
  const slash = id.indexOf("/");
  return slash < 0 ? id : id.slice(0, slash);
}

/** Bare `$VAR` (not `$$`, not `${...}`) in a string value: the Collector no longer expands it. */
function bareVariable(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "$") continue;
    if (text[i + 1] === "$") {
      i++; // `$$` is an escaped literal `$`.
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (m) return m[0];
  }
  return undefined;
}

function checkSubstitutions(ctx: Ctx, value: unknown, path: Path): void {
  if (typeof value === "string") {
    const name = bareVariable(value);
    if (name !== undefined) warn(ctx, path, `'$${name}' is the bare environment variable form, which the Collector no longer expands; write \${env:${name}}`, "deprecated");
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkSubstitutions(ctx, v, [...path, i]));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) checkSubstitutions(ctx, v, [...path, k]);
  }
}

/** The defined ids of each component section, after checking the section's shape. */
function checkSections(ctx: Ctx, config: Plain): Record<Section, string[]> {
  const defined = { receivers: [], processors: [], exporters: [], connectors: [], extensions: [] } as Record<Section, string[]>;
  for (const section of COMPONENT_SECTIONS) {
    const value = config[section];
    if (value === undefined || value === null) continue;
    if (!isPlainObject(value)) {
      error(ctx, [section], `must be a mapping from ${SINGULAR[section]} id to its settings`, "schema");
      continue;
    }
    for (const [id, settings] of Object.entries(value)) {
      const problem = componentIdProblem(id);
      if (problem !== undefined) {
        error(ctx, [section, id], `invalid ${SINGULAR[section]} id: ${problem}`, "schema");
        continue;
      }
      if (settings !== null && !isPlainObject(settings)) {
        error(ctx, [section, id], `the settings of ${SINGULAR[section]} '${id}' must be a mapping (or empty for the defaults), not ${Array.isArray(settings) ? "a list" : typeof settings}`, "schema");
        continue;
      }
      defined[section].push(id);
    }
  }
  // A connector id shared with a receiver or exporter is ambiguous in a pipeline.
  for (const id of defined.connectors) {
    for (const other of ["receivers", "exporters"] as const) {
      if (defined[other].includes(id)) error(ctx, ["connectors", id], `ambiguous id: '${id}' is both a ${SINGULAR[other]} and a connector; rename one of them`, "schema");
    }
  }
  return defined;
}

/** A list of component ids at `path`: must be a list of strings; returns the strings with their index. */
function idList(ctx: Ctx, value: unknown, path: Path, what: string): { id: string; at: Path }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    error(ctx, path, `must be a list of ${what} ids`, "schema");
    return [];
  }
  const out: { id: string; at: Path }[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    const at = [...path, i];
    if (typeof item !== "string") {
      error(ctx, at, `must be a ${what} id (a string), not ${item === null ? "null" : Array.isArray(item) ? "a list" : typeof item}`, "schema");
      return;
    }
    const problem = componentIdProblem(item);
    if (problem !== undefined) {
      error(ctx, at, `invalid ${what} id: ${problem}`, "schema");
      return;
    }
    if (seen.has(item)) {
      error(ctx, at, `${what} '${item}' is listed more than once`, "schema");
      return;
    }
    seen.add(item);
    out.push({ id: item, at });
  });
  return out;
}

function undefinedRef(ctx: Ctx, at: Path, what: string, id: string, candidates: string[], label: string): void {
  error(ctx, at, `${what} '${id}' is not defined; defined ${label}: ${list(candidates)}.${didYouMean(id, candidates)}`.replace(/\.$/, ""), "reference");
}

interface Usage {
  used: Record<Section, Set<string>>;
  connectorAsExporter: Set<string>;
  connectorAsReceiver: Set<string>;
  /** Where each connector was first used, for messages. */
  connectorAt: Map<string, Path>;
}

function checkPipeline(ctx: Ctx, pipelineId: string, pipeline: unknown, defined: Record<Section, string[]>, usage: Usage): void {
  const base: Path = ["service", "pipelines", pipelineId];
  const slash = pipelineId.indexOf("/");
  const signal = slash < 0 ? pipelineId : pipelineId.slice(0, slash);
  if (!SIGNALS.includes(signal)) {
    error(ctx, base, `pipeline id '${pipelineId}' must start with a signal: ${SIGNALS.join(", ")} (optionally followed by /name).${didYouMean(signal, SIGNALS)}`.replace(/\.$/, ""), "schema");
  } else {
    const problem = componentIdProblem(pipelineId);
    if (problem !== undefined) error(ctx, base, `invalid pipeline id: ${problem}`, "schema");
    if (signal === "profiles") warn(ctx, base, "profiles pipelines are experimental: the Collector needs --feature-gates=service.profilesSupport", "experimental");
  }
  if (pipeline !== null && !isPlainObject(pipeline)) {
    error(ctx, base, "a pipeline must be a mapping with receivers, processors and exporters", "schema");
    return;
  }
  const p: Plain = isPlainObject(pipeline) ? pipeline : {};
  for (const key of Object.keys(p)) {
    if (!PIPELINE_KEYS.includes(key)) error(ctx, [...base, key], `unknown pipeline field '${key}'; valid fields: ${PIPELINE_KEYS.join(", ")}.${didYouMean(key, PIPELINE_KEYS)}`.replace(/\.$/, ""), "schema");
  }

  const receivers = idList(ctx, p.receivers, [...base, "receivers"], "receiver");
  const processors = idList(ctx, p.processors, [...base, "processors"], "processor");
  const exporters = idList(ctx, p.exporters, [...base, "exporters"], "exporter");
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (empty(p.receivers)) error(ctx, p.receivers === undefined ? base : [...base, "receivers"], "a pipeline must have at least one receiver (receivers: [...])", "schema");
  if (empty(p.exporters)) error(ctx, p.exporters === undefined ? base : [...base, "exporters"], "a pipeline must have at least one exporter (exporters: [...])", "schema");

  const noteConnector = (id: string, at: Path, side: "exporter" | "receiver") => {
    (side === "exporter" ? usage.connectorAsExporter : usage.connectorAsReceiver).add(id);
    if (!usage.connectorAt.has(id)) usage.connectorAt.set(id, at);
    usage.used.connectors.add(id);
  };

  for (const { id, at } of receivers) {
    if (defined.receivers.includes(id)) usage.used.receivers.add(id);
    else if (defined.connectors.includes(id)) noteConnector(id, at, "receiver");
    else undefinedRef(ctx, at, "receiver", id, [...defined.receivers, ...defined.connectors], defined.connectors.length > 0 ? "receivers and connectors" : "receivers");
  }
  for (const { id, at } of processors) {
    if (defined.processors.includes(id)) usage.used.processors.add(id);
    else if (defined.connectors.includes(id)) error(ctx, at, `'${id}' is a connector; connectors go in a pipeline's receivers or exporters, not its processors`, "reference");
    else undefinedRef(ctx, at, "processor", id, defined.processors, "processors");
  }
  for (const { id, at } of exporters) {
    if (defined.exporters.includes(id)) usage.used.exporters.add(id);
    else if (defined.connectors.includes(id)) noteConnector(id, at, "exporter");
    else undefinedRef(ctx, at, "exporter", id, [...defined.exporters, ...defined.connectors], defined.connectors.length > 0 ? "exporters and connectors" : "exporters");
  }

  // Ordering advice from the Collector's processor docs (warnings only).
  const types = processors.map((x) => typeOf(x.id));
  const memoryLimiter = types.indexOf("memory_limiter");
  if (memoryLimiter > 0) {
    warn(ctx, processors[memoryLimiter]!.at, `memory_limiter should be the first processor of the pipeline (it is at position ${memoryLimiter + 1}), so it can refuse data before other processors spend memory on it`, "order");
  }
  const batch = types.indexOf("batch");
  if (batch >= 0) {
    const mustPrecede = types.flatMap((t, i) => (i > batch && (t === "memory_limiter" || SAMPLING_PROCESSORS.includes(t)) ? [processors[i]!.id] : []));
    if (mustPrecede.length > 0) warn(ctx, processors[batch]!.at, `batch should come after ${mustPrecede.join(", ")} (batch after memory limiting and sampling)`, "order");
  }
}

function checkService(ctx: Ctx, config: Plain, defined: Record<Section, string[]>): void {
  const service = config.service;
  if (service === undefined || service === null) {
    error(ctx, service === null ? ["service"] : [], "service is required: it enables extensions and defines the pipelines (service.pipelines)", "schema");
    return;
  }
  if (!isPlainObject(service)) {
    error(ctx, ["service"], "must be a mapping with extensions, pipelines and telemetry", "schema");
    return;
  }
  for (const key of Object.keys(service)) {
    if (!SERVICE_KEYS.includes(key)) error(ctx, ["service", key], `unknown service field '${key}'; valid fields: ${SERVICE_KEYS.join(", ")}.${didYouMean(key, SERVICE_KEYS)}`.replace(/\.$/, ""), "schema");
  }
  if (service.telemetry !== undefined && service.telemetry !== null && !isPlainObject(service.telemetry)) error(ctx, ["service", "telemetry"], "must be a mapping (logs, metrics, traces, resource)", "schema");

  // Extensions.
  const enabled = idList(ctx, service.extensions, ["service", "extensions"], "extension");
  for (const { id, at } of enabled) {
    if (!defined.extensions.includes(id)) undefinedRef(ctx, at, "extension", id, defined.extensions, "extensions");
  }
  const enabledIds = new Set(enabled.map((e) => e.id));
  for (const id of defined.extensions) {
    if (!enabledIds.has(id)) warn(ctx, ["extensions", id], `extension '${id}' is defined but not enabled in service.extensions; the Collector ignores it`, "unused");
  }

  // Pipelines.
  const pipelines = service.pipelines;
  if (pipelines === undefined || pipelines === null || (isPlainObject(pipelines) && Object.keys(pipelines).length === 0)) {
    error(ctx, pipelines === undefined ? ["service"] : ["service", "pipelines"], `${pipelines === undefined ? "service.pipelines is required" : "service.pipelines is empty"}: the service must have at least one pipeline`, "schema");
    return;
  }
  if (!isPlainObject(pipelines)) {
    error(ctx, ["service", "pipelines"], "must be a mapping from pipeline id (traces, metrics, logs, profiles, optionally /name) to pipeline", "schema");
    return;
  }
  const usage: Usage = {
    used: { receivers: new Set(), processors: new Set(), exporters: new Set(), connectors: new Set(), extensions: new Set() },
    connectorAsExporter: new Set(),
    connectorAsReceiver: new Set(),
    connectorAt: new Map(),
  };
  for (const [id, pipeline] of Object.entries(pipelines)) checkPipeline(ctx, id, pipeline, defined, usage);

  for (const id of usage.used.connectors) {
    const at = usage.connectorAt.get(id) ?? ["connectors", id];
    if (!usage.connectorAsReceiver.has(id)) error(ctx, at, `connector '${id}' is used as an exporter but no pipeline uses it as a receiver; a connector must be both`, "reference");
    if (!usage.connectorAsExporter.has(id)) error(ctx, at, `connector '${id}' is used as a receiver but no pipeline uses it as an exporter; a connector must be both`, "reference");
  }
  for (const section of ["receivers", "processors", "exporters", "connectors"] as const) {
    for (const id of defined[section]) {
      if (!usage.used[section].has(id)) warn(ctx, [section, id], `${SINGULAR[section]} '${id}' is defined but used by no pipeline; the Collector ignores it`, "unused");
    }
  }
}

function checkConfig(ctx: Ctx, config: unknown): void {
  if (!isPlainObject(config)) {
    error(ctx, [], `an OpenTelemetry Collector config must be a mapping with ${TOP_LEVEL_KEYS.join(", ")}`, "schema");
    return;
  }
  for (const key of Object.keys(config)) {
    if (!TOP_LEVEL_KEYS.includes(key)) error(ctx, [key], `unknown top-level key '${key}'; valid keys: ${TOP_LEVEL_KEYS.join(", ")}.${didYouMean(key, TOP_LEVEL_KEYS)}`.replace(/\.$/, ""), "schema");
  }
  const defined = checkSections(ctx, config);
  checkService(ctx, config, defined);
  checkSubstitutions(ctx, config, []);
}

/** Check one Collector config file. Never throws. */
export function validateOtelCollectorConfig(content: string, path: string): Result<null> {
  const read = readDocuments(content, path);
  if ("tooLarge" in read) return fail([read.tooLarge]);
  const { lc, docs } = read;
  const syntax = docs.flatMap((doc) => syntaxIssues(doc, path));
  if (syntax.length > 0) return fail(syntax);
  if (docs.length === 0) return fail([{ message: `${path} is empty; a Collector config needs at least service.pipelines`, path, kind: "schema" }]);
  if (docs.length > 1) {
    const second = docs[1]?.range[0];
    const pos = second !== undefined ? lc.linePos(second) : undefined;
    return fail([{ message: `${path} holds ${docs.length} YAML documents; the Collector reads one config document per file (split them or remove the extra '---')`, path, kind: "syntax", ...(pos ? { line: pos.line, column: pos.col } : {}) }]);
  }
  const doc = docs[0]!;
  let value: unknown;
  try {
    value = toPlain(doc);
  } catch (e) {
    return fail([{ message: `${path}: ${(e as Error).message}`, path, kind: "syntax" }]);
  }
  const ctx: Ctx = { path, doc, lc, errors: [], warnings: [] };
  checkConfig(ctx, value);
  return ctx.errors.length === 0 ? ok(null, ctx.warnings) : fail(ctx.errors, ctx.warnings);
}

export const otelCollectorValidator: ArtifactValidator = {
  // "otel-collector" is already a member of the ArtifactKind union, so no cast is needed.
  kind: "otel-collector",
  tool: OTEL_COLLECTOR_TOOL,
  validate: async (a: Artifact) => validateOtelCollectorConfig(a.content, a.path),
};

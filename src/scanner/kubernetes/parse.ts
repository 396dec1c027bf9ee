import type { Document, LineCounter, Node as YamlNode } from "yaml";
import { isAlias, isMap as isYamlMap, isScalar, isSeq, visit } from "yaml";
import { MAX_ALIAS_COUNT, MAX_INPUT_BYTES } from "../../core/limits.js";
import { readYamlDocuments } from "../../core/yaml.js";
import type { ParseError, SourceFile } from "../types.js";
import type { K8sDocument, K8sMap, K8sObject, K8sObjectSet, PathSegment, Position } from "./model.js";
import { isMap, WORKLOAD_KINDS } from "./workload.js";

/** Aliases in one file beyond this many are refused (billion laughs); also the cap on alias expansion. */
export { MAX_ALIAS_COUNT };

/** Directives only Helm (not plain Go templates in ConfigMaps) writes. */
const HELM_DIRECTIVE = /\{\{-?\s*(?:\.Values\b|\.Release\b|\.Chart\b|\.Capabilities\b|\.Files\b|\.Template\b|include\s|template\s|toYaml\b|tpl\s|required\s|\$[\w]*\s*:?=)/;
const API_VERSION_LINE = /^\s*["']?apiVersion["']?\s*:/m;
const KIND_LINE = /^\s*["']?kind["']?\s*:/m;

const EXTENSION = /\.(ya?ml|json)$/i;

/**
 * Does the Kubernetes target read this file? YAML or JSON whose head names
 * both `apiVersion` and `kind`, outside `.github/workflows/`.
 */
export function claimsKubernetes(path: string, head: string): boolean {
  if (!EXTENSION.test(path)) return false;
  if (/(^|\/)\.github\/workflows\//.test(path)) return false;
  return head.includes("apiVersion") && head.includes("kind");
}

function looksLikeManifest(text: string): boolean {
  return API_VERSION_LINE.test(text) && KIND_LINE.test(text);
}

/** yaml's pretty messages end their first line with " at line N, column M:"; the line is reported separately. */
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

interface Located {
  lc: LineCounter;
  doc: Document.Parsed;
}

function positionOf(node: unknown, lc: LineCounter): Position | undefined {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  if (!range) return undefined;
  const p = lc.linePos(range[0]);
  return { line: p.line, column: p.col };
}

function lastLineOf(node: YamlNode, lc: LineCounter): number {
  const range = node.range;
  if (!range) return 1;
  // The node's end offset may sit at the start of the following line.
  const end = Math.max(range[0], range[1] - 1);
  return lc.linePos(end).line;
}

function keyMatches(key: unknown, step: PathSegment): boolean {
  return isScalar(key) && String(key.value) === String(step);
}

/** Walks the YAML nodes along `path`; returns the position of the deepest node reached (keys for map steps). */
function locate(located: Located, base: readonly PathSegment[], path: readonly PathSegment[]): Position {
  const { doc, lc } = located;
  let node: unknown = doc.contents;
  let pos = positionOf(node, lc) ?? { line: 1, column: 1 };
  for (const step of [...base, ...path]) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isYamlMap(node)) {
      const pair = node.items.find((p) => keyMatches(p.key, step));
      if (!pair) break;
      pos = positionOf(pair.key, lc) ?? pos;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      const item: unknown = node.items[step];
      if (item === undefined) break;
      pos = positionOf(item, lc) ?? pos;
      node = item;
    } else {
      break;
    }
  }
  return pos;
}

function nodeAt(located: Located, path: readonly PathSegment[]): YamlNode | undefined {
  const node: unknown = located.doc.getIn(path, true);
  return node && typeof node === "object" && "range" in node ? (node as YamlNode) : undefined;
}

function resourceName(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? "-"}/${name ?? "-"}`;
}

function makeObject(raw: K8sMap, file: string, located: Located, base: PathSegment[], node: YamlNode | undefined): K8sObject | undefined {
  const apiVersion = raw["apiVersion"];
  const kind = raw["kind"];
  if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") return undefined;
  const metadata = isMap(raw["metadata"]) ? raw["metadata"] : {};
  const nameValue = metadata["name"] ?? metadata["generateName"];
  const name = typeof nameValue === "string" && nameValue !== "" ? nameValue : undefined;
  const nsValue = metadata["namespace"];
  const namespace = typeof nsValue === "string" && nsValue !== "" ? nsValue : undefined;
  const start = node ? positionOf(node, located.lc) : undefined;
  return {
    apiVersion,
    kind,
    name,
    namespace,
    raw,
    file,
    startLine: start?.line ?? 1,
    endLine: node ? lastLineOf(node, located.lc) : 1,
    resource: resourceName(kind, namespace, name),
    lineOf: (path) => locate(located, base, path),
  };
}

/** `List`, and kinds such as `DeploymentList` or `ConfigMapList`, carry `items`. */
function isListKind(raw: K8sMap): boolean {
  const kind = raw["kind"];
  return typeof kind === "string" && kind.endsWith("List") && Array.isArray(raw["items"]);
}

export interface FileParse {
  objects: K8sObject[];
  error?: ParseError;
}

function failure(file: string, message: string, line?: number): FileParse {
  return { objects: [], error: line === undefined ? { file, message } : { file, line, message } };
}

function parseFileUnsafe(file: SourceFile): FileParse {
  const { path, content } = file;
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > MAX_INPUT_BYTES) return failure(path, `${path} is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes`);
  if (content.includes("\u0000")) return failure(path, `${path} is binary, not YAML or JSON`);
  const manifest = looksLikeManifest(content);
  if (manifest && HELM_DIRECTIVE.test(content)) return failure(path, "Helm template, render it first (helm template …) and scan the output");

  // Bounded and linear: documents, keys and nesting are capped before each document is built.
  // Custom tags are left to the library (it reads the value untagged), as before.
  const read = readYamlDocuments(content, path, { customTags: "ignore" });
  if (!read.ok) return failure(path, read.issue.message, read.issue.line);
  const { lc, docs } = read.value;

  let aliases = 0;
  for (const doc of docs) {
    visit(doc, {
      Alias() {
        aliases++;
      },
    });
  }
  if (aliases > MAX_ALIAS_COUNT) return failure(path, `${path} uses ${aliases} YAML aliases; more than ${MAX_ALIAS_COUNT} is refused (alias bomb)`);

  const objects: K8sObject[] = [];
  let error: ParseError | undefined;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      if (!e) continue;
      const line = e.linePos?.[0]?.line;
      const message = manifest && content.includes("{{") ? "Helm or Go template, render it first and scan the output" : `YAML syntax: ${firstLine(e.message)}`;
      error ??= line === undefined ? { file: path, message } : { file: path, line, message };
      continue;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      error ??= { file: path, message: `${path}: ${(e as Error).message}` };
      continue;
    }
    if (!isMap(data)) continue;
    const located: Located = { lc, doc };
    if (isListKind(data)) {
      (data["items"] as unknown[]).forEach((item, i) => {
        if (!isMap(item)) return;
        const base = ["items", i];
        const object = makeObject(item, path, located, base, nodeAt(located, base));
        if (object) objects.push(object);
      });
      continue;
    }
    const object = makeObject(data, path, located, [], doc.contents ?? undefined);
    if (object) objects.push(object);
  }
  return error ? { objects, error } : { objects };
}

/** Parse one manifest file. Never throws: problems become a ParseError for the file. */
export function parseManifestFile(file: SourceFile): FileParse {
  try {
    return parseFileUnsafe(file);
  } catch (e) {
    return failure(file.path, `${file.path} could not be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const WORKLOADS = new Set(WORKLOAD_KINDS);

/**
 * The namespace an object lands in, as a map key. An object without
 * `metadata.namespace` lands wherever it is applied; such objects are taken to
 * share a namespace only with namespace-less objects of the same top-level
 * directory of the scan (one repository or application), never across it.
 */
function nsKey(namespace: string | undefined, file: string): string {
  if (namespace !== undefined) return `ns:${namespace}`;
  const slash = file.indexOf("/");
  return `dir:${slash > 0 ? file.slice(0, slash) : ""}`;
}

/** `build.artifacts[].image` of a Skaffold config, profiles included. */
function skaffoldArtifacts(config: K8sMap): string[] {
  const builds = [config["build"], ...(Array.isArray(config["profiles"]) ? config["profiles"] : []).map((p: unknown) => (isMap(p) ? p["build"] : undefined))];
  const images: string[] = [];
  for (const build of builds) {
    if (!isMap(build) || !Array.isArray(build["artifacts"])) continue;
    for (const a of build["artifacts"]) if (isMap(a) && typeof a["image"] === "string") images.push(a["image"]);
  }
  return images;
}

/** Indexes every object of a scan for the cross-file look-ups rules need. */
export function buildObjectSet(objects: readonly K8sObject[]): K8sObjectSet {
  const byKind = new Map<string, K8sObject[]>();
  const policies = new Map<string, K8sObject[]>();
  const accounts = new Map<string, K8sObject>();
  const firstWorkload = new Map<string, K8sObject>();
  const skaffoldImages = new Set<string>();
  for (const o of objects) {
    if (o.apiVersion.startsWith("skaffold/") && o.kind === "Config") {
      for (const image of skaffoldArtifacts(o.raw)) skaffoldImages.add(`${nsKey(undefined, o.file)}|${image}`);
    }
    const list = byKind.get(o.kind) ?? [];
    list.push(o);
    byKind.set(o.kind, list);
    if (o.kind === "NetworkPolicy") {
      const key = nsKey(o.namespace, o.file);
      const list = policies.get(key);
      if (list) list.push(o);
      else policies.set(key, [o]);
    }
    if (o.kind === "ServiceAccount" && o.name !== undefined) {
      const key = `${nsKey(o.namespace, o.file)}/${o.name}`;
      if (!accounts.has(key)) accounts.set(key, o);
    }
    if (WORKLOADS.has(o.kind)) {
      const key = nsKey(o.namespace, o.file);
      const first = firstWorkload.get(key);
      if (!first || o.file < first.file || (o.file === first.file && o.startLine < first.startLine)) firstWorkload.set(key, o);
    }
  }
  return {
    objects,
    ofKind: (kind) => byKind.get(kind) ?? [],
    networkPoliciesIn: (object) => policies.get(nsKey(object.namespace, object.file)) ?? [],
    serviceAccount: (object, name) => accounts.get(`${nsKey(object.namespace, object.file)}/${name}`),
    firstWorkloadIn: (object) => firstWorkload.get(nsKey(object.namespace, object.file)),
    builtBySkaffold: (object, repository) => skaffoldImages.has(`${nsKey(undefined, object.file)}|${repository}`),
  };
}

/**
 * Parse every claimed file. Each file with at least one Kubernetes object
 * becomes a `K8sDocument`; documents without `apiVersion` and `kind` are not
 * Kubernetes objects and are skipped silently. Never throws.
 */
export function parseKubernetesFiles(files: readonly SourceFile[]): { docs: K8sDocument[]; errors: ParseError[] } {
  const perFile: { file: string; objects: K8sObject[] }[] = [];
  const errors: ParseError[] = [];
  for (const file of files) {
    const result = parseManifestFile(file);
    if (result.error) errors.push(result.error);
    if (result.objects.length > 0) perFile.push({ file: file.path, objects: result.objects });
  }
  const set = buildObjectSet(perFile.flatMap((f) => f.objects));
  return { docs: perFile.map((f) => ({ file: f.file, objects: f.objects, set })), errors };
}

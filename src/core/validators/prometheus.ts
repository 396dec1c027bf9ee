/**
 * The validators behind `gate.quality.prometheus-config`,
 * `gate.quality.prometheus-rules`, `gate.quality.prometheus-rule-test` and
 * `gate.quality.alertmanager-config`: the real promtool and amtool binaries
 * (Debian packages `prometheus` and `prometheus-alertmanager`).
 *
 * - prometheus-rules: one `promtool check rules f1 f2 …` for every rule file
 *   of the plan; its verdict is mapped back to each file. YAML syntax errors
 *   are reported with their line before promtool runs.
 * - prometheus-config: `promtool check config` with the whole plan written to
 *   a fresh temporary directory, so `rule_files` globs resolve against the
 *   plan and the rule files are checked too.
 * - prometheus-rule-test: one `promtool test rules t1 t2 …` the same way
 *   (tests name their rule files relative to the test file). A rule file pattern that matches
 *   nothing, or an `alertname` no alerting rule defines, is an error: either
 *   would let a test pass without testing anything.
 * - alertmanager-config: `amtool check-config` with the plan written out, so
 *   `templates` resolve; a template file on its own is checked through a
 *   minimal configuration that loads it.
 *
 * Independent processes run concurrently. Results are cached by the content
 * of everything written for the check. A missing binary is an error of kind
 * `tool-missing` naming the apt packages. Returns data; never throws.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Document, Node as YamlNode, Pair } from "yaml";
import { isMap, isScalar, isSeq, stringify } from "yaml";
import { z } from "zod";
import type { ArtifactValidator } from "../gates/engine.js";
import type { Artifact, ArtifactKind } from "../plans/plan.js";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import { didYouMean } from "../suggest.js";
import { parseYamlSafe, readYamlDocuments } from "../yaml.js";
import type { PlanDir, ToolOutcome } from "./tool-run.js";
import { contentKey, filesKey, matchPlanPaths, ResultCache, runTool, toolVersion, unsafePathReason, withPlanDir } from "./tool-run.js";

export const PROMETHEUS_INSTALL_HINT = "install with `apt-get install -y --no-install-recommends prometheus prometheus-alertmanager`";

/** A validator whose batch form is always present. */
export type BatchValidator = ArtifactValidator & { validateAll(artifacts: readonly Artifact[], plan?: readonly Artifact[]): Promise<Map<string, Result<null>>> };

type Plain = Record<string, unknown>;

function isObject(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function toolFailure(o: Exclude<ToolOutcome, { kind: "done" }>, path: string): Result<null> {
  return fail([{ message: o.message, path, kind: o.kind === "missing" ? "tool-missing" : "tool-error" }]);
}

/** Collapse a tool's multi-line diagnostic into one readable line, at most `max` characters. */
export function tidy(text: string, max = 600): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** `line N` in a tool message (Go yaml errors), if any. */
function lineOf(message: string): number | undefined {
  const m = /\bline (\d+)\b/.exec(message);
  return m ? Number(m[1]) : undefined;
}

interface Section {
  header: string;
  lines: string[];
}

/** Split a tool's output into sections that start with a header line (`Checking x`, `Unit Testing:  x`). */
function sections(output: string, header: RegExp): Section[] {
  const out: Section[] = [];
  for (const line of output.split("\n")) {
    const m = header.exec(line);
    if (m) out.push({ header: m[1]!.trim(), lines: [] });
    else out[out.length - 1]?.lines.push(line);
  }
  return out;
}

/** Parse YAML for its syntax only; errors carry their line. */
function yamlErrors(content: string, path: string): Issue[] {
  const r = parseYamlSafe(content, path);
  return r.ok ? [] : r.errors.map((e) => ({ ...e, message: `YAML: ${e.message}` }));
}

// ---------------------------------------------------------------------------
// promtool check rules

/**
 * The diagnostics after `FAILED:` in one file's section: a diagnostic starts
 * with `<path>: ` (or `lint error`) and may continue on the following lines.
 */
function ruleDiagnostics(lines: readonly string[], path: string): { errors: Issue[]; warnings: Issue[]; success: boolean } {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const success = lines.some((l) => /^\s*SUCCESS/.test(l));
  const start = lines.findIndex((l) => /^\s*FAILED:/.test(l));
  if (start < 0) return { errors, warnings, success };
  const items: { lint: boolean; text: string[] }[] = [];
  const inline = lines[start]!.replace(/^\s*FAILED:\s*/, "");
  if (inline !== "") items.push({ lint: false, text: [inline] });
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith(`${path}: `)) items.push({ lint: false, text: [line.slice(path.length + 2)] });
    else if (line.startsWith("lint error")) items.push({ lint: true, text: [line] });
    else if (items.length > 0) items[items.length - 1]!.text.push(line);
    else items.push({ lint: false, text: [line] });
  }
  const seen = new Set<string>();
  for (const item of items) {
    const text = item.text.join(" ");
    // promtool repeats a rule file's YAML error; report it once.
    if (seen.has(text)) continue;
    seen.add(text);
    if (item.lint) {
      warnings.push({ message: tidy(text), path, kind: "lint" });
      continue;
    }
    const pos = /^(\d+):(\d+): ([\s\S]*)$/.exec(text);
    if (pos) errors.push({ message: tidy(pos[3]!), path, line: Number(pos[1]), column: Number(pos[2]), kind: "promtool" });
    else errors.push({ message: tidy(text), path, kind: "promtool", ...(lineOf(text) !== undefined ? { line: lineOf(text)! } : {}) });
  }
  return { errors, warnings, success };
}

const rulesCache = new ResultCache();

async function checkRuleFiles(artifacts: readonly Artifact[]): Promise<Map<string, Result<null>>> {
  const out = new Map<string, Result<null>>();
  const todo: Artifact[] = [];
  for (const a of artifacts) {
    const key = contentKey("prometheus-rules", a.path, a.content);
    const hit = rulesCache.get(key);
    if (hit) {
      out.set(a.path, await hit);
      continue;
    }
    const unsafe = unsafePathReason(a.path);
    const syntax = unsafe === undefined ? yamlErrors(a.content, a.path) : [];
    if (unsafe !== undefined) out.set(a.path, await rulesCache.remember(key, Promise.resolve(fail([{ message: `refused: ${unsafe}`, path: a.path, kind: "unsafe-path" }]))));
    else if (syntax.length > 0) out.set(a.path, await rulesCache.remember(key, Promise.resolve(fail(syntax))));
    else todo.push(a);
  }
  if (todo.length === 0) return out;
  const verdicts = await withPlanDir(todo, async (pd) => {
    const run = await runTool("promtool", ["check", "rules", "--lint=duplicate-rules", ...todo.map((a) => a.path)], { cwd: pd.dir, installHint: PROMETHEUS_INSTALL_HINT });
    const byFile = new Map<string, Result<null>>();
    if (run.kind !== "done") {
      for (const a of todo) byFile.set(a.path, toolFailure(run, a.path));
      return byFile;
    }
    const found = new Map(sections(run.output, /^Checking (.+)$/).map((s) => [s.header, s.lines]));
    for (const a of todo) {
      const lines = found.get(a.path);
      if (lines === undefined) {
        byFile.set(a.path, fail([{ message: `promtool check rules gave no verdict for ${a.path} (exit ${String(run.code)}): ${tidy(run.output, 300)}`, path: a.path, kind: "tool-error" }]));
        continue;
      }
      const d = ruleDiagnostics(lines, a.path);
      if (d.errors.length > 0) byFile.set(a.path, fail(d.errors, d.warnings));
      // Lint findings print FAILED but do not fail the run (no --lint-fatal): they are warnings.
      else if (d.success || d.warnings.length > 0 || run.code === 0) byFile.set(a.path, ok(null, d.warnings));
      else byFile.set(a.path, fail([{ message: `promtool check rules exited with ${String(run.code)}: ${tidy(run.output, 300)}`, path: a.path, kind: "tool-error" }], d.warnings));
    }
    return byFile;
  });
  for (const a of todo) {
    const r = verdicts.get(a.path)!;
    out.set(a.path, await rulesCache.remember(contentKey("prometheus-rules", a.path, a.content), Promise.resolve(r)));
  }
  return out;
}

/**
 * Rule groups held in another document (a PrometheusRule's `spec.groups`)
 * through `promtool check rules`, as a rule file of their own. Line numbers
 * refer to that file, so they are dropped; messages name the group and rule.
 */
export async function promtoolRuleGroups(groups: unknown, name: string): Promise<{ errors: Issue[]; warnings: Issue[] }> {
  const path = `prometheusrule/${name.replace(/[^A-Za-z0-9._-]/g, "_") || "rule"}.rules.yml`;
  const r = (await checkRuleFiles([{ path, kind: "prometheus-rules", content: stringify({ groups }), sha256: "" }])).get(path)!;
  const strip = ({ line: _l, column: _c, ...rest }: Issue): Issue => rest;
  return { errors: r.errors.map(strip), warnings: r.warnings.map(strip) };
}

// ---------------------------------------------------------------------------
// Plan-wide checks (config, rule tests, Alertmanager): the whole plan on disk.

type PlanCheck = (a: Artifact, pd: PlanDir, plan: readonly Artifact[]) => Promise<Result<null>>;
type PlanBatchCheck = (todo: readonly Artifact[], pd: PlanDir, plan: readonly Artifact[]) => Promise<Map<string, Result<null>>>;

/** A per-artifact check as a batch: the artifacts' checks run concurrently. */
function each(check: PlanCheck): PlanBatchCheck {
  return async (todo, pd, plan) => {
    const results = await Promise.all(todo.map((a) => check(a, pd, plan)));
    return new Map(todo.map((a, i) => [a.path, results[i]!]));
  };
}

/**
 * Run `check` over one temporary copy of the whole plan for every artifact
 * not answered from the cache; results are cached by the artifact's path and
 * the plan's content.
 */
async function planWide(kind: ArtifactKind, cache: ResultCache, check: PlanBatchCheck, artifacts: readonly Artifact[], plan: readonly Artifact[] = artifacts): Promise<Map<string, Result<null>>> {
  const files = new Map<string, Artifact>();
  for (const a of [...plan, ...artifacts]) files.set(a.path, a);
  const all = [...files.values()];
  const planKey = filesKey(all);
  const out = new Map<string, Result<null>>();
  const todo: Artifact[] = [];
  for (const a of artifacts) {
    const hit = cache.get(contentKey(kind, a.path, planKey));
    if (hit) out.set(a.path, await hit);
    else {
      const unsafe = unsafePathReason(a.path);
      if (unsafe !== undefined) out.set(a.path, fail([{ message: `refused: ${unsafe}`, path: a.path, kind: "unsafe-path" }]));
      else todo.push(a);
    }
  }
  if (todo.length === 0) return out;
  const results = await withPlanDir(all, (pd) => check(todo, pd, all)).catch(
    (e: unknown) => new Map(todo.map((a) => [a.path, fail<null>([{ message: `the ${kind} check failed: ${(e as Error).message}`, path: a.path, kind: "tool-error" }])])),
  );
  for (const a of todo) {
    const r = results.get(a.path) ?? fail([{ message: `the ${kind} check gave no verdict`, path: a.path, kind: "tool-error" }]);
    out.set(a.path, await cache.remember(contentKey(kind, a.path, planKey), Promise.resolve(r)));
  }
  return out;
}

/** Other plan files that could not be written are worth a warning: the tool may miss a file the artifact names. */
function skippedWarnings(pd: PlanDir): Issue[] {
  return pd.skipped.map((s) => ({ ...s, kind: "plan-file-skipped" }));
}

// ---- YAML surgery that keeps line numbers: blank a key and its value ----

/** The source of `content` with the given ranges replaced by spaces (newlines kept, so lines do not move). */
function blankRanges(content: string, ranges: readonly [number, number][]): string {
  // yaml's ranges are UTF-16 offsets, as split("") indexes.
  const units = content.split("");
  for (const [from, to] of ranges) for (let i = from; i < to && i < units.length; i++) if (units[i] !== "\n" && units[i] !== "\r") units[i] = " ";
  return units.join("");
}

function pairRange(pair: Pair): [number, number] | undefined {
  const k = (pair.key as YamlNode | null)?.range;
  const v = (pair.value as YamlNode | null)?.range;
  if (!k) return undefined;
  return [k[0], v ? v[1] : k[1]];
}

function mapItems(node: unknown): Pair[] {
  return isMap(node) ? node.items : [];
}

function keyName(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

// ---------------------------------------------------------------------------
// promtool check config

/** Every `*_sd_configs` key of Prometheus 2.42 and later (some distribution builds leave discoverers out). */
const UPSTREAM_SD_CONFIGS = new Set([
  "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs", "dockerswarm_sd_configs", "dns_sd_configs", "ec2_sd_configs",
  "eureka_sd_configs", "file_sd_configs", "gce_sd_configs", "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs", "kubernetes_sd_configs",
  "kuma_sd_configs", "lightsail_sd_configs", "linode_sd_configs", "marathon_sd_configs", "nerve_sd_configs", "nomad_sd_configs", "openstack_sd_configs",
  "ovhcloud_sd_configs", "puppetdb_sd_configs", "scaleway_sd_configs", "serverset_sd_configs", "triton_sd_configs", "uyuni_sd_configs", "vultr_sd_configs",
]);

const httpClient = {
  basic_auth: z.object({}).passthrough().optional(),
  authorization: z.object({}).passthrough().optional(),
  oauth2: z.object({}).passthrough().optional(),
  proxy_url: z.string().optional(),
  no_proxy: z.string().optional(),
  proxy_from_environment: z.boolean().optional(),
  proxy_connect_header: z.record(z.string(), z.unknown()).optional(),
  follow_redirects: z.boolean().optional(),
  enable_http2: z.boolean().optional(),
  tls_config: z.object({}).passthrough().optional(),
};

const K8S_ROLES = ["node", "service", "pod", "endpoints", "endpointslice", "ingress"] as const;

/**
 * The `kubernetes_sd_config` and `consul_sd_config` blocks of the Prometheus
 * configuration reference, checked here when the installed promtool was built
 * without them (Debian's 2.42 leaves both out).
 */
const SD_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  kubernetes_sd_configs: z.array(
    z.strictObject({
      api_server: z.string().optional(),
      role: z.enum(K8S_ROLES, { error: () => `role must be one of ${K8S_ROLES.join(", ")}` }),
      kubeconfig_file: z.string().optional(),
      namespaces: z.strictObject({ own_namespace: z.boolean().optional(), names: z.array(z.string()).optional() }).optional(),
      selectors: z.array(z.strictObject({ role: z.enum(K8S_ROLES), label: z.string().optional(), field: z.string().optional() })).optional(),
      attach_metadata: z.strictObject({ node: z.boolean().optional() }).optional(),
      ...httpClient,
    }),
  ),
  consul_sd_configs: z.array(
    z.strictObject({
      server: z.string().optional(),
      path_prefix: z.string().optional(),
      token: z.string().optional(),
      datacenter: z.string().optional(),
      namespace: z.string().optional(),
      partition: z.string().optional(),
      scheme: z.enum(["http", "https"]).optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      services: z.array(z.string()).optional(),
      tags: z.array(z.string()).optional(),
      node_meta: z.record(z.string(), z.string()).optional(),
      tag_separator: z.string().optional(),
      allow_stale: z.boolean().optional(),
      refresh_interval: z.string().optional(),
      ...httpClient,
    }),
  ),
};

/** Keys whose value is a file Prometheus reads on its own host (credentials, certificates). */
const SERVER_FILE_KEYS = new Set(["credentials_file", "bearer_token_file", "password_file", "cert_file", "key_file", "ca_file", "client_secret_file"]);

interface Neutralized {
  content: string;
  warnings: Issue[];
  errors: Issue[];
}

/** The scrape configs and Alertmanager configs of a parsed Prometheus configuration. */
function sdOwners(doc: Document.Parsed): YamlNode[] {
  const owners: YamlNode[] = [];
  for (const top of mapItems(doc.contents)) {
    const name = keyName(top);
    if (name === "scrape_configs" && isSeq(top.value)) owners.push(...(top.value.items as YamlNode[]));
    if (name === "alerting") {
      for (const p of mapItems(top.value)) if (keyName(p) === "alertmanagers" && isSeq(p.value)) owners.push(...(p.value.items as YamlNode[]));
    }
  }
  return owners;
}

/** The YAML node at a data path under `node` (or the deepest one that exists). */
function nodeAt(node: unknown, path: readonly PropertyKey[]): YamlNode | undefined {
  let cur = node as YamlNode | undefined;
  for (const step of path) {
    if (isSeq(cur) && typeof step === "number") cur = cur.items[step] as YamlNode | undefined;
    else if (isMap(cur)) cur = (cur.items.find((p) => keyName(p) === String(step))?.value as YamlNode | undefined) ?? cur;
    else break;
    if (cur === undefined) break;
  }
  return cur;
}

/** Leave `sdKey` blocks out of promtool's run (lines kept), checking them against SD_SCHEMAS here. */
function withoutSd(content: string, path: string, sdKey: string, version: string): Neutralized | undefined {
  // A configuration the bounded reader refuses is not rewritten: promtool's error stands.
  const read = readYamlDocuments(content, path, { single: true });
  const doc = read.ok ? read.value.docs[0] : undefined;
  if (!read.ok || !doc) return undefined;
  const lc = read.value.lc;
  const ranges: [number, number][] = [];
  const errors: Issue[] = [];
  for (const owner of sdOwners(doc)) {
    for (const pair of mapItems(owner)) {
      if (keyName(pair) !== sdKey) continue;
      const r = pairRange(pair);
      if (!r) continue;
      ranges.push(r);
      const schema = SD_SCHEMAS[sdKey];
      if (!schema) continue;
      const parsed = schema.safeParse((pair.value as YamlNode & { toJSON(): unknown }).toJSON());
      if (parsed.success) continue;
      const fields = Object.keys((schema as z.ZodArray<z.ZodObject>).element.shape);
      for (const i of parsed.error.issues) {
        const at = nodeAt(pair.value, i.path);
        const line = lc.linePos(at?.range?.[0] ?? r[0]).line;
        const where = i.path.map((p, n) => (typeof p === "number" ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`)).join("");
        const message = i.code === "unrecognized_keys" ? i.keys.map((k) => `unknown field '${k}'.${didYouMean(k, fields)}`).join(" ") : i.message;
        errors.push({ message: `${sdKey}${where.startsWith("[") ? where : `.${where}`}: ${message}`.replace(/\.$/, ""), path, line, kind: "schema" });
      }
    }
  }
  if (ranges.length === 0) return undefined;
  const structural = SD_SCHEMAS[sdKey] ? "checked against the Prometheus configuration reference here instead" : "not checked";
  return {
    content: blankRanges(content, ranges),
    errors,
    warnings: [{ message: `this promtool (${version}) was built without ${sdKey}; the ${ranges.length} block(s) were left out of its run and ${structural}`, path, kind: "partial-check" }],
  };
}

/** Leave a server-side file reference (absolute, not in the plan) out of promtool's run. */
function withoutServerFile(content: string, path: string, file: string): Neutralized | undefined {
  const read = readYamlDocuments(content, path, { single: true });
  const doc = read.ok ? read.value.docs[0] : undefined;
  if (!doc) return undefined;
  const ranges: [number, number][] = [];
  const visitNode = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = keyName(pair);
        if (name !== undefined && SERVER_FILE_KEYS.has(name) && isScalar(pair.value) && pair.value.value === file) {
          const r = pairRange(pair);
          if (r) ranges.push(r);
        } else visitNode(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) visitNode(item);
  };
  visitNode(doc.contents);
  if (ranges.length === 0) return undefined;
  return {
    content: blankRanges(content, ranges),
    errors: [],
    warnings: [{ message: `${file} is read on the Prometheus server and is not part of the plan; its existence was not checked`, path, kind: "partial-check" }],
  };
}

/** The `rule_files` patterns of a configuration (for the patterns-that-match-nothing warning). */
function ruleFilePatterns(data: unknown): string[] {
  if (!isObject(data) || !Array.isArray(data["rule_files"])) return [];
  return data["rule_files"].filter((p): p is string => typeof p === "string");
}

const configCache = new ResultCache();

async function checkConfig(a: Artifact, pd: PlanDir, plan: readonly Artifact[]): Promise<Result<null>> {
  const parsed = parseYamlSafe(a.content, a.path);
  if (!parsed.ok) return fail(parsed.errors.map((e) => ({ ...e, message: `YAML: ${e.message}` })));
  const version = (await toolVersion("promtool")) ?? "unknown version";
  const warnings: Issue[] = skippedWarnings(pd);
  const errors: Issue[] = [];
  let content = a.content;
  for (let attempt = 0; attempt < 8; attempt++) {
    const run = await runTool("promtool", ["check", "config", "--lint=duplicate-rules", a.path], { cwd: pd.dir, installHint: PROMETHEUS_INSTALL_HINT });
    if (run.kind !== "done") return toolFailure(run, a.path);
    const secs = sections(run.output, /^Checking (.+)$/);
    const own = secs.find((s) => s.header === a.path);
    const failedAt = own?.lines.findIndex((l) => /^\s*FAILED:/.test(l)) ?? -1;
    if (own && failedAt >= 0) {
      const message = own.lines
        .slice(failedAt)
        .join("\n")
        .replace(/^\s*FAILED:\s*/, "")
        .replace(/^parsing YAML file \S+: /, "")
        .trim();
      const sd = /field (\w+_sd_configs) not found in type config\.(ScrapeConfig|AlertmanagerConfig)/.exec(message);
      const file = /error checking .*? file "(\/[^"]+)"/.exec(message);
      const next = sd && UPSTREAM_SD_CONFIGS.has(sd[1]!) ? withoutSd(content, a.path, sd[1]!, `promtool ${version}`) : file ? withoutServerFile(content, a.path, file[1]!) : undefined;
      if (next) {
        content = next.content;
        warnings.push(...next.warnings);
        errors.push(...next.errors);
        writeFileSync(join(pd.dir, a.path), content, "utf8");
        continue;
      }
      const line = lineOf(message);
      errors.push({ message: tidy(message), path: a.path, kind: "promtool", ...(line !== undefined ? { line } : {}) });
      return fail(errors, warnings);
    }
    if (!own || (run.code !== 0 && !secs.some((s) => s.lines.some((l) => /FAILED/.test(l))))) {
      return fail([{ message: `promtool check config exited with ${String(run.code)}: ${tidy(run.output, 400)}`, path: a.path, kind: "tool-error" }], warnings);
    }
    // The configuration loaded; the rule files it names follow as their own sections.
    for (const s of secs) {
      if (s.header === a.path) continue;
      const d = ruleDiagnostics(s.lines, s.header);
      for (const e of d.errors) errors.push({ message: `rule file ${s.header}${e.line !== undefined ? `:${e.line}` : ""} (named by rule_files): ${e.message}`, path: a.path, kind: "rule-file" });
      for (const w of d.warnings) warnings.push({ ...w, message: `rule file ${s.header}: ${w.message}`, path: a.path });
    }
    const paths = plan.map((p) => p.path);
    for (const pattern of ruleFilePatterns(parsed.value)) {
      const matched = matchPlanPaths(pattern, a.path, paths);
      if (matched === undefined) warnings.push({ message: `rule_files entry '${pattern}' is an absolute path outside the plan; not checked`, path: a.path, kind: "partial-check" });
      else if (matched.length === 0) warnings.push({ message: `rule_files entry '${pattern}' matches no file in the plan`, path: a.path, kind: "no-match" });
    }
    return errors.length === 0 ? ok(null, warnings) : fail(errors, warnings);
  }
  return fail([...errors, { message: "promtool check config kept failing on files outside the plan; gave up after 8 runs", path: a.path, kind: "tool-error" }], warnings);
}

// ---------------------------------------------------------------------------
// promtool test rules

/** Alert names defined by the alerting rules of rule files. */
function alertNames(files: readonly Artifact[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const f of files) {
    const r = parseYamlSafe(f.content, f.path);
    if (!r.ok || !isObject(r.value) || !Array.isArray(r.value["groups"])) return undefined;
    for (const g of r.value["groups"]) {
      if (!isObject(g) || !Array.isArray(g["rules"])) continue;
      for (const rule of g["rules"]) if (isObject(rule) && typeof rule["alert"] === "string") names.add(rule["alert"]);
    }
  }
  return names;
}

/** Checks promtool does not make: rule files that exist in the plan and alert names that some rule defines. */
function testReferences(a: Artifact, data: unknown, plan: readonly Artifact[]): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(data)) return issues;
  const byPath = new Map(plan.map((p) => [p.path, p]));
  const ruleFiles: Artifact[] = [];
  const patterns = Array.isArray(data["rule_files"]) ? data["rule_files"].filter((p): p is string => typeof p === "string") : [];
  for (const pattern of patterns) {
    const matched = matchPlanPaths(pattern, a.path, byPath.keys());
    if (matched === undefined) issues.push({ message: `rule_files entry '${pattern}' is an absolute path; a rule test must name rule files of the plan, relative to the test file`, path: a.path, kind: "dangling-reference" });
    else if (matched.length === 0) issues.push({ message: `rule_files entry '${pattern}' matches no file in the plan (it is resolved relative to ${a.path})`, path: a.path, kind: "dangling-reference" });
    else ruleFiles.push(...matched.map((m) => byPath.get(m)!));
  }
  if (issues.length > 0 || ruleFiles.length === 0) return issues;
  const names = alertNames(ruleFiles);
  if (names === undefined) return issues; // promtool reports broken rule files.
  const tests = Array.isArray(data["tests"]) ? data["tests"] : [];
  tests.forEach((t, i) => {
    if (!isObject(t) || !Array.isArray(t["alert_rule_test"])) return;
    const label = typeof t["name"] === "string" ? `test '${t["name"]}'` : `tests[${i}]`;
    for (const art of t["alert_rule_test"]) {
      const alert = isObject(art) ? art["alertname"] : undefined;
      if (typeof alert === "string" && !names.has(alert)) {
        issues.push({ message: `${label}: alertname ${alert} is not defined by any alerting rule in ${ruleFiles.map((f) => f.path).join(", ")}, so the test cannot fail.${didYouMean(alert, names)}`, path: a.path, kind: "unknown-alert" });
      }
    }
  });
  return issues;
}

/** Name a promql_expr_test failure (promtool 2.42 prints the name only for alert tests). */
function promqlTestName(data: unknown, expr: string): string | undefined {
  if (!isObject(data) || !Array.isArray(data["tests"])) return undefined;
  for (const t of data["tests"]) {
    if (!isObject(t) || !Array.isArray(t["promql_expr_test"])) continue;
    if (t["promql_expr_test"].some((p) => isObject(p) && p["expr"] === expr) && typeof t["name"] === "string") return t["name"];
  }
  return undefined;
}

/** promtool's failure report, one issue per failing test case, trimmed to something readable. */
function testFailures(lines: readonly string[], a: Artifact, data: unknown): Issue[] {
  const start = lines.findIndex((l) => /^\s*FAILED:/.test(l));
  const blocks: string[][] = [[]];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") {
      if (blocks[blocks.length - 1]!.length > 0) blocks.push([]);
    } else blocks[blocks.length - 1]!.push(line);
  }
  const issues: Issue[] = [];
  for (const block of blocks.filter((b) => b.length > 0)) {
    let text = tidy(block.join("\n"), 700).replace(/,\s*$/, "");
    const expr = /^expr: "((?:[^"\\]|\\.)*)"/.exec(text);
    if (expr) {
      const name = promqlTestName(data, JSON.parse(`"${expr[1]!}"`) as string);
      if (name !== undefined) text = `name: ${name}, ${text}`;
    }
    const line = /^name: /.test(text) ? undefined : lineOf(text);
    issues.push({ message: `test failed: ${text}`, path: a.path, kind: "rule-test", ...(line !== undefined ? { line } : {}) });
  }
  return issues.length > 0 ? issues : [{ message: "promtool test rules reported a failure without details", path: a.path, kind: "rule-test" }];
}

const testCache = new ResultCache();

/** `promtool test rules t1 t2 …`: one process for every test file of the plan, its report split back per file. */
async function checkRuleTests(todo: readonly Artifact[], pd: PlanDir, plan: readonly Artifact[]): Promise<Map<string, Result<null>>> {
  const out = new Map<string, Result<null>>();
  const runnable: { a: Artifact; data: unknown; references: Issue[] }[] = [];
  for (const a of todo) {
    const parsed = parseYamlSafe(a.content, a.path);
    if (!parsed.ok) out.set(a.path, fail(parsed.errors.map((e) => ({ ...e, message: `YAML: ${e.message}` }))));
    else runnable.push({ a, data: parsed.value, references: testReferences(a, parsed.value, plan) });
  }
  if (runnable.length === 0) return out;
  const warnings = skippedWarnings(pd);
  const run = await runTool("promtool", ["test", "rules", ...runnable.map((r) => r.a.path)], { cwd: pd.dir, installHint: PROMETHEUS_INSTALL_HINT });
  const found = run.kind === "done" ? new Map(sections(run.output, /^Unit Testing:\s+(.+)$/).map((s) => [s.header, s.lines])) : new Map<string, string[]>();
  for (const { a, data, references } of runnable) {
    if (run.kind !== "done") {
      out.set(a.path, toolFailure(run, a.path));
      continue;
    }
    const lines = found.get(a.path);
    if (!lines) {
      out.set(a.path, fail([{ message: `promtool test rules gave no verdict (exit ${String(run.code)}): ${tidy(run.output, 400)}`, path: a.path, kind: "tool-error" }]));
      continue;
    }
    const errors = [...references];
    for (const l of lines) {
      const m = /^\s*WARNING: no file match pattern (.+)$/.exec(l);
      // testReferences already reported it, with the pattern as the test file wrote it.
      if (m && !references.some((r) => r.kind === "dangling-reference")) errors.push({ message: `rule file pattern ${m[1]!.trim()} matches no file in the plan`, path: a.path, kind: "dangling-reference" });
    }
    if (lines.some((l) => /^\s*FAILED:/.test(l))) errors.push(...testFailures(lines, a, data));
    else if (!lines.some((l) => /^\s*SUCCESS/.test(l))) errors.push({ message: `promtool test rules exited with ${String(run.code)}: ${tidy(lines.join("\n"), 400)}`, path: a.path, kind: "tool-error" });
    out.set(a.path, errors.length === 0 ? ok(null, warnings) : fail(errors, warnings));
  }
  return out;
}

// ---------------------------------------------------------------------------
// amtool check-config

/** Route receivers and receiver names, for "Did you mean" on an undefined receiver. */
function receiverNames(data: unknown): string[] {
  if (!isObject(data) || !Array.isArray(data["receivers"])) return [];
  return data["receivers"].filter(isObject).map((r) => r["name"]).filter((n): n is string => typeof n === "string");
}

function amtoolIssues(output: string, a: Artifact, data: unknown): Issue[] {
  const issues: Issue[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /FAILED:\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const more: string[] = [];
    for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]!) && !/SUCCESS|FAILED/.test(lines[j]!); j++) more.push(lines[j]!);
    let message = tidy([m[1]!, ...more].join("\n"));
    const receiver = /undefined receiver "([^"]+)"/.exec(message);
    const hint = receiver ? didYouMean(receiver[1]!, receiverNames(data)) : "";
    if (hint !== "") message += `.${hint}`;
    const template = /^template: ([^:]+):(\d+):/.exec(message);
    const line = template ? undefined : lineOf(message);
    issues.push({ message, path: a.path, kind: template ? "template" : "amtool", ...(line !== undefined ? { line } : {}) });
  }
  return issues;
}

const alertmanagerCache = new ResultCache();

async function checkAlertmanager(a: Artifact, pd: PlanDir, plan: readonly Artifact[]): Promise<Result<null>> {
  const warnings = skippedWarnings(pd);
  if (/\.(tmpl|tpl)$/.test(a.path)) {
    // A template file on its own: amtool parses it through a minimal configuration that loads it.
    const synthetic = `${a.path}.devops-pack-check.yml`;
    const file = a.path.slice(a.path.lastIndexOf("/") + 1);
    writeFileSync(join(pd.dir, synthetic), `route:\n  receiver: check\nreceivers:\n  - name: check\ntemplates:\n  - ${JSON.stringify(file)}\n`, "utf8");
    const run = await runTool("amtool", ["check-config", synthetic], { cwd: pd.dir, installHint: PROMETHEUS_INSTALL_HINT });
    if (run.kind !== "done") return toolFailure(run, a.path);
    const issues = amtoolIssues(run.output, a, undefined).map((e) => {
      const m = /^template: [^:]+:(\d+):/.exec(e.message);
      return m ? { ...e, line: Number(m[1]) } : e;
    });
    if (run.code === 0 && issues.length === 0) return ok(null, warnings);
    return fail(issues.length > 0 ? issues : [{ message: `amtool check-config exited with ${String(run.code)}: ${tidy(run.output, 400)}`, path: a.path, kind: "tool-error" }], warnings);
  }
  const parsed = parseYamlSafe(a.content, a.path);
  if (!parsed.ok) return fail(parsed.errors.map((e) => ({ ...e, message: `YAML: ${e.message}` })));
  const errors: Issue[] = [];
  if (isObject(parsed.value) && Array.isArray(parsed.value["templates"])) {
    const paths = plan.map((p) => p.path);
    for (const pattern of parsed.value["templates"].filter((p): p is string => typeof p === "string")) {
      const matched = matchPlanPaths(pattern, a.path, paths);
      if (matched === undefined) warnings.push({ message: `templates entry '${pattern}' is an absolute path outside the plan; not checked`, path: a.path, kind: "partial-check" });
      else if (matched.length === 0) errors.push({ message: `templates entry '${pattern}' matches no file in the plan (it is resolved relative to ${a.path}); notifications that use its templates would fail`, path: a.path, kind: "dangling-reference" });
    }
  }
  const run = await runTool("amtool", ["check-config", a.path], { cwd: pd.dir, installHint: PROMETHEUS_INSTALL_HINT });
  if (run.kind !== "done") return toolFailure(run, a.path);
  errors.push(...amtoolIssues(run.output, a, parsed.value));
  if (run.code !== 0 && errors.length === 0) errors.push({ message: `amtool check-config exited with ${String(run.code)}: ${tidy(run.output, 400)}`, path: a.path, kind: "tool-error" });
  return errors.length === 0 ? ok(null, warnings) : fail(errors, warnings);
}

// ---------------------------------------------------------------------------
// The validators

async function toolString(command: "promtool" | "amtool", what: string): Promise<string> {
  const v = await toolVersion(command);
  return v === undefined ? `${command} ${what} (${command} not found on PATH)` : `${command} ${v} ${what}`;
}

function batchValidator(kind: ArtifactKind, tool: string, validateAll: (artifacts: readonly Artifact[], plan?: readonly Artifact[]) => Promise<Map<string, Result<null>>>): BatchValidator {
  return {
    kind,
    tool,
    validateAll,
    // On its own an artifact is checked with only itself on disk; the gate engine uses validateAll with the whole plan.
    validate: async (a) => (await validateAll([a], [a])).get(a.path)!,
  };
}

/** `promtool check rules` over every rule file of a plan, in one process. */
export const validatePrometheusRules = (artifacts: readonly Artifact[]): Promise<Map<string, Result<null>>> => checkRuleFiles(artifacts);
/** `promtool check config` with the plan on disk. */
export const validatePrometheusConfigs = (artifacts: readonly Artifact[], plan?: readonly Artifact[]): Promise<Map<string, Result<null>>> => planWide("prometheus-config", configCache, each(checkConfig), artifacts, plan);
/** `promtool test rules` with the plan on disk. */
export const validatePrometheusRuleTests = (artifacts: readonly Artifact[], plan?: readonly Artifact[]): Promise<Map<string, Result<null>>> => planWide("prometheus-rule-test", testCache, checkRuleTests, artifacts, plan);
/** `amtool check-config` with the plan on disk. */
export const validateAlertmanagerConfigs = (artifacts: readonly Artifact[], plan?: readonly Artifact[]): Promise<Map<string, Result<null>>> => planWide("alertmanager-config", alertmanagerCache, each(checkAlertmanager), artifacts, plan);

export async function prometheusRulesValidator(): Promise<BatchValidator> {
  return batchValidator("prometheus-rules", await toolString("promtool", "check rules"), (artifacts) => validatePrometheusRules(artifacts));
}

export async function prometheusConfigValidator(): Promise<BatchValidator> {
  return batchValidator("prometheus-config", await toolString("promtool", "check config"), validatePrometheusConfigs);
}

export async function prometheusRuleTestValidator(): Promise<BatchValidator> {
  return batchValidator("prometheus-rule-test", await toolString("promtool", "test rules"), validatePrometheusRuleTests);
}

export async function alertmanagerConfigValidator(): Promise<BatchValidator> {
  return batchValidator("alertmanager-config", await toolString("amtool", "check-config"), validateAlertmanagerConfigs);
}

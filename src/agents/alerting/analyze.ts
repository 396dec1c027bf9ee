/**
 * Alert fatigue analysis of existing Prometheus rule files (plain rule files
 * or PrometheusRule manifests). Pure: the runtime reads the files and passes
 * their contents in. Findings are quality findings (low or medium): they never
 * fail the security gate, and each one carries a concrete fix.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node } from "yaml";
import type { Finding, Severity } from "../../core/findings.js";
import { readYamlDocument } from "../../core/yaml.js";
import { PATHS } from "../observability/index.js";

export interface AlertRule {
  id: string;
  title: string;
  severity: Severity;
  aliases: string[];
}

/** The rules, by stable id. Ids never change meaning; retired ids are not reused. */
export const RULES = {
  duplicateName: { id: "DP-ALERT-001", title: "Alert defined more than once", severity: "medium", aliases: [] },
  duplicateExpr: { id: "DP-ALERT-002", title: "Same expression under another alert name", severity: "medium", aliases: [] },
  missingFor: { id: "DP-ALERT-003", title: "Alert without for", severity: "medium", aliases: [] },
  causeBased: { id: "DP-ALERT-004", title: "Paging on a cause where a symptom alert exists", severity: "medium", aliases: [] },
  flapping: { id: "DP-ALERT-005", title: "Threshold that flaps", severity: "medium", aliases: [] },
  noRunbook: { id: "DP-ALERT-006", title: "Alert without runbook_url", severity: "medium", aliases: [] },
  noRouting: { id: "DP-ALERT-007", title: "Alert without severity or team label", severity: "low", aliases: [] },
  malformed: { id: "DP-ALERT-008", title: "Rule file cannot be parsed", severity: "medium", aliases: [] },
} as const satisfies Record<string, AlertRule>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const oneLine = (e: string) => e.replace(/\s+/g, " ").trim();
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

/** One alerting rule as found. */
export interface FoundAlert {
  file: string;
  line?: number;
  /** `groups[0].rules[2]` or `spec.groups[0].rules[2]`. */
  at: string;
  name: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function isRulePath(p: string): boolean {
  return /\.(ya?ml|rules)$/.test(p);
}

function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (typeof last === "number" && isSeq(parent)) {
    const range = (parent.items[last] as Node | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  if (typeof last === "string" && isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (isScalar(pair?.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
  }
  return undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (str(x) !== undefined) out[k] = str(x)!;
  return out;
}

/** Parse one file into its alerting rules; a file that is not a rule file yields none. */
export function readAlerts(file: string, text: string): { alerts: FoundAlert[]; error?: Finding } {
  const parsed = readYamlDocument(text, file);
  if (!parsed.ok) {
    const first = parsed.errors[0];
    return {
      alerts: [],
      error: {
        ruleId: RULES.malformed.id,
        severity: RULES.malformed.severity,
        title: RULES.malformed.title,
        message: `${file} cannot be parsed: ${first?.message ?? "invalid YAML"}. Prometheus refuses to load it, so none of its rules run.`,
        recommendation: "Fix the YAML and run promtool check rules on the file in CI.",
        fix: `promtool check rules ${file}`,
        resource: "file",
        file,
        ...(first?.line !== undefined ? { line: first.line } : {}),
        aliases: [],
      },
    };
  }
  const { data, doc, lc: lines } = parsed.value;
  let groups: unknown;
  let base: (string | number)[] = [];
  if (isObj(data) && Array.isArray(data.groups)) {
    groups = data.groups;
    base = ["groups"];
  } else if (isObj(data) && data.kind === "PrometheusRule" && isObj(data.spec) && Array.isArray(data.spec.groups)) {
    groups = data.spec.groups;
    base = ["spec", "groups"];
  } else return { alerts: [] };
  const alerts: FoundAlert[] = [];
  (groups as unknown[]).forEach((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.rules)) return;
    g.rules.forEach((r: unknown, ri: number) => {
      if (!isObj(r) || typeof r.alert !== "string") return;
      const path = [...base, gi, "rules", ri];
      const line = doc ? lineOf(doc, lines, path) : undefined;
      const forValue = str(r.for);
      alerts.push({
        file,
        ...(line !== undefined ? { line } : {}),
        at: `${base.join(".")}[${gi}].rules[${ri}]`,
        name: r.alert,
        expr: str(r.expr) ?? "",
        ...(forValue !== undefined ? { for: forValue } : {}),
        labels: stringMap(r.labels),
        annotations: stringMap(r.annotations),
      });
    });
  });
  return { alerts };
}

// ---------------------------------------------------------------------------
// Expression helpers

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Prometheus duration (`1m30s`, `5m`, `0s`) to seconds; undefined when malformed. */
export function durationSeconds(d: string): number | undefined {
  const t = d.trim();
  if (t === "0") return 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === t.length && t.length > 0 ? total : undefined;
}

/** Range selectors and subquery ranges, in seconds. */
export function rangesOf(expr: string): number[] {
  const out: number[] = [];
  for (const m of expr.matchAll(/\[\s*([0-9a-z]+)\s*(?::\s*[0-9a-z]*\s*)?\]/g)) {
    const s = durationSeconds(m[1]!);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** Whitespace-free, with the matchers inside each `{…}` sorted: equal conditions compare equal. */
export function normalizeExpr(expr: string): string {
  const compact = expr.replace(/\s+/g, "");
  return compact.replace(/\{([^{}]*)\}/g, (_, inner: string) => `{${splitMatchers(inner).sort().join(",")}}`);
}

function splitMatchers(inner: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      cur += c;
      if (c === "\\") cur += inner[++i] ?? "";
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
      cur += c;
    } else if (c === ",") {
      if (cur !== "") out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur !== "") out.push(cur);
  return out;
}

const COMPARISON = /(?<![=!<>])(>=|<=|==|!=|>|<)(?!=|~)/;

/** A comparison with no range anywhere: an instantaneous gauge reading against a threshold. */
export function comparesRawGauge(expr: string): boolean {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const withoutMatchers = noStrings.replace(/\{[^{}]*\}/g, "");
  return COMPARISON.test(withoutMatchers) && rangesOf(expr).length === 0;
}

export type Signal = { kind: "symptom"; what: string } | { kind: "cause"; what: string } | { kind: "other" };

const SYMPTOMS: readonly [RegExp, string][] = [
  [/\bslo:|error_budget|burn/i, "error budget burn"],
  [/histogram_quantile|_duration_seconds|latency/i, "latency"],
  [/(code|status|status_code)\s*=~?\s*["'`]5|_errors?_total|grpc_code|error_ratio|error_rate|failed_requests/i, "error rate"],
  [/probe_success|(^|[^a-z_:])up\s*(\{|==|<|!=)/i, "availability"],
];

const CAUSES: readonly [RegExp, string][] = [
  [/node_cpu|container_cpu|process_cpu|cpu_usage|cpu_utili[sz]ation|cpu_seconds/i, "CPU"],
  [/node_memory|container_memory|process_resident_memory|memory_usage|jvm_memory|heap/i, "memory"],
  [/node_filesystem|disk|volume_stats|filesystem/i, "disk"],
  [/restarts_total|restart/i, "restarts"],
  [/node_load|load[0-9]+/i, "load"],
  [/goroutines|threads|open_fds|file_descriptors/i, "process resources"],
];

export function classify(expr: string): Signal {
  for (const [re, what] of SYMPTOMS) if (re.test(expr)) return { kind: "symptom", what };
  for (const [re, what] of CAUSES) if (re.test(expr)) return { kind: "cause", what };
  return { kind: "other" };
}

/** The jobs or services an alert is about: equality matchers on job, service, app, container and its labels. */
export function subjectsOf(a: Pick<FoundAlert, "expr" | "labels">): Set<string> {
  const out = new Set<string>();
  for (const m of a.expr.matchAll(/\b(job|service|app|app_kubernetes_io_name|container)\s*=\s*"([^"]+)"/g)) out.add(m[2]!);
  for (const k of ["service", "job"]) if (a.labels[k]) out.add(a.labels[k]);
  return out;
}

const PAGING = /^(page|critical|p1|high|urgent)$/i;
function pages(a: FoundAlert): boolean {
  return PAGING.test(a.labels.severity ?? "");
}

// ---------------------------------------------------------------------------
// Checks

function finding(rule: AlertRule, a: FoundAlert, message: string, recommendation: string, fix: string, severity?: Severity): Finding {
  return {
    ruleId: rule.id,
    severity: severity ?? rule.severity,
    title: rule.title,
    message,
    recommendation,
    fix,
    resource: `${a.at} (${a.name})`,
    file: a.file,
    ...(a.line !== undefined ? { line: a.line } : {}),
    aliases: [...rule.aliases],
  };
}

const where = (a: FoundAlert) => `${a.file}${a.line !== undefined ? `:${a.line}` : ""}`;
const ranked = (paging: boolean): Severity => (paging ? "medium" : "low");

function checkDuplicates(alerts: readonly FoundAlert[]): Finding[] {
  const out: Finding[] = [];
  const byName = new Map<string, FoundAlert>();
  const byExpr = new Map<string, FoundAlert>();
  for (const a of alerts) {
    const first = byName.get(a.name);
    if (first) {
      const tiers = (first.labels.severity ?? "") !== (a.labels.severity ?? "");
      out.push(
        finding(
          RULES.duplicateName,
          a,
          `${a.name} is also defined at ${where(first)}${tiers ? ` (severity ${first.labels.severity ?? "none"} there, ${a.labels.severity ?? "none"} here)` : ""}: both notify for one condition.`,
          tiers ? "Keep tiered alerts only with an inhibition rule so the higher tier silences the lower one; better, replace both with one burn-rate alert." : "Delete one of the two definitions.",
          tiers
            ? `inhibit_rules:\n  - source_matchers: ['alertname="${a.name}"', 'severity="${first.labels.severity ?? "page"}"']\n    target_matchers: ['alertname="${a.name}"', 'severity="${a.labels.severity ?? "ticket"}"']\n    equal: [alertname, service]`
            : `# delete ${a.at} in ${a.file}; ${a.name} stays defined at ${where(first)}`,
          tiers ? "low" : undefined,
        ),
      );
    } else byName.set(a.name, a);
    const key = normalizeExpr(a.expr);
    const same = byExpr.get(key);
    if (same && same.name !== a.name) {
      out.push(
        finding(
          RULES.duplicateExpr,
          a,
          `${a.name} has the same expression as ${same.name} (${where(same)}): one condition, two notifications.`,
          "Keep one alert for the condition; route or relabel it instead of copying it.",
          `# delete ${a.at} (${a.name}) in ${a.file}; ${same.name} already fires on: ${oneLine(a.expr)}`,
        ),
      );
    } else if (!same) byExpr.set(key, a);
  }
  return out;
}

function checkFor(a: FoundAlert): Finding[] {
  const out: Finding[] = [];
  const secs = a.for === undefined ? 0 : (durationSeconds(a.for) ?? 0);
  if (a.for === undefined || secs === 0) {
    out.push(
      finding(
        RULES.missingFor,
        a,
        `${a.name} has no for: it notifies on the first evaluation that matches, including a single bad scrape or a restart.`,
        "Set for long enough to ride out scrape gaps and restarts, short enough that the budget spent while pending is acceptable.",
        `- alert: ${a.name}\n  expr: ${oneLine(a.expr)}\n  for: 5m`,
        ranked(pages(a)),
      ),
    );
  }
  const ranges = rangesOf(a.expr);
  const short = ranges.length > 0 && Math.min(...ranges) <= 120;
  const raw = comparesRawGauge(a.expr);
  if (secs < 120 && (short || raw)) {
    const why = raw ? "compares an instantaneous reading with a threshold" : `reads a range of only ${Math.min(...ranges)}s`;
    out.push(
      finding(
        RULES.flapping,
        a,
        `${a.name} ${why} with for ${a.for ?? "unset"}: it fires and resolves with every blip.`,
        raw ? "Smooth the gauge with *_over_time over 5-15 minutes and set for: 5m or more, or replace the rule with a burn-rate alert." : "Widen the range to at least 5m and set for: 5m or more, or replace the rule with a multi-window burn-rate alert.",
        `- alert: ${a.name}\n  expr: ${raw ? smoothed(a.expr) : widened(a.expr)}\n  for: 10m`,
        ranked(pages(a)),
      ),
    );
  }
  return out;
}

/** `gauge > 90` → `avg_over_time(gauge[10m]) > 90`; other expressions through a subquery. */
export function smoothed(expr: string): string {
  const e = oneLine(expr);
  const m = /^(.*?)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9.]+(?:e[+-]?[0-9]+)?)$/i.exec(e);
  if (!m) return `avg_over_time((${e})[10m:1m])`;
  const lhs = m[1]!;
  const inner = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$/.test(lhs) ? `${lhs}[10m]` : `(${lhs})[10m:1m]`;
  return `avg_over_time(${inner}) ${m[2]!} ${m[3]!}`;
}

/** Every range of 2 minutes or less widened to 5m. */
export function widened(expr: string): string {
  return oneLine(expr).replace(/\[\s*([0-9a-z]+)\s*\]/g, (all, d: string) => ((durationSeconds(d) ?? 300) <= 120 ? "[5m]" : all));
}

function checkRunbook(a: FoundAlert): Finding[] {
  if ((a.annotations.runbook_url ?? "").trim() !== "") return [];
  return [
    finding(
      RULES.noRunbook,
      a,
      `${a.name} has no runbook_url: whoever is on call gets a name and no first step.`,
      "Link every alert to a runbook whose first section explains the alert; devops_incident_response generates one per alert.",
      `annotations:\n  runbook_url: ${PATHS.alertRunbook(a.name)}   # or <runbook base URL>/${PATHS.alertRunbook(a.name)}`,
      ranked(pages(a) || a.labels.severity === undefined),
    ),
  ];
}

function checkRouting(a: FoundAlert): Finding[] {
  const missing = ["severity", "team"].filter((k) => (a.labels[k] ?? "") === "");
  if (missing.length === 0) return [];
  return [
    finding(
      RULES.noRouting,
      a,
      `${a.name} has no ${missing.join(" or ")} label: Alertmanager cannot route it to the right urgency and owner.`,
      "Label every alert with severity (page or ticket) and the owning team.",
      `labels:\n${missing.map((k) => `  ${k}: ${k === "severity" ? "ticket   # page only when action is needed within the hour" : "<owning team>"}`).join("\n")}`,
    ),
  ];
}

function checkCauses(alerts: readonly FoundAlert[], generatedSymptoms: ReadonlyMap<string, string>): Finding[] {
  const symptomBySubject = new Map<string, string>(generatedSymptoms);
  const signals = alerts.map((a) => classify(a.expr));
  alerts.forEach((a, i) => {
    const s = signals[i]!;
    if (s.kind === "symptom") for (const subj of subjectsOf(a)) if (!symptomBySubject.has(subj)) symptomBySubject.set(subj, `${a.name} (${s.what}, ${where(a)})`);
  });
  const out: Finding[] = [];
  alerts.forEach((a, i) => {
    const s = signals[i]!;
    // A cause kept as a ticket (it predicts trouble hours ahead) is fine; paging on it is the fatigue.
    if (s.kind !== "cause" || (!pages(a) && a.labels.severity !== undefined)) return;
    const subject = [...subjectsOf(a)].find((x) => symptomBySubject.has(x));
    if (subject === undefined) return;
    const symptom = symptomBySubject.get(subject)!;
    out.push(
      finding(
        RULES.causeBased,
        a,
        `${a.name} alerts on a cause (${s.what}) of ${subject}, which already has a symptom alert: ${symptom}. When the cause hurts users the symptom fires; when it does not, this notification is noise.`,
        "Move the cause to a dashboard, or keep it as a ticket when it predicts an outage hours ahead; page on the symptom.",
        `labels:\n  severity: ticket   # was ${a.labels.severity ?? "unset"}; or delete ${a.name} and keep ${s.what} on ${subject}'s dashboard (USE panels)`,
      ),
    );
  });
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function byPosition(a: Finding, b: Finding): number {
  return cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || cmp(a.ruleId, b.ruleId) || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || cmp(a.resource, b.resource);
}

export interface FatigueResult {
  findings: Finding[];
  alerts: FoundAlert[];
  /** Files that held at least one rule group. */
  ruleFiles: string[];
}

/**
 * Analyze every file, in path order. `generatedSymptoms` maps a job/service to
 * the symptom alert this task generates for it, so cause-based rules on those
 * services are reported even when the existing files hold no symptom alert.
 */
export function analyzeRules(files: ReadonlyMap<string, string>, generatedSymptoms: ReadonlyMap<string, string> = new Map()): FatigueResult {
  const alerts: FoundAlert[] = [];
  const findings: Finding[] = [];
  const ruleFiles: string[] = [];
  for (const file of [...files.keys()].sort(cmp)) {
    const r = readAlerts(file, files.get(file) ?? "");
    if (r.error) findings.push(r.error);
    if (r.alerts.length > 0) ruleFiles.push(file);
    alerts.push(...r.alerts);
  }
  findings.push(...checkDuplicates(alerts));
  for (const a of alerts) findings.push(...checkFor(a), ...checkRunbook(a), ...checkRouting(a));
  findings.push(...checkCauses(alerts, generatedSymptoms));
  return { findings: findings.sort(byPosition), alerts, ruleFiles };
}

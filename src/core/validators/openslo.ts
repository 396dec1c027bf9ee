/**
 * A strict structural check of OpenSLO v1 files (apiVersion openslo/v1),
 * written from the OpenSLO v1 specification (the README of
 * github.com/OpenSLO/OpenSLO and its schemas/v1 JSON schemas). No offline
 * OpenSLO tool can be installed, so this is our own reading of the spec:
 *
 * - every document: apiVersion openslo/v1, a v1 kind, metadata.name an
 *   RFC 1123 label (the names every implementation must support), optional
 *   displayName, labels (string or list of strings) and annotations (strings);
 * - the spec of each kind (DataSource, SLO, SLI, AlertPolicy, AlertCondition,
 *   AlertNotificationTarget, Service) as a strict object, so an unknown field is
 *   an error naming the nearest valid one and a bad enum names the valid values;
 * - the cross-field rules the spec states in prose: one of indicator or
 *   indicatorRef; one of thresholdMetric or ratioMetric; good or bad with
 *   total, or raw with rawType; one timeWindow item, rolling or calendar
 *   aligned; one of target or targetPercent; time-slice fields with the
 *   Timeslices budgeting methods; one alert condition per policy;
 * - across the file: duplicate kind + name is an error; an SLO whose service
 *   (or indicatorRef) names no object in the file is a warning, since the
 *   object may live in another file.
 *
 * Data-source specific fields (metricSource.spec, connectionDetails) are open.
 */
import type { Document, LineCounter } from "yaml";
import { z } from "zod";
import type { ArtifactValidator } from "../gates/engine.js";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import type { Plain, YamlPath } from "./yaml-nodes.js";
import { dotted, isPlainObject, locate, readDocuments, syntaxIssues, toPlain } from "./yaml-nodes.js";
import { oneOf, strict } from "./strict-zod.js";

export const OPENSLO_TOOL = "OpenSLO v1 schema (devops-pack, from the OpenSLO v1 spec)";

export const OPENSLO_API_VERSION = "openslo/v1";
export const OPENSLO_KINDS = ["DataSource", "SLO", "SLI", "AlertPolicy", "AlertCondition", "AlertNotificationTarget", "Service"] as const;
export const BUDGETING_METHODS = ["Occurrences", "Timeslices", "RatioTimeslices"] as const;

type Path = YamlPath;

/** RFC 1123 label: what the spec says every implementation must support for names. */
const RFC1123_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const name = z.string().regex(RFC1123_LABEL, { message: "must be an RFC 1123 name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit" });

/** duration-shorthand: a positive integer and one of m, h, d, w, M, Q, Y (case-sensitive). */
const DURATION_SHORTHAND = /^[1-9][0-9]*[mhdwMQY]$/;
const duration = z.string().regex(DURATION_SHORTHAND, { message: "must be a duration shorthand: a positive integer and one of the units m, h, d, w, M, Q, Y (e.g. 5m, 12h, 28d, 4w, 1M, 1Q, 1Y)" });

const description = z.string().max(1050, { message: "must be at most 1050 characters" });

/** Label keys: at most 63 characters, alphanumeric at both ends, '-', '_', '.' between. */
const LABEL_KEY = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;
/** Annotation keys: an optional DNS-subdomain prefix and '/', then a name segment like a label key. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function annotationKeyOk(key: string): boolean {
  const slash = key.lastIndexOf("/");
  if (slash === -1) return LABEL_KEY.test(key);
  return DNS_SUBDOMAIN.test(key.slice(0, slash)) && LABEL_KEY.test(key.slice(slash + 1));
}

const labels = z.record(
  z.string().regex(LABEL_KEY, { message: "label keys must be at most 63 characters, start and end with a letter or digit, with '-', '_' or '.' between" }),
  z.union([z.string(), z.array(z.string())], { error: "a label value must be a string or a list of strings" }),
);
const annotations = z.record(
  z.string().refine(annotationKeyOk, { message: "annotation keys are an optional DNS-subdomain prefix and '/', then a name of at most 63 characters starting and ending with a letter or digit" }),
  z.string(),
);

const metadata = strict({
  name,
  displayName: z.string().min(1, { message: "must not be empty" }).optional(),
  labels: labels.optional(),
  annotations: annotations.optional(),
});

// ---------------------------------------------------------------------------
// SLI

const metricSource = strict({
  metricSourceRef: name.optional(),
  type: z.string().min(1, { message: "must not be empty" }).optional(),
  spec: z.record(z.string(), z.unknown()),
}).superRefine((m, ctx) => {
  // "Field type can't be omitted because the reference to an existing DataSource is not specified."
  if (m.type === undefined && m.metricSourceRef === undefined) ctx.addIssue({ code: "custom", path: ["type"], message: "required field is missing (type may be omitted only with metricSourceRef)" });
});
const metric = strict({ metricSource });

const ratioMetric = strict({
  counter: z.boolean().optional(),
  good: metric.optional(),
  bad: metric.optional(),
  total: metric.optional(),
  rawType: oneOf(["success", "failure"]).optional(),
  raw: metric.optional(),
}).superRefine((r, ctx) => {
  if (r.raw !== undefined) {
    for (const k of ["good", "bad", "total"] as const) if (r[k] !== undefined) ctx.addIssue({ code: "custom", path: [k], message: "cannot be used together with raw" });
    if (r.rawType === undefined) ctx.addIssue({ code: "custom", path: ["rawType"], message: "required with raw (success or failure)" });
    return;
  }
  if (r.good === undefined && r.bad === undefined && r.total === undefined) {
    ctx.addIssue({ code: "custom", path: [], message: "needs either good or bad with total, or raw with rawType" });
    return;
  }
  if (r.good !== undefined && r.bad !== undefined) ctx.addIssue({ code: "custom", path: ["bad"], message: "good and bad cannot both be set; use one of them with total" });
  if (r.good === undefined && r.bad === undefined) ctx.addIssue({ code: "custom", path: [], message: "needs good or bad with total" });
  if (r.total === undefined) ctx.addIssue({ code: "custom", path: ["total"], message: "required field is missing (the denominator used with good or bad)" });
  if (r.counter === undefined) ctx.addIssue({ code: "custom", path: ["counter"], message: "required field is missing (true for a monotonically increasing counter)" });
  if (r.rawType !== undefined) ctx.addIssue({ code: "custom", path: ["rawType"], message: "is used only with raw" });
});

const sliSpec = strict({
  description: description.optional(),
  thresholdMetric: metric.optional(),
  ratioMetric: ratioMetric.optional(),
}).superRefine((s, ctx) => {
  if (s.thresholdMetric !== undefined && s.ratioMetric !== undefined) ctx.addIssue({ code: "custom", path: ["ratioMetric"], message: "thresholdMetric and ratioMetric cannot both be set" });
  if (s.thresholdMetric === undefined && s.ratioMetric === undefined) ctx.addIssue({ code: "custom", path: [], message: "needs exactly one of thresholdMetric or ratioMetric" });
});

const inlineIndicator = strict({ metadata, spec: sliSpec });

// ---------------------------------------------------------------------------
// Alerting

const alertConditionSpec = strict({
  description: description.optional(),
  severity: z.string().min(1, { message: "must not be empty" }),
  condition: strict({
    kind: oneOf(["burnrate"]).optional(),
    threshold: z.number(),
    lookbackWindow: duration,
    alertAfter: duration,
  }),
});

const alertNotificationTargetSpec = strict({
  description: description.optional(),
  target: z.string().min(1, { message: "must not be empty" }),
});

const inlineCondition = strict({ kind: z.literal("AlertCondition", { error: "must be AlertCondition" }), metadata, spec: alertConditionSpec });
const inlineTarget = strict({ kind: z.literal("AlertNotificationTarget", { error: "must be AlertNotificationTarget" }), metadata, spec: alertNotificationTargetSpec });

/** A reference (`{<ref>: name}`) or an inline object (`{kind, metadata, spec}`), told apart by the ref key. */
function refOr(ref: string, inline: z.ZodType) {
  const refObject = strict({ [ref]: name });
  return z.unknown().superRefine((v, ctx) => {
    if (!isPlainObject(v)) {
      ctx.addIssue({ code: "custom", message: `must be a map with ${ref} or an inline object (kind, metadata, spec)` });
      return;
    }
    const r = (ref in v ? refObject : inline).safeParse(v, { reportInput: true });
    if (!r.success) for (const iss of r.error.issues) ctx.addIssue({ code: "custom", ...flatten(iss) });
  });
}

const alertPolicySpec = strict({
  description: description.optional(),
  alertWhenNoData: z.boolean().optional(),
  alertWhenResolved: z.boolean().optional(),
  alertWhenBreaching: z.boolean().optional(),
  conditions: z.array(refOr("conditionRef", inlineCondition)).length(1, { message: "must hold exactly one condition" }),
  notificationTargets: z.array(refOr("targetRef", inlineTarget)).min(1, { message: "must hold at least one notification target" }),
});

const inlinePolicy = strict({ kind: z.literal("AlertPolicy", { error: "must be AlertPolicy" }), metadata, spec: alertPolicySpec });

// ---------------------------------------------------------------------------
// SLO

const timeWindow = strict({
  duration,
  isRolling: z.boolean().optional(),
  calendar: strict({
    startTime: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, { message: "must be a date and 24h time without a time zone, e.g. 2020-01-21 12:30:00" }),
    timeZone: z.string().refine(isTimeZone, { message: "must be an IANA time zone name, e.g. America/New_York" }),
  }).optional(),
}).superRefine((w, ctx) => {
  if (w.isRolling === true && w.calendar !== undefined) ctx.addIssue({ code: "custom", path: ["calendar"], message: "a rolling window (isRolling: true) has no calendar" });
  if (w.isRolling !== true && w.calendar === undefined) ctx.addIssue({ code: "custom", path: w.isRolling === undefined ? ["isRolling"] : ["calendar"], message: w.isRolling === undefined ? "required field is missing (true for a rolling window, or give a calendar)" : "required when isRolling is false (startTime and timeZone)" });
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

const exclusive = (lo: number, hi: number, unit = "") => z.number().refine((n) => n > lo && n < hi, { message: `must be between ${lo}${unit} and ${hi}${unit} (exclusive)` });

const objective = strict({
  displayName: z.string().optional(),
  op: oneOf(["lte", "gte", "lt", "gt"]).optional(),
  value: z.number().optional(),
  target: exclusive(0, 1).optional(),
  targetPercent: exclusive(0, 100).optional(),
  timeSliceTarget: z.number().refine((n) => n > 0 && n <= 1, { message: "must be greater than 0 and at most 1" }).optional(),
  timeSliceWindow: z.union([z.number().positive(), duration], { error: "must be a positive number of minutes or a duration shorthand such as 1m or 5m" }).optional(),
}).superRefine((o, ctx) => {
  if (o.target !== undefined && o.targetPercent !== undefined) ctx.addIssue({ code: "custom", path: ["targetPercent"], message: "target and targetPercent cannot both be set" });
  if (o.target === undefined && o.targetPercent === undefined) ctx.addIssue({ code: "custom", path: [], message: "needs one of target (0..1) or targetPercent (0..100)" });
});

const alertPolicyRef = refOr("alertPolicyRef", inlinePolicy);

const sloSpec = strict({
  description: description.optional(),
  service: name,
  indicator: inlineIndicator.optional(),
  indicatorRef: name.optional(),
  timeWindow: z.array(timeWindow).length(1, { message: "must hold exactly one item" }).optional(),
  budgetingMethod: oneOf(BUDGETING_METHODS),
  objectives: z.array(objective).min(1, { message: "must hold at least one objective" }),
  alertPolicies: z.array(alertPolicyRef).optional(),
}).superRefine((s, ctx) => {
  if (s.indicator !== undefined && s.indicatorRef !== undefined) ctx.addIssue({ code: "custom", path: ["indicatorRef"], message: "indicator and indicatorRef cannot both be set" });
  if (s.indicator === undefined && s.indicatorRef === undefined) ctx.addIssue({ code: "custom", path: [], message: "needs exactly one of indicator (an inline SLI) or indicatorRef" });
  const timeslices = s.budgetingMethod === "Timeslices" || s.budgetingMethod === "RatioTimeslices";
  s.objectives.forEach((o, i) => {
    if (timeslices && o.timeSliceWindow === undefined) ctx.addIssue({ code: "custom", path: ["objectives", i, "timeSliceWindow"], message: `required when budgetingMethod is ${s.budgetingMethod}` });
    if (s.budgetingMethod === "Timeslices" && o.timeSliceTarget === undefined) ctx.addIssue({ code: "custom", path: ["objectives", i, "timeSliceTarget"], message: "required when budgetingMethod is Timeslices" });
  });
  const threshold = s.indicator?.spec.thresholdMetric !== undefined;
  if (threshold) {
    if (s.objectives.length > 1) ctx.addIssue({ code: "custom", path: ["objectives"], message: "with a thresholdMetric indicator only one objective can be defined" });
    s.objectives.forEach((o, i) => {
      if (o.op === undefined) ctx.addIssue({ code: "custom", path: ["objectives", i, "op"], message: "required with a thresholdMetric indicator (lte, gte, lt or gt)" });
      if (o.value === undefined) ctx.addIssue({ code: "custom", path: ["objectives", i, "value"], message: "required with a thresholdMetric indicator" });
    });
  }
});

// ---------------------------------------------------------------------------
// Other kinds

const dataSourceSpec = strict({
  description: description.optional(),
  type: z.string().min(1, { message: "must not be empty" }),
  connectionDetails: z.record(z.string(), z.unknown()),
});

const serviceSpec = strict({ description: description.optional() });

const SPECS: Record<(typeof OPENSLO_KINDS)[number], z.ZodType> = {
  DataSource: dataSourceSpec,
  SLO: sloSpec,
  SLI: sliSpec,
  AlertPolicy: alertPolicySpec,
  AlertCondition: alertConditionSpec,
  AlertNotificationTarget: alertNotificationTargetSpec,
  Service: serviceSpec,
};

function documentSchema(kind: string) {
  const spec = (SPECS as Record<string, z.ZodType | undefined>)[kind] ?? z.unknown();
  return strict({
    apiVersion: z.literal(OPENSLO_API_VERSION, { error: (iss) => `must be ${OPENSLO_API_VERSION}${iss.input === undefined ? "" : ` (got ${JSON.stringify(iss.input)})`}` }),
    kind: oneOf(OPENSLO_KINDS),
    metadata,
    spec,
  });
}

// ---------------------------------------------------------------------------
// Parsing and reporting

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A zod issue's message, with "required" and type errors in plain words. */
function messageOf(iss: z.core.$ZodIssue): string {
  if (iss.code === "invalid_type") {
    const input = (iss as { input?: unknown }).input;
    if (input === undefined) return "required field is missing";
    const expected = iss.expected === "object" || iss.expected === "record" ? "a map" : iss.expected === "array" ? "a list" : `a ${iss.expected}`;
    return `must be ${expected} (got ${describeType(input)})`;
  }
  return iss.message;
}

/** An issue's path and message; an unknown key is pointed at and named in the path. */
function flatten(iss: z.core.$ZodIssue): { path: Path; message: string } {
  const path = iss.path.filter((p): p is string | number => typeof p !== "symbol");
  if (iss.code === "unrecognized_keys" && iss.keys.length === 1) return { path: [...path, iss.keys[0] ?? ""], message: iss.message };
  return { path, message: messageOf(iss) };
}

interface Parsed {
  doc: Document.Parsed;
  value: Plain;
  index: number;
}

function label(value: Plain, index: number): string {
  const kind = typeof value["kind"] === "string" ? value["kind"] : "document";
  const meta = value["metadata"];
  const n = isPlainObject(meta) && typeof meta["name"] === "string" ? meta["name"] : `#${index + 1}`;
  return `${kind} ${n}`;
}

function checkDocument(p: Parsed, lc: LineCounter, file: string, errors: Issue[]): void {
  const who = label(p.value, p.index);
  const at = (path: Path, message: string, kind: string): Issue => ({ message: `${who}: ${path.length > 0 ? `${dotted(path)}: ` : ""}${message}`, path: file, kind, ...locate(p.doc, lc, path) });
  const kind = typeof p.value["kind"] === "string" ? p.value["kind"] : "";
  const r = documentSchema(kind).safeParse(p.value, { reportInput: true });
  if (r.success) return;
  for (const iss of r.error.issues) {
    const f = flatten(iss);
    errors.push(at(f.path, f.message, "schema"));
  }
}

/** Duplicate kind + name is an error; references to objects not in the file are warnings. */
function checkFile(parsed: Parsed[], lc: LineCounter, file: string, errors: Issue[], warnings: Issue[]): void {
  const seen = new Map<string, number>();
  const names = new Map<string, Set<string>>();
  for (const p of parsed) {
    const kind = p.value["kind"];
    const meta = p.value["metadata"];
    if (typeof kind !== "string" || !isPlainObject(meta) || typeof meta["name"] !== "string") continue;
    const key = `${kind}/${meta["name"]}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ message: `${kind} ${meta["name"]}: defined twice in this file (documents ${first + 1} and ${p.index + 1})`, path: file, kind: "duplicate", ...locate(p.doc, lc, ["metadata", "name"]) });
    } else seen.set(key, p.index);
    names.set(kind, (names.get(kind) ?? new Set()).add(meta["name"]));
  }
  for (const p of parsed) {
    if (p.value["kind"] !== "SLO" || !isPlainObject(p.value["spec"])) continue;
    const spec = p.value["spec"];
    const who = label(p.value, p.index);
    const service = spec["service"];
    if (typeof service === "string" && !names.get("Service")?.has(service)) {
      warnings.push({ message: `${who}: spec.service: no Service ${service} in this file; it must be defined elsewhere`, path: file, kind: "reference", ...locate(p.doc, lc, ["spec", "service"]) });
    }
    const ref = spec["indicatorRef"];
    if (typeof ref === "string" && !names.get("SLI")?.has(ref)) {
      warnings.push({ message: `${who}: spec.indicatorRef: no SLI ${ref} in this file; it must be defined elsewhere`, path: file, kind: "reference", ...locate(p.doc, lc, ["spec", "indicatorRef"]) });
    }
    if (spec["timeWindow"] === undefined) {
      warnings.push({ message: `${who}: spec.timeWindow: not set; the window is left to the implementation`, path: file, kind: "schema", ...locate(p.doc, lc, ["spec"]) });
    }
  }
}

/** Validate one OpenSLO v1 file (one or more YAML documents). Never throws. */
export function validateOpenSlo(content: string, path: string): Result<null> {
  const read = readDocuments(content, path);
  if ("tooLarge" in read) return fail([read.tooLarge]);
  const { lc, docs } = read;
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const parsed: Parsed[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      errors.push(...syntaxIssues(doc, path));
      return;
    }
    let value: unknown;
    try {
      value = toPlain(doc);
    } catch (e) {
      errors.push({ message: `document ${index + 1}: ${(e as Error).message}`, path, kind: "syntax", ...locate(doc, lc, []) });
      return;
    }
    if (value === null || value === undefined) return;
    if (!isPlainObject(value)) {
      errors.push({ message: `document ${index + 1}: not an OpenSLO object (got ${describeType(value)}); expected a map with apiVersion, kind, metadata and spec`, path, kind: "schema", ...locate(doc, lc, []) });
      return;
    }
    parsed.push({ doc, value, index });
  });
  for (const p of parsed) checkDocument(p, lc, path, errors);
  checkFile(parsed, lc, path, errors, warnings);
  if (parsed.length === 0 && errors.length === 0) errors.push({ message: `${path} holds no OpenSLO documents`, path, kind: "empty" });
  return errors.length === 0 ? ok(null, warnings) : fail(errors, warnings);
}

export const openSloValidator: ArtifactValidator = {
  kind: "openslo",
  tool: OPENSLO_TOOL,
  validate: async (a) => validateOpenSlo(a.content, a.path),
};

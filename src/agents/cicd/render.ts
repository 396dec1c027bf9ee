import { Document, isScalar, visit } from "yaml";
import { markerLine } from "../../core/plans/plan.js";
import type { Concurrency, Job, Matrix, Permissions, Scalar, Step, Triggers, Workflow } from "./model.js";
import { isActionStep, isCallJob } from "./model.js";
import { pinForRef, usesRef } from "./pins.js";

export const AGENT_ID = "devops_cicd";

type Plain = string | number | boolean | Plain[] | { [key: string]: Plain };

/**
 * Copy `value` into a fresh object whose keys follow `order`; keys not in
 * `order` are a programmer error (the model and the order must agree), and
 * undefined values are dropped.
 */
function ordered(value: object, order: readonly string[], where: string): { [key: string]: Plain } {
  const source = value as Record<string, unknown>;
  const out: { [key: string]: Plain } = {};
  for (const key of Object.keys(source)) {
    if (!order.includes(key)) throw new Error(`render: unexpected key '${key}' in ${where}`);
  }
  for (const key of order) {
    const v = source[key];
    if (v !== undefined) out[key] = v as Plain;
  }
  return out;
}

const PERMISSION_ORDER = [
  "actions",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "id-token",
  "issues",
  "packages",
  "pages",
  "pull-requests",
  "security-events",
  "statuses",
] as const;

function permissions(p: Permissions): { [key: string]: Plain } {
  return ordered(p, PERMISSION_ORDER, "permissions");
}

function sortedRecord(r: Record<string, Scalar>): { [key: string]: Plain } {
  const out: { [key: string]: Plain } = {};
  for (const key of Object.keys(r).sort()) out[key] = r[key] as Scalar;
  return out;
}

function triggers(on: Triggers): { [key: string]: Plain } {
  const out = ordered(on, ["push", "pull_request", "workflow_dispatch", "workflow_call"], "on");
  for (const key of ["push", "pull_request"] as const) {
    const f = on[key];
    if (f) out[key] = ordered(f, ["branches", "paths-ignore"], `on.${key}`);
  }
  return out;
}

function concurrency(c: Concurrency): { [key: string]: Plain } {
  return ordered(c, ["group", "cancel-in-progress"], "concurrency");
}

function matrix(m: Matrix): { [key: string]: Plain } {
  const out: { [key: string]: Plain } = {};
  if (m["fail-fast"] !== undefined) out["fail-fast"] = m["fail-fast"];
  out.matrix = { ...m.axes };
  return out;
}

const STEP_ORDER = ["id", "name", "if", "uses", "with", "env", "shell", "working-directory", "run", "timeout-minutes"] as const;

function step(s: Step, where: string): { [key: string]: Plain } {
  if (isActionStep(s)) {
    const { action, ...rest } = s;
    const out = ordered({ ...rest, uses: usesRef(action) }, STEP_ORDER, where);
    if (s.with) out.with = sortedRecord(s.with);
    if (s.env) out.env = sortedRecord(s.env);
    return out;
  }
  const out = ordered(s, STEP_ORDER, where);
  if (s.env) out.env = sortedRecord(s.env);
  return out;
}

const JOB_ORDER = [
  "name",
  "uses",
  "runs-on",
  "needs",
  "if",
  "permissions",
  "environment",
  "concurrency",
  "timeout-minutes",
  "strategy",
  "outputs",
  "env",
  "steps",
] as const;

function job(id: string, j: Job): { [key: string]: Plain } {
  const where = `jobs.${id}`;
  const out = ordered(j, JOB_ORDER, where);
  if (j.permissions) out.permissions = permissions(j.permissions);
  if (isCallJob(j)) return out;
  if (j.environment) out.environment = ordered(j.environment, ["name", "url"], `${where}.environment`);
  if (j.concurrency) out.concurrency = concurrency(j.concurrency);
  if (j.strategy) out.strategy = matrix(j.strategy);
  if (j.env) out.env = sortedRecord(j.env);
  out.steps = j.steps.map((s, i) => step(s, `${where}.steps[${i}]`));
  return out;
}

/** The plain, key-ordered object a workflow serializes from. */
export function toPlain(w: Workflow): { [key: string]: Plain } {
  const out: { [key: string]: Plain } = { name: w.name, on: triggers(w.on), permissions: permissions(w.permissions) };
  if (w.concurrency) out.concurrency = concurrency(w.concurrency);
  if (w.defaults) out.defaults = { run: { shell: w.defaults.run.shell } };
  if (w.env) out.env = sortedRecord(w.env);
  const jobs: { [key: string]: Plain } = {};
  for (const [id, j] of Object.entries(w.jobs)) jobs[id] = job(id, j);
  out.jobs = jobs;
  return out;
}

/**
 * Serialize a workflow: the generated-file marker first, then YAML produced by
 * the `yaml` Document API (never string templates). Every `uses:` value that
 * comes from the pin table gets its release tag as a trailing comment.
 * Deterministic: the same model always gives the same bytes.
 */
export function renderWorkflow(w: Workflow): string {
  const doc = new Document(toPlain(w));
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value) && typeof pair.value.value === "string") {
        const pin = pinForRef(pair.value.value);
        if (pin) pair.value.comment = ` ${pin.tag}`;
      }
    },
  });
  const body = doc.toString({ lineWidth: 0, blockQuote: "literal", indentSeq: true });
  return `${markerLine(AGENT_ID)}\n${body}`;
}

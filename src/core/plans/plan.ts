import { createHash } from "node:crypto";
import type { Finding } from "../findings.js";
import type { EnvironmentClass, EnvironmentPolicy } from "./environments.js";
import { DEFAULT_ENVIRONMENT_POLICY, classifyEnvironments } from "./environments.js";

export type { EnvironmentClass } from "./environments.js";

/**
 * The plan format. 2: the digest covers the environment classification and
 * `touchesSecrets`. Plans without it were made by an older version; they are
 * refused with "run the task again" (their digest does not cover what decides
 * whether approval is needed).
 */
export const PLAN_FORMAT = 2;

/** The kinds of artifact a plan can hold; each kind has its quality gate `gate.quality.<kind>`. */
export type ArtifactKind =
  | "github-workflow"
  | "terraform"
  | "kubernetes"
  | "helm"
  | "prometheus-config"
  | "prometheus-rules"
  | "prometheus-rule-test"
  | "alertmanager-config"
  | "grafana-dashboard"
  | "openslo"
  | "otel-collector"
  | "runbook"
  | "markdown"
  | "yaml"
  | "json";

export interface Artifact {
  /** Relative POSIX path inside the target directory. */
  path: string;
  kind: ArtifactKind;
  content: string;
  sha256: string;
}

export type NoteKind = "recommendation" | "warning" | "cost" | "info";

export interface Note {
  kind: NoteKind;
  text: string;
}

/** What a specialist returns: a pure function of its input, no id, no clock. */
export interface PlanDraft {
  artifacts: Artifact[];
  findings: Finding[];
  notes: Note[];
  /** True when the plan creates or changes secrets: approval is then required. */
  touchesSecrets?: boolean;
}

export interface TaskEnvelope {
  type: string;
  input: Record<string, unknown>;
}

export interface Plan {
  /** {@link PLAN_FORMAT} when the plan was made; absent in plans of older versions. */
  format: number;
  id: string;
  createdAt: string;
  task: TaskEnvelope;
  agent: string;
  /** The environments the plan targets, sorted; `[]` when it targets none. */
  environment: string[];
  /** How each environment was classified when the plan was made, and why (covered by the digest). */
  environmentClasses: EnvironmentClass[];
  artifacts: Artifact[];
  findings: Finding[];
  notes: Note[];
  touchesSecrets: boolean;
  digest: string;
}

/** What the digest covers. */
export type DigestInput = Pick<Plan, "format" | "task" | "agent" | "environment" | "environmentClasses" | "touchesSecrets" | "artifacts">;

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function artifact(path: string, kind: ArtifactKind, content: string): Artifact {
  return { path, kind, content, sha256: sha256(content) };
}

/** JSON with object keys sorted at every depth, so equal values give equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

/**
 * The digest covers the plan format, the task, the agent, the environments and
 * how each was classified, whether the plan touches secrets, and the artifacts
 * (path, kind and the sha256 of their content): everything the gates and the
 * approval requirement depend on. It leaves out the plan's id and time, so the
 * same task under the same policy always gives the same digest.
 */
export function planDigest(p: DigestInput): string {
  const body = {
    format: p.format,
    task: p.task,
    agent: p.agent,
    environment: p.environment,
    environmentClasses: p.environmentClasses,
    touchesSecrets: p.touchesSecrets,
    artifacts: p.artifacts.map((a) => ({ path: a.path, kind: a.kind, sha256: sha256(a.content) })),
  };
  return `sha256:${sha256(canonicalJson(body))}`;
}

/**
 * Seal a plan: classify its environments under the policy, stamp the format
 * and compute the digest. The one way plans are made (runtime, workflows, tests).
 */
export function sealPlan(p: Omit<Plan, "format" | "environmentClasses" | "digest">, policy: EnvironmentPolicy = DEFAULT_ENVIRONMENT_POLICY): Plan {
  const plan: Omit<Plan, "digest"> = { format: PLAN_FORMAT, ...p, environmentClasses: classifyEnvironments(p.environment, policy) };
  return { ...plan, digest: planDigest(plan) };
}

/** Why a stored plan cannot be checked by this version, or undefined when it can. */
export function planFormatProblem(plan: Partial<Plan>): string | undefined {
  if (plan.format === PLAN_FORMAT && Array.isArray(plan.environmentClasses) && typeof plan.touchesSecrets === "boolean") return undefined;
  if (plan.format === undefined || plan.format < PLAN_FORMAT) {
    return `plan ${plan.id ?? "?"} was made by an older version of devops-pack (its digest does not cover the environment classification and secrets); run the task again`;
  }
  if (plan.format > PLAN_FORMAT) return `plan ${plan.id ?? "?"} was made by a newer version of devops-pack (plan format ${plan.format}); upgrade devops-pack`;
  return `plan ${plan.id ?? "?"} is missing its environment classification or secrets flag; it was edited, run the task again`;
}

/** The header every generated file carries; apply only overwrites files that have it. */
export const GENERATED_MARKER = "Generated by devops-pack";

export function markerLine(agent: string, commentPrefix = "#"): string {
  return `${commentPrefix} ${GENERATED_MARKER} ${agent} — review before applying`;
}

const MARKER_TEXT = `${GENERATED_MARKER} [a-z][a-z0-9_]* — review before applying`;
/**
 * The marker line exactly as `markerLine` renders it, in one of the comment
 * forms generated files use: `# …`, `<!-- … -->`, a Go template comment, or a JSON
 * header string (`"$comment"`, `"generated_by"`, `"description"`, which may go on
 * after a full stop).
 */
const MARKER_LINES = [
  new RegExp(`^# ${MARKER_TEXT}$`),
  new RegExp(`^<!-- ${MARKER_TEXT} -->$`),
  new RegExp(`^\\{\\{/\\* ${MARKER_TEXT} \\*/\\}\\}$`),
  new RegExp(`^"(\\$comment|generated_by|description)": "${MARKER_TEXT}(\\.[^"]*)?",?$`),
];

export function hasMarker(content: string): boolean {
  // The marker must be in the first few lines, as a header, not anywhere in the file;
  // and it must be the whole line (so "NOT Generated by devops-pack …" is not it).
  return content
    .split("\n", 5)
    .some((line) => {
      const l = line.trim();
      return MARKER_LINES.some((re) => re.test(l));
    });
}

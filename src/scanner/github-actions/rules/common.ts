import type { ComplianceRef, Evaluation, Rule, RuleMeta } from "../../types.js";
import type { Job, Located, Position, Step, Workflow } from "../model.js";

export function soc2(control: string, mandatory: boolean): ComplianceRef {
  return { framework: "soc2", control, mandatory };
}

export function ghaRule(meta: Omit<RuleMeta, "target">, check: (wf: Workflow) => Evaluation[]): Rule<Workflow> {
  return { meta: { ...meta, target: "github-actions" }, check };
}

export function jobResource(job: Job): string {
  return `jobs.${job.id}`;
}

export function stepResource(job: Job, step: Step): string {
  return `jobs.${job.id}.steps[${step.index}]`;
}

export function jobScope(job: Job): { startLine: number; endLine: number } {
  return { startLine: job.line, endLine: job.endLine };
}

export function stepScope(step: Step): { startLine: number; endLine: number } {
  return { startLine: step.line, endLine: step.endLine };
}

export function pass(ruleId: string, wf: Workflow, resource: string, at: Position, scope?: { startLine: number; endLine: number }): Evaluation {
  return { ruleId, passed: true, resource, file: wf.file, line: at.line, column: at.column, ...(scope ? { scope } : {}) };
}

export function fail(
  ruleId: string,
  wf: Workflow,
  resource: string,
  at: Position,
  message: string,
  scope?: { startLine: number; endLine: number },
  fix?: string,
): Evaluation {
  return { ruleId, passed: false, resource, file: wf.file, line: at.line, column: at.column, message, ...(fix !== undefined ? { fix } : {}), ...(scope ? { scope } : {}) };
}

/** A `uses:` reference, split. */
export interface ActionRef {
  kind: "local" | "docker" | "repository";
  /** `owner/repo` (lower-case) for repository actions. */
  repo: string;
  /** `owner/repo/path` as written, without the ref. */
  action: string;
  ref: string | undefined;
}

export function parseUses(uses: string): ActionRef {
  const u = uses.trim();
  if (u.startsWith("./") || u.startsWith(".\\")) return { kind: "local", repo: "", action: u, ref: undefined };
  if (u.startsWith("docker://")) return { kind: "docker", repo: "", action: u, ref: undefined };
  const at = u.lastIndexOf("@");
  const action = at < 0 ? u : u.slice(0, at);
  const ref = at < 0 ? undefined : u.slice(at + 1);
  const repo = action.split("/").slice(0, 2).join("/").toLowerCase();
  return { kind: "repository", repo, action, ref };
}

export const FULL_SHA = /^[0-9a-f]{40}$/;

/** Is the reference immutable: a full commit SHA, a local action, or a container pinned by digest? */
export function isPinned(uses: string): boolean {
  const ref = parseUses(uses);
  if (ref.kind === "local") return true;
  if (ref.kind === "docker") return /@sha256:[0-9a-f]{64}$/.test(uses.trim());
  return ref.ref !== undefined && FULL_SHA.test(ref.ref);
}

export function events(wf: Workflow): Set<string> {
  return new Set(wf.triggers.map((t) => t.event));
}

/** The `${{ … }}` expressions in a text, with their offsets. */
export function expressions(text: string): { expr: string; raw: string; index: number }[] {
  const out: { expr: string; raw: string; index: number }[] = [];
  const re = /\$\{\{([\s\S]*?)\}\}/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ expr: m[1]!.trim(), raw: m[0], index: m.index });
  return out;
}

/** Context paths in an expression, normalised: `github.event['issue'].title` → `github.event.issue.title`, `commits[0]` → `commits.*`. */
export function contextPaths(expr: string): string[] {
  const out: string[] = [];
  const re = /\b(github|env|inputs|steps|needs|matrix|vars|secrets|job|runner)((?:\.[A-Za-z_*][\w-]*|\[[^\]]*\])*)/g;
  for (let m = re.exec(expr); m !== null; m = re.exec(expr)) {
    const tail = m[2]!.replace(/\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]/g, (_x, a: string | undefined, b: string | undefined) => `.${a ?? b ?? ""}`).replace(/\[[^\]]*\]/g, ".*");
    out.push(`${m[1]!}${tail}`.toLowerCase());
  }
  return out;
}

/** Every step of every job with its job. */
export function* allSteps(wf: Workflow): Generator<{ job: Job; step: Step }> {
  for (const job of wf.jobs) for (const step of job.steps) yield { job, step };
}

export function isExpression(v: Located<unknown>): boolean {
  return typeof v.value === "string" && v.value.includes("${{");
}

/**
 * Priority taken from the story, and the story-point estimate derived from
 * the DevOps complexity.
 */
import type { Priority } from "../../core/stories/types.js";

/**
 * Story priority words → task priority. Words are read from the priority
 * text as plain ASCII words, so "🔴 BLOCKED", its mojibake "üî¥ BLOCKED",
 * "P1 - High" and "Highest" all work; the first recognised word wins.
 *
 * BLOCKED is a status, not an urgency: the story cannot proceed until
 * something else lands, so its DevOps task takes `high` (visible, prepared
 * now) rather than `highest`, and a warning says the story is blocked. Jira's
 * "Blocker" priority (this blocks other work) is `highest`.
 */
export const PRIORITY_WORDS: Readonly<Record<string, Priority>> = {
  highest: "highest",
  blocker: "highest",
  critical: "highest",
  urgent: "highest",
  p0: "highest",
  high: "high",
  major: "high",
  blocked: "high",
  p1: "high",
  medium: "medium",
  normal: "medium",
  moderate: "medium",
  p2: "medium",
  low: "low",
  minor: "low",
  p3: "low",
  lowest: "lowest",
  trivial: "lowest",
  p4: "lowest",
};

export interface PriorityMapping {
  priority: Priority;
  /** The word that decided it; undefined when the default (medium) was used. */
  matched?: string;
}

export function mapPriority(text: string | undefined): PriorityMapping {
  const words = (text ?? "").toLowerCase().match(/[a-z0-9]+/g) ?? [];
  for (const w of words) {
    const p = PRIORITY_WORDS[w];
    if (p !== undefined) return { priority: p, matched: w };
  }
  return { priority: "medium" };
}

/** The scale story points are rounded up to. */
export const FIBONACCI = [1, 2, 3, 5, 8, 13, 21] as const;

/**
 * Story points: the complexity score rounded up to the Fibonacci scale
 * (1, 2, 3, 5, 8, 13, 21), capped at 21. The score is
 *
 *   2                     base: CI/CD pipeline and monitoring, always
 * + 2 per derived need    database, frontend, api, queue, storage, auth (3 for ml_gpu)
 * + 1 per team            each cross-team dependency (backend, frontend, database, ai, qa)
 * + 2 disaster recovery   the story needs backups/failover (a database or DR words)
 * + 1 compliance          the story names compliance, audit, GDPR, PCI, HIPAA or SOC 2
 * + 1 strict targets      availability ≥ 99.95% or p95 ≤ 200 ms
 */
export const POINTS = { base: 2, need: 2, gpuNeed: 3, team: 1, disasterRecovery: 2, compliance: 1, strictTargets: 1 } as const;

export function toFibonacci(score: number): number {
  return FIBONACCI.find((f) => f >= score) ?? FIBONACCI[FIBONACCI.length - 1]!;
}

export interface ComplexityFactor {
  name: string;
  points: number;
}

export interface ComplexityInput {
  /** Derived need ids other than the always-on cicd/observability and disaster_recovery. */
  needs: readonly string[];
  teams: readonly string[];
  disasterRecovery: boolean;
  compliance: boolean;
  strictTargets: boolean;
}

export function complexity(input: ComplexityInput): { score: number; factors: ComplexityFactor[]; storyPoints: number } {
  const factors: ComplexityFactor[] = [{ name: "base: CI/CD pipeline and monitoring", points: POINTS.base }];
  for (const n of input.needs) factors.push({ name: `need: ${n}`, points: n === "ml_gpu" ? POINTS.gpuNeed : POINTS.need });
  for (const t of input.teams) factors.push({ name: `cross-team: ${t}`, points: POINTS.team });
  if (input.disasterRecovery) factors.push({ name: "disaster recovery", points: POINTS.disasterRecovery });
  if (input.compliance) factors.push({ name: "compliance", points: POINTS.compliance });
  if (input.strictTargets) factors.push({ name: "strict performance/availability targets", points: POINTS.strictTargets });
  const score = factors.reduce((s, f) => s + f.points, 0);
  return { score, factors, storyPoints: toFibonacci(score) };
}

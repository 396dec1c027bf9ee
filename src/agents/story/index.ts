/**
 * From a story to its DevOps task (the `/doe` command's), as a pure
 * derivation: the story's words decide the needs, the needs decide the work,
 * the labels, the cross-team dependencies, the estimate and the starting
 * `devops.*` task files. No disk, network or clock: the same story and
 * options always give the same Derivation.
 */
import type { Story, TaskDraft, TrackerName } from "../../core/stories/types.js";
import { idempotencyKey } from "../../core/stories/types.js";
import { escapeLabel } from "../../core/text.js";
import { complexity, mapPriority, type ComplexityFactor } from "./estimate.js";
import { describeHits, findWord, matchNeeds, storyFields, type Match, type Need } from "./needs.js";
import { renderBody } from "./render.js";
import { humanDuration, readTargets, type Targets } from "./targets.js";
import { slug, taskFiles, type TaskFile } from "./tasks.js";

export type { Need, TaskType, KnownNeedId } from "./needs.js";
export { NEED_RULES, wordPattern } from "./needs.js";
export { mapPriority, PRIORITY_WORDS, POINTS, FIBONACCI, toFibonacci } from "./estimate.js";
export { readTargets, DEFAULT_TARGETS } from "./targets.js";
export type { Targets } from "./targets.js";

export type Team = "backend" | "frontend" | "database" | "ai" | "qa";
export const TEAMS: readonly Team[] = ["backend", "frontend", "database", "ai", "qa"];

export interface TeamDependency {
  team: Team;
  what: string;
}

export interface Derivation {
  draft: TaskDraft;
  needs: Need[];
  requires: TeamDependency[];
  provides: TeamDependency[];
  targets: Targets;
  /** Missing configuration the task needs, each `<code>: <message>` (see WARNING_CODES). */
  warnings: string[];
  complexity: { score: number; factors: ComplexityFactor[] };
  /** For `--tasks-out`: one starting devops.* task file per need. */
  tasks: TaskFile[];
}

export interface DeriveOptions {
  tracker: TrackerName;
  environments?: string[];
}

/** Every warning code deriveTask can emit. */
export const WARNING_CODES = [
  "no-environments",
  "no-performance-target",
  "no-availability-target",
  "no-rto",
  "no-rpo",
  "no-priority",
  "story-blocked",
  "no-acceptance-criteria",
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/** Environments assumed in the task files when none are given (with a no-environments warning). */
export const DEFAULT_ENVIRONMENTS = ["staging", "production"] as const;

const COMPLIANCE = ["gdpr", "pci", "pci dss", "hipaa", "soc 2", "soc2", "iso 27001", "pii", "regulatory", "audit log", "audit logging", "audit trail", "data protection", "data retention"];
const CLOUDS: [string, string][] = [
  ["aws", "AWS"],
  ["amazon web services", "AWS"],
  ["gcp", "Google Cloud"],
  ["google cloud", "Google Cloud"],
  ["azure", "Azure"],
];

/** Derived needs that add infrastructure (not the always-on ones, not DR, which is scored on its own). */
const INFRA_NEEDS = new Set(["database", "ml_gpu", "frontend", "api", "queue", "storage", "auth"]);

function quoteWords(m: Match, limit = 3): string {
  return m.hits
    .slice(0, limit)
    .map((h) => `"${h.word}"`)
    .join(", ");
}

function workFor(id: string, t: Targets, envs: readonly string[], m: Match): string[] {
  const p95 = `p95 < ${t.p95Ms} ms`;
  switch (id) {
    case "database":
      return [
        `Automated backups with point-in-time recovery (14 days), restore tested against RTO ${humanDuration(t.rto)} / RPO ${humanDuration(t.rpo)}`,
        "Schema migrations as a pipeline step before the rollout, expand/contract so a rollback keeps working",
        "Scaling: storage autoscaling, connection pooling, a read replica when reads dominate",
        "Multi-AZ, encrypted, private subnets only; credentials from the secret manager",
      ];
    case "ml_gpu":
      return [
        "GPU node pool (g5 instances) that scales from zero, tainted so only GPU workloads land on it",
        "Model serving deployment whose readiness waits for the model to load; model artifacts versioned in object storage",
        `GPU utilisation, GPU memory and inference latency (${p95}) on the dashboard`,
      ];
    case "frontend":
      return [
        "CDN in front of the static assets: immutable hashed assets, short TTL on index.html",
        "Private static asset bucket served only through the CDN",
        "Cache invalidation as a pipeline step after each deploy",
      ];
    case "api":
      return [
        "Health endpoints: /healthz (liveness, the process only) and /readyz (readiness, dependencies)",
        `Performance target ${p95} and ${t.availability}% availability, load-tested in ${envs[0] ?? "staging"} before production`,
        `Horizontal autoscaling on CPU with at least ${t.availability >= 99.95 ? 3 : 2} replicas and a PodDisruptionBudget`,
        "TLS at the ingress",
      ];
    case "queue":
      return [
        `Queue/broker (${quoteWords(m)}) with a dead-letter queue`,
        "Worker autoscaling on queue depth or consumer lag",
        "Alerts on oldest-message age and dead-letter growth",
      ];
    case "storage":
      return [
        "Encrypted, versioned bucket with a public access block and lifecycle rules",
        "Uploads and downloads through short-lived signed URLs; no public objects",
        `Replication or backup that meets RPO ${humanDuration(t.rpo)}`,
      ];
    case "auth":
      return [
        "Signing keys and credentials in the secret manager, mounted read-only and rotated",
        "Rate limiting on the authentication endpoints; TLS everywhere",
        "Audit log of authentication events",
      ];
    case "disaster_recovery":
      return [
        `Backup schedule and retention that meet RPO ${humanDuration(t.rpo)}`,
        `Restore runbook and a restore drill that meets RTO ${humanDuration(t.rto)}`,
        "Failover procedure written down and tested",
      ];
    case "cicd":
      return [
        "Build, test and security scan (SAST, image scan) on every push",
        `Deploy ${envs.join(" → ")} in order, production behind an approval`,
        "Automatic rollback when the post-deploy health check fails",
      ];
    case "observability":
      return [
        "Metrics scraped from every service, one dashboard per service",
        `SLOs: ${t.availability}% availability and ${p95}, with burn-rate alerts routed to on-call`,
        "Centralised structured logs with correlation ids",
      ];
    default:
      return [];
  }
}

function teamsFor(story: Story, needs: readonly Need[], envs: readonly string[], t: Targets): { requires: TeamDependency[]; provides: TeamDependency[] } {
  const has = (id: string) => needs.find((n) => n.id === id);
  const said = (n: Need | undefined) => (n && n.words.length > 0 ? ` (the story: ${n.words.slice(0, 3).map((w) => `"${w}"`).join(", ")})` : "");
  const requires: TeamDependency[] = [];
  const provides: TeamDependency[] = [];
  const service = ["api", "queue", "auth", "storage"].map(has).find((n) => n !== undefined);
  if (service) {
    requires.push({ team: "backend", what: `Application configuration, environment variables and /healthz + /readyz endpoints${said(service)}; the p95 < ${t.p95Ms} ms budget per endpoint` });
    provides.push({ team: "backend", what: `Deployment environments (${envs.join(", ")}), secrets injection and per-service dashboards` });
  }
  const fe = has("frontend");
  if (fe) {
    requires.push({ team: "frontend", what: `Build command, output directory and cache rules for the static assets${said(fe)}` });
    provides.push({ team: "frontend", what: "CDN, static asset bucket and cache invalidation on deploy" });
  }
  const db = has("database");
  if (db) {
    requires.push({ team: "database", what: `Schema migrations runnable as a pipeline step, expected size and connection count, backup/restore requirements${said(db)}` });
    provides.push({ team: "database", what: `Managed database (Multi-AZ, encrypted) with point-in-time backups meeting RPO ${humanDuration(t.rpo)} and a migration step in the pipeline` });
  }
  const ml = has("ml_gpu");
  if (ml) {
    requires.push({ team: "ai", what: `Model artifacts, GPU type and memory, serving runtime and expected inference load${said(ml)}` });
    provides.push({ team: "ai", what: "GPU node pool and a model serving deployment with GPU dashboards" });
  }
  const criteria = story.acceptanceCriteria.length;
  if (criteria > 0) {
    requires.push({ team: "qa", what: `Automated tests for the story's ${criteria} acceptance ${criteria === 1 ? "criterion" : "criteria"}, runnable in the pipeline` });
    provides.push({ team: "qa", what: `Test environment (${envs[0] ?? "staging"}) and post-deploy validation before production` });
  }
  return { requires, provides };
}

function priorityWarnings(story: Story, matched: string | undefined): string[] {
  if (matched === undefined) {
    return [
      story.priority === undefined || story.priority.trim() === ""
        ? "no-priority: the story has no priority; the task is medium"
        : `no-priority: the story's priority "${story.priority}" is not recognised; the task is medium (known: Highest/High/Medium/Low/Lowest, P0–P4, Critical, Blocker, BLOCKED)`,
    ];
  }
  if (matched === "blocked") return [`story-blocked: the story's priority is "${story.priority ?? ""}"; the task is high and cannot start until the story is unblocked`];
  return [];
}

/** Derive the DevOps task for a story. Pure and deterministic. */
export function deriveTask(story: Story, opts: DeriveOptions): Derivation {
  const givenEnvs = [...new Set(opts.environments ?? [])];
  const envs = givenEnvs.length > 0 ? givenEnvs : [...DEFAULT_ENVIRONMENTS];
  const allText = storyFields(story)
    .map(([, t]) => t)
    .join("\n");
  const { targets, stated } = readTargets(allText);
  const { priority, matched } = mapPriority(story.priority);

  const matches = matchNeeds(story);
  const needs: Need[] = matches.map((m) => ({
    id: m.rule.id,
    reason: describeHits(m),
    words: m.hits.map((h) => h.word),
    work: workFor(m.rule.id, targets, envs, m),
    taskType: m.rule.taskType,
  }));
  const { requires, provides } = teamsFor(story, needs, envs, targets);

  const warnings: string[] = [];
  if (givenEnvs.length === 0) warnings.push(`no-environments: no environments given; the task and task files assume ${envs.join(", ")}`);
  if (!stated.p95) warnings.push(`no-performance-target: the story states no p95 latency target; ${targets.p95Ms} ms (default) used`);
  if (!stated.availability) warnings.push(`no-availability-target: the story states no availability target; ${targets.availability}% (default) used`);
  if (!stated.rto) warnings.push(`no-rto: the story states no RTO; ${humanDuration(targets.rto)} (default) used`);
  if (!stated.rpo) warnings.push(`no-rpo: the story states no RPO; ${humanDuration(targets.rpo)} (default) used`);
  warnings.push(...priorityWarnings(story, matched));
  if (story.acceptanceCriteria.length === 0) warnings.push("no-acceptance-criteria: the story has no acceptance criteria; the task's criteria come from its needs only");

  const compliance = COMPLIANCE.filter((w) => findWord(allText, w).length > 0);
  const clouds = [...new Set(CLOUDS.filter(([w]) => findWord(allText, w).length > 0).map(([, c]) => c))];
  const teams = TEAMS.filter((t) => requires.some((r) => r.team === t) || provides.some((p) => p.team === t));
  const est = complexity({
    needs: needs.map((n) => n.id).filter((id) => INFRA_NEEDS.has(id)),
    teams,
    disasterRecovery: needs.some((n) => n.id === "database" || n.id === "disaster_recovery"),
    compliance: compliance.length > 0,
    strictTargets: targets.availability >= 99.95 || targets.p95Ms <= 200,
  });

  const labels = [...new Set(["devops", "infrastructure", ...matches.flatMap((m) => m.rule.labels)])];
  const app = slug(story.title, 26);
  const tasks = taskFiles({
    story,
    app,
    project: slug(story.title, 16),
    environments: envs,
    environmentsGiven: givenEnvs.length > 0,
    targets,
    priority,
    needs,
    text: allText,
  });

  const body = renderBody({
    story,
    needs,
    requires,
    provides,
    targets,
    stated,
    environments: envs,
    environmentsGiven: givenEnvs.length > 0,
    priority,
    compliance,
    clouds,
    complexity: est,
    warnings,
    tasks,
  });

  const draft: TaskDraft = {
    // A title read from a file or a tracker is neutralised, not refused: control,
    // bidi and zero-width characters become visible escapes; it is cut to fit a tracker's summary.
    title: `${escapeLabel(story.title, 240)} - DevOps`,
    body,
    labels,
    priority,
    storyPoints: est.storyPoints,
    idempotencyKey: idempotencyKey(opts.tracker, story.id),
  };
  return { draft, needs, requires, provides, targets, warnings, complexity: { score: est.score, factors: est.factors }, tasks };
}


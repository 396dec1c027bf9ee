/**
 * What a story needs from DevOps, found by word-aware keyword matching over
 * its title, description, acceptance criteria, labels and components.
 * Pure: no disk, network or clock.
 */
import type { Story } from "../../core/stories/types.js";

export type TaskType = "devops.terraform" | "devops.kubernetes" | "devops.cicd" | "devops.monitoring" | "devops.alerting" | "devops.incident_runbook";

export type KnownNeedId = "database" | "ml_gpu" | "frontend" | "api" | "queue" | "storage" | "auth" | "disaster_recovery" | "cicd" | "observability";

export interface Need {
  id: KnownNeedId | (string & {});
  /** The words in the story that triggered it, and where they are. */
  reason: string;
  /** The matched words, as the story writes them (deduplicated, case-insensitively). */
  words: string[];
  /** Concrete DevOps work for this story. */
  work: string[];
  taskType: TaskType;
}

/** Where in the story a word was found. */
export type Field = "title" | "description" | "acceptance criteria" | "labels" | "components";

export interface NeedRule {
  id: KnownNeedId;
  /** Phrases matched as whole words, case-insensitively; a trailing "s" (plural) is allowed. */
  keywords: readonly string[];
  taskType: TaskType;
  /** Added whatever the story says (CI/CD and monitoring). */
  always?: string;
  /** Task labels this need adds. */
  labels: readonly string[];
}

/**
 * The catalogue, in the order needs are reported. Bare ambiguous words are
 * left out on purpose: "model" (data model), "migration" (a file migration),
 * "dashboard" (a monitoring dashboard), "rest" (the rest of), "secret"
 * (secret management is every service's), "page", "table", "go".
 */
export const NEED_RULES: readonly NeedRule[] = [
  {
    id: "database",
    keywords: ["database", "db", "postgres", "postgresql", "mysql", "mariadb", "sql", "rds", "aurora", "mongodb", "dynamodb", "redis", "schema migration", "database migration", "read replica", "data warehouse"],
    taskType: "devops.terraform",
    labels: ["database"],
  },
  {
    id: "ml_gpu",
    keywords: ["ml", "machine learning", "gpu", "cuda", "model serving", "inference", "model training", "training job", "llm", "embedding", "ai model", "ml model", "pytorch", "tensorflow", "neural network", "recommendation engine"],
    taskType: "devops.terraform",
    labels: ["gpu", "ml"],
  },
  {
    id: "frontend",
    keywords: ["frontend", "front-end", "front end", "ui", "user interface", "web app", "webapp", "web page", "react", "vue", "angular", "svelte", "next.js", "spa", "single-page app", "static site", "static asset", "css", "browser"],
    taskType: "devops.terraform",
    labels: ["frontend", "cdn"],
  },
  {
    id: "api",
    keywords: ["api", "restful", "rest api", "graphql", "grpc", "endpoint", "http service", "microservice", "backend service", "web service", "webhook", "openapi"],
    taskType: "devops.kubernetes",
    labels: ["api", "kubernetes"],
  },
  {
    id: "queue",
    keywords: ["queue", "message queue", "kafka", "rabbitmq", "sqs", "sns", "pub/sub", "pubsub", "event bus", "message broker", "background job", "worker", "async processing", "stream processing"],
    taskType: "devops.kubernetes",
    labels: ["queue", "kubernetes"],
  },
  {
    id: "storage",
    keywords: ["file upload", "upload", "s3", "bucket", "object storage", "blob storage", "blob", "attachment", "media file", "file storage"],
    taskType: "devops.terraform",
    labels: ["storage"],
  },
  {
    id: "auth",
    keywords: ["auth", "authentication", "authorization", "login", "log in", "sign in", "sign-in", "sso", "oauth", "oauth2", "oidc", "jwt", "password", "mfa", "2fa", "rbac", "api key"],
    taskType: "devops.kubernetes",
    labels: ["security"],
  },
  {
    id: "disaster_recovery",
    keywords: ["disaster recovery", "dr", "backup", "restore", "failover", "rto", "rpo", "recovery time objective", "recovery point objective", "business continuity"],
    taskType: "devops.incident_runbook",
    labels: ["disaster-recovery"],
  },
  {
    id: "cicd",
    keywords: ["ci/cd", "cicd", "ci", "cd", "pipeline", "deploy", "deployment", "release", "github actions", "gitlab ci", "jenkins", "blue-green", "canary", "rollback", "zero-downtime"],
    taskType: "devops.cicd",
    always: "every story ships through a pipeline",
    labels: ["ci-cd"],
  },
  {
    id: "observability",
    keywords: ["monitoring", "observability", "alerting", "alert", "metrics", "logging", "logs", "tracing", "slo", "sla", "latency", "uptime", "availability", "p95", "p99", "on-call"],
    taskType: "devops.monitoring",
    always: "every deployed service is monitored",
    labels: ["monitoring"],
  },
];

/** Letters and digits; a keyword must not touch one on either side. */
const WORD_CHAR = "[\\p{L}\\p{N}]";

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A regex matching `phrase` as whole words: "api" matches "API" and "APIs"
 * but not "rapid"; spaces and hyphens in the phrase match a space, a hyphen
 * or an underscore.
 */
export function wordPattern(phrase: string): RegExp {
  const body = phrase
    .split(/[\s-]+/)
    .map(escape)
    .join("[\\s_-]+");
  return new RegExp(`(?<!${WORD_CHAR})${body}(?:e?s)?(?!${WORD_CHAR})`, "giu");
}

const PATTERNS = new Map<string, RegExp>(NEED_RULES.flatMap((r) => r.keywords.map((k) => [k, wordPattern(k)] as const)));

/** Every occurrence of `phrase` in `text`, as written. */
export function findWord(text: string, phrase: string): string[] {
  return findSpans(text, phrase).map((s) => s.word);
}

interface Span {
  start: number;
  end: number;
  word: string;
}

function findSpans(text: string, phrase: string): Span[] {
  const re = PATTERNS.get(phrase) ?? wordPattern(phrase);
  re.lastIndex = 0;
  return [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length, word: m[0] }));
}

/** Drop spans inside a longer one: "CI" and "CD" inside "CI/CD", "Database" inside "Database migration". */
function outermost(spans: Span[]): Span[] {
  return spans.filter((s) => !spans.some((o) => o !== s && o.start <= s.start && s.end <= o.end && o.end - o.start > s.end - s.start));
}

/** The story's text by field. Fenced code blocks are left out: paths and config samples are not requirements. */
export function storyFields(story: Story): [Field, string][] {
  const description = story.description.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, " ");
  return [
    ["title", story.title],
    ["description", description],
    ["acceptance criteria", story.acceptanceCriteria.map((c) => c.text).join("\n")],
    ["labels", story.labels.join("\n")],
    ["components", story.components.join("\n")],
  ];
}

export interface Match {
  rule: NeedRule;
  /** Matched words with the fields they were found in, in first-seen order. */
  hits: { word: string; fields: Field[] }[];
}

/** Which rules the story triggers, with the words that triggered each. */
export function matchNeeds(story: Story): Match[] {
  const fields = storyFields(story);
  const out: Match[] = [];
  for (const rule of NEED_RULES) {
    const hits = new Map<string, { word: string; fields: Field[] }>();
    for (const [field, text] of fields) {
      const spans = outermost(rule.keywords.flatMap((k) => findSpans(text, k))).sort((a, b) => a.start - b.start);
      for (const { word } of spans) {
        const key = word.toLowerCase().replace(/[\s_-]+/g, " ");
        const hit = hits.get(key) ?? { word, fields: [] };
        if (!hit.fields.includes(field)) hit.fields.push(field);
        hits.set(key, hit);
      }
    }
    if (hits.size > 0 || rule.always !== undefined) out.push({ rule, hits: [...hits.values()] });
  }
  return out;
}

/** "matched "Database migration" (description), "RDS" (labels)", or the always-reason. */
export function describeHits(match: Match, limit = 6): string {
  const listed = match.hits.slice(0, limit).map((h) => `"${h.word}" (${h.fields.join(", ")})`);
  const more = match.hits.length > limit ? ` and ${match.hits.length - limit} more` : "";
  const matched = listed.length > 0 ? `matched ${listed.join(", ")}${more}` : "";
  if (match.rule.always !== undefined) return matched ? `always (${match.rule.always}); ${matched}` : `always: ${match.rule.always}`;
  return matched;
}

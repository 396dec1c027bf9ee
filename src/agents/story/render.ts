/**
 * The task description: the `/doe` task template (`.claude/commands/doe.md`), section by section, filled for
 * this story. Sections are built as a small model (heading + blocks) and
 * rendered to markdown at the end.
 */
import type { Priority, Story } from "../../core/stories/types.js";
import { escapeLabel } from "../../core/text.js";
import { FIBONACCI, type ComplexityFactor } from "./estimate.js";
import type { Need } from "./needs.js";
import { humanDuration, type Targets } from "./targets.js";
import type { TaskFile } from "./tasks.js";

type Block = { kind: "p"; text: string } | { kind: "list"; items: string[] } | { kind: "checks"; items: string[] } | { kind: "ordered"; items: string[] };

interface Section {
  title: string;
  level: 2 | 3;
  blocks: Block[];
}

export interface RenderInput {
  story: Story;
  needs: Need[];
  requires: { team: string; what: string }[];
  provides: { team: string; what: string }[];
  targets: Targets;
  stated: { p95: boolean; availability: boolean; rto: boolean; rpo: boolean };
  environments: string[];
  environmentsGiven: boolean;
  priority: Priority;
  compliance: string[];
  clouds: string[];
  complexity: { score: number; factors: ComplexityFactor[]; storyPoints: number };
  warnings: string[];
  tasks: TaskFile[];
}

const NEED_TITLES: Record<string, string> = {
  database: "Database",
  ml_gpu: "ML / GPU",
  frontend: "Frontend",
  api: "API",
  queue: "Queue / workers",
  storage: "Object storage",
  auth: "Authentication",
  disaster_recovery: "Disaster recovery",
  cicd: "CI/CD",
  observability: "Monitoring & observability",
};

const TEAM_COMMANDS: Record<string, string> = {
  backend: "/backend-developer",
  frontend: "/frontend-developer",
  database: "/database-developer",
  ai: "/ai-developer",
  qa: "/qa-engineer",
};

const INFRA = ["database", "ml_gpu", "frontend", "api", "queue", "storage", "auth"];

const p = (text: string): Block => ({ kind: "p", text });
const list = (items: string[]): Block => ({ kind: "list", items });
const checks = (items: string[]): Block => ({ kind: "checks", items });

function title(n: Need): string {
  return NEED_TITLES[n.id] ?? n.id;
}

/** Inline text from the story: one line, no markdown-breaking newlines. */
function inline(s: string): string {
  return escapeLabel(s.replace(/\s+/g, " ").trim(), 300);
}

function source(stated: boolean, text: string): string {
  return stated ? `${text} (from the story)` : `${text} (default: the story states none)`;
}

function devopsCriterion(text: string, t: Targets, stage: string): string {
  const q = `"${inline(text)}"`;
  if (/(?<![\p{L}])(latency|performance|p9\d|response time|throughput|load)(?![\p{L}])/iu.test(text)) return `Load test in ${stage} confirms ${q} within p95 < ${t.p95Ms} ms`;
  if (/(?<![\p{L}])(backups?|restore|recovery|failover|dr)(?![\p{L}])/iu.test(text)) return `Restore drill confirms ${q} within RTO ${humanDuration(t.rto)}`;
  if (/(?<![\p{L}])(deploy\w*|release\w*|rollbacks?|pipelines?)(?![\p{L}])/iu.test(text)) return `Pipeline run to ${stage} demonstrates ${q}`;
  return `${q} holds after an automated deploy to ${stage} (pipeline smoke test or QA sign-off)`;
}

function sections(r: RenderInput): Section[] {
  const { story, needs, targets: t, environments: envs } = r;
  const has = (id: string) => needs.find((n) => n.id === id);
  const infra = needs.filter((n) => INFRA.includes(n.id));
  const stage = envs[0] ?? "staging";
  const fileOf = (n: Need) => r.tasks[needs.indexOf(n)]?.file;
  const out: Section[] = [];

  out.push({
    title: "Story Context",
    level: 2,
    blocks: [
      list([
        `Original Story: ${story.id} - ${inline(story.title)}`,
        `Related to: ${story.epic !== undefined && story.epic !== "" ? inline(story.epic) : "no epic"}`,
        `Source: ${story.source}`,
        `Story priority: ${story.priority !== undefined ? inline(story.priority) : "none"} → task priority ${r.priority}`,
      ]),
    ],
  });

  out.push({
    title: "DevOps Requirements",
    level: 2,
    blocks: [
      p("Derived from the story's words (the matched words are quoted):"),
      list(needs.map((n) => `**${title(n)}** (\`${n.taskType}\`): ${n.reason}. ${n.work[0] ?? ""}`.trim())),
    ],
  });

  const k8s = needs.some((n) => n.taskType === "devops.kubernetes");
  const cloud = r.clouds.length > 0 ? `${r.clouds.join(", ")} (named in the story)` : "AWS (assumed: the story names no cloud)";
  out.push({
    title: "Technical Specifications",
    level: 2,
    blocks: [],
  });
  out.push({
    title: "Platform & Tools",
    level: 3,
    blocks: [
      list([
        `Container platform: Docker images${k8s ? " on Kubernetes (`devops.kubernetes`)" : ""}`,
        `Cloud provider: ${cloud}, provisioned with Terraform${needs.some((n) => n.taskType === "devops.terraform") ? " (`devops.terraform`)" : ""}`,
        `CI/CD platform: GitHub Actions (\`devops.cicd\`)`,
        "Monitoring stack: Prometheus, Grafana and OpenTelemetry (`devops.monitoring`)",
        `Environments: ${envs.join(", ")}${r.environmentsGiven ? "" : " (assumed: none were given)"}`,
      ]),
    ],
  });

  const infraBlocks: Block[] = [];
  if (infra.length === 0) infraBlocks.push(p("The story names no database, frontend, API, queue, storage, auth or GPU work; the infrastructure is the pipeline and monitoring below."));
  for (const n of infra) {
    const f = fileOf(n);
    infraBlocks.push(p(`**${title(n)}**${f ? ` — starting task \`${f}\`` : ""}`), list(n.work));
  }
  out.push({ title: "Infrastructure Requirements", level: 2, blocks: infraBlocks });

  const stages = ["**Build & test**: lint, unit and integration tests on every push", "**Security scan**: SAST and container image scan; the build fails on critical findings", "**Artifact**: image built once, pushed by digest"];
  if (has("database")) stages.push("**Migrate**: database schema migrations run before the rollout (expand/contract)");
  if (has("ml_gpu")) stages.push("**Model**: model artifact version pinned and pulled by the serving deployment");
  stages.push(`**Deploy**: ${envs.join(" → ")}, production behind an approval; rollback when the health check fails`);
  if (has("frontend")) stages.push("**CDN**: static assets uploaded, then the CDN cache invalidated");
  out.push({
    title: "CI/CD Pipeline Specification",
    level: 2,
    blocks: [{ kind: "ordered", items: stages }, p(`Starting task: \`${fileOf(has("cicd") ?? needs[0]!) ?? "cicd"}\`.`)],
  });

  const metrics = ["Request rate, errors and duration (RED) for every service", "CPU, memory and restarts per pod"];
  if (has("database")) metrics.push("Database connections, replication lag, storage free and backup age");
  if (has("ml_gpu")) metrics.push("GPU utilisation, GPU memory and inference latency");
  if (has("queue")) metrics.push("Queue depth, oldest-message age and dead-letter count");
  if (has("frontend")) metrics.push("CDN hit ratio and 4xx/5xx at the edge");
  if (has("auth")) metrics.push("Failed logins and token errors");
  out.push({
    title: "Monitoring & Observability",
    level: 2,
    blocks: [
      list([
        `SLOs: availability ${t.availability}% and latency p95 < ${t.p95Ms} ms over 30 days, with multi-window burn-rate alerts`,
        ...metrics,
        "Health checks: liveness and readiness probes; structured logs with correlation ids",
      ]),
    ],
  });

  const security = ["Secrets from the secret manager, never in the image or the repository", "TLS on every public endpoint; least-privilege IAM roles per service"];
  if (has("database")) security.push("Database in private subnets, encrypted at rest, reachable only from the application's security group");
  if (has("storage") || has("frontend")) security.push("Buckets private with a public access block; objects reached through the CDN or signed URLs");
  if (has("auth")) security.push("Signing keys rotated; rate limits and audit logging on authentication");
  if (has("ml_gpu")) security.push("GPU nodes tainted and isolated; model artifacts checksummed");
  security.push(r.compliance.length > 0 ? `Compliance named in the story: ${r.compliance.join(", ")} — audit logging and retention to match` : "No compliance regime named in the story; standard audit logging and retention apply");
  out.push({ title: "Security & Compliance", level: 2, blocks: [list(security)] });

  const deps: Block[] = [];
  deps.push(p("**Requires:**"), list(r.requires.length > 0 ? r.requires.map((d) => `${TEAM_COMMANDS[d.team] ?? d.team} - ${d.what}`) : ["No other team: the story touches no team's area."]));
  deps.push(p("**Provides:**"), list(r.provides.length > 0 ? r.provides.map((d) => `${TEAM_COMMANDS[d.team] ?? d.team} - ${d.what}`) : ["Nothing to other teams beyond the pipeline and monitoring."]));
  const blocked = r.warnings.some((w) => w.startsWith("story-blocked:"));
  deps.push(
    p("**Blocking/Blocked Status:**"),
    list([`BLOCKS: production deployment of "${inline(story.title)}"`, blocked ? `BLOCKED BY: the story itself ("${inline(story.priority ?? "")}")` : "BLOCKED BY: nothing recorded"]),
  );
  out.push({ title: "Cross-Team Dependencies", level: 2, blocks: deps });

  const scaling: string[] = [];
  if (has("api")) scaling.push(`Horizontal autoscaling on CPU, at least ${t.availability >= 99.95 ? 3 : 2} replicas`);
  if (has("queue")) scaling.push("Workers scale on queue depth");
  if (has("database")) scaling.push("Database: storage autoscaling, connection pooling, read replicas");
  if (has("ml_gpu")) scaling.push("GPU node pool scales from zero on pending GPU pods");
  if (has("frontend")) scaling.push("CDN serves static assets from the edge");
  if (scaling.length === 0) scaling.push("No scaling-sensitive component named in the story; default two replicas");
  out.push({
    title: "Performance & Scaling Requirements",
    level: 2,
    blocks: [
      list([
        `**Response time**: ${source(r.stated.p95, `p95 < ${t.p95Ms} ms`)}`,
        `**Availability**: ${source(r.stated.availability, `${t.availability}%`)}`,
        `**Recovery**: ${source(r.stated.rto, `RTO < ${humanDuration(t.rto)}`)}, ${source(r.stated.rpo, `RPO < ${humanDuration(t.rpo)}`)}`,
      ]),
      list(scaling),
    ],
  });

  const dr: string[] = [];
  if (has("database")) dr.push(`Database: automated backups with point-in-time recovery, 14 days, restore within RTO ${humanDuration(t.rto)}`);
  if (has("storage")) dr.push(`Object storage: versioning plus replication or backup meeting RPO ${humanDuration(t.rpo)}`);
  const drNeed = has("disaster_recovery");
  if (drNeed) dr.push(`The story asks for recovery work (${drNeed.words.slice(0, 4).map((w) => `"${w}"`).join(", ")}): runbook and drill in \`${fileOf(drNeed) ?? "the incident task"}\``);
  dr.push("Infrastructure and configuration versioned in Git; environments rebuildable from code");
  dr.push(`A restore drill before production meets RTO ${humanDuration(t.rto)} and RPO ${humanDuration(t.rpo)}`);
  out.push({ title: "Disaster Recovery & Backup", level: 2, blocks: [list(dr)] });

  const ac: Block[] = [];
  if (story.acceptanceCriteria.length > 0) {
    ac.push(p("From the story's acceptance criteria:"), checks(story.acceptanceCriteria.map((c) => devopsCriterion(c.text, t, stage))));
  }
  const own = [`Pipeline deploys ${envs.join(" → ")} and rolls back on a failed health check`];
  for (const n of infra) own.push(`${title(n)}: ${n.work[0] ?? "provisioned"}`);
  own.push(`Dashboards and alerts live for availability ${t.availability}% and p95 < ${t.p95Ms} ms`);
  if (has("database") || drNeed) own.push(`Restore tested within RTO ${humanDuration(t.rto)} / RPO ${humanDuration(t.rpo)}`);
  ac.push(p("DevOps:"), checks(own));
  out.push({ title: "Acceptance Criteria", level: 2, blocks: ac });

  const dod = ["Infrastructure code reviewed and applied through the pipeline", `Deployed to ${envs.join(", ")} and stable`, "Security scan clean of critical findings"];
  if (r.tasks.length > 0) dod.push(`Starting tasks generated and reviewed: ${r.tasks.map((f) => `\`${f.file}\``).join(", ")}`);
  dod.push("Runbook written for the services this story adds");
  out.push({ title: "Definition of Done", level: 2, blocks: [checks(dod)] });

  out.push({
    title: "Estimate",
    level: 2,
    blocks: [
      p(`**${r.complexity.storyPoints} story points**: complexity score ${r.complexity.score}, rounded up to the scale ${FIBONACCI.join(", ")}.`),
      list(r.complexity.factors.map((f) => `${f.name}: +${f.points}`)),
      p("Formula: base 2 (pipeline and monitoring) + 2 per derived need (3 for ML/GPU) + 1 per team depended on + 2 for disaster recovery + 1 for compliance + 1 for strict targets (≥ 99.95% or p95 ≤ 200 ms)."),
    ],
  });

  if (r.warnings.length > 0) out.push({ title: "Missing Configuration", level: 2, blocks: [list(r.warnings)] });
  return out;
}

function renderBlock(b: Block): string {
  switch (b.kind) {
    case "p":
      return b.text;
    case "list":
      return b.items.map((i) => `- ${i}`).join("\n");
    case "checks":
      return b.items.map((i) => `- [ ] ${i}`).join("\n");
    case "ordered":
      return b.items.map((i, n) => `${n + 1}. ${i}`).join("\n");
  }
}

export function renderBody(r: RenderInput): string {
  const parts = ["# DevOps Engineering Task"];
  for (const s of sections(r)) {
    parts.push(`${"#".repeat(s.level)} ${s.title}`);
    for (const b of s.blocks) parts.push(renderBlock(b));
  }
  return parts.join("\n\n") + "\n";
}

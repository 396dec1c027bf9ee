/**
 * Starting `devops.*` task files, one per need, for `--tasks-out`: typed
 * inputs built here and serialised with `yaml` at the end. Each is meant to
 * pass its specialist's schema as written; values the story cannot supply
 * (the image, the cloud account) are placeholders named in a comment.
 */
import { Document } from "yaml";
import type { Priority, Story } from "../../core/stories/types.js";
import type { Need, TaskType } from "./needs.js";
import type { Targets } from "./targets.js";

/** Lower-case words of `text` joined by '-', cut at a word boundary to at most `max` characters. */
export function slug(text: string, max: number): string {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  let out = "";
  for (const w of words) {
    const next = out ? `${out}-${w}` : w;
    if (next.length > max) break;
    out = next;
  }
  if (out === "" && words[0] !== undefined) out = words[0].slice(0, max);
  // Names must start with a letter.
  if (!/^[a-z]/.test(out)) out = `s-${out}`.slice(0, max).replace(/-+$/, "");
  return out === "s" || out === "" ? "app" : out;
}

export interface TaskContext {
  story: Story;
  /** Kubernetes/service name (DNS label, ≤ 26 characters: SLO names add "-availability"). */
  app: string;
  /** Terraform project name (≤ 16 characters, room for environment and resource names). */
  project: string;
  environments: string[];
  environmentsGiven: boolean;
  targets: Targets;
  priority: Priority;
  needs: Need[];
  /** Words the story uses, lower-case, for small choices (mysql vs postgres, python vs node). */
  text: string;
}

export interface TaskFile {
  file: string;
  content: string;
}

type Input = Record<string, unknown>;

const has = (ctx: TaskContext, id: string) => ctx.needs.some((n) => n.id === id);
const mentions = (ctx: TaskContext, word: string) => new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, "iu").test(ctx.text);

/** A placeholder image: a version tag (the schema refuses latest), replaced by what CI pushes. */
const image = (app: string) => `registry.example.com/${app}:0.1.0`;

function projectType(ctx: TaskContext): string {
  if (mentions(ctx, "python|django|flask|fastapi")) return "python";
  if (mentions(ctx, "java|spring|kotlin")) return "java";
  if (mentions(ctx, "golang")) return "go";
  if (mentions(ctx, "typescript|node\\.js|nodejs|node")) return has(ctx, "frontend") && has(ctx, "api") ? "typescript_fullstack" : "node";
  return "container";
}

function cicdInput(ctx: TaskContext): Input {
  return { project_type: projectType(ctx), name: ctx.app, environments: ctx.environments };
}

function observabilityInput(ctx: TaskContext): Input {
  const kind = has(ctx, "api") || has(ctx, "frontend") ? "http" : has(ctx, "queue") ? "worker" : "http";
  const tier = ctx.priority === "highest" || ctx.priority === "high" || ctx.targets.availability >= 99.95 ? "critical" : "standard";
  const services: Input[] = [{ name: ctx.app, kind, tier }];
  if (has(ctx, "database")) services.push({ name: `${ctx.app}-db`, kind: "database", tier });
  const slos: Input[] =
    kind === "http"
      ? [
          { name: `${ctx.app}-availability`, service: ctx.app, objective: ctx.targets.availability, window: "30d" },
          {
            name: `${ctx.app}-latency`,
            service: ctx.app,
            description: `95% of requests faster than ${ctx.targets.p95Ms} ms (p95 target).`,
            objective: 95,
            window: "30d",
            sli: { latency: { histogram: "http_request_duration_seconds", threshold_seconds: ctx.targets.p95Ms / 1000 } },
          },
        ]
      : [
          {
            name: `${ctx.app}-processing`,
            service: ctx.app,
            objective: ctx.targets.availability,
            window: "30d",
            sli: { ratio: { bad: `jobs_failed_total{job="${ctx.app}"}`, total: `jobs_processed_total{job="${ctx.app}"}` } },
          },
        ];
  return { services, slos, environments: ctx.environments };
}

function terraformInput(ctx: TaskContext, need: Need): Input {
  const base = { name: ctx.project, environments: ctx.environments };
  switch (need.id) {
    case "database":
      return {
        ...base,
        resources: [
          { type: "vpc", name: "network" },
          {
            type: "rds",
            name: "db",
            engine: mentions(ctx, "mysql|mariadb") ? "mysql" : "postgres",
            multi_az: true,
            backup_retention_days: 14,
            deletion_protection: true,
          },
        ],
      };
    case "ml_gpu":
      return {
        ...base,
        resources: [
          { type: "vpc", name: "network" },
          {
            type: "eks_cluster",
            name: "ml",
            node_groups: [
              { name: "general", instance_types: ["m6i.large"], min_size: 2, max_size: 6, desired_size: 2 },
              { name: "gpu", instance_types: ["g5.xlarge"], min_size: 0, max_size: 4, desired_size: 1, labels: { workload: "gpu" } },
            ],
          },
        ],
      };
    case "frontend":
      return { ...base, resources: [{ type: "s3_bucket", name: "assets", noncurrent_version_expiration_days: 30 }] };
    case "storage":
      return { ...base, resources: [{ type: "s3_bucket", name: "files", transition_to_ia_days: 90 }] };
    default:
      return { ...base, resources: [{ type: "vpc", name: "network" }] };
  }
}

function kubernetesInput(ctx: TaskContext, need: Need): Input {
  const replicasMin = ctx.targets.availability >= 99.95 ? 3 : 2;
  const common = { environments: ctx.environments, metrics: { port: 9090 } };
  switch (need.id) {
    case "queue":
      return {
        name: `${ctx.app}-worker`,
        image: image(`${ctx.app}-worker`),
        ...common,
        autoscaling: { min: replicasMin, max: 10, cpu_target: 70 },
      };
    case "auth":
      return {
        name: ctx.app,
        image: image(ctx.app),
        ...common,
        probes: { type: "http", liveness: "/healthz", readiness: "/readyz" },
        secrets: [{ secret: `${ctx.app}-auth`, mount_path: `/var/run/secrets/${ctx.app}-auth` }],
        autoscaling: { min: replicasMin, max: 10, cpu_target: 70 },
      };
    default:
      return {
        name: ctx.app,
        image: image(ctx.app),
        ...common,
        probes: { type: "http", liveness: "/healthz", readiness: "/readyz" },
        autoscaling: { min: replicasMin, max: 10, cpu_target: 70 },
        pdb: { max_unavailable: 1 },
      };
  }
}

function severity(p: Priority): string {
  return p === "highest" ? "critical" : p === "high" ? "high" : p === "medium" ? "medium" : "low";
}

function incidentInput(ctx: TaskContext): Input {
  const services: Input[] = [{ name: ctx.app, kind: has(ctx, "queue") && !has(ctx, "api") ? "worker" : "http" }];
  if (has(ctx, "database")) services.push({ name: `${ctx.app}-db`, kind: "database" });
  const types = has(ctx, "database") ? ["data_loss", "database_connection_failure"] : ["deployment_failure", "dependency_outage"];
  return { incident_types: types, services, severity: severity(ctx.priority), environments: ctx.environments };
}

function inputFor(ctx: TaskContext, need: Need): Input {
  const t: TaskType = need.taskType;
  switch (t) {
    case "devops.cicd":
      return cicdInput(ctx);
    case "devops.monitoring":
      return observabilityInput(ctx);
    case "devops.terraform":
      return terraformInput(ctx, need);
    case "devops.kubernetes":
      return kubernetesInput(ctx, need);
    case "devops.incident_runbook":
      return incidentInput(ctx);
    case "devops.alerting":
      return { services: [{ name: ctx.app, kind: "http" }], environments: ctx.environments };
  }
}

/** Placeholders the user must replace, per task type. */
function placeholders(need: Need, ctx: TaskContext): string[] {
  const out: string[] = [];
  if (need.taskType === "devops.kubernetes") out.push("image: replace registry.example.com/… with the image your pipeline pushes");
  if (need.taskType === "devops.terraform") out.push("region and account_id: set them for your AWS account (region defaults to us-east-1)");
  if (need.id === "frontend") out.push("CDN: devops.terraform has no CloudFront resource yet; put the distribution in front of the assets bucket by hand");
  if (!ctx.environmentsGiven) out.push(`environments: none were given; ${ctx.environments.join(", ")} is assumed`);
  return out;
}

/** One starting task file per need, named `<story>-<need>.yaml`. */
export function taskFiles(ctx: TaskContext): TaskFile[] {
  const storySlug = slug(ctx.story.id, 40).replace(/^s-/, "") || "story";
  return ctx.needs.map((need) => {
    const doc = new Document({ task: { type: need.taskType, input: inputFor(ctx, need) } });
    const lines = [
      ` Generated by devops-pack story ${ctx.story.id} — review before running.`,
      ` Need: ${need.id} (${need.reason})`,
      ...need.work.map((w) => ` - ${w}`),
      ...placeholders(need, ctx).map((p) => ` TODO ${p}`),
    ];
    doc.commentBefore = lines.join("\n");
    return { file: `${storySlug}-${need.id.replace(/_/g, "-")}.yaml`, content: doc.toString({ lineWidth: 0 }) };
  });
}

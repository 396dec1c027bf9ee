import type { Evaluation } from "../../types.js";
import type { Job } from "../model.js";
import { scalarText } from "../parse.js";
import { events, fail, ghaRule, jobResource, jobScope, pass, soc2 } from "./common.js";

/** Events an outside contributor can cause: fork pull requests, comments, issues, stars, forks. */
const FORK_REACHABLE = [
  "pull_request",
  "pull_request_target",
  "pull_request_review",
  "pull_request_review_comment",
  "issue_comment",
  "issues",
  "discussion",
  "discussion_comment",
  "workflow_run",
  "fork",
  "watch",
];

function labels(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

/** Why the job runs on a self-hosted runner, or undefined. */
function selfHosted(job: Job): string | undefined {
  const v = job.runsOn?.value;
  if (v === undefined || v === null) return undefined;
  if (typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (labels(o.labels).includes("self-hosted")) return "its labels include self-hosted";
    if (o.group !== undefined) return `it runs in the runner group ${scalarText(o.group) ?? "(expression)"}`;
    return undefined;
  }
  const ls = labels(v);
  if (ls.includes("self-hosted")) return "runs-on names self-hosted";
  const expr = ls.find((l) => /\$\{\{\s*matrix\.([\w-]+)\s*\}\}/.test(l));
  if (expr !== undefined && job.matrix !== null && typeof job.matrix === "object") {
    const key = /matrix\.([\w-]+)/.exec(expr)![1]!;
    const values = JSON.stringify((job.matrix as Record<string, unknown>)[key] ?? (job.matrix as Record<string, unknown>).include ?? null);
    if (values.includes("self-hosted")) return `the matrix puts it on self-hosted (${expr})`;
  }
  return undefined;
}

/** `if: github.event.pull_request.head.repo.full_name == github.repository` keeps fork PRs off the job. */
function sameRepositoryOnly(job: Job): boolean {
  const cond = job.if ?? "";
  return /head\.repo\.full_name\s*==\s*github\.repository|github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork/.test(cond);
}

export const selfHostedRunnerRule = ghaRule(
  {
    id: "DP-GHA-011",
    severity: "medium",
    title: "Self-hosted runners are not exposed to fork activity",
    message: "A job that fork pull requests, issues or comments can trigger runs on a self-hosted runner, where untrusted code can persist between jobs and reach the runner's network.",
    recommendation:
      "Use GitHub-hosted (or ephemeral, just-in-time) runners for fork-triggerable workflows, require approval for outside contributors, or guard the job with `if: github.event.pull_request.head.repo.full_name == github.repository`.",
    fix: "jobs:\n  test:\n    runs-on: ubuntu-24.04   # GitHub-hosted for pull requests from forks",
    aliases: ["self-hosted-runner"],
    compliance: [soc2("CC6.6", false), soc2("CC6.8", false)],
  },
  (wf) => {
    const ev = events(wf);
    const trigger = FORK_REACHABLE.find((t) => ev.has(t));
    if (trigger === undefined) return [];
    const out: Evaluation[] = [];
    for (const job of wf.jobs) {
      if (job.uses !== undefined) continue;
      const resource = jobResource(job);
      const why = selfHosted(job);
      const at = job.runsOn ?? job;
      if (why === undefined || sameRepositoryOnly(job)) out.push(pass("DP-GHA-011", wf, resource, at, jobScope(job)));
      else out.push(fail("DP-GHA-011", wf, resource, at, `Job ${job.id} runs on a self-hosted runner (${why}) in a workflow triggered by ${trigger}, which outside contributors can cause.`, jobScope(job)));
    }
    return out;
  },
);

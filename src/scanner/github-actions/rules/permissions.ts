import type { Evaluation } from "../../types.js";
import type { Permissions, Workflow } from "../model.js";
import { events, fail, ghaRule, jobResource, jobScope, pass, soc2 } from "./common.js";

const LEAST_PRIVILEGE_FIX = "permissions:\n  contents: read\njobs:\n  release:\n    permissions:\n      contents: write   # only the job that needs it";

/** A workflow only ever called by other workflows gets its token from the caller. */
function reusableOnly(wf: Workflow): boolean {
  const ev = events(wf);
  return ev.size === 1 && ev.has("workflow_call");
}

function broad(p: Permissions): string | undefined {
  if (p.kind === "write-all") return "write-all (every scope, including contents, packages and id-token, can write)";
  if (p.kind === "read-all") return "read-all (every scope, including private code and security events, can be read)";
  return undefined;
}

export const broadPermissionsRule = ghaRule(
  {
    id: "DP-GHA-003",
    severity: "high",
    title: "Token permissions are not broader than the jobs need",
    message: "The GITHUB_TOKEN is granted write-all or read-all, or write scopes at the workflow level that every job inherits.",
    recommendation: "Set `permissions: {}` or `contents: read` at the top of the workflow and grant write scopes only to the jobs that use them.",
    fix: LEAST_PRIVILEGE_FIX,
    aliases: ["excessive-permissions", "CKV2_GHA_1"],
    compliance: [soc2("CC6.1", true), soc2("CC6.3", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    const top = wf.permissions;
    if (top) {
      const b = broad(top);
      const allJobsExplicit = wf.jobs.every((j) => j.permissions !== undefined);
      const writes = Object.entries(top.scopes).filter(([, v]) => v === "write");
      if (b) out.push(fail("DP-GHA-003", wf, "workflow", top, `The workflow grants ${b} to every job.`, undefined, LEAST_PRIVILEGE_FIX));
      else if (writes.length > 0 && wf.jobs.length > 1 && !allJobsExplicit && !reusableOnly(wf)) {
        const [first] = writes[0]!;
        out.push(
          fail(
            "DP-GHA-003",
            wf,
            "workflow",
            top.scopePositions[first] ?? top,
            `The workflow grants ${writes.map(([k]) => `${k}: write`).join(", ")} at the top level, so all ${wf.jobs.length} jobs get ${writes.length === 1 ? "it" : "them"}, not only the one that needs ${writes.length === 1 ? "it" : "them"}.`,
            undefined,
            LEAST_PRIVILEGE_FIX,
          ),
        );
      } else out.push(pass("DP-GHA-003", wf, "workflow", top));
    }
    for (const job of wf.jobs) {
      if (!job.permissions) continue;
      const b = broad(job.permissions);
      if (b) out.push(fail("DP-GHA-003", wf, jobResource(job), job.permissions, `Job ${job.id} grants ${b}.`, jobScope(job), LEAST_PRIVILEGE_FIX));
      else out.push(pass("DP-GHA-003", wf, jobResource(job), job.permissions, jobScope(job)));
    }
    return out;
  },
);

export const missingPermissionsRule = ghaRule(
  {
    id: "DP-GHA-004",
    severity: "medium",
    title: "Every job declares its token permissions",
    message: "A job runs with the repository's default GITHUB_TOKEN permissions because neither the workflow nor the job sets `permissions:`.",
    recommendation: "Declare `permissions:` at the top of every workflow (`contents: read` or `{}`) and widen per job; the repository default is read-write on many repositories and organisations.",
    fix: "permissions:\n  contents: read",
    aliases: ["excessive-permissions"],
    compliance: [soc2("CC6.1", true), soc2("CC6.3", false)],
  },
  (wf) => {
    // In a workflow only ever called by others, normal jobs get the caller's token; calls still need their own grant.
    const jobs = reusableOnly(wf) ? wf.jobs.filter((j) => j.uses !== undefined) : wf.jobs;
    return jobs.map((job) => {
      if (wf.permissions || job.permissions) return pass("DP-GHA-004", wf, jobResource(job), job.permissions ?? wf.permissions ?? job, jobScope(job));
      return fail("DP-GHA-004", wf, jobResource(job), job, `Job ${job.id} gets the default GITHUB_TOKEN permissions: the workflow has no permissions: block and neither does the job.`, jobScope(job));
    });
  },
);

import type { Evaluation } from "../../types.js";
import { locateIn } from "../parse.js";
import { allSteps, events, fail, ghaRule, parseUses, pass, soc2, stepResource, stepScope } from "./common.js";

/** Triggers that run with the base repository's token and secrets while carrying data from a fork. */
const PRIVILEGED = ["pull_request_target", "workflow_run", "issue_comment"];
/** Expressions that name the pull request's (fork's) code. */
const HEAD_CODE =
  /github\.event\.pull_request\.head\.(sha|ref)\b|github\.head_ref\b|github\.event\.workflow_run\.(head_sha|head_branch|head_commit\.id)\b|github\.event\.pull_request\.merge_commit_sha\b|github\.event\.workflow_run\.pull_requests|refs\/pull\/|\bpull\/\$\{\{[^}]*\}\}\/(head|merge)\b/i;
const HEAD_REPO = /github\.event\.pull_request\.head\.repo\.(full_name|clone_url|ssh_url)|github\.event\.workflow_run\.head_repository\.(full_name|clone_url)/i;
const SCRIPTED_CHECKOUT = /\bgh\s+pr\s+checkout\b|\bgit\s+(fetch|checkout|switch|pull|clone)\b[^\n]*(\$\{\{[^}]*(head|pull_request|workflow_run)[^}]*\}\}|refs\/pull\/|pull\/\S+\/(head|merge))/i;

export const untrustedCheckoutRule = ghaRule(
  {
    id: "DP-GHA-005",
    severity: "critical",
    title: "Privileged workflows do not check out pull-request code",
    message: "A pull_request_target, workflow_run or issue_comment workflow checks out the pull request's head: fork code runs with the base repository's secrets and write token.",
    recommendation:
      "Build untrusted code in a `pull_request` workflow (no secrets, read-only token) and pass results as artifacts; keep the privileged workflow to trusted code from the base branch, or split it so no step after the checkout has secrets or write permissions.",
    fix: "on:\n  pull_request:   # runs fork code without secrets\njobs:\n  test:\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@<sha> # v4\n        with:\n          persist-credentials: false",
    aliases: [],
    compliance: [soc2("CC6.8", true), soc2("CC6.1", true), soc2("CC8.1", true)],
  },
  (wf) => {
    const ev = events(wf);
    const trigger = PRIVILEGED.find((t) => ev.has(t));
    if (trigger === undefined) return [];
    const out: Evaluation[] = [];
    for (const { job, step } of allSteps(wf)) {
      const resource = stepResource(job, step);
      if (step.uses && parseUses(step.uses.value).repo === "actions/checkout") {
        const ref = step.with.ref;
        const repo = step.with.repository;
        const refText = typeof ref?.value === "string" ? ref.value : "";
        const repoText = typeof repo?.value === "string" ? repo.value : "";
        if (HEAD_CODE.test(refText) || HEAD_REPO.test(repoText)) {
          out.push(
            fail(
              "DP-GHA-005",
              wf,
              resource,
              HEAD_CODE.test(refText) ? ref! : repo!,
              `${resource} checks out the pull request's code (${HEAD_CODE.test(refText) ? refText : repoText}) in a ${trigger} workflow, which runs with the base repository's secrets and token.`,
              stepScope(step),
            ),
          );
        } else out.push(pass("DP-GHA-005", wf, resource, step.uses, stepScope(step)));
        continue;
      }
      const scripted = step.run ? SCRIPTED_CHECKOUT.exec(step.run.value) : null;
      if (step.run && scripted) {
        out.push(fail("DP-GHA-005", wf, resource, locateIn(wf, step.run, scripted[0]), `${resource} fetches and checks out pull-request code in a ${trigger} workflow, which runs with the base repository's secrets and token.`, stepScope(step)));
      }
    }
    return out;
  },
);

export const dangerousTriggerRule = ghaRule(
  {
    id: "DP-GHA-006",
    severity: "medium",
    title: "The workflow avoids pull_request_target and workflow_run",
    message: "The workflow uses pull_request_target or workflow_run, which run in the base repository's privileged context while reacting to fork activity.",
    recommendation:
      "Prefer pull_request (and workflow_call instead of workflow_run); if the privileged trigger is needed, never run or check out fork code in it, treat every event field as untrusted, and keep permissions minimal.",
    fix: "on:\n  pull_request:\n    types: [opened, synchronize, edited]",
    aliases: ["dangerous-triggers"],
    compliance: [soc2("CC6.8", false), soc2("CC8.1", false)],
  },
  (wf) => {
    const bad = wf.triggers.filter((t) => t.event === "pull_request_target" || t.event === "workflow_run");
    if (bad.length === 0) return [pass("DP-GHA-006", wf, "workflow", wf.on)];
    return bad.map((t) => fail("DP-GHA-006", wf, "workflow", t, `The workflow is triggered by ${t.event}: it runs with the base repository's secrets and write token on events a fork can cause.`));
  },
);

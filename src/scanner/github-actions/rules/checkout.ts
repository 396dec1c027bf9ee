import type { Evaluation } from "../../types.js";
import { allSteps, fail, ghaRule, parseUses, pass, soc2, stepResource, stepScope } from "./common.js";

export const persistCredentialsRule = ghaRule(
  {
    id: "DP-GHA-007",
    severity: "medium",
    title: "Checkout does not persist the token",
    message: "actions/checkout keeps the GITHUB_TOKEN in .git/config (persist-credentials defaults to true), where later steps, tools and uploaded artifacts can read it.",
    recommendation: "Set persist-credentials: false; give the token explicitly only to the step that pushes (e.g. through an env variable or a dedicated action input).",
    fix: "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n  with:\n    persist-credentials: false",
    aliases: ["artipacked"],
    compliance: [soc2("CC6.1", false), soc2("CC6.7", false)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    for (const { job, step } of allSteps(wf)) {
      if (!step.uses || parseUses(step.uses.value).repo !== "actions/checkout") continue;
      const resource = stepResource(job, step);
      const persist = step.with["persist-credentials"];
      if (persist !== undefined && (persist.value === false || persist.value === "false")) {
        out.push(pass("DP-GHA-007", wf, resource, persist, stepScope(step)));
        continue;
      }
      const explicit = persist !== undefined;
      out.push(
        fail(
          "DP-GHA-007",
          wf,
          resource,
          persist ?? step.uses,
          `${resource} checks out with persist-credentials ${explicit ? `set to ${String(persist.value)}` : "left at its default (true)"}: the token stays in .git/config for every later step and any artifact that includes the workspace.`,
          stepScope(step),
        ),
      );
    }
    return out;
  },
);

import type { Evaluation } from "../../types.js";
import { fail, ghaRule, jobResource, jobScope, pass, soc2 } from "./common.js";

export const secretsInheritRule = ghaRule(
  {
    id: "DP-GHA-012",
    severity: "low",
    title: "Reusable workflows get only the secrets they need",
    message: "A reusable-workflow call passes `secrets: inherit`, handing every repository and organisation secret to the called workflow.",
    recommendation: "List the secrets the called workflow needs under `secrets:` instead of inheriting all of them.",
    fix: "jobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}",
    aliases: ["secrets-inherit"],
    compliance: [soc2("CC6.1", false), soc2("CC6.3", false)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    for (const job of wf.jobs) {
      if (job.uses === undefined) continue;
      const resource = jobResource(job);
      if (job.secrets?.value === "inherit") out.push(fail("DP-GHA-012", wf, resource, job.secrets, `Job ${job.id} calls ${job.uses.value} with secrets: inherit.`, jobScope(job)));
      else out.push(pass("DP-GHA-012", wf, resource, job.uses, jobScope(job)));
    }
    return out;
  },
);

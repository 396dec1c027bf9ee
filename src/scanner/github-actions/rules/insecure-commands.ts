import type { Evaluation } from "../../types.js";
import type { EnvVar } from "../model.js";
import { fail, ghaRule, jobResource, jobScope, pass, soc2 } from "./common.js";

const NAME = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

function enabling(env: EnvVar[]): EnvVar | undefined {
  return env.find((e) => {
    if (e.name.toUpperCase() !== NAME) return false;
    const v = e.value.value;
    return v === true || v === 1 || (typeof v === "string" && (/^(true|1|yes)$/i.test(v.trim()) || v.includes("${{")));
  });
}

export const insecureCommandsRule = ghaRule(
  {
    id: "DP-GHA-013",
    severity: "high",
    title: "Deprecated set-env/add-path workflow commands stay disabled",
    message: "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables ::set-env and ::add-path, so anything that prints to the log can set environment variables or PATH for later steps.",
    recommendation: "Remove ACTIONS_ALLOW_UNSECURE_COMMANDS and write to $GITHUB_ENV / $GITHUB_PATH instead; upgrade actions that still need the old commands.",
    fix: 'run: echo "$HOME/.local/bin" >> "$GITHUB_PATH"',
    aliases: ["insecure-commands", "CKV_GHA_1"],
    compliance: [soc2("CC6.8", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    const top = enabling(wf.env);
    for (const job of wf.jobs) {
      const resource = jobResource(job);
      const hit = top ?? enabling(job.env) ?? job.container?.env.find((e) => enabling([e])) ?? job.steps.map((s) => enabling(s.env)).find((e) => e !== undefined);
      if (hit) out.push(fail("DP-GHA-013", wf, resource, hit, `${NAME} is enabled for job ${job.id} (line ${hit.line}).`, jobScope(job)));
      else out.push(pass("DP-GHA-013", wf, resource, job, jobScope(job)));
    }
    return out;
  },
);

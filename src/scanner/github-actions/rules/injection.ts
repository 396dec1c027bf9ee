import type { Evaluation } from "../../types.js";
import type { Located } from "../model.js";
import { locateIn } from "../parse.js";
import { allSteps, contextPaths, expressions, ghaRule, parseUses, pass, fail, soc2, stepResource, stepScope } from "./common.js";

/**
 * Context paths whose value an outside contributor controls: issue, pull
 * request, discussion and comment text, commit messages and authors, branch
 * names of the head repository, Pages page names, and workflow_run data
 * copied from them.
 */
const UNTRUSTED: readonly RegExp[] = [
  /^github\.event\.(issue|pull_request|discussion)\.(title|body)$/,
  /^github\.event\.(comment|review|review_comment)\.body$/,
  /^github\.event\.pages\.\*\.page_name$/,
  /^github\.event\.(commits\.\*|head_commit)\.(message|author\.(name|email)|committer\.(name|email))$/,
  /^github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)$/,
  /^github\.head_ref$/,
  /^github\.event\.workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(name|email)|committer\.(name|email)))$/,
  /^github\.event\.workflow_run\.pull_requests\.\*\.head\.ref$/,
  /^github\.event\.merge_group\.head_commit\.(message|author\.(name|email)|committer\.(name|email))$/,
  // Free text anywhere in an event payload: labels, releases, milestones, check-run output, edit history (changes.*).
  /^github\.event\..*\.(title|body|message|description|display_title|page_name|summary|text|note|head_branch|default_branch|head_ref)$/,
  /^github\.event\.(.*\.)?(labels\.\*|label)\.name$/,
  /^github\.event\.(.*\.)?(author|committer)\.(name|email)$/,
  /^github\.event\.changes\..*/,
];
/** Objects that contain such fields: dangerous when serialised whole with toJSON(). */
const UNTRUSTED_OBJECTS = new Set([
  "github",
  "github.event",
  "github.event.issue",
  "github.event.pull_request",
  "github.event.pull_request.head",
  "github.event.comment",
  "github.event.review",
  "github.event.review_comment",
  "github.event.discussion",
  "github.event.head_commit",
  "github.event.commits",
  "github.event.pages",
  "github.event.workflow_run",
]);

/** The untrusted expressions written into `text`. */
export function untrustedExpressions(text: string): { raw: string; path: string }[] {
  const found: { raw: string; path: string }[] = [];
  for (const e of expressions(text)) {
    const serialised = /\btojson\s*\(/i.test(e.expr);
    const path = contextPaths(e.expr).find((p) => UNTRUSTED.some((re) => re.test(p)) || (serialised && UNTRUSTED_OBJECTS.has(p)));
    if (path !== undefined) found.push({ raw: e.raw, path });
  }
  return found;
}

function envName(path: string): string {
  const last = path.split(".").filter((s) => s !== "*").slice(-2).join("_");
  return last.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

export const templateInjectionRule = ghaRule(
  {
    id: "DP-GHA-001",
    severity: "high",
    title: "No untrusted input is expanded into scripts",
    message: "A `${{ }}` expression with attacker-controlled text (issue or PR title/body, comment, branch name, commit message…) is expanded into a run: script or an actions/github-script script.",
    recommendation:
      "Pass the value through env: and use it as a quoted shell variable (\"$TITLE\") or process.env in github-script; the expansion happens before the shell runs, so quoting inside the script does not help.",
    fix: 'env:\n  TITLE: ${{ github.event.issue.title }}\nrun: |\n  echo "$TITLE"',
    aliases: ["template-injection", "CKV_GHA_2"],
    compliance: [soc2("CC6.8", true), soc2("CC6.1", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    for (const { job, step } of allSteps(wf)) {
      let script: Located<string> | undefined = step.run;
      let where = "run:";
      const uses = step.uses ? parseUses(step.uses.value) : undefined;
      if (script === undefined && uses?.repo === "actions/github-script" && typeof step.with.script?.value === "string") {
        script = step.with.script as Located<string>;
        where = "the github-script script";
      }
      if (script === undefined) continue;
      const resource = stepResource(job, step);
      const bad = untrustedExpressions(script.value);
      if (bad.length === 0) {
        out.push(pass("DP-GHA-001", wf, resource, script, stepScope(step)));
        continue;
      }
      const first = bad[0]!;
      const names = [...new Set(bad.map((b) => b.path))];
      out.push(
        fail(
          "DP-GHA-001",
          wf,
          resource,
          locateIn(wf, script, first.raw),
          `${resource} expands ${names.map((n) => `\${{ ${n} }}`).join(", ")} into ${where}; whoever writes that text can run code with this job's token and secrets.`,
          stepScope(step),
          `env:\n  ${envName(first.path)}: \${{ ${first.path.replace(/\.\*/g, "[0]")} }}\n${where === "run:" ? `run: echo "$${envName(first.path)}"` : `script: console.log(process.env.${envName(first.path)})`}`,
        ),
      );
    }
    return out;
  },
);

/**
 * The GitHub Actions target: workflows in .github/workflows, checked for
 * template injection, unpinned actions, token permissions, dangerous
 * triggers and pull-request checkouts, persisted credentials, cache
 * poisoning, hard-coded credentials, self-hosted runners, inherited secrets
 * and insecure workflow commands.
 */
import type { TargetScanner } from "../types.js";
import type { Workflow } from "./model.js";
import { claimsWorkflow, parseWorkflows } from "./parse.js";
import { GITHUB_ACTIONS_RULES } from "./rules/index.js";

export type { Job, Step, Workflow } from "./model.js";
export { parseWorkflow } from "./parse.js";

export const githubActionsTarget: TargetScanner<Workflow> = {
  target: "github-actions",
  claims: (path) => claimsWorkflow(path),
  parse: parseWorkflows,
  rules: GITHUB_ACTIONS_RULES,
};

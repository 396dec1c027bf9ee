import type { Evaluation } from "../../types.js";
import type { Located, Step } from "../model.js";
import { allSteps, fail, ghaRule, isPinned, jobResource, jobScope, parseUses, pass, soc2, stepResource, stepScope } from "./common.js";

function describeRef(uses: string): string {
  const r = parseUses(uses);
  if (r.kind === "docker") return `the container ${uses} is referenced by tag, not by digest`;
  return r.ref === undefined ? "has no ref at all (the default branch)" : `'${r.ref}' is a branch or tag its owner can move`;
}

function fixFor(uses: string): string {
  const r = parseUses(uses);
  if (r.kind === "docker") return `uses: ${uses.replace(/(:[^/@]+)?(@.*)?$/, "")}@sha256:<64-hex digest>`;
  return `uses: ${r.action}@<40-hex commit SHA> # ${r.ref ?? "vX.Y.Z"}`;
}

export const unpinnedActionRule = ghaRule(
  {
    id: "DP-GHA-002",
    severity: "high",
    title: "Actions and reusable workflows are pinned to a commit SHA",
    message: "An action or reusable workflow is referenced by a tag or branch, which its owner (or whoever compromises it) can move to other code.",
    recommendation: "Pin every third-party action and reusable workflow to a full 40-character commit SHA, keep the version in a comment, and let Dependabot or Renovate update both. Local actions (./…) and containers pinned by @sha256 digest are fine.",
    fix: "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
    aliases: ["unpinned-uses", "CKV_GHA_8"],
    compliance: [soc2("CC8.1", true), soc2("CC6.8", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    const judge = (uses: Located<string>, resource: string, scope: { startLine: number; endLine: number }) => {
      if (isPinned(uses.value)) out.push(pass("DP-GHA-002", wf, resource, uses, scope));
      else out.push(fail("DP-GHA-002", wf, resource, uses, `${resource} uses ${uses.value}: ${describeRef(uses.value)}.`, scope, fixFor(uses.value)));
    };
    for (const job of wf.jobs) if (job.uses) judge(job.uses, jobResource(job), jobScope(job));
    for (const { job, step } of allSteps(wf)) if (step.uses) judge(step.uses, stepResource(job, step), stepScope(step));
    return out;
  },
);

const FIRST_PARTY = new Set(["actions", "github"]);

function passesCredentials(step: Step): string | undefined {
  const values = [...Object.values(step.with), ...step.env.map((e) => e.value)];
  for (const v of values) {
    if (typeof v.value !== "string") continue;
    const m = /\$\{\{\s*(secrets\.[A-Za-z_][\w-]*|github\.token)\s*\}\}/i.exec(v.value);
    if (m) return m[1]!;
  }
  return undefined;
}

export const tokenToUnpinnedRule = ghaRule(
  {
    id: "DP-GHA-015",
    severity: "high",
    title: "Secrets go only to pinned third-party actions",
    message: "A third-party action that is not pinned to a commit SHA receives the GITHUB_TOKEN or another secret.",
    recommendation: "Pin the action to a full commit SHA before handing it credentials (or replace it with a first-party action or a run: step); a moved tag would run new code with the token.",
    fix: "- uses: some-org/some-action@<40-hex commit SHA> # v1.2.3\n  with:\n    token: ${{ secrets.GITHUB_TOKEN }}",
    aliases: [],
    compliance: [soc2("CC6.1", true), soc2("CC8.1", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    for (const { job, step } of allSteps(wf)) {
      if (!step.uses) continue;
      const ref = parseUses(step.uses.value);
      if (ref.kind !== "repository" || FIRST_PARTY.has(ref.repo.split("/")[0]!)) continue;
      const secret = passesCredentials(step);
      if (secret === undefined) continue;
      const resource = stepResource(job, step);
      if (isPinned(step.uses.value)) out.push(pass("DP-GHA-015", wf, resource, step.uses, stepScope(step)));
      else out.push(fail("DP-GHA-015", wf, resource, step.uses, `${resource} hands ${secret} to ${step.uses.value}, which is not pinned to a commit SHA.`, stepScope(step), fixFor(step.uses.value)));
    }
    return out;
  },
);

import type { Evaluation } from "../../types.js";
import type { Job, Step, Workflow } from "../model.js";
import { events, fail, ghaRule, parseUses, pass, soc2, stepResource, stepScope } from "./common.js";

type Inputs = Step["with"];
/**
 * Input values, judged conservatively: an expression (`${{ github.ref == … }}`)
 * may turn caching on, so it counts as "on" for opt-in inputs and as "not
 * off" for opt-out inputs, unless it is the literal `${{ true }}`/`${{ false }}`.
 */
const expr = (v: unknown): string | undefined => (typeof v === "string" && v.includes("${{") ? v.replace(/^\$\{\{\s*|\s*\}\}$/g, "").trim() : undefined);
const truthy = (v: unknown) => {
  const e = expr(v);
  if (e !== undefined) return e !== "false";
  return v === true || (typeof v === "string" && /^(true|yes|1|auto)$/i.test(v));
};
const certainlyTrue = (v: unknown) => (expr(v) !== undefined ? expr(v) === "true" : truthy(v));
const falsy = (v: unknown) => (expr(v) !== undefined ? expr(v) === "false" : v === false || (typeof v === "string" && /^(false|no|0)$/i.test(v)));
const nonEmpty = (v: unknown) => typeof v === "string" && v.trim() !== "" && !falsy(v);
const major = (ref: string | undefined) => Number(/^v?(\d+)/.exec(ref ?? "")?.[1] ?? Number.NaN);

/**
 * Actions that restore a cache, and when they do: opt-in inputs, opt-out
 * inputs and defaults follow each action's action.yml.
 */
const CACHE_AWARE: Record<string, (w: Inputs, ref: string | undefined) => boolean> = {
  "actions/cache": (w) => !certainlyTrue(w["lookup-only"]?.value),
  "actions/setup-java": (w) => nonEmpty(w.cache?.value),
  "actions/setup-go": (w, ref) => (w.cache === undefined ? !(major(ref) < 4) : !falsy(w.cache.value)),
  "actions/setup-node": (w, ref) =>
    (typeof w.cache?.value === "string" && /^(npm|yarn|pnpm)$/.test(w.cache.value)) || (!(major(ref) < 5) && !falsy(w["package-manager-cache"]?.value) && !(w.cache !== undefined && w.cache.value === "")),
  "actions/setup-python": (w) => nonEmpty(w.cache?.value),
  "actions/setup-dotnet": (w) => truthy(w.cache?.value),
  "astral-sh/setup-uv": (w) => truthy(w["enable-cache"]?.value),
  "swatinem/rust-cache": (w) => !certainlyTrue(w["lookup-only"]?.value),
  "ruby/setup-ruby": (w) => truthy(w["bundler-cache"]?.value),
  "pyo3/maturin-action": (w) => truthy(w.sccache?.value),
  "mlugg/setup-zig": (w) => w["use-cache"] === undefined || !falsy(w["use-cache"].value),
  "oven-sh/setup-bun": (w) => !certainlyTrue(w["no-cache"]?.value),
  "determinatesystems/magic-nix-cache-action": (w) => w["use-gha-cache"] === undefined || !falsy(w["use-gha-cache"].value),
  "graalvm/setup-graalvm": (w) => nonEmpty(w.cache?.value),
  "gradle/actions": (w) => !certainlyTrue(w["cache-disabled"]?.value),
  "actions-rust-lang/setup-rust-toolchain": (w) => w.cache === undefined || !falsy(w.cache.value),
  "mozilla-actions/sccache-action": () => true,
  "nix-community/cache-nix-action": () => true,
  "jdx/mise-action": (w) => w.cache === undefined || !falsy(w.cache.value),
  "ramsey/composer-install": (w) => !certainlyTrue(w["ignore-cache"]?.value),
  "awalsh128/cache-apt-pkgs-action": () => true,
};

/** Actions that publish what the job built. */
const PUBLISHERS = new Set([
  "pypa/gh-action-pypi-publish",
  "rubygems/release-gem",
  "jreleaser/release-action",
  "goreleaser/goreleaser-action",
  "softprops/action-gh-release",
  "release-drafter/release-drafter",
  "googleapis/release-please-action",
  "redhat-actions/push-to-registry",
  "aws-actions/amazon-ecs-deploy-task-definition",
  "aws-actions/aws-cloudformation-github-deploy",
  "azure/aci-deploy",
  "azure/container-apps-deploy-action",
  "azure/functions-action",
  "azure/sql-action",
  "cloudflare/wrangler-action",
  "google-github-actions/deploy-appengine",
  "google-github-actions/deploy-cloudrun",
  "google-github-actions/deploy-cloud-functions",
]);
const PUBLISH_COMMANDS = /\b(npm|pnpm|yarn)\s+publish\b|\btwine\s+upload\b|\bcargo\s+publish\b|\bgem\s+push\b|\bdocker\s+(image\s+)?push\b|\bgoreleaser\s+release\b|\bgh\s+release\s+(create|upload)\b/;

function actionKey(uses: string): { key: string; ref: string | undefined } {
  const r = parseUses(uses);
  const lower = r.action.toLowerCase();
  const key = Object.keys(CACHE_AWARE).find((k) => lower === k || lower.startsWith(`${k}/`)) ?? lower;
  return { key, ref: r.ref };
}

function releaseTrigger(wf: Workflow): string | undefined {
  const ev = events(wf);
  if (ev.has("release")) return "release";
  const push = wf.triggers.find((t) => t.event === "push")?.config;
  if (push !== null && typeof push === "object") {
    const p = push as Record<string, unknown>;
    if (p.tags !== undefined || p["tags-ignore"] !== undefined) return "push to tags";
    const branches = Array.isArray(p.branches) ? p.branches : [];
    if (branches.some((b) => typeof b === "string" && b.toLowerCase().includes("release"))) return "push to release branches";
  }
  return undefined;
}

function publisher(job: Job): string | undefined {
  for (const s of job.steps) {
    if (s.uses) {
      const r = parseUses(s.uses.value);
      if (PUBLISHERS.has(r.repo)) return s.uses.value;
      if (r.repo === "docker/build-push-action" && truthy(s.with.push?.value)) return s.uses.value;
    }
    const m = s.run ? PUBLISH_COMMANDS.exec(s.run.value) : null;
    if (m) return m[0];
  }
  return undefined;
}

export const cachePoisoningRule = ghaRule(
  {
    id: "DP-GHA-008",
    severity: "high",
    title: "Release jobs do not restore build caches",
    message: "A job that publishes artifacts (release or tag trigger, or a publishing step) restores a GitHub Actions cache, which any workflow run with a token — including pull-request runs — can have poisoned.",
    recommendation:
      "Turn caching off in release and publishing jobs (cache: '' / lookup-only / enable-cache: false) or build releases from a clean state; keep caches for CI jobs whose output is not published.",
    fix: "- uses: actions/setup-node@<sha> # v4\n  with:\n    node-version: 22\n    # no cache: in the release job",
    aliases: ["cache-poisoning"],
    compliance: [soc2("CC8.1", true), soc2("CC6.8", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    const trigger = releaseTrigger(wf);
    for (const job of wf.jobs) {
      const why = trigger ?? (publisher(job) !== undefined ? `the ${publisher(job)!} step` : undefined);
      if (why === undefined) continue;
      for (const step of job.steps) {
        if (!step.uses) continue;
        const { key, ref } = actionKey(step.uses.value);
        const enabled = CACHE_AWARE[key];
        if (enabled === undefined) continue;
        const resource = stepResource(job, step);
        if (!enabled(step.with, ref)) out.push(pass("DP-GHA-008", wf, resource, step.uses, stepScope(step)));
        else out.push(fail("DP-GHA-008", wf, resource, step.uses, `${resource} restores a cache with ${step.uses.value} in a job that publishes artifacts (${why}): a poisoned cache entry would end up in the release.`, stepScope(step)));
      }
    }
    return out;
  },
);

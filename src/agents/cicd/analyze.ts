/**
 * Pipeline optimization: review existing GitHub Actions workflows and report
 * findings, each with a concrete fix. Pure: the runtime reads the files and
 * passes their contents in.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node } from "yaml";
import type { Finding, Severity } from "../../core/findings.js";
import { canonicalJson } from "../../core/plans/plan.js";
import { readYamlDocument } from "../../core/yaml.js";
import type { Pin } from "./pins.js";
import { PINS } from "./pins.js";

export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  aliases: string[];
}

/** The rules, by stable id. Ids never change meaning; retired ids are not reused. */
export const RULES = {
  unpinned: { id: "DP-CICD-001", title: "Action not pinned to a full commit SHA", severity: "high", aliases: ["unpinned-uses"] },
  permissions: { id: "DP-CICD-002", title: "Missing or broad token permissions", severity: "medium", aliases: ["excessive-permissions"] },
  timeout: { id: "DP-CICD-003", title: "Job without timeout-minutes", severity: "low", aliases: [] },
  cache: { id: "DP-CICD-004", title: "setup-* action without dependency cache", severity: "low", aliases: [] },
  credentials: { id: "DP-CICD-005", title: "Checkout persists the token in .git/config", severity: "medium", aliases: ["artipacked"] },
  injection: { id: "DP-CICD-006", title: "Untrusted input interpolated into a script", severity: "high", aliases: ["template-injection"] },
  concurrency: { id: "DP-CICD-007", title: "No concurrency group", severity: "low", aliases: [] },
  redundant: { id: "DP-CICD-008", title: "Redundant jobs", severity: "low", aliases: [] },
  malformed: { id: "DP-CICD-009", title: "Workflow file cannot be parsed", severity: "medium", aliases: [] },
} as const satisfies Record<string, Rule>;

type Path = (string | number)[];

interface Ctx {
  file: string;
  doc: Document;
  lines: LineCounter;
  findings: Finding[];
}

/** Line of the key (or sequence item) at `path`; the nearest existing ancestor when it is missing. */
function lineAt(ctx: Ctx, path: Path): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const last = path[n - 1];
    const parent = ctx.doc.getIn(path.slice(0, n - 1), true);
    if (typeof last === "string" && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return ctx.lines.linePos(range[0]).line;
    } else if (typeof last === "number" && isSeq(parent)) {
      const range = (parent.items[last] as Node | undefined)?.range;
      if (range) return ctx.lines.linePos(range[0]).line;
    }
  }
  return undefined;
}

function report(ctx: Ctx, rule: Rule, at: Path, resource: string, message: string, recommendation: string, fix: string, severity?: Severity): void {
  const line = lineAt(ctx, at);
  ctx.findings.push({
    ruleId: rule.id,
    severity: severity ?? rule.severity,
    message,
    recommendation,
    fix,
    resource,
    file: ctx.file,
    ...(line !== undefined ? { line } : {}),
    aliases: [...rule.aliases],
  });
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function asSteps(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

const SHA = /^[0-9a-f]{40}$/;

/** `owner/repo[/path]@ref` → [action, ref]; undefined for local and docker refs. */
function splitUses(uses: string): { action: string; ref: string | undefined } | undefined {
  if (uses.startsWith("./") || uses.startsWith("docker://")) return undefined;
  const at = uses.lastIndexOf("@");
  return at < 0 ? { action: uses, ref: undefined } : { action: uses.slice(0, at), ref: uses.slice(at + 1) };
}

function knownPin(action: string): Pin | undefined {
  return Object.values(PINS).find((p: Pin) => p.repo.toLowerCase() === action.toLowerCase());
}

function checkUses(ctx: Ctx, uses: string, at: Path, resource: string): void {
  if (uses.startsWith("docker://")) {
    if (!/@sha256:[0-9a-f]{64}$/.test(uses)) {
      report(
        ctx,
        RULES.unpinned,
        at,
        resource,
        `${resource} runs the container ${uses} by tag; a tag can be moved to different contents.`,
        "Pin container actions to an image digest.",
        `uses: ${uses.replace(/(:[^/@]+)?$/, "")}@sha256:<64-hex digest>  # from: docker buildx imagetools inspect ${uses.slice("docker://".length)}`,
      );
    }
    return;
  }
  const parts = splitUses(uses);
  if (parts === undefined || (parts.ref !== undefined && SHA.test(parts.ref))) return;
  const pin = knownPin(parts.action);
  const major = (ref: string | undefined) => Number(/^v?(\d+)/.exec(ref ?? "")?.[1] ?? Number.NaN);
  // Suggest the pin-table SHA only when it is not older than what the workflow asks for.
  const usePin = pin !== undefined && !(major(parts.ref) > major(pin.tag));
  const fix = usePin ? `uses: ${pin.repo}@${pin.sha} # ${pin.tag}` : `uses: ${parts.action}@<40-hex commit SHA of ${parts.ref ?? "the release"}> # ${parts.ref ?? "vX.Y.Z"}`;
  report(
    ctx,
    RULES.unpinned,
    at,
    resource,
    `${resource} uses ${uses}: ${parts.ref === undefined ? "no ref at all" : `'${parts.ref}' is a tag or branch`}, which its owner (or an attacker who takes over the repository) can move to other code.`,
    "Pin every third-party action to a full 40-character commit SHA and keep the version in a comment; let Dependabot update both.",
    fix,
  );
}

const WRITE_SCOPES_FIX = `permissions:
  contents: read
jobs:
  <job>:
    permissions:
      contents: read
      packages: write   # only the scopes this job needs`;

function checkPermissions(ctx: Ctx, wf: Obj, jobs: [string, Obj][]): void {
  const top = wf.permissions;
  if (top === "write-all" || top === "read-all") {
    report(
      ctx,
      RULES.permissions,
      ["permissions"],
      "workflow",
      `The workflow grants ${top} to the GITHUB_TOKEN: every job gets every scope${top === "write-all" ? ", including write access to code, packages and releases" : ""}.`,
      "Grant contents: read (or {}) at the top and widen per job only where needed.",
      WRITE_SCOPES_FIX,
      top === "write-all" ? "high" : "medium",
    );
  } else if (isObj(top)) {
    const writes = Object.entries(top)
      .filter(([, v]) => v === "write")
      .map(([k]) => k);
    if (writes.length > 0) {
      report(
        ctx,
        RULES.permissions,
        ["permissions"],
        "workflow",
        `The workflow grants ${writes.map((w) => `${w}: write`).join(", ")} to every job.`,
        "Keep workflow-level permissions read-only; move write scopes to the jobs that need them.",
        WRITE_SCOPES_FIX,
      );
    }
  }
  for (const [id, job] of jobs) {
    if (job.permissions === "write-all") {
      report(ctx, RULES.permissions, ["jobs", id, "permissions"], `jobs.${id}`, `Job ${id} grants write-all to the GITHUB_TOKEN.`, "List only the scopes the job needs.", WRITE_SCOPES_FIX, "high");
    }
  }
  if (top === undefined) {
    const open = jobs.filter(([, j]) => j.permissions === undefined).map(([id]) => id);
    if (open.length > 0) {
      report(
        ctx,
        RULES.permissions,
        ["on"],
        "workflow",
        `No permissions are declared for ${open.length === jobs.length ? "the workflow" : `jobs ${open.join(", ")}`}: the GITHUB_TOKEN gets the repository default, which is read-write on many repositories.`,
        "Declare least-privilege permissions at the top of the workflow and widen per job only where needed.",
        "permissions:\n  contents: read",
      );
    }
  }
}

const UNTRUSTED = [
  /github\.event\.(issue|pull_request|discussion|comment|review|review_comment|pages)(\.[\w-]+)*\.(title|body|label|name|ref|default_branch|email|message|page_name|head_ref)\b/,
  /github\.event\.(issue|pull_request)\.head\.(ref|label)\b/,
  /github\.event\.(head_commit|commits\[[^\]]*\]|commits\.\*)\.(message|author\.(email|name))\b/,
  /github\.event\.workflow_run\.(head_branch|head_commit\.message|display_title)\b/,
  /github\.head_ref\b/,
];

function untrustedIn(script: string): string[] {
  const found: string[] = [];
  for (const m of script.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const expr = (m[1] ?? "").trim();
    if (UNTRUSTED.some((re) => re.test(expr))) found.push(expr);
  }
  return found;
}

function checkInjection(ctx: Ctx, script: string, at: Path, resource: string): void {
  const exprs = untrustedIn(script);
  if (exprs.length === 0) return;
  const first = exprs[0] ?? "";
  report(
    ctx,
    RULES.injection,
    at,
    resource,
    `${resource} interpolates ${exprs.map((e) => `\${{ ${e} }}`).join(", ")} into a script; anyone who can open an issue or pull request controls that text and can run commands with the job's token and secrets.`,
    "Pass untrusted values through env: and quote the variable in the script.",
    `env:\n  UNTRUSTED_VALUE: \${{ ${first} }}\nrun: |\n  echo "$UNTRUSTED_VALUE"   # never \${{ }} inside run:`,
  );
}

const SETUP_CACHE: Record<string, { fix: string; defaultOn?: boolean }> = {
  "actions/setup-node": { fix: "with:\n  cache: npm   # or yarn / pnpm" },
  "actions/setup-python": { fix: "with:\n  cache: pip\n  cache-dependency-path: requirements*.txt" },
  "actions/setup-java": { fix: "with:\n  cache: maven   # or gradle / sbt" },
  "actions/setup-go": { fix: "with:\n  cache: true   # the default since setup-go v4; do not set it to false", defaultOn: true },
  "actions/setup-dotnet": { fix: "with:\n  cache: true\n  cache-dependency-path: '**/packages.lock.json'" },
  "ruby/setup-ruby": { fix: "with:\n  bundler-cache: true" },
};

function checkJob(ctx: Ctx, id: string, job: Obj): void {
  const resource = `jobs.${id}`;
  if (typeof job.uses === "string") {
    // A reusable-workflow call: timeouts and steps live in the called workflow.
    checkUses(ctx, job.uses, ["jobs", id, "uses"], resource);
    return;
  }
  if (job["timeout-minutes"] === undefined) {
    report(
      ctx,
      RULES.timeout,
      ["jobs", id],
      resource,
      `Job ${id} has no timeout-minutes: a hung step holds a runner for the default 360 minutes.`,
      "Set timeout-minutes to a few times the job's usual duration.",
      `jobs:\n  ${id}:\n    timeout-minutes: 15`,
    );
  }
  const steps = asSteps(job.steps);
  const usesActions = steps.map((s) => (typeof s.uses === "string" ? (splitUses(s.uses)?.action.toLowerCase() ?? "") : ""));
  const manualCache = usesActions.some((a) => a === "actions/cache" || a.startsWith("actions/cache/"));
  steps.forEach((step, i) => {
    const at: Path = ["jobs", id, "steps", i];
    const stepRes = `${resource}.steps[${i}]`;
    if (typeof step.run === "string") checkInjection(ctx, step.run, [...at, "run"], stepRes);
    if (typeof step.uses !== "string") return;
    checkUses(ctx, step.uses, [...at, "uses"], stepRes);
    const action = usesActions[i] ?? "";
    const withObj = isObj(step.with) ? step.with : {};
    if (action === "actions/github-script" && typeof withObj.script === "string") {
      checkInjection(ctx, withObj.script, [...at, "with", "script"], stepRes);
    }
    if (action === "actions/checkout") {
      const persist = withObj["persist-credentials"];
      if (persist !== false && persist !== "false") {
        report(
          ctx,
          RULES.credentials,
          [...at, "uses"],
          stepRes,
          `${stepRes} checks out with the default persist-credentials: true, which writes the GITHUB_TOKEN into .git/config where later steps and uploaded artifacts can read it.`,
          "Set persist-credentials: false unless a later step pushes with git.",
          "with:\n  persist-credentials: false",
        );
      }
    }
    const setup = SETUP_CACHE[action];
    if (setup !== undefined && !manualCache) {
      const cache = action === "ruby/setup-ruby" ? withObj["bundler-cache"] : withObj.cache;
      const missing = setup.defaultOn === true ? cache === false || cache === "false" : cache === undefined || cache === "" || cache === false || cache === "false";
      if (missing) {
        report(
          ctx,
          RULES.cache,
          [...at, "uses"],
          stepRes,
          `${stepRes} sets up ${action.split("/")[1] ?? action} without a dependency cache, so every run downloads all dependencies again.`,
          "Enable the setup action's built-in cache (keyed on the lockfile).",
          setup.fix,
        );
      }
    }
  });
}

/** Jobs that run the same steps on the same runner with the same matrix do the same work twice. */
function checkRedundant(ctx: Ctx, jobs: [string, Obj][]): void {
  const seen = new Map<string, string>();
  for (const [id, job] of jobs) {
    if (!Array.isArray(job.steps) || job.steps.length === 0) continue;
    const key = canonicalJson({ runsOn: job["runs-on"], steps: job.steps, strategy: job.strategy, container: job.container, services: job.services, env: job.env, if: job.if, environment: job.environment });
    const twin = seen.get(key);
    if (twin === undefined) {
      seen.set(key, id);
      continue;
    }
    report(
      ctx,
      RULES.redundant,
      ["jobs", id],
      `jobs.${id}`,
      `Job ${id} runs exactly the same steps on the same runner as job ${twin}: the work is done twice.`,
      `Remove ${id} and point its dependants at ${twin}, or use a matrix if the two were meant to differ.`,
      `jobs:\n  ${twin}:\n    # keep one copy\n  # ${id}: removed; replace "needs: ${id}" with "needs: ${twin}"`,
    );
  }
}

function triggerNames(on: unknown): string[] {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.filter((x): x is string => typeof x === "string");
  if (isObj(on)) return Object.keys(on);
  return [];
}

function checkConcurrency(ctx: Ctx, wf: Obj, jobs: [string, Obj][]): void {
  if (wf.concurrency !== undefined) return;
  const triggers = triggerNames(wf.on);
  if (!triggers.some((t) => t === "push" || t === "pull_request" || t === "pull_request_target")) return;
  if (jobs.length > 0 && jobs.every(([, j]) => j.concurrency !== undefined)) return;
  report(
    ctx,
    RULES.concurrency,
    ["on"],
    "workflow",
    "The workflow has no concurrency group: every push to a pull request starts another full run while the previous ones keep going.",
    "Add a concurrency group per branch or pull request that cancels superseded runs (but never cancels deploys).",
    "concurrency:\n  group: ${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}\n  cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
  );
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPosition(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    cmp(a.ruleId, b.ruleId) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.resource, b.resource)
  );
}

/** Analyze one workflow file. Malformed YAML is a finding, never a throw. */
export function analyzeWorkflow(file: string, text: string): Finding[] {
  const parsed = readYamlDocument(text, file);
  if (!parsed.ok) {
    const first = parsed.errors[0];
    return [
      {
        ruleId: RULES.malformed.id,
        severity: RULES.malformed.severity,
        message: `${file} is not a valid workflow: ${first?.message ?? "unparseable YAML"}`,
        recommendation: "Fix the YAML; GitHub does not run a workflow it cannot parse.",
        fix: "Check indentation and quoting at the reported line; actionlint pinpoints the problem.",
        resource: "workflow",
        file,
        ...(first?.line !== undefined ? { line: first.line } : {}),
        aliases: [...RULES.malformed.aliases],
      },
    ];
  }
  const { data: wf, doc, lc: lines } = parsed.value;
  if (!isObj(wf) || !isObj(wf.jobs) || doc === undefined) {
    // Not a workflow (e.g. an action.yml or dependabot.yml next to them): nothing to judge.
    return [];
  }
  const ctx: Ctx = { file, doc, lines, findings: [] };
  const jobs = Object.entries(wf.jobs).filter((e): e is [string, Obj] => isObj(e[1]));
  checkPermissions(ctx, wf, jobs);
  checkConcurrency(ctx, wf, jobs);
  for (const [id, job] of jobs) checkJob(ctx, id, job);
  checkRedundant(ctx, jobs);
  return ctx.findings.sort(byPosition);
}


/** Analyze every file given, in path order; findings sorted by file, line, rule. */
export function analyzeWorkflows(files: ReadonlyMap<string, string>): Finding[] {
  const out: Finding[] = [];
  for (const file of [...files.keys()].sort()) out.push(...analyzeWorkflow(file, files.get(file) ?? ""));
  return out.sort(byPosition);
}

export function isWorkflowPath(p: string): boolean {
  return /\.ya?ml$/.test(p);
}

/**
 * The GitHub Issues tracker: a story is an issue, the DevOps task is another
 * issue that references it (a sub-issue link, or a task-list line in the
 * story's body where sub-issues are unavailable).
 *
 * REST endpoints used (API version 2022-11-28, plain fetch through HttpClient):
 * - GET   /repos/{owner}/{repo}/issues/{number}            get an issue (a PR is an issue with `pull_request`)
 * - GET   /repos/{owner}/{repo}/issues?state=all&per_page  list issues, Link-header pagination
 * - POST  /repos/{owner}/{repo}/issues                     create an issue
 * - PATCH /repos/{owner}/{repo}/issues/{number}            update body / close with state_reason
 * - POST  /repos/{owner}/{repo}/issues/{number}/comments   comment
 * - GET   /repos/{owner}/{repo}/issues/{number}/sub_issues list sub-issues
 * - POST  /repos/{owner}/{repo}/issues/{number}/sub_issues add a sub-issue, by issue *id* (not number)
 *
 * GitHub has no priority or story-point fields without Projects, so both are
 * labels: `priority: <p>` and `points: <n>`.
 *
 * Rate limits, as "Rate limits for the REST API" documents them: a 429, or a
 * 403 carrying `retry-after`, or a 403/429 with `x-ratelimit-remaining: 0`
 * (wait until `x-ratelimit-reset`), or a 403 whose message names the
 * secondary rate limit (wait at least a minute). HttpClient treats every 403
 * as a credentials error, so the fetch it uses is wrapped here: a rate-limit
 * 403 reaches it as a 429 with the wait in `retry-after`, and HttpClient's
 * 429 handling (wait, cap, retry limit) applies.
 */
import { DevopsPackError, badInput } from "../core/errors.js";
import type { AcceptanceCriterion, Story, TaskDraft, TaskRef, Tracker } from "../core/stories/types.js";
import type { HttpResponse, RetryPolicy } from "./http.js";
import { HttpClient, retryAfterMs } from "./http.js";
import { checkboxOf } from "./story-markdown.js";

export const GITHUB_API_VERSION = "2022-11-28";
const DEFAULT_API_URL = "https://api.github.com";

/** The fields of GitHub's Issue object this adapter reads. */
export interface GitHubIssue {
  id: number;
  number: number;
  title: string;
  body?: string | null;
  state: "open" | "closed";
  state_reason?: string | null;
  html_url: string;
  labels: (string | { name?: string | null })[];
  milestone?: { title: string } | null;
  pull_request?: unknown;
}

export interface GitHubTrackerOptions {
  token: string;
  /** `owner/repo` */
  repository: string;
  apiUrl?: string;
  policy?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Clock for `x-ratelimit-reset` (epoch seconds). */
  now?: () => number;
  /** Most issues read when listing (listStoryIds, the marker scan). */
  maxIssues?: number;
}

export interface GitHubDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  policy?: Partial<RetryPolicy>;
}

const PER_PAGE = 100;

/** The body marker that carries a task's idempotency key. */
export function idempotencyMarker(key: string): string {
  return `<!-- devops-pack:idempotency-key=${key} -->`;
}

/** `#12` or `12` → 12; anything else → undefined. */
export function issueNumber(id: string): number | undefined {
  const m = /^#?(\d+)$/.exec(id.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function labelNames(issue: GitHubIssue): string[] {
  return issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((l) => l !== "");
}

/**
 * Checkbox items of the body (`- [ ]`, `* [x]`), except task-list lines that only
 * reference an issue (`- [ ] #13`): those track issues, they are not criteria,
 * and empty ones. Each line is read once (the story files' reader), not by an
 * expression that backtracks on a line of spaces (issue 12).
 */
export function checkboxes(body: string): AcceptanceCriterion[] {
  const out: AcceptanceCriterion[] = [];
  for (const line of body.split(/\r?\n/)) {
    const box = checkboxOf(line);
    if (!box || box.text === "" || /^#\d+$/.test(box.text)) continue;
    out.push({ text: box.text, done: box.done });
  }
  return out;
}

/** `priority: high`, `priority/high` → `high`; `P1` → `P1`. */
export function priorityFromLabels(labels: readonly string[]): string | undefined {
  for (const l of labels) {
    const m = /^priority\s*[:/]\s*(.+)$/i.exec(l.trim());
    if (m) return m[1]!.trim();
  }
  return labels.find((l) => /^P[0-4]$/i.test(l.trim()))?.trim();
}

/** One `rel` of a Link header (RFC 8288, as GitHub sends it). */
export function linkRel(header: string | null, rel: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (m && m[2]!.split(/\s+/).includes(rel)) return m[1];
  }
  return undefined;
}

export class GitHubTracker implements Tracker {
  readonly name = "github" as const;
  readonly owner: string;
  readonly repo: string;
  readonly #http: HttpClient;
  readonly #base: URL;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxIssues: number;

  constructor(opts: GitHubTrackerOptions) {
    const [owner, repo, ...rest] = opts.repository.split("/");
    if (!owner || !repo || rest.length > 0) throw badInput(`GITHUB_REPOSITORY must be owner/repo, got '${opts.repository}'.`);
    this.owner = owner;
    this.repo = repo;
    const apiUrl = opts.apiUrl ?? DEFAULT_API_URL;
    this.#base = new URL(apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`);
    this.#sleep = opts.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
    this.#maxIssues = opts.maxIssues ?? 1000;
    this.#http = new HttpClient({
      baseUrl: this.#base.toString(),
      headers: {
        authorization: `Bearer ${opts.token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": GITHUB_API_VERSION,
      },
      secrets: [opts.token],
      credentialVars: ["GITHUB_TOKEN"],
      service: "GitHub",
      fetch: rateLimitAware(opts.fetch ?? fetch, opts.now ?? Date.now),
      sleep: this.#sleep,
      ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
      ...(opts.random !== undefined ? { random: opts.random } : {}),
    });
  }

  /** GITHUB_TOKEN, GITHUB_REPOSITORY (owner/repo), optional GITHUB_API_URL. */
  static fromEnv(env: Record<string, string | undefined>, deps: GitHubDeps = {}): GitHubTracker {
    const missing = ["GITHUB_TOKEN", "GITHUB_REPOSITORY"].filter((k) => !env[k]?.trim());
    if (missing.length > 0) {
      throw badInput(
        `The github tracker needs ${missing.join(" and ")} (missing). Set GITHUB_TOKEN to a token that can read and write issues, and GITHUB_REPOSITORY to owner/repo; GITHUB_API_URL is optional (default ${DEFAULT_API_URL}).`,
        { missing },
      );
    }
    return new GitHubTracker({
      token: env.GITHUB_TOKEN!.trim(),
      repository: env.GITHUB_REPOSITORY!.trim(),
      ...(env.GITHUB_API_URL?.trim() ? { apiUrl: env.GITHUB_API_URL.trim() } : {}),
      ...deps,
    });
  }

  #path(suffix = ""): string {
    return `repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}/issues${suffix}`;
  }

  async getStory(id: string): Promise<Story | undefined> {
    const n = issueNumber(id);
    if (n === undefined) return undefined;
    const issue = await this.#getIssue(n);
    // A pull request is an issue to the REST API, but not a story.
    if (issue === undefined || issue.pull_request !== undefined) return undefined;
    const labels = labelNames(issue);
    const priority = priorityFromLabels(labels);
    return {
      id: String(issue.number),
      title: issue.title,
      description: issue.body ?? "",
      acceptanceCriteria: checkboxes(issue.body ?? ""),
      labels,
      components: labels.filter((l) => /^component\s*:/i.test(l)).map((l) => l.replace(/^component\s*:\s*/i, "").trim()).filter((c) => c !== ""),
      ...(priority !== undefined ? { priority } : {}),
      ...(issue.milestone?.title ? { epic: issue.milestone.title } : {}),
      source: issue.html_url,
    };
  }

  async listStoryIds(): Promise<string[]> {
    const issues = await this.#list(this.#path(), { state: "all", per_page: PER_PAGE });
    return issues.filter((i) => i.pull_request === undefined && !(i.body ?? "").includes("<!-- devops-pack:idempotency-key=")).map((i) => String(i.number));
  }

  async findTask(story: Story, key: string): Promise<TaskRef | undefined> {
    const n = issueNumber(story.id);
    const title = taskTitle(story);
    const marker = idempotencyMarker(key);
    const live = (i: GitHubIssue) => i.pull_request === undefined && !(i.state === "closed" && i.state_reason === "not_planned");
    if (n !== undefined) {
      const subs = await this.#subIssues(n);
      const linked = subs?.find((i) => live(i) && (i.title === title || (i.body ?? "").includes(marker)));
      if (linked) return toRef(linked);
      // The task-list fallback: `- [ ] #13` lines in the story's body.
      for (const ref of taskListRefs(story.description).slice(0, 20)) {
        const issue = await this.#getIssue(ref);
        if (issue && live(issue) && (issue.title === title || (issue.body ?? "").includes(marker))) return toRef(issue);
      }
    }
    const byKey = await this.#findByMarker(key);
    return byKey ? toRef(byKey) : undefined;
  }

  async createTask(story: Story, draft: TaskDraft): Promise<TaskRef> {
    const n = issueNumber(story.id);
    if (n === undefined) throw badInput(`'${story.id}' is not a GitHub issue number.`);
    const labels = [...new Set(["devops", ...draft.labels, `priority: ${draft.priority}`, `points: ${draft.storyPoints}`])];
    const body = [
      draft.body.trimEnd(),
      "",
      "---",
      `Story: #${n}`,
      `Priority: ${draft.priority} · Story points: ${draft.storyPoints}`,
      "",
      idempotencyMarker(draft.idempotencyKey),
      "",
    ].join("\n");

    // A timeout or a 5xx may hide a create that landed: look by key before retrying.
    const task = await this.#http.createOnce(
      async () => (await this.#http.request<GitHubIssue>({ method: "POST", path: this.#path(), body: { title: draft.title, body, labels } })).body,
      () => this.#findByMarker(draft.idempotencyKey),
    );

    // Two concurrent runs may each have created one: the oldest carrying the key wins,
    // and a run whose issue lost closes it and returns the winner (whose run links it).
    const winner = await this.#findByMarker(draft.idempotencyKey);
    if (winner !== undefined && winner.number < task.number) {
      await this.#retire(task, body, draft.idempotencyKey, `Duplicate of #${winner.number}: another devops-pack run created the DevOps task for story #${n} first.`);
      return { ...toRef(winner), existed: true };
    }

    try {
      await this.#link(n, task);
    } catch (e) {
      // GitHub's REST API cannot delete an issue (only an admin, through GraphQL's
      // deleteIssue), so the unlinked task is closed as "not planned" instead, with
      // its marker removed so that the next run does not take it for the task.
      const why = e instanceof Error ? e.message : String(e);
      const code = e instanceof DevopsPackError ? e.code : "TRACKER";
      try {
        await this.#retire(task, body, draft.idempotencyKey, `devops-pack could not link this task to story #${n}, so it was closed as not planned. Reason: ${why}`);
      } catch (closeErr) {
        throw new DevopsPackError(
          code,
          `GitHub: created task #${task.number} but could not link it to story #${n} (${why}), and could not close it (${(closeErr as Error).message}). Close ${task.html_url} by hand.`,
          { task: task.number, story: n },
        );
      }
      throw new DevopsPackError(code, `GitHub: could not link task #${task.number} to story #${n} (${why}); the task was closed as not planned.`, { task: task.number, story: n });
    }
    return toRef(task);
  }

  /** Closes a task as not planned with a comment, its key marker removed so it is never found again. */
  async #retire(task: GitHubIssue, body: string, key: string, comment: string): Promise<void> {
    await this.#http.request({ method: "POST", path: this.#path(`/${task.number}/comments`), body: { body: comment }, idempotent: true });
    await this.#http.request({
      method: "PATCH",
      path: this.#path(`/${task.number}`),
      body: { state: "closed", state_reason: "not_planned", body: body.replace(idempotencyMarker(key), "<!-- devops-pack:retired -->") },
    });
  }

  /** Sub-issue link, or a `- [ ] #task` line in the story when sub-issues are unavailable. */
  async #link(story: number, task: GitHubIssue): Promise<void> {
    const isLinked = async () => ((await this.#subIssues(story)) ?? []).some((i) => i.id === task.id) || undefined;
    const res = await this.#http.createOnce(
      async () => {
        const r = await this.#http.request({ method: "POST", path: this.#path(`/${story}/sub_issues`), body: { sub_issue_id: task.id }, accept: [404, 422] });
        return r.status;
      },
      async () => ((await isLinked()) ? 201 : undefined),
    );
    if (res !== 404 && res !== 422) return;
    // A 422 may be a repeated link that had landed; anything else means no sub-issues here.
    if (res === 422 && (await isLinked())) return;
    const current = await this.#getIssue(story);
    if (current === undefined) throw new DevopsPackError("TRACKER", `GitHub: story #${story} disappeared before the task could be linked.`);
    const text = current.body ?? "";
    if (taskListRefs(text).includes(task.number)) return;
    const line = `- [ ] #${task.number}`;
    await this.#http.request({ method: "PATCH", path: this.#path(`/${story}`), body: { body: text.trimEnd() === "" ? `${line}\n` : `${text.trimEnd()}\n\n${line}\n` } });
  }

  async #getIssue(n: number): Promise<GitHubIssue | undefined> {
    // 404: no such issue; 410: deleted.
    const res = await this.#http.request<GitHubIssue>({ method: "GET", path: this.#path(`/${n}`), accept: [404, 410] });
    return res.status === 200 ? res.body : undefined;
  }

  /** The story's sub-issues, or undefined when the endpoint is unavailable (404). */
  async #subIssues(n: number): Promise<GitHubIssue[] | undefined> {
    try {
      return await this.#list(this.#path(`/${n}/sub_issues`), { per_page: PER_PAGE }, [404]);
    } catch (e) {
      if (e instanceof NotAvailable) return undefined;
      throw e;
    }
  }

  async #findByMarker(key: string): Promise<GitHubIssue | undefined> {
    const marker = idempotencyMarker(key);
    const issues = await this.#list(this.#path(), { state: "all", labels: "devops", per_page: PER_PAGE });
    // The oldest wins when two concurrent runs both created one.
    return issues
      .filter((i) => i.pull_request === undefined && (i.body ?? "").includes(marker) && !(i.state === "closed" && i.state_reason === "not_planned"))
      .sort((a, b) => a.number - b.number)[0];
  }

  /** Every page of a list endpoint, following Link rel="next", up to maxIssues items. */
  async #list(path: string, query: Record<string, string | number>, notFound: number[] = []): Promise<GitHubIssue[]> {
    const out: GitHubIssue[] = [];
    let next: { path: string; query: Record<string, string> } | undefined = { path, query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) };
    while (next !== undefined && out.length < this.#maxIssues) {
      const res: HttpResponse<GitHubIssue[]> = await this.#http.request<GitHubIssue[]>({ method: "GET", path: next.path, query: next.query, accept: notFound });
      if (res.status !== 200) throw new NotAvailable();
      if (!Array.isArray(res.body)) throw new DevopsPackError("TRACKER", `GitHub GET ${next.path} did not answer a list.`);
      out.push(...res.body);
      const link = linkRel(res.headers.get("link"), "next");
      next = link === undefined ? undefined : this.#relative(link);
    }
    return out.slice(0, this.#maxIssues);
  }

  /** A Link URL as a path under the API URL; the token is never sent to another origin. */
  #relative(link: string): { path: string; query: Record<string, string> } {
    const u = new URL(link, this.#base);
    if (u.origin !== this.#base.origin || !u.pathname.startsWith(this.#base.pathname)) {
      throw new DevopsPackError("TRACKER", `GitHub pagination pointed outside ${this.#base.origin}${this.#base.pathname}; refusing to follow it.`);
    }
    return { path: u.pathname.slice(this.#base.pathname.length), query: Object.fromEntries(u.searchParams) };
  }
}

class NotAvailable extends Error {}

function taskTitle(story: Story): string {
  return `${story.title} - DevOps`;
}

function toRef(issue: GitHubIssue): TaskRef {
  return { id: String(issue.number), title: issue.title, location: issue.html_url };
}

/** Issue numbers of `- [ ] #13` task-list lines. */
export function taskListRefs(body: string): number[] {
  const out: number[] = [];
  for (const m of body.matchAll(/^\s*[-*+]\s+\[[ xX]\]\s+#(\d+)\s*$/gm)) out.push(Number(m[1]));
  return out;
}

/**
 * Wraps fetch so that GitHub's rate-limit answers reach HttpClient as a 429 with
 * the wait in `retry-after` (HttpClient would take a 403 for a credentials error):
 * - 403/429 with `retry-after`: that wait;
 * - 403/429 with `x-ratelimit-remaining: 0`: until `x-ratelimit-reset` (epoch seconds);
 * - 403 whose message names a rate limit, with neither header: one minute, as GitHub asks.
 * A 403 without any of these is a permissions error and passes through unchanged.
 */
export function rateLimitAware(inner: typeof fetch, now: () => number = Date.now): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.status !== 403 && res.status !== 429) return res;
    const text = await res.text();
    const rebuilt = (status: number, from: Headers) => {
      const headers = new Headers(from);
      // The body was decoded and is re-sent as is.
      headers.delete("content-length");
      headers.delete("content-encoding");
      return new Response(text, { status, statusText: res.statusText, headers });
    };
    let wait = retryAfterMs(res.headers.get("retry-after"), now());
    if (wait === undefined && res.headers.get("x-ratelimit-remaining") === "0") {
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      if (Number.isFinite(reset) && reset > 0) wait = Math.max(0, reset * 1000 - now());
    }
    if (wait === undefined && res.status === 403 && /rate limit/i.test(text)) wait = 60_000;
    if (wait === undefined) return rebuilt(res.status, res.headers);
    const headers = new Headers(res.headers);
    headers.set("retry-after", String(Math.ceil(wait / 1000)));
    return rebuilt(429, headers);
  };
}

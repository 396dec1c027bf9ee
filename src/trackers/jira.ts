/**
 * The Jira Cloud tracker: REST API v3 over plain fetch, through HttpClient
 * (timeouts, 429 Retry-After, 5xx backoff with jitter, 401/403 naming the
 * variables to set).
 *
 * Endpoints (Atlassian's Jira Cloud platform REST API v3):
 * - GET    /rest/api/3/issue/{key}?fields=…       a story (404 → undefined)
 * - POST   /rest/api/3/search/jql                 JQL search, cursor-paginated (nextPageToken / isLast);
 *                                                 without `fields` it returns only ids, so fields are always asked for
 * - POST   /rest/api/3/issue                      the DevOps task (ADF description, labels, priority, story points)
 * - POST   /rest/api/3/issueLink                  story ↔ task ("Relates" unless JIRA_LINK_TYPE)
 * - DELETE /rest/api/3/issue/{key}                rollback when the link cannot be made
 *
 * Idempotency: the task carries its idempotency key as a label. createTask
 * re-checks before creating; a create whose outcome is unknown (timeout, 5xx)
 * is never repeated before a search by that label has looked for it; and after
 * a create, the label is searched again so that of two concurrent runs the
 * later issue is deleted and both return the earlier one. Jira has no
 * conditional create, and its search index is eventually consistent
 * (Atlassian: search/jql "reconcileIssues"), so exactly-once under concurrency
 * is guaranteed only when each run's search sees the other's issue; this
 * narrows the window to the indexing delay but cannot close it.
 *
 * The API token is only ever inside the Authorization header, which is kept in
 * a private field: it is in no message, error data or debug line.
 */
import { DevopsPackError, badInput } from "../core/errors.js";
import type { Priority, Story, TaskDraft, TaskRef, Tracker } from "../core/stories/types.js";
import { acceptanceCriteriaFromMarkdown, adfToMarkdown, markdownToAdf } from "./adf.js";
import { HttpClient, type RetryPolicy } from "./http.js";

export const JIRA_ENV = ["JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"] as const;

export interface JiraOptions {
  baseUrl: string;
  email: string;
  apiToken: string;
  /** Project key for new tasks; default: the story's project. Also scopes listStoryIds. */
  project?: string;
  /** e.g. customfield_10016; story points are sent only when set. */
  storyPointsField?: string;
  /** Default "Relates". */
  linkType?: string;
  /** Default "Task". */
  issueType?: string;
  policy?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Receives one line per request (method, path, status); never headers. */
  debug?: (line: string) => void;
  /** How many ids listStoryIds reads at most. */
  maxIds?: number;
  /** Searches after an ambiguous create before it is tried again (the index lags). */
  landedChecks?: number;
}

const STORY_FIELDS = ["summary", "description", "labels", "components", "priority", "parent", "issuetype"];
const TASK_FIELDS = ["summary", "labels"];
const PRIORITY: Record<Priority, string> = { highest: "Highest", high: "High", medium: "Medium", low: "Low", lowest: "Lowest" };
const KEY = /^[A-Z][A-Z0-9_]*-[1-9]\d*$/;

interface IssueBean {
  id: string;
  key: string;
  fields?: {
    summary?: string;
    description?: unknown;
    labels?: string[];
    components?: { name?: string }[];
    priority?: { name?: string } | null;
    parent?: { key?: string; fields?: { summary?: string } } | null;
    issuetype?: { name?: string };
  };
}

interface SearchPage {
  issues?: IssueBean[];
  nextPageToken?: string | null;
  isLast?: boolean;
}

export class JiraTracker implements Tracker {
  readonly name = "jira" as const;
  readonly baseUrl: string;
  readonly #http: HttpClient;
  readonly #opts: Omit<JiraOptions, "apiToken" | "email">;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: JiraOptions) {
    const { apiToken, email, ...rest } = opts;
    this.#opts = rest;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.#sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const debug = opts.debug;
    const baseFetch = opts.fetch ?? fetch;
    const loggingFetch: typeof fetch = debug
      ? async (input, init) => {
          const u = new URL(input instanceof Request ? input.url : String(input));
          const line = `Jira ${init?.method ?? "GET"} ${u.pathname}`;
          try {
            const res = await baseFetch(input, init);
            debug(`${line} → ${res.status}`);
            return res;
          } catch (e) {
            debug(`${line} → ${(e as Error).name}`);
            throw e;
          }
        }
      : baseFetch;
    this.#http = new HttpClient({
      baseUrl: this.baseUrl,
      headers: { authorization: `Basic ${Buffer.from(`${email}:${apiToken}`).toString("base64")}` },
      // An error body may echo the request: the token, the pair and its Basic form are redacted from every error.
      secrets: [apiToken, `${email}:${apiToken}`],
      credentialVars: ["JIRA_EMAIL", "JIRA_API_TOKEN"],
      service: "Jira",
      fetch: loggingFetch,
      ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
      ...(opts.sleep !== undefined ? { sleep: opts.sleep } : {}),
      ...(opts.random !== undefined ? { random: opts.random } : {}),
    });
  }

  /** From JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN (+ JIRA_PROJECT, JIRA_STORY_POINTS_FIELD, JIRA_LINK_TYPE). */
  static fromEnv(env: Record<string, string | undefined>, extra: Partial<JiraOptions> = {}): JiraTracker {
    const missing = JIRA_ENV.filter((k) => (env[k] ?? "").trim() === "");
    if (missing.length > 0) {
      throw badInput(
        `The Jira tracker needs ${missing.join(", ")}. Set JIRA_BASE_URL (https://<site>.atlassian.net), JIRA_EMAIL (your Atlassian account) and JIRA_API_TOKEN (an API token from id.atlassian.com), or use --tracker files.`,
        { missing },
      );
    }
    const baseUrl = env.JIRA_BASE_URL!.trim();
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw badInput(`JIRA_BASE_URL is not a URL: expected https://<site>.atlassian.net.`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw badInput(`JIRA_BASE_URL must be an https URL such as https://<site>.atlassian.net.`);
    if (parsed.username !== "" || parsed.password !== "") throw badInput(`JIRA_BASE_URL must not carry credentials; set JIRA_EMAIL and JIRA_API_TOKEN instead.`);
    const points = env.JIRA_STORY_POINTS_FIELD?.trim();
    if (points && !/^customfield_\d+$/.test(points)) throw badInput(`JIRA_STORY_POINTS_FIELD must be a custom field id such as customfield_10016, not '${points}'.`);
    const project = env.JIRA_PROJECT?.trim();
    if (project && !/^[A-Z][A-Z0-9_]*$/.test(project)) throw badInput(`JIRA_PROJECT must be a project key such as OPS, not '${project}'.`);
    return new JiraTracker({
      baseUrl,
      email: env.JIRA_EMAIL!.trim(),
      apiToken: env.JIRA_API_TOKEN!.trim(),
      ...(project ? { project } : {}),
      ...(points ? { storyPointsField: points } : {}),
      ...(env.JIRA_LINK_TYPE?.trim() ? { linkType: env.JIRA_LINK_TYPE.trim() } : {}),
      ...extra,
    });
  }

  browse(key: string): string {
    return `${this.baseUrl}/browse/${key}`;
  }

  async getStory(id: string): Promise<Story | undefined> {
    const key = id.trim().toUpperCase();
    if (!KEY.test(key) && !/^\d+$/.test(key)) return undefined;
    const res = await this.#http.request<IssueBean>({
      method: "GET",
      path: `/rest/api/3/issue/${encodeURIComponent(key)}`,
      query: { fields: STORY_FIELDS.join(",") },
      accept: [404],
    });
    if (res.status === 404) return undefined;
    const issue = res.body;
    const f = issue.fields ?? {};
    const description = adfToMarkdown(f.description);
    const parent = f.parent?.key;
    return {
      id: issue.key,
      title: f.summary ?? issue.key,
      description,
      acceptanceCriteria: acceptanceCriteriaFromMarkdown(description),
      labels: f.labels ?? [],
      components: (f.components ?? []).map((c) => c.name ?? "").filter((n) => n !== ""),
      ...(f.priority?.name ? { priority: f.priority.name } : {}),
      ...(parent ? { epic: f.parent?.fields?.summary ? `${parent} - ${f.parent.fields.summary}` : parent } : {}),
      source: this.browse(issue.key),
    };
  }

  async listStoryIds(): Promise<string[]> {
    const project = this.#opts.project;
    const jql = `${project ? `project = "${project}" AND ` : ""}issuetype = Story ORDER BY key ASC`;
    const issues = await this.#search(jql, ["summary"], this.#opts.maxIds ?? 1000);
    return issues.map((i) => i.key);
  }

  async findTask(story: Story, idempotencyKey: string): Promise<TaskRef | undefined> {
    const jql = `labels = ${quote(idempotencyKey)} OR (issue in linkedIssues(${quote(story.id)}) AND labels = devops AND summary ~ "DevOps") ORDER BY created ASC`;
    const hits = await this.#search(jql, TASK_FIELDS, 50);
    const byKey = hits.find((i) => i.fields?.labels?.includes(idempotencyKey));
    const hit = byKey ?? hits[0];
    return hit ? this.#ref(hit) : undefined;
  }

  async createTask(story: Story, draft: TaskDraft): Promise<TaskRef> {
    // Re-check: another run may have created it since the caller looked.
    const existing = await this.findTask(story, draft.idempotencyKey);
    if (existing) {
      await this.#link(story.id, existing.id);
      return existing;
    }
    const project = this.#opts.project ?? story.id.split("-")[0] ?? "";
    const labels = [...new Set([...draft.labels, draft.idempotencyKey].map(label).filter((l) => l !== ""))];
    const fields: Record<string, unknown> = {
      project: { key: project },
      summary: draft.title.slice(0, 255),
      issuetype: { name: this.#opts.issueType ?? "Task" },
      description: markdownToAdf(draft.body),
      labels,
      priority: { name: PRIORITY[draft.priority] },
    };
    if (this.#opts.storyPointsField) fields[this.#opts.storyPointsField] = draft.storyPoints;

    const mine = await this.#http.createOnce(
      async () => {
        const res = await this.#http.request<{ id: string; key: string }>({ method: "POST", path: "/rest/api/3/issue", body: { fields } });
        return { id: res.body.id, key: res.body.key };
      },
      () => this.#landed(draft.idempotencyKey),
    );

    // Converge with a concurrent run: the earliest issue carrying the key wins.
    // Best effort: when this search fails, the task is still complete once linked.
    let winner = mine;
    const all = await this.#search(`labels = ${quote(draft.idempotencyKey)} ORDER BY created ASC`, TASK_FIELDS, 50, [Number(mine.id)]).catch(() => []);
    const first = [...all].sort((a, b) => Number(a.id) - Number(b.id))[0];
    if (first && first.id !== mine.id) {
      winner = { id: first.id, key: first.key };
      try {
        await this.#http.request({ method: "DELETE", path: `/rest/api/3/issue/${encodeURIComponent(mine.key)}`, accept: [404] });
      } catch (e) {
        throw new DevopsPackError("TRACKER", `A concurrent run created ${winner.key} for this story; deleting this run's duplicate ${mine.key} failed (${(e as Error).message}). Delete ${this.browse(mine.key)} by hand.`, {
          created: mine.key,
          existing: winner.key,
          deleted: false,
        });
      }
    }

    try {
      await this.#link(story.id, winner.key);
    } catch (e) {
      if (winner.key === mine.key) await this.#rollback(mine.key, e);
      throw e;
    }
    return { id: winner.key, title: draft.title, location: this.browse(winner.key), ...(winner.key !== mine.key ? { existed: true } : {}) };
  }

  /** The link is idempotent in Jira (the same link is stored once), so its retries are safe. */
  async #link(storyKey: string, taskKey: string): Promise<void> {
    await this.#http.request({
      method: "POST",
      path: "/rest/api/3/issueLink",
      idempotent: true,
      body: { type: { name: this.#opts.linkType ?? "Relates" }, inwardIssue: { key: storyKey }, outwardIssue: { key: taskKey } },
    });
  }

  /** Deletes a half-made task and throws the cause, saying whether the cleanup worked. */
  async #rollback(key: string, cause: unknown): Promise<never> {
    const why = cause instanceof Error ? cause.message : String(cause);
    try {
      await this.#http.request({ method: "DELETE", path: `/rest/api/3/issue/${encodeURIComponent(key)}`, accept: [404] });
    } catch (e) {
      throw new DevopsPackError("TRACKER", `Created ${key} but could not link it to the story (${why}), and deleting it failed too (${(e as Error).message}). Delete ${this.browse(key)} by hand.`, {
        created: key,
        deleted: false,
      });
    }
    throw new DevopsPackError("TRACKER", `Could not link the new task to the story (${why}); the task ${key} was deleted, so nothing was left half-created.`, { created: key, deleted: true });
  }

  /** After an ambiguous create: did it land? Searches a few times, since the index lags. */
  async #landed(idempotencyKey: string): Promise<{ id: string; key: string } | undefined> {
    const checks = Math.max(1, this.#opts.landedChecks ?? 3);
    for (let i = 0; i < checks; i++) {
      if (i > 0) await this.#sleep(1000 * i);
      const hits = await this.#search(`labels = ${quote(idempotencyKey)} ORDER BY created ASC`, TASK_FIELDS, 50);
      const first = hits[0];
      if (first) return { id: first.id, key: first.key };
    }
    return undefined;
  }

  async #search(jql: string, fields: string[], limit: number, reconcileIssues?: number[]): Promise<IssueBean[]> {
    const out: IssueBean[] = [];
    let nextPageToken: string | undefined;
    for (let page = 0; ; page++) {
      const res = await this.#http.request<SearchPage>({
        method: "POST",
        path: "/rest/api/3/search/jql",
        idempotent: true,
        body: {
          jql,
          fields,
          maxResults: Math.min(100, limit - out.length),
          ...(nextPageToken ? { nextPageToken } : {}),
          ...(reconcileIssues?.length ? { reconcileIssues } : {}),
        },
      });
      out.push(...(res.body.issues ?? []));
      nextPageToken = res.body.nextPageToken ?? undefined;
      // isLast is sometimes absent (JRACLOUD-92184); the token decides. The page cap guards a server that loops.
      if (res.body.isLast === true || !nextPageToken || out.length >= limit || page >= 100) return out.slice(0, limit);
    }
  }

  #ref(issue: IssueBean): TaskRef {
    return { id: issue.key, title: issue.fields?.summary ?? issue.key, location: this.browse(issue.key) };
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, baseUrl: this.baseUrl };
  }
}

/** A JQL string literal. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Jira labels cannot hold spaces. */
function label(s: string): string {
  return s.trim().replace(/\s+/g, "-").slice(0, 255);
}

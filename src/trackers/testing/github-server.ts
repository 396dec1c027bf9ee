/**
 * A local GitHub REST server (node:http) for the GitHub tracker's tests. GitHub
 * cannot be reached from here, so this implements the endpoints the adapter uses
 * as GitHub's REST reference (API version 2022-11-28) describes them:
 *
 * - "REST API endpoints for issues" (docs.github.com/en/rest/issues/issues):
 *   Get an issue (200, 404, 410 "This issue was deleted"; a pull request is an issue
 *   with a `pull_request` key), List repository issues (`state` open|closed|all,
 *   default open; `labels` comma-separated, all must match; `per_page` max 100,
 *   `page`; pull requests included), Create an issue (201 + Location; 422
 *   "Validation Failed" with `errors` when the title is missing), Update an issue
 *   (`state`, `state_reason` completed|not_planned|reopened, `body`, `labels`).
 * - "REST API endpoints for issue comments": Create an issue comment (201).
 * - "REST API endpoints for sub-issues" (docs.github.com/en/rest/issues/sub-issues):
 *   List sub-issues, Add sub-issue (body `sub_issue_id` is the issue's *id*, not its
 *   number; 201; 404 for an unknown parent; 422 for an unknown sub-issue id, an issue
 *   that already has a parent, or an issue added to itself).
 * - "Using pagination in the REST API": a Link header with rel="next", "last",
 *   "first", "prev", absolute URLs.
 * - "Troubleshooting the REST API" / "Authenticating to the REST API": 401
 *   {"message":"Bad credentials"} for a wrong or missing token.
 * - "Rate limits for the REST API": x-ratelimit-* headers on every answer; a 429 or
 *   403 with `retry-after` (secondary limit), a 403 with x-ratelimit-remaining: 0 and
 *   x-ratelimit-reset (primary limit).
 *
 * Error bodies have GitHub's shape: { message, documentation_url, errors?, status }.
 * Faults are queued per route ("POST /issues", "GET /issue", "GET /issues",
 * "PATCH /issue", "POST /sub_issues", "GET /sub_issues", "POST /comments") and each
 * answers one request.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Route = "GET /issue" | "GET /issues" | "POST /issues" | "PATCH /issue" | "POST /sub_issues" | "GET /sub_issues" | "POST /comments";

export type Fault =
  | { kind: "429"; retryAfter: number }
  /** Secondary rate limit: 403 with retry-after (or, without it, only the message). */
  | { kind: "secondary"; retryAfter?: number }
  /** Primary rate limit: 403, x-ratelimit-remaining: 0, x-ratelimit-reset (epoch seconds). */
  | { kind: "primary"; reset: number }
  | { kind: "5xx"; status: 500 | 502 | 503 }
  /** Does the work (e.g. creates the issue), then never answers: the client times out. */
  | { kind: "hang-after-work" }
  /** Answers this status with a GitHub error body, doing nothing. */
  | { kind: "status"; status: number; message: string };

export interface FakeIssue {
  id: number;
  node_id: string;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: "completed" | "not_planned" | "reopened" | null;
  labels: { id: number; name: string; color: string; default: boolean }[];
  milestone: { number: number; title: string } | null;
  pull_request?: { url: string; html_url: string };
  url: string;
  html_url: string;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
}

export interface GitHubServerOptions {
  token: string;
  owner?: string;
  repo?: string;
  /** When false, the sub-issues endpoints answer 404 (as where the feature is unavailable). */
  subIssues?: boolean;
}

const DOCS = "https://docs.github.com/rest";

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  subIssuesEnabled: boolean;
  readonly issues: FakeIssue[] = [];
  readonly comments: FakeComment[] = [];
  /** parent number → sub-issue ids, in order. */
  readonly subIssues = new Map<number, number[]>();
  /** Every request, as "METHOD /path?query". */
  readonly requests: string[] = [];
  /** Issues created through POST /issues (injected faults excluded). */
  creates = 0;
  #faults = new Map<Route, Fault[]>();
  #server: Server | undefined;
  #base = "";
  #nextId = 9_000_001;

  constructor(opts: GitHubServerOptions) {
    this.token = opts.token;
    this.owner = opts.owner ?? "acme";
    this.repo = opts.repo ?? "shop";
    this.subIssuesEnabled = opts.subIssues ?? true;
  }

  get url(): string {
    return this.#base;
  }

  inject(route: Route, ...faults: Fault[]): void {
    this.#faults.set(route, [...(this.#faults.get(route) ?? []), ...faults]);
  }

  /** Adds an issue (or, with `pullRequest`, a pull request) directly. */
  seed(fields: { title: string; body?: string; labels?: string[]; milestone?: string; pullRequest?: boolean; state?: "open" | "closed" }): FakeIssue {
    const number = this.issues.length + 1;
    const issue = this.#make(number, fields.title, fields.body ?? null, fields.labels ?? []);
    if (fields.milestone) issue.milestone = { number: 1, title: fields.milestone };
    if (fields.state) issue.state = fields.state;
    if (fields.pullRequest) {
      issue.pull_request = { url: `${this.#base}/repos/${this.owner}/${this.repo}/pulls/${number}`, html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}` };
      issue.html_url = issue.pull_request.html_url;
    }
    this.issues.push(issue);
    return issue;
  }

  issue(number: number): FakeIssue | undefined {
    return this.issues.find((i) => i.number === number);
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => this.#error(res, 500, `fake server: ${(e as Error).message}`));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#base;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #make(number: number, title: string, body: string | null, labels: string[]): FakeIssue {
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, number)).toISOString();
    return {
      id: this.#nextId++,
      node_id: `I_kwDO${number}`,
      number,
      title,
      body,
      state: "open",
      state_reason: null,
      labels: labels.map((name, i) => ({ id: 100 + i, name, color: "ededed", default: false })),
      milestone: null,
      url: `${this.#base}/repos/${this.owner}/${this.repo}/issues/${number}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${number}`,
      comments: 0,
      created_at: now,
      updated_at: now,
      closed_at: null,
    };
  }

  #rateHeaders(res: ServerResponse, remaining = 4999, reset = 1_900_000_000): void {
    res.setHeader("x-ratelimit-limit", "5000");
    res.setHeader("x-ratelimit-remaining", String(remaining));
    res.setHeader("x-ratelimit-reset", String(reset));
    res.setHeader("x-ratelimit-used", String(5000 - remaining));
    res.setHeader("x-ratelimit-resource", "core");
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (!res.hasHeader("x-ratelimit-limit")) this.#rateHeaders(res);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-github-api-version-selected": "2022-11-28", ...headers });
    res.end(JSON.stringify(body));
  }

  #error(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
    this.#json(res, status, { message, documentation_url: DOCS, status: String(status), ...extra }, headers);
  }

  /** Applies a queued fault; true when it answered (or deliberately did not). */
  #fault(route: Route, res: ServerResponse, work: () => void): boolean {
    const queue = this.#faults.get(route);
    const f = queue?.shift();
    if (!f) return false;
    switch (f.kind) {
      case "429":
        this.#error(res, 429, "API rate limit exceeded.", {}, { "retry-after": String(f.retryAfter) });
        return true;
      case "secondary":
        this.#error(
          res,
          403,
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
          {},
          f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : {},
        );
        return true;
      case "primary":
        this.#rateHeaders(res, 0, f.reset);
        this.#error(res, 403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.");
        return true;
      case "5xx":
        this.#error(res, f.status, f.status === 502 ? "Server Error" : "Internal Server Error");
        return true;
      case "hang-after-work":
        work();
        return true; // never answered; stop() closes the socket
      case "status":
        this.#error(res, f.status, f.message);
        return true;
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", this.#base);
    this.requests.push(`${req.method} ${u.pathname}${u.search}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");

    const auth = req.headers.authorization ?? "";
    if (auth !== `Bearer ${this.token}` && auth !== `token ${this.token}`) return this.#error(res, 401, "Bad credentials");

    const prefix = `/repos/${this.owner}/${this.repo}/issues`;
    if (!u.pathname.startsWith(prefix)) return this.#error(res, 404, "Not Found");
    const rest = u.pathname.slice(prefix.length);
    let body: Record<string, unknown> = {};
    if (raw !== "") {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return this.#error(res, 400, "Problems parsing JSON");
      }
    }

    let m: RegExpExecArray | null;
    if (rest === "" && req.method === "GET") return this.#listIssues(u, res);
    if (rest === "" && req.method === "POST") return this.#create(body, res);
    if ((m = /^\/(\d+)$/.exec(rest)) && req.method === "GET") {
      if (this.#fault("GET /issue", res, () => undefined)) return;
      const issue = this.issue(Number(m[1]));
      return issue ? this.#json(res, 200, issue) : this.#error(res, 404, "Not Found");
    }
    if ((m = /^\/(\d+)$/.exec(rest)) && req.method === "PATCH") return this.#update(Number(m[1]), body, res);
    if ((m = /^\/(\d+)\/comments$/.exec(rest)) && req.method === "POST") {
      const issue = this.issue(Number(m[1]));
      const work = () => {
        if (!issue) return;
        const c = { id: 500 + this.comments.length, issue: issue.number, body: typeof body.body === "string" ? body.body : "" };
        this.comments.push(c);
        issue.comments++;
      };
      if (this.#fault("POST /comments", res, work)) return;
      if (!issue) return this.#error(res, 404, "Not Found");
      if (typeof body.body !== "string") return this.#validation(res, "IssueComment", "body", "missing_field");
      work();
      return this.#json(res, 201, this.comments.at(-1));
    }
    if ((m = /^\/(\d+)\/sub_issues$/.exec(rest))) return this.#subIssueRoute(req.method ?? "", Number(m[1]), u, body, res);
    return this.#error(res, 404, "Not Found");
  }

  #validation(res: ServerResponse, resource: string, field: string, code: string, message?: string): void {
    this.#error(res, 422, "Validation Failed", { errors: [{ resource, field, code, ...(message ? { message } : {}) }] });
  }

  #page<T>(items: T[], u: URL, res: ServerResponse): void {
    const perPage = Math.min(100, Math.max(1, Number(u.searchParams.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(u.searchParams.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (p: number) => {
      const q = new URL(u.toString());
      q.searchParams.set("page", String(p));
      return `<${this.#base}${q.pathname}${q.search}>`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
    if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
    if (page > 1) links.push(`${at(1)}; rel="first"`);
    this.#json(res, 200, items.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(", ") } : {});
  }

  #listIssues(u: URL, res: ServerResponse): void {
    if (this.#fault("GET /issues", res, () => undefined)) return;
    const state = u.searchParams.get("state") ?? "open";
    if (!["open", "closed", "all"].includes(state)) return this.#validation(res, "Issue", "state", "invalid");
    const labels = (u.searchParams.get("labels") ?? "").split(",").map((l) => l.trim()).filter((l) => l !== "");
    const items = this.issues
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((x) => x.name.toLowerCase() === l.toLowerCase())))
      .sort((a, b) => b.number - a.number); // default sort: created, desc
    this.#page(items, u, res);
  }

  #create(body: Record<string, unknown>, res: ServerResponse): void {
    let created: FakeIssue | undefined;
    const work = () => {
      const number = this.issues.length + 1;
      created = this.#make(number, String(body.title), typeof body.body === "string" ? body.body : null, Array.isArray(body.labels) ? body.labels.map(String) : []);
      this.issues.push(created);
      this.creates++;
    };
    if (typeof body.title !== "string" || body.title === "") return this.#validation(res, "Issue", "title", "missing_field");
    if (this.#fault("POST /issues", res, work)) return;
    work();
    this.#json(res, 201, created, { location: created!.url });
  }

  #update(number: number, body: Record<string, unknown>, res: ServerResponse): void {
    const issue = this.issue(number);
    const work = () => {
      if (!issue) return;
      if (typeof body.title === "string") issue.title = body.title;
      if (typeof body.body === "string") issue.body = body.body;
      if (Array.isArray(body.labels)) issue.labels = body.labels.map((name, i) => ({ id: 100 + i, name: String(name), color: "ededed", default: false }));
      if (body.state === "closed" || body.state === "open") {
        issue.state = body.state;
        issue.closed_at = body.state === "closed" ? new Date(0).toISOString() : null;
        issue.state_reason = body.state === "closed" ? ((body.state_reason as FakeIssue["state_reason"]) ?? "completed") : "reopened";
      }
    };
    if (this.#fault("PATCH /issue", res, work)) return;
    if (!issue) return this.#error(res, 404, "Not Found");
    if (body.state_reason !== undefined && !["completed", "not_planned", "reopened", null].includes(body.state_reason as string)) {
      return this.#validation(res, "Issue", "state_reason", "invalid");
    }
    work();
    this.#json(res, 200, issue);
  }

  #subIssueRoute(method: string, parentNumber: number, u: URL, body: Record<string, unknown>, res: ServerResponse): void {
    const parent = this.issue(parentNumber);
    if (method === "GET") {
      if (this.#fault("GET /sub_issues", res, () => undefined)) return;
      if (!this.subIssuesEnabled || !parent) return this.#error(res, 404, "Not Found");
      const ids = this.subIssues.get(parentNumber) ?? [];
      return this.#page(ids.map((id) => this.issues.find((i) => i.id === id)!), u, res);
    }
    if (method !== "POST") return this.#error(res, 404, "Not Found");
    const child = this.issues.find((i) => i.id === body.sub_issue_id);
    const work = () => {
      if (parent && child) this.subIssues.set(parentNumber, [...(this.subIssues.get(parentNumber) ?? []), child.id]);
    };
    if (this.#fault("POST /sub_issues", res, work)) return;
    if (!this.subIssuesEnabled || !parent) return this.#error(res, 404, "Not Found");
    if (typeof body.sub_issue_id !== "number" || !child) return this.#validation(res, "Issue", "sub_issue_id", "invalid", "The provided sub-issue does not exist.");
    if (child.id === parent.id) return this.#validation(res, "Issue", "sub_issue_id", "invalid", "An issue cannot be a sub-issue of itself.");
    const hasParent = [...this.subIssues.values()].some((ids) => ids.includes(child.id));
    if (hasParent && body.replace_parent !== true) return this.#validation(res, "Issue", "sub_issue_id", "invalid", "Issue may not contain duplicate sub-issues and can only have one parent.");
    work();
    this.#json(res, 201, child);
  }
}

/**
 * A local Jira Cloud for tests (node:http on 127.0.0.1). Jira cannot be reached
 * from here, so this server implements the endpoints the Jira tracker uses as
 * Atlassian's Jira Cloud platform REST API v3 reference describes them:
 *
 * - Issues › Get issue — GET /rest/api/3/issue/{issueIdOrKey}?fields=…
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
 *   200 with {id, key, self, fields}; 404 {"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}.
 * - Issues › Create issue — POST /rest/api/3/issue
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 *   201 {id, key, self}; 400 {errorMessages:[], errors:{field: message}} (summary missing,
 *   unknown project, issue type, priority, a label with spaces, a description that is not
 *   an Atlassian Document, a field that is not on the screen).
 * - Issues › Delete issue — DELETE /rest/api/3/issue/{issueIdOrKey}
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-delete
 *   204; 404.
 * - Issue search › Search for issues using JQL enhanced search — GET and POST /rest/api/3/search/jql
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
 *   {issues, nextPageToken?, isLast}: cursor pagination; without `fields` each issue is
 *   only {id}; maxResults defaults to 50 (capped at 100 when fields are asked for);
 *   unbounded JQL and JQL it cannot parse are 400 {errorMessages, errors}. The legacy
 *   GET/POST /rest/api/3/search is gone (410 here, as after Atlassian's removal).
 * - Issue links › Create issue link — POST /rest/api/3/issueLink
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-links/#api-rest-api-3-issuelink-post
 *   201 with an empty body; 404 for an unknown issue or link type; the same link twice is
 *   stored once.
 * - Authentication: basic auth with email:API token
 *   https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/
 *   401 "Client must be authenticated to access this resource." otherwise.
 * - Rate limiting: 429 with Retry-After (seconds)
 *   https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 *
 * JQL supports what the tracker sends: `field = "v"`, `field ~ "text"`,
 * `issue in linkedIssues("KEY")`, `AND`, `OR`, parentheses and `ORDER BY key|created|id`.
 * Atlassian documents search/jql as eventually consistent, with `reconcileIssues` (ids)
 * for read-after-write: `searchLag: n` hides a new issue from the next n searches unless
 * its id is in reconcileIssues. The default, 0, is immediately consistent.
 *
 * Faults are queued per route and consumed one per request: a status (429 with
 * Retry-After, 500, 503, 401), or a hang that never answers — `perform: true` makes the
 * hanging request do its work first, like a create that landed while the client timed out.
 * `gate(route, n)` holds requests on a route until n have arrived (to line up
 * concurrent creates). Requests are handled one at a time, in arrival order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type JiraRoute = "getIssue" | "search" | "createIssue" | "deleteIssue" | "createLink";

export type Fault = { status: 429; retryAfter?: string } | { status: 401 | 403 | 500 | 502 | 503 | 504; body?: unknown } | { hang: true; perform?: boolean };

export interface JiraIssue {
  id: string;
  key: string;
  fields: {
    summary: string;
    description: unknown;
    labels: string[];
    components: { name: string }[];
    priority: { name: string } | null;
    issuetype: { name: string };
    project: { key: string };
    parent?: { key: string; fields?: { summary: string } };
    [custom: string]: unknown;
  };
  created: number;
  /** The search count from which on search sees it. */
  visibleFrom?: number;
}

export interface JiraLink {
  type: string;
  inward: string;
  outward: string;
}

export interface FakeJiraOptions {
  email?: string;
  token?: string;
  projects?: string[];
  /** Searches that do not yet see a newly created issue (the index lag). */
  searchLag?: number;
}

const LINK_TYPES = ["Relates", "Blocks", "Cloners", "Duplicate"];
const PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"];
const ISSUE_TYPES = ["Story", "Task", "Bug", "Epic", "Subtask"];

export class FakeJira {
  readonly email: string;
  readonly token: string;
  readonly projects: Set<string>;
  readonly issues = new Map<string, JiraIssue>();
  readonly links: JiraLink[] = [];
  /** Requests as `METHOD path` (query included), in order. */
  readonly requests: string[] = [];
  /** Create requests received, including failed and hanging ones. */
  creates = 0;
  /** Issues actually created (201 or performed-while-hanging). */
  created = 0;
  readonly customFields = new Set<string>(["customfield_10016"]);
  #faults = new Map<JiraRoute, Fault[]>();
  #gates = new Map<JiraRoute, { n: number; waiting: (() => void)[] }>();
  #server: Server | undefined;
  #nextId = 10000;
  #counters = new Map<string, number>();
  #clock = 0;
  #searches = 0;
  readonly #lag: number;
  url = "";

  constructor(opts: FakeJiraOptions = {}) {
    this.email = opts.email ?? "dev@example.com";
    this.token = opts.token ?? "ATATT3xFfGF0-test-token-value";
    this.projects = new Set(opts.projects ?? ["KAN", "OPS"]);
    this.#lag = opts.searchLag ?? 0;
  }

  /** Adds an issue directly (test setup). */
  addIssue(key: string, fields: Partial<JiraIssue["fields"]> & { summary: string }): JiraIssue {
    const project = key.split("-")[0] ?? "KAN";
    const n = Number(key.split("-")[1]);
    this.#counters.set(project, Math.max(this.#counters.get(project) ?? 0, n));
    const issue: JiraIssue = {
      id: String(this.#nextId++),
      key,
      created: this.#clock++,
      fields: { description: null, labels: [], components: [], priority: { name: "Medium" }, issuetype: { name: "Story" }, project: { key: project }, ...fields },
    };
    this.issues.set(key, issue);
    return issue;
  }

  fault(route: JiraRoute, ...faults: Fault[]): this {
    const q = this.#faults.get(route) ?? [];
    q.push(...faults);
    this.#faults.set(route, q);
    return this;
  }

  gate(route: JiraRoute, n: number): this {
    this.#gates.set(route, { n, waiting: [] });
    return this;
  }

  linksOf(key: string): JiraLink[] {
    return this.links.filter((l) => l.inward === key || l.outward === key);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      let data = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (data += c));
      req.on("end", () => void this.#handle(req, res, data));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    for (const g of this.#gates.values()) g.waiting.splice(0).forEach((go) => go());
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://jira.local");
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      if (body === undefined) {
        res.writeHead(status, headers);
        res.end();
      } else if (typeof body === "string") {
        res.writeHead(status, { "content-type": "text/plain;charset=UTF-8", ...headers });
        res.end(body);
      } else {
        res.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers });
        res.end(JSON.stringify(body));
      }
    };
    const route = routeOf(method, url.pathname);
    if (route === "gone") return send(410, { errorMessages: ["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."], errors: {} });
    if (route === undefined) return send(404, { errorMessages: ["null for uri: " + url.pathname], errors: {} });

    const expected = `Basic ${Buffer.from(`${this.email}:${this.token}`).toString("base64")}`;
    if (req.headers.authorization !== expected) {
      return send(401, "Client must be authenticated to access this resource.", { "www-authenticate": 'Basic realm="protected-area"' });
    }
    if (route === "createIssue") this.creates++;

    const gate = this.#gates.get(route);
    if (gate) {
      if (gate.waiting.length + 1 < gate.n) await new Promise<void>((resolve) => gate.waiting.push(resolve));
      else {
        this.#gates.delete(route);
        gate.waiting.splice(0).forEach((go) => go());
      }
    }

    const fault = this.#faults.get(route)?.shift();
    if (fault && "hang" in fault) {
      if (fault.perform) this.#dispatch(route, method, url, raw);
      return; // never answers; stop() closes the socket
    }
    if (fault) {
      if (fault.status === 429) return send(429, { errorMessages: ["Rate limit exceeded."], errors: {} }, { "retry-after": fault.retryAfter ?? "1", "x-ratelimit-reason": "jira-quota-tenant-based" });
      if (fault.status === 401) return send(401, "Client must be authenticated to access this resource.");
      return send(fault.status, "body" in fault && fault.body !== undefined ? fault.body : { errorMessages: ["Internal server error"], errors: {} });
    }
    const r = this.#dispatch(route, method, url, raw);
    send(r.status, r.body, r.headers);
  }

  #dispatch(route: JiraRoute, method: string, url: URL, raw: string): { status: number; body?: unknown; headers?: Record<string, string> } {
    let body: Record<string, unknown> = {};
    if (raw !== "") {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { errorMessages: ["Unexpected character in request body."], errors: {} } };
      }
    }
    switch (route) {
      case "getIssue":
        return this.#getIssue(decodeURIComponent(url.pathname.split("/").pop() ?? ""), url.searchParams.get("fields"));
      case "deleteIssue": {
        const issue = this.#find(decodeURIComponent(url.pathname.split("/").pop() ?? ""));
        if (!issue) return notFound();
        this.issues.delete(issue.key);
        for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i]?.inward === issue.key || this.links[i]?.outward === issue.key) this.links.splice(i, 1);
        return { status: 204 };
      }
      case "search":
        return method === "GET"
          ? this.#search(url.searchParams.get("jql") ?? "", url.searchParams.get("fields")?.split(",") ?? [], url.searchParams.get("maxResults"), url.searchParams.get("nextPageToken"), (url.searchParams.get("reconcileIssues") ?? "").split(","))
          : this.#search(
              typeof body.jql === "string" ? body.jql : "",
              Array.isArray(body.fields) ? (body.fields as string[]) : [],
              typeof body.maxResults === "number" ? String(body.maxResults) : null,
              typeof body.nextPageToken === "string" ? body.nextPageToken : null,
              Array.isArray(body.reconcileIssues) ? (body.reconcileIssues as unknown[]).map(String) : [],
            );
      case "createIssue":
        return this.#create(body);
      case "createLink":
        return this.#link(body);
    }
  }

  #find(idOrKey: string): JiraIssue | undefined {
    return this.issues.get(idOrKey.toUpperCase()) ?? [...this.issues.values()].find((i) => i.id === idOrKey);
  }

  #view(issue: JiraIssue, fields: string[] | null): Record<string, unknown> {
    const all = { ...issue.fields, issuelinks: this.linksOf(issue.key).map((l) => ({ type: { name: l.type }, ...(l.inward === issue.key ? { outwardIssue: { key: l.outward } } : { inwardIssue: { key: l.inward } }) })) } as Record<string, unknown>;
    const wanted = fields === null || fields.includes("*all") || fields.includes("*navigable") ? Object.keys(all) : fields;
    const out: Record<string, unknown> = {};
    for (const f of wanted) if (f in all) out[f] = all[f];
    return { id: issue.id, key: issue.key, self: `${this.url}/rest/api/3/issue/${issue.id}`, fields: out };
  }

  #getIssue(key: string, fields: string | null) {
    const issue = this.#find(key);
    if (!issue) return notFound();
    return { status: 200, body: this.#view(issue, fields === null ? null : fields.split(",").map((f) => f.trim())) };
  }

  #search(jql: string, fields: string[], maxResultsRaw: string | null, token: string | null, reconcile: string[]) {
    const now = this.#searches++;
    let parsed: ParsedJql;
    try {
      parsed = parseJql(jql);
    } catch (e) {
      return { status: 400, body: { errorMessages: [(e as Error).message], errors: {} } };
    }
    if (parsed.where === undefined) return { status: 400, body: { errorMessages: ["Unbounded JQL queries are not allowed here. Please add a search restriction to your query."], errors: {} } };
    for (const key of linkedKeys(parsed.where)) {
      if (!this.#find(key)) return { status: 400, body: { errorMessages: [`Issue '${key}' could not be found in function 'linkedIssues'.`], errors: {} } };
    }
    const wantsFields = fields.some((f) => f !== "id" && f !== "");
    const cap = wantsFields ? 100 : 5000;
    const maxResults = Math.min(cap, Math.max(1, Number(maxResultsRaw ?? 50) || 50));
    let hits = [...this.issues.values()].filter((i) => ((i.visibleFrom ?? 0) <= now || reconcile.includes(i.id)) && matches(parsed.where!, i, this));
    const { field, desc } = parsed.order ?? { field: "created", desc: true };
    hits.sort((a, b) => compare(a, b, field) * (desc ? -1 : 1));
    const start = token === null ? 0 : Number(Buffer.from(token, "base64url").toString("utf8").replace(/^offset:/, ""));
    if (!Number.isInteger(start) || start < 0) return { status: 400, body: { errorMessages: ["The provided next page token is invalid or expired."], errors: {} } };
    hits = hits.slice(start);
    const page = hits.slice(0, maxResults);
    const isLast = hits.length <= maxResults;
    return {
      status: 200,
      body: {
        issues: page.map((i) => (wantsFields ? this.#view(i, fields) : { id: i.id })),
        ...(isLast ? {} : { nextPageToken: Buffer.from(`offset:${start + maxResults}`).toString("base64url") }),
        isLast,
      },
    };
  }

  #create(body: Record<string, unknown>) {
    const f = (body.fields ?? {}) as Record<string, unknown>;
    const errors: Record<string, string> = {};
    const project = (f.project as { key?: string } | undefined)?.key;
    if (!project || !this.projects.has(project)) errors.project = "valid project is required";
    if (typeof f.summary !== "string" || f.summary.trim() === "") errors.summary = "You must specify a summary of the issue.";
    else if (f.summary.length > 255) errors.summary = "Summary must be less than 255 characters.";
    const type = (f.issuetype as { name?: string } | undefined)?.name;
    if (!type || !ISSUE_TYPES.includes(type)) errors.issuetype = "Specify an issue type";
    const d = f.description as { type?: string; version?: number } | undefined;
    if (d !== undefined && (d === null || typeof d !== "object" || d.type !== "doc" || d.version !== 1)) errors.description = "Operation value must be an Atlassian Document (see the Atlassian Document Format).";
    const labels = f.labels;
    if (labels !== undefined) {
      if (!Array.isArray(labels)) errors.labels = "data was not an array";
      else for (const l of labels) if (typeof l !== "string" || /\s/.test(l) || l.length > 255) errors.labels = `The label '${String(l)}' contains spaces which is invalid.`;
    }
    const priority = (f.priority as { name?: string } | undefined)?.name;
    if (f.priority !== undefined && (!priority || !PRIORITIES.includes(priority))) errors.priority = `Specify the Priority (name) in the string format`;
    const known = new Set(["project", "summary", "issuetype", "description", "labels", "priority", "components", "parent"]);
    for (const k of Object.keys(f)) {
      if (known.has(k)) continue;
      if (!this.customFields.has(k)) errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
      else if (typeof f[k] !== "number") errors[k] = "Operation value must be a number";
    }
    if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };
    const n = (this.#counters.get(project!) ?? 0) + 1;
    this.#counters.set(project!, n);
    const key = `${project}-${n}`;
    const custom: Record<string, unknown> = {};
    for (const k of Object.keys(f)) if (!known.has(k)) custom[k] = f[k];
    const issue: JiraIssue = {
      id: String(this.#nextId++),
      key,
      created: this.#clock++,
      visibleFrom: this.#searches + this.#lag,
      fields: {
        ...custom,
        summary: f.summary as string,
        description: d ?? null,
        labels: (labels as string[] | undefined) ?? [],
        components: [],
        priority: { name: priority ?? "Medium" },
        issuetype: { name: type! },
        project: { key: project! },
      },
    };
    this.issues.set(key, issue);
    this.created++;
    return { status: 201, body: { id: issue.id, key, self: `${this.url}/rest/api/3/issue/${issue.id}` } };
  }

  #link(body: Record<string, unknown>) {
    const type = (body.type as { name?: string } | undefined)?.name ?? "";
    const inward = (body.inwardIssue as { key?: string } | undefined)?.key ?? "";
    const outward = (body.outwardIssue as { key?: string } | undefined)?.key ?? "";
    if (!LINK_TYPES.includes(type)) return { status: 404, body: { errorMessages: [`No issue link type with name '${type}' found.`], errors: {} } };
    const a = this.#find(inward);
    const b = this.#find(outward);
    if (!a || !b) return { status: 404, body: { errorMessages: [`Issue Does Not Exist`], errors: {} } };
    if (!this.links.some((l) => l.type === type && l.inward === a.key && l.outward === b.key)) this.links.push({ type, inward: a.key, outward: b.key });
    return { status: 201 };
  }
}

function notFound() {
  return { status: 404, body: { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} } };
}

function routeOf(method: string, path: string): JiraRoute | "gone" | undefined {
  if (path === "/rest/api/3/search" || path === "/rest/api/2/search") return "gone";
  if (path === "/rest/api/3/search/jql" && (method === "GET" || method === "POST")) return "search";
  if (path === "/rest/api/3/issue" && method === "POST") return "createIssue";
  if (path === "/rest/api/3/issueLink" && method === "POST") return "createLink";
  if (/^\/rest\/api\/3\/issue\/[^/]+$/.test(path)) return method === "GET" ? "getIssue" : method === "DELETE" ? "deleteIssue" : undefined;
  return undefined;
}

// ---------------------------------------------------------------- a small JQL

type Cond =
  | { op: "="; field: string; value: string; negate?: boolean }
  | { op: "~"; field: string; value: string }
  | { op: "linked"; key: string }
  | { op: "and" | "or"; parts: Cond[] };

interface ParsedJql {
  where?: Cond;
  order?: { field: string; desc: boolean };
}

function tokenize(jql: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|!=|[=~(),]|[^\s=~(),"'!]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < jql.length && (m = re.exec(jql)) !== null) {
    out.push(m[1] ?? "");
    at = re.lastIndex;
  }
  if (jql.slice(at).trim() !== "") throw new Error(`Error in the JQL Query: the character '${jql.slice(at).trim()[0]}' is a reserved JQL character.`);
  return out;
}

function unquote(t: string): string {
  return /^["']/.test(t) ? t.slice(1, -1).replace(/\\(.)/g, "$1") : t;
}

export function parseJql(jql: string): ParsedJql {
  const toks = tokenize(jql);
  let i = 0;
  const peek = () => toks[i]?.toUpperCase();
  const expect = (t: string) => {
    if (peek() !== t) throw new Error(`Error in the JQL Query: Expecting '${t}' but got '${toks[i] ?? "end of query"}'.`);
    i++;
  };
  const orExpr = (): Cond => {
    const parts = [andExpr()];
    while (peek() === "OR") {
      i++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { op: "or", parts };
  };
  const andExpr = (): Cond => {
    const parts = [atom()];
    while (peek() === "AND") {
      i++;
      parts.push(atom());
    }
    return parts.length === 1 ? parts[0]! : { op: "and", parts };
  };
  const atom = (): Cond => {
    if (peek() === "(") {
      i++;
      const c = orExpr();
      expect(")");
      return c;
    }
    const field = toks[i++];
    if (field === undefined) throw new Error("Error in the JQL Query: The JQL query is incomplete.");
    const op = toks[i++];
    if (op?.toUpperCase() === "IN" && field.toLowerCase() === "issue") {
      const fn = toks[i++];
      if (fn?.toLowerCase() !== "linkedissues") throw new Error(`Error in the JQL Query: Unable to find JQL function '${fn ?? ""}'.`);
      expect("(");
      const key = unquote(toks[i++] ?? "");
      if (peek() === ",") i += 2; // link type argument, ignored
      expect(")");
      return { op: "linked", key };
    }
    const value = toks[i++];
    if (value === undefined || (op !== "=" && op !== "~" && op !== "!=")) throw new Error(`Error in the JQL Query: Expecting operator but got '${op ?? "end of query"}'.`);
    const f = field.toLowerCase();
    if (!["labels", "issuetype", "type", "project", "summary", "key", "issue", "text", "priority", "component"].includes(f)) throw new Error(`Field '${field}' does not exist or you do not have permission to view it.`);
    return op === "~" ? { op: "~", field: f, value: unquote(value) } : { op: "=", field: f, value: unquote(value), negate: op === "!=" };
  };
  const out: ParsedJql = {};
  if (i < toks.length && peek() !== "ORDER") out.where = orExpr();
  if (peek() === "ORDER") {
    i++;
    expect("BY");
    const field = (toks[i++] ?? "").toLowerCase();
    if (!["key", "created", "id"].includes(field)) throw new Error(`Error in the JQL Query: Not able to sort using field '${field}'.`);
    let desc = false;
    if (peek() === "ASC" || peek() === "DESC") desc = toks[i++]!.toUpperCase() === "DESC";
    out.order = { field, desc };
  }
  if (i < toks.length) throw new Error(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${toks[i]}'.`);
  return out;
}

function linkedKeys(c: Cond): string[] {
  if (c.op === "linked") return [c.key];
  if (c.op === "and" || c.op === "or") return c.parts.flatMap(linkedKeys);
  return [];
}

function matches(c: Cond, issue: JiraIssue, jira: FakeJira): boolean {
  switch (c.op) {
    case "and":
      return c.parts.every((p) => matches(p, issue, jira));
    case "or":
      return c.parts.some((p) => matches(p, issue, jira));
    case "linked":
      return jira.linksOf(c.key.toUpperCase()).some((l) => l.inward === issue.key || l.outward === issue.key) && issue.key !== c.key.toUpperCase();
    case "~": {
      const hay = c.field === "summary" ? issue.fields.summary : `${issue.fields.summary} ${JSON.stringify(issue.fields.description ?? "")}`;
      const words = c.value.toLowerCase().split(/\W+/).filter(Boolean);
      return words.every((w) => hay.toLowerCase().split(/\W+/).includes(w));
    }
    case "=": {
      const v = c.value.toLowerCase();
      let hit: boolean;
      switch (c.field) {
        case "labels":
          hit = issue.fields.labels.some((l) => l.toLowerCase() === v);
          break;
        case "issuetype":
        case "type":
          hit = issue.fields.issuetype.name.toLowerCase() === v;
          break;
        case "project":
          hit = issue.fields.project.key.toLowerCase() === v;
          break;
        case "key":
        case "issue":
          hit = issue.key.toLowerCase() === v;
          break;
        case "priority":
          hit = issue.fields.priority?.name.toLowerCase() === v;
          break;
        case "component":
          hit = issue.fields.components.some((x) => x.name.toLowerCase() === v);
          break;
        default:
          hit = false;
      }
      return c.negate ? !hit : hit;
    }
  }
}

function compare(a: JiraIssue, b: JiraIssue, field: string): number {
  if (field === "key") {
    const [pa, na] = a.key.split("-");
    const [pb, nb] = b.key.split("-");
    return (pa ?? "").localeCompare(pb ?? "") || Number(na) - Number(nb);
  }
  if (field === "id") return Number(a.id) - Number(b.id);
  return a.created - b.created;
}

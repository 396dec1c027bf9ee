/**
 * The Jira tracker against FakeJira (./testing/jira-server.ts), a local server that
 * follows Atlassian's Jira Cloud platform REST API v3 reference for the endpoints used:
 * Issues (get, create, delete), Issue search (search/jql, cursor pagination), Issue links
 * (create), basic auth and rate limiting (429 + Retry-After). Faults are injected per route.
 */
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DevopsPackError } from "../core/errors.js";
import { idempotencyKey, type Story, type TaskDraft } from "../core/stories/types.js";
import { JiraTracker, type JiraOptions } from "./jira.js";
import { FakeJira } from "./testing/jira-server.js";

const TOKEN = "ATATT3xFfGF0-very-secret-token-1234";
const EMAIL = "devops@example.com";

let jira: FakeJira;
let sleeps: number[];
let debug: string[];

const description = {
  version: 1,
  type: "doc",
  content: [
    { type: "paragraph", content: [{ type: "text", text: "Orders API on " }, { type: "text", text: "PostgreSQL", marks: [{ type: "strong" }] }] },
    { type: "heading", attrs: { level: 3 }, content: [{ type: "text", text: "Acceptance Criteria" }] },
    {
      type: "taskList",
      attrs: { localId: "l" },
      content: [
        { type: "taskItem", attrs: { localId: "1", state: "TODO" }, content: [{ type: "text", text: "p95 below 300 ms" }] },
        { type: "taskItem", attrs: { localId: "2", state: "DONE" }, content: [{ type: "text", text: "Nightly backups" }] },
      ],
    },
  ],
};

beforeEach(async () => {
  jira = new FakeJira({ email: EMAIL, token: TOKEN, projects: ["KAN", "OPS"] });
  jira.addIssue("KAN-1", { summary: "Epic: checkout", issuetype: { name: "Epic" } });
  jira.addIssue("KAN-15", {
    summary: "Orders API",
    description,
    labels: ["backend", "api"],
    components: [{ name: "orders" }],
    priority: { name: "High" },
    parent: { key: "KAN-1", fields: { summary: "Epic: checkout" } },
  });
  jira.addIssue("KAN-16", { summary: "Orders UI" });
  jira.addIssue("KAN-150", { summary: "Reports" });
  await jira.start();
  sleeps = [];
  debug = [];
});

afterEach(async () => {
  await jira.stop();
});

function tracker(extra: Partial<JiraOptions> = {}, token = TOKEN): JiraTracker {
  return JiraTracker.fromEnv(
    { JIRA_BASE_URL: jira.url, JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: token, JIRA_STORY_POINTS_FIELD: "customfield_10016" },
    {
      policy: { retries: 3, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 300 },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      debug: (line) => debug.push(line),
      ...extra,
    },
  );
}

async function story(t: JiraTracker, id = "KAN-15"): Promise<Story> {
  const s = await t.getStory(id);
  if (!s) throw new Error(`no story ${id}`);
  return s;
}

function draft(s: Story): TaskDraft {
  return {
    title: `${s.title} - DevOps`,
    body: "## DevOps requirements\n\n- [ ] Health endpoint\n- [ ] Backups\n\n```yaml\nreplicas: 3\n```",
    labels: ["devops", "infrastructure", "database"],
    priority: "high",
    storyPoints: 5,
    idempotencyKey: idempotencyKey("jira", s.id),
  };
}

function tasks(): string[] {
  return [...jira.issues.values()].filter((i) => i.fields.issuetype.name === "Task").map((i) => i.key);
}

async function rejection(p: Promise<unknown>): Promise<DevopsPackError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DevopsPackError);
  return e as DevopsPackError;
}

function expectNoSecret(...things: unknown[]) {
  const b64 = Buffer.from(`${EMAIL}:${TOKEN}`).toString("base64");
  for (const t of [...things, debug]) {
    const text = typeof t === "string" ? t : `${inspect(t, { depth: 8 })} ${JSON.stringify(t)}`;
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(b64);
  }
}

describe("JiraTracker.fromEnv", () => {
  it("names every missing variable, as BAD_INPUT", () => {
    const e = (() => {
      try {
        JiraTracker.fromEnv({ JIRA_BASE_URL: "https://x.atlassian.net", JIRA_API_TOKEN: TOKEN });
      } catch (err) {
        return err as DevopsPackError;
      }
      throw new Error("no error");
    })();
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toMatch(/needs JIRA_EMAIL\./);
    expect(e.data).toEqual({ missing: ["JIRA_EMAIL"] });
    expect(() => JiraTracker.fromEnv({})).toThrow(/needs JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN/);
    expectNoSecret(e, e.message);
  });

  it("rejects a story-points field that is not a custom field id", () => {
    expect(() => JiraTracker.fromEnv({ JIRA_BASE_URL: "https://x.atlassian.net", JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN, JIRA_STORY_POINTS_FIELD: "Story Points" })).toThrow(/customfield_10016/);
  });

  it("keeps the token out of inspect, JSON and debug output", async () => {
    const t = tracker();
    await t.getStory("KAN-15");
    expect(debug).toContain("Jira GET /rest/api/3/issue/KAN-15 → 200");
    expectNoSecret(t);
  });
});

describe("getStory / listStoryIds", () => {
  it("reads a story, converting its ADF description and finding the criteria", async () => {
    const s = await story(tracker());
    expect(s).toMatchObject({
      id: "KAN-15",
      title: "Orders API",
      labels: ["backend", "api"],
      components: ["orders"],
      priority: "High",
      epic: "KAN-1 - Epic: checkout",
      source: `${jira.url}/browse/KAN-15`,
    });
    expect(s.description).toContain("Orders API on **PostgreSQL**");
    expect(s.acceptanceCriteria).toEqual([
      { text: "p95 below 300 ms", done: false },
      { text: "Nightly backups", done: true },
    ]);
    expect(jira.requests[0]).toBe("GET /rest/api/3/issue/KAN-15?fields=summary%2Cdescription%2Clabels%2Ccomponents%2Cpriority%2Cparent%2Cissuetype");
  });

  it("answers undefined for an unknown key (404) and for an id that is no key, without a request", async () => {
    const t = tracker();
    expect(await t.getStory("KAN-999")).toBeUndefined();
    expect(jira.requests).toHaveLength(1);
    expect(await t.getStory("6.1.14.3")).toBeUndefined();
    expect(jira.requests).toHaveLength(1);
  });

  it("lists story ids across pages of search/jql (nextPageToken until isLast)", async () => {
    for (let n = 200; n < 330; n++) jira.addIssue(`OPS-${n}`, { summary: `Story ${n}` });
    const ids = await tracker().listStoryIds();
    expect(ids).toHaveLength(133); // 130 OPS + 3 KAN stories
    expect(ids.slice(0, 3)).toEqual(["KAN-15", "KAN-16", "KAN-150"]);
    expect(ids).not.toContain("KAN-1"); // an epic
    const searches = jira.requests.filter((r) => r.startsWith("POST /rest/api/3/search/jql"));
    expect(searches).toHaveLength(2);
  });

  it("caps the list and scopes it to JIRA_PROJECT", async () => {
    for (let n = 200; n < 330; n++) jira.addIssue(`OPS-${n}`, { summary: `Story ${n}` });
    expect(await tracker({ maxIds: 120 }).listStoryIds()).toHaveLength(120);
    expect(await tracker({ project: "KAN" }).listStoryIds()).toEqual(["KAN-15", "KAN-16", "KAN-150"]);
  });
});

describe("createTask / findTask", () => {
  it("creates a Task with an ADF description, labels, priority and points, linked to the story", async () => {
    const t = tracker();
    const s = await story(t);
    const ref = await t.createTask(s, draft(s));
    expect(ref).toEqual({ id: "KAN-151", title: "Orders API - DevOps", location: `${jira.url}/browse/KAN-151` });
    const issue = jira.issues.get("KAN-151")!;
    expect(issue.fields).toMatchObject({
      summary: "Orders API - DevOps",
      issuetype: { name: "Task" },
      priority: { name: "High" },
      labels: ["devops", "infrastructure", "database", "devops-pack-jira-kan-15-devops"],
      customfield_10016: 5,
    });
    expect(issue.fields.description).toMatchObject({ version: 1, type: "doc" });
    expect(jira.links).toEqual([{ type: "Relates", inward: "KAN-15", outward: "KAN-151" }]);
    expect(await t.findTask(s, draft(s).idempotencyKey)).toEqual(ref);
  });

  it("sends no story-points field unless one is configured", async () => {
    const t = new JiraTracker({ baseUrl: jira.url, email: EMAIL, apiToken: TOKEN });
    const s = await story(t);
    const ref = await t.createTask(s, draft(s));
    expect(Object.keys(jira.issues.get(ref.id)!.fields).filter((k) => k.startsWith("customfield_"))).toEqual([]);
  });

  it("finds a task linked to the story by hand (no key label), and createTask then creates nothing", async () => {
    jira.addIssue("KAN-151", { summary: "Orders API - DevOps", labels: ["devops"], issuetype: { name: "Task" } });
    jira.links.push({ type: "Relates", inward: "KAN-15", outward: "KAN-151" });
    const t = tracker();
    const s = await story(t);
    expect((await t.findTask(s, draft(s).idempotencyKey))?.id).toBe("KAN-151");
    expect((await t.createTask(s, draft(s))).id).toBe("KAN-151");
    expect(jira.creates).toBe(0);
  });

  it("finds an unlinked task by its key label, and createTask links it instead of creating", async () => {
    jira.addIssue("KAN-151", { summary: "whatever", labels: [idempotencyKey("jira", "KAN-15")], issuetype: { name: "Task" } });
    const t = tracker();
    const s = await story(t);
    expect((await t.createTask(s, draft(s))).id).toBe("KAN-151");
    expect(jira.creates).toBe(0);
    expect(jira.links).toEqual([{ type: "Relates", inward: "KAN-15", outward: "KAN-151" }]);
  });

  it("does not count an unrelated linked issue as the task", async () => {
    jira.links.push({ type: "Relates", inward: "KAN-15", outward: "KAN-16" });
    const t = tracker();
    const s = await story(t);
    expect(await t.findTask(s, draft(s).idempotencyKey)).toBeUndefined();
  });

  it("puts the story's project on the task unless JIRA_PROJECT says otherwise", async () => {
    const t = tracker({ project: "OPS" });
    const s = await story(t);
    expect((await t.createTask(s, draft(s))).id).toBe("OPS-1");
  });
});

describe("failures", () => {
  it("retries a 429 after its Retry-After", async () => {
    jira.fault("createIssue", { status: 429, retryAfter: "3" });
    jira.fault("search", { status: 429, retryAfter: "2" });
    const t = tracker();
    const s = await story(t);
    const ref = await t.createTask(s, draft(s));
    expect(sleeps).toEqual([2000, 3000]);
    expect(tasks()).toEqual([ref.id]);
  });

  it("retries a 500 with backoff, then succeeds", async () => {
    jira.fault("getIssue", { status: 500 }, { status: 503 });
    const s = await tracker().getStory("KAN-15");
    expect(s?.title).toBe("Orders API");
    // random() = 0.5: half of 100 and 200 ms
    expect(sleeps).toEqual([50, 100]);
  });

  it("gives up after the retry limit with a TRACKER error, and leaves nothing created", async () => {
    const t = tracker();
    const s = await story(t);
    jira.fault("createIssue", ...Array.from({ length: 10 }, () => ({ status: 503 as const })));
    const e = await rejection(t.createTask(s, draft(s)));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toMatch(/POST \/rest\/api\/3\/issue answered 503; nothing was created \(checked\), after 4 attempts/);
    expect(jira.creates).toBe(4);
    expect(tasks()).toEqual([]);
    expect(jira.links).toEqual([]);
    expectNoSecret(e, e.message);
  });

  it("a create that timed out but landed is found, not repeated: exactly one issue", async () => {
    const t = tracker();
    const s = await story(t);
    jira.fault("createIssue", { hang: true, perform: true });
    const ref = await t.createTask(s, draft(s));
    expect(jira.creates).toBe(1);
    expect(tasks()).toEqual([ref.id]);
    expect(jira.links).toEqual([{ type: "Relates", inward: "KAN-15", outward: ref.id }]);
  });

  it("a landed create is found even when the search index lags behind it", async () => {
    await jira.stop();
    jira = new FakeJira({ email: EMAIL, token: TOKEN, searchLag: 1 });
    jira.addIssue("KAN-15", { summary: "Orders API" });
    await jira.start();
    const t = tracker();
    const s = await story(t);
    jira.fault("createIssue", { hang: true, perform: true });
    const ref = await t.createTask(s, draft(s));
    expect(jira.creates).toBe(1);
    expect(tasks()).toEqual([ref.id]);
    expect(sleeps).toEqual([1000]); // the first look missed it; the second, a second later, found it
  });

  it("a create that timed out and did not land is sent again, once", async () => {
    const t = tracker();
    const s = await story(t);
    jira.fault("createIssue", { hang: true });
    const ref = await t.createTask(s, draft(s));
    expect(jira.creates).toBe(2);
    expect(tasks()).toEqual([ref.id]);
  });

  it("deletes the created issue when the link cannot be made, and throws", async () => {
    const t = tracker();
    const s = await story(t);
    jira.fault("createLink", ...Array.from({ length: 4 }, () => ({ status: 500 as const })));
    const e = await rejection(t.createTask(s, draft(s)));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toMatch(/task KAN-151 was deleted, so nothing was left half-created/);
    expect(e.data).toEqual({ created: "KAN-151", deleted: true });
    expect(jira.created).toBe(1);
    expect(tasks()).toEqual([]);
    expect(jira.requests).toContain("DELETE /rest/api/3/issue/KAN-151");
  });

  it("deletes the created issue when the link type does not exist (404)", async () => {
    const t = tracker({ linkType: "Relates to" });
    const s = await story(t);
    const e = await rejection(t.createTask(s, draft(s)));
    expect(e.message).toMatch(/No issue link type with name 'Relates to' found/);
    expect(tasks()).toEqual([]);
  });

  it("says so when the rollback fails too, naming the issue to delete by hand", async () => {
    const t = tracker();
    const s = await story(t);
    jira.fault("createLink", ...Array.from({ length: 4 }, () => ({ status: 500 as const })));
    jira.fault("deleteIssue", ...Array.from({ length: 4 }, () => ({ status: 500 as const })));
    const e = await rejection(t.createTask(s, draft(s)));
    expect(e.message).toMatch(/deleting it failed too .* Delete .*\/browse\/KAN-151 by hand/);
    expect(e.data).toEqual({ created: "KAN-151", deleted: false });
  });

  it("a 401 names JIRA_EMAIL and JIRA_API_TOKEN and never the token", async () => {
    const t = tracker({}, "wrong-token-value");
    const e = await rejection(t.getStory("KAN-15"));
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toMatch(/Jira refused the credentials \(401 .*\)\. Set JIRA_EMAIL, JIRA_API_TOKEN/);
    expect(e.message).not.toContain("wrong-token-value");
    expect(inspect(e)).not.toContain("wrong-token-value");
    expect(JSON.stringify(e)).not.toContain("wrong-token-value");
    expect(debug.join("\n")).not.toContain("wrong-token-value");
  });

  it("an error body that echoes the request headers shows neither the token, nor email:token (plain or URL-encoded), nor the Basic string", async () => {
    const pair = `${EMAIL}:${TOKEN}`;
    const echoing: typeof fetch = (_input, init) => {
      const auth = new Headers(init?.headers).get("authorization") ?? "";
      const message = `Bad request. Headers: authorization=${auth}; user ${pair}; form ${encodeURIComponent(pair)}; token ${TOKEN}`;
      return Promise.resolve(new Response(JSON.stringify({ errorMessages: [message] }), { status: 400, headers: { "content-type": "application/json" } }));
    };
    const e = await rejection(tracker({ fetch: echoing }).getStory("KAN-15"));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toMatch(/^Jira GET \/rest\/api\/3\/issue\/KAN-15 answered 400: Bad request\. Headers: authorization=Basic \[redacted\]; user \[redacted\]; form \[redacted\]; token \[redacted\]/);
    expectNoSecret(e.message, e.toJSON());
    const shown = `${e.message} ${JSON.stringify(e.toJSON())} ${inspect(e)}`;
    expect(shown).not.toContain(encodeURIComponent(pair));
    expect(shown).not.toContain(TOKEN.slice(0, 12));
  });

  it("a 400 from create is a TRACKER error with Jira's field errors", async () => {
    const t = tracker();
    const s = await story(t);
    jira.customFields.clear();
    const e = await rejection(t.createTask(s, draft(s)));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toMatch(/customfield_10016.*cannot be set/);
    expect(tasks()).toEqual([]);
  });

  it("does not use the removed /rest/api/3/search", async () => {
    const t = tracker();
    const s = await story(t);
    await t.createTask(s, draft(s));
    await t.listStoryIds();
    expect(jira.requests.filter((r) => /\/rest\/api\/3\/search(\?|$)/.test(r.split(" ")[1] ?? ""))).toEqual([]);
  });
});

describe("concurrency", () => {
  // Jira has no conditional create and its search index is eventually consistent, so two
  // runs that both search before either create lands both create. What the tracker
  // guarantees: each re-checks before creating, and after creating searches the key again
  // (reconciling its own issue); the later issue is deleted and both runs return the
  // earlier one. This server's index is immediately consistent, so the test proves the
  // convergence, not exactly-once against a lagging index.
  it("two concurrent createTask calls leave one issue, and both return it", async () => {
    const a = tracker();
    const b = tracker();
    const s = await story(a);
    jira.gate("createIssue", 2); // both creates arrive before either is answered
    const [ra, rb] = await Promise.all([a.createTask(s, draft(s)), b.createTask(s, draft(s))]);
    expect(jira.creates).toBe(2);
    expect(ra.id).toBe(rb.id);
    expect(tasks()).toEqual([ra.id]);
    expect(jira.links).toEqual([{ type: "Relates", inward: "KAN-15", outward: ra.id }]);
  });

  it("the documented limit: when the index lags longer than the race, each run sees only its own issue", async () => {
    await jira.stop();
    jira = new FakeJira({ email: EMAIL, token: TOKEN, searchLag: 10 });
    jira.addIssue("KAN-15", { summary: "Orders API" });
    await jira.start();
    const s = await story(tracker());
    jira.gate("createIssue", 2);
    const [ra, rb] = await Promise.all([tracker().createTask(s, draft(s)), tracker().createTask(s, draft(s))]);
    expect(ra.id).not.toBe(rb.id);
    expect(tasks()).toHaveLength(2);
  });

  it("a second run after the first finds the task and creates nothing", async () => {
    const s = await story(tracker());
    const first = await tracker().createTask(s, draft(s));
    const again = tracker();
    expect(await again.findTask(s, draft(s).idempotencyKey)).toEqual(first);
    expect((await again.createTask(s, draft(s))).id).toBe(first.id);
    expect(jira.creates).toBe(1);
  });
});

/**
 * The GitHub tracker against a local server that follows GitHub's REST reference
 * (API 2022-11-28): "REST API endpoints for issues", "... for sub-issues",
 * "... for issue comments", "Using pagination in the REST API" and "Rate limits for
 * the REST API" — see the header of ./testing/github-server.ts for what each page
 * fixes. Sleeps are injected and recorded, so no test waits for a real backoff.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DevopsPackError } from "../core/errors.js";
import type { Story, TaskDraft } from "../core/stories/types.js";
import { idempotencyKey } from "../core/stories/types.js";
import { GitHubTracker, idempotencyMarker, rateLimitAware } from "./github.js";
import { FakeGitHub } from "./testing/github-server.js";

const TOKEN = "ghp_TESTSECRET0123456789abcdefABCDEF";
const NOW = 1_800_000_000_000;
const KEY = idempotencyKey("github", "1");

let server: FakeGitHub | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function setup(opts: { subIssues?: boolean; token?: string; timeoutMs?: number } = {}) {
  const gh = new FakeGitHub({ token: TOKEN, ...(opts.subIssues !== undefined ? { subIssues: opts.subIssues } : {}) });
  server = gh;
  await gh.start();
  gh.seed({
    title: "Checkout API",
    body: "As a buyer I pay by card.\n\n## Acceptance criteria\n- [ ] p95 under 300 ms\n- [x] Card data never stored\n* [ ] Orders survive a restart\n",
    labels: ["story", "component: api", "component: database", "priority: high"],
    milestone: "Payments",
  });
  const slept: number[] = [];
  const tracker = new GitHubTracker({
    token: opts.token ?? TOKEN,
    repository: `${gh.owner}/${gh.repo}`,
    apiUrl: gh.url,
    sleep: async (ms) => void slept.push(ms),
    random: () => 0.5,
    now: () => NOW,
    policy: { timeoutMs: opts.timeoutMs ?? 2_000 },
  });
  return { gh, tracker, slept };
}

function draft(story: Story): TaskDraft {
  return {
    title: `${story.title} - DevOps`,
    body: "## Story context\nCheckout API needs a health endpoint.\n",
    labels: ["devops", "infrastructure", "database"],
    priority: "high",
    storyPoints: 5,
    idempotencyKey: KEY,
  };
}

async function story(tracker: GitHubTracker): Promise<Story> {
  const s = await tracker.getStory("#1");
  if (!s) throw new Error("seeded story missing");
  return s;
}

async function failure(p: Promise<unknown>): Promise<DevopsPackError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DevopsPackError);
  return e as DevopsPackError;
}

describe("configuration", () => {
  it("names the missing variables and never prints the token", () => {
    let e = (() => {
      try {
        GitHubTracker.fromEnv({ GITHUB_TOKEN: TOKEN });
      } catch (err) {
        return err as DevopsPackError;
      }
    })();
    expect(e?.code).toBe("BAD_INPUT");
    expect(e?.message).toContain("GITHUB_REPOSITORY");
    expect(e?.message).not.toContain(TOKEN);
    e = (() => {
      try {
        GitHubTracker.fromEnv({});
      } catch (err) {
        return err as DevopsPackError;
      }
    })();
    expect(e?.message).toMatch(/GITHUB_TOKEN and GITHUB_REPOSITORY/);
    expect(() => GitHubTracker.fromEnv({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "just-a-name" })).toThrow(/owner\/repo/);
    expect(GitHubTracker.fromEnv({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "acme/shop" }).repo).toBe("shop");
  });

  it("sends GitHub's headers", async () => {
    const seen: Headers[] = [];
    const tracker = new GitHubTracker({
      token: TOKEN,
      repository: "acme/shop",
      apiUrl: "http://127.0.0.1:9",
      fetch: async (_url, init) => {
        seen.push(new Headers(init?.headers));
        return new Response(JSON.stringify({ message: "Not Found" }), { status: 404 });
      },
    });
    expect(await tracker.getStory("12")).toBeUndefined();
    expect(seen[0]?.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.get("accept")).toBe("application/vnd.github+json");
    expect(seen[0]?.get("x-github-api-version")).toBe("2022-11-28");
  });
});

describe("stories", () => {
  it("reads an issue as a story: criteria, labels, components, priority, epic", async () => {
    const { tracker } = await setup();
    const s = await tracker.getStory("#1");
    expect(s).toMatchObject({
      id: "1",
      title: "Checkout API",
      labels: ["story", "component: api", "component: database", "priority: high"],
      components: ["api", "database"],
      priority: "high",
      epic: "Payments",
      source: "https://github.com/acme/shop/issues/1",
    });
    expect(s?.acceptanceCriteria).toEqual([
      { text: "p95 under 300 ms", done: false },
      { text: "Card data never stored", done: true },
      { text: "Orders survive a restart", done: false },
    ]);
    expect((await tracker.getStory("1"))?.id).toBe("1");
  });

  it("takes a P1 label as the priority", async () => {
    const { gh, tracker } = await setup();
    gh.seed({ title: "Search", labels: ["P1"] });
    expect((await tracker.getStory("2"))?.priority).toBe("P1");
  });

  it("does not take a pull request, an unknown number or a non-number for a story", async () => {
    const { gh, tracker } = await setup();
    gh.seed({ title: "Bump deps", pullRequest: true });
    expect(await tracker.getStory("2")).toBeUndefined();
    expect(await tracker.getStory("#404")).toBeUndefined();
    expect(await tracker.getStory("KAN-1")).toBeUndefined();
  });

  it("lists story ids over several Link-header pages, without pull requests", async () => {
    const { gh, tracker } = await setup();
    for (let i = 2; i <= 205; i++) gh.seed({ title: `Story ${i}`, ...(i === 77 ? { pullRequest: true } : {}), ...(i % 10 === 0 ? { state: "closed" as const } : {}) });
    const ids = await tracker.listStoryIds();
    expect(ids).toHaveLength(204);
    expect(ids).toContain("1");
    expect(ids).toContain("200"); // closed issues are stories too
    expect(ids).not.toContain("77");
    expect(gh.requests.filter((r) => r.startsWith("GET /repos/acme/shop/issues?"))).toHaveLength(3);
  });
});

describe("tasks", () => {
  it("creates the task and links it as a sub-issue by id, not number", async () => {
    const { gh, tracker } = await setup();
    const s = await story(tracker);
    const ref = await tracker.createTask(s, draft(s));
    expect(ref).toEqual({ id: "2", title: "Checkout API - DevOps", location: "https://github.com/acme/shop/issues/2" });
    const task = gh.issue(2)!;
    expect(gh.subIssues.get(1)).toEqual([task.id]);
    expect(task.id).not.toBe(2);
    expect(task.body).toContain("Story: #1");
    expect(task.body).toContain(idempotencyMarker(KEY));
    expect(task.labels.map((l) => l.name)).toEqual(["devops", "infrastructure", "database", "priority: high", "points: 5"]);
    expect(await tracker.findTask(s, KEY)).toEqual(ref);
  });

  it("falls back to a task-list line in the story when sub-issues are unavailable", async () => {
    const { gh, tracker } = await setup({ subIssues: false });
    const s = await story(tracker);
    const ref = await tracker.createTask(s, draft(s));
    expect(gh.issue(1)!.body).toMatch(/\n- \[ \] #2\n$/);
    expect(gh.subIssues.size).toBe(0);
    const again = await story(tracker);
    expect(again.acceptanceCriteria).toHaveLength(3); // the task line is not a criterion
    // Found through the task list even without the marker scan.
    gh.issue(2)!.labels = [];
    expect(await tracker.findTask(again, "another-key")).toEqual(ref);
  });

  it("finds an existing task by its key, so nothing is created twice", async () => {
    const { gh, tracker } = await setup();
    const s = await story(tracker);
    expect(await tracker.findTask(s, KEY)).toBeUndefined();
    gh.seed({ title: "Checkout API - DevOps", body: `task\n${idempotencyMarker(KEY)}`, labels: ["devops"] });
    expect(await tracker.findTask(s, KEY)).toMatchObject({ id: "2" });
    expect(gh.creates).toBe(0);
  });

  it("two runs that both created a task converge on the older one", async () => {
    const { gh, tracker } = await setup();
    const s = await story(tracker);
    // Another run created its task between this run's findTask and its create.
    gh.seed({ title: "Checkout API - DevOps", body: `other run\n${idempotencyMarker(KEY)}`, labels: ["devops"] });
    const ref = await tracker.createTask(s, draft(s));
    expect(ref.id).toBe("2");
    expect(gh.issue(3)).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(gh.comments).toEqual([expect.objectContaining({ issue: 3, body: expect.stringMatching(/Duplicate of #2/) as unknown })]);
    expect(gh.issues.filter((i) => i.state === "open" && i.body?.includes(idempotencyMarker(KEY)))).toHaveLength(1);
    expect(gh.subIssues.get(1) ?? []).toEqual([]); // the winning run links its own task
  });

  it("a task closed as not planned does not count", async () => {
    const { gh, tracker } = await setup();
    const s = await story(tracker);
    const t = gh.seed({ title: "Checkout API - DevOps", body: idempotencyMarker(KEY), labels: ["devops"], state: "closed" });
    t.state_reason = "not_planned";
    expect(await tracker.findTask(s, KEY)).toBeUndefined();
  });
});

describe("failures", () => {
  it("waits a 429's Retry-After, then succeeds", async () => {
    const { gh, tracker, slept } = await setup();
    gh.inject("GET /issue", { kind: "429", retryAfter: 7 });
    expect((await tracker.getStory("1"))?.title).toBe("Checkout API");
    expect(slept).toEqual([7000]);
  });

  it("waits a 403 secondary rate limit's retry-after, and a primary limit until x-ratelimit-reset", async () => {
    const { gh, tracker, slept } = await setup();
    gh.inject("GET /issue", { kind: "secondary", retryAfter: 3 }, { kind: "primary", reset: NOW / 1000 + 42 }, { kind: "secondary" });
    expect((await tracker.getStory("1"))?.title).toBe("Checkout API");
    expect(slept).toEqual([3000, 42_000, 60_000]);
  });

  it("a 429 on create is retried and creates one issue", async () => {
    const { gh, tracker, slept } = await setup();
    gh.inject("POST /issues", { kind: "429", retryAfter: 2 });
    const s = await story(tracker);
    await tracker.createTask(s, draft(s));
    expect(slept).toEqual([2000]);
    expect(gh.creates).toBe(1);
  });

  it("retries a 5xx with backoff and jitter", async () => {
    const { gh, tracker, slept } = await setup();
    gh.inject("GET /issue", { kind: "5xx", status: 500 }, { kind: "5xx", status: 502 });
    expect((await tracker.getStory("1"))?.title).toBe("Checkout API");
    expect(slept).toEqual([250, 500]); // random 0.5 × 500 ms × 2^(n-1)
  });

  it("gives up beyond the retry limit with a TRACKER error", async () => {
    const { gh, tracker } = await setup();
    gh.inject("GET /issue", ...Array.from({ length: 5 }, () => ({ kind: "5xx" as const, status: 500 as const })));
    const e = await failure(tracker.getStory("1"));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toMatch(/500.*5 attempts/);
  });

  it("a create that timed out but landed leaves exactly one issue", async () => {
    const { gh, tracker } = await setup({ timeoutMs: 300 });
    const s = await story(tracker);
    gh.inject("POST /issues", { kind: "hang-after-work" });
    const ref = await tracker.createTask(s, draft(s));
    expect(gh.creates).toBe(1);
    expect(gh.issues.filter((i) => i.body?.includes(idempotencyMarker(KEY)))).toHaveLength(1);
    expect(gh.subIssues.get(1)).toEqual([gh.issue(Number(ref.id))!.id]);
  });

  it("a create that failed with a 5xx before landing is sent again after checking", async () => {
    const { gh, tracker } = await setup();
    const s = await story(tracker);
    gh.inject("POST /issues", { kind: "5xx", status: 502 });
    await tracker.createTask(s, draft(s));
    expect(gh.creates).toBe(1);
    expect(gh.requests.filter((r) => r === "POST /repos/acme/shop/issues")).toHaveLength(2);
  });

  it("closes the task as not planned and throws when the link fails for good", async () => {
    const { gh, tracker } = await setup();
    const s = await story(tracker);
    gh.inject("POST /sub_issues", ...Array.from({ length: 5 }, () => ({ kind: "5xx" as const, status: 500 as const })));
    const e = await failure(tracker.createTask(s, draft(s)));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toMatch(/could not link task #2 to story #1.*closed as not planned/);
    const task = gh.issue(2)!;
    expect(task).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(task.body).not.toContain(idempotencyMarker(KEY));
    expect(gh.comments.map((c) => c.issue)).toEqual([2]);
    expect(gh.subIssues.get(1) ?? []).toEqual([]);
    expect(await tracker.findTask(s, KEY)).toBeUndefined();
  });

  it("a 401 names GITHUB_TOKEN and never prints the token", async () => {
    const wrong = "ghp_WRONGSECRET9876543210";
    const { tracker } = await setup({ token: wrong });
    const e = await failure(tracker.getStory("1"));
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toContain("GITHUB_TOKEN");
    expect(e.message).not.toContain(wrong);
    expect(JSON.stringify(e.toJSON())).not.toContain(wrong);
  });

  it("an error body that echoes the Authorization header never shows the token", async () => {
    const echoing: typeof fetch = (_input, init) => {
      const auth = new Headers(init?.headers).get("authorization") ?? "";
      const message = `Validation Failed (you sent authorization: ${auth}, token=${encodeURIComponent(TOKEN)})`;
      return Promise.resolve(new Response(JSON.stringify({ message }), { status: 422, headers: { "content-type": "application/json" } }));
    };
    const tracker = new GitHubTracker({ token: TOKEN, repository: "acme/shop", apiUrl: "http://127.0.0.1:9/", fetch: echoing, sleep: () => Promise.resolve(), policy: { timeoutMs: 2_000 } });
    const e = await failure(tracker.getStory("1"));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toBe("GitHub GET repos/acme/shop/issues/1 answered 422: Validation Failed (you sent authorization: Bearer [redacted], token=[redacted])");
    expect(`${e.message} ${JSON.stringify(e.toJSON())}`).not.toContain(TOKEN);
  });

  it("a 403 that is not a rate limit is a permissions error, not retried", async () => {
    const { gh, tracker, slept } = await setup();
    gh.inject("GET /issue", { kind: "status", status: 403, message: "Resource not accessible by personal access token" });
    const e = await failure(tracker.getStory("1"));
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toContain("GITHUB_TOKEN");
    expect(slept).toEqual([]);
  });
});

describe("pagination", () => {
  it("never follows a Link to another origin with the token", async () => {
    const urls: string[] = [];
    const tracker = new GitHubTracker({
      token: TOKEN,
      repository: "acme/shop",
      apiUrl: "http://127.0.0.1:9/api/v3",
      fetch: async (url) => {
        urls.push(url instanceof Request ? url.url : url.toString());
        return new Response("[]", { status: 200, headers: { link: '<http://evil.example/repos/acme/shop/issues?page=2>; rel="next"' } });
      },
    });
    const e = await failure(tracker.listStoryIds());
    expect(e.message).toMatch(/refusing to follow/);
    expect(urls).toEqual(["http://127.0.0.1:9/api/v3/repos/acme/shop/issues?state=all&per_page=100"]);
  });
});

describe("rateLimitAware", () => {
  it("passes other answers through untouched", async () => {
    const f = rateLimitAware(async () => new Response("{}", { status: 404 }));
    expect((await f("http://x/")).status).toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import { deriveTask, WARNING_CODES } from "./index.js";
import { findWord, matchNeeds, wordPattern } from "./needs.js";
import { readTargets } from "./targets.js";
import { apiStory, databaseStory, frontendStory, mlStory, rapidStory, story } from "./testing/stories.js";
import { loadSeedStory, parseSeedStory } from "./testing/seed.js";

const ids = (s: Parameters<typeof deriveTask>[0], envs?: string[]) =>
  deriveTask(s, { tracker: "files", ...(envs ? { environments: envs } : {}) }).needs.map((n) => n.id);
const needOf = (s: Parameters<typeof deriveTask>[0], id: string) => deriveTask(s, { tracker: "files" }).needs.find((n) => n.id === id);
const codes = (warnings: string[]) => warnings.map((w) => w.slice(0, w.indexOf(":")));

describe("word-aware matching", () => {
  it('"api" matches API and APIs but not rapid, therapist or capital', () => {
    expect(findWord("A REST API and two APIs", "api")).toEqual(["API", "APIs"]);
    expect(findWord("rapid therapist capital apiary", "api")).toEqual([]);
    // Separators inside identifiers split words: api_key and api-gateway name the API.
    expect(findWord("api_key api-gateway", "api")).toEqual(["api", "api"]);
    expect(wordPattern("front end").test("front-end")).toBe(true);
  });

  it("a story that only says rapid/therapist/capital derives no api need", () => {
    const d = deriveTask(rapidStory, { tracker: "files" });
    expect(d.needs.map((n) => n.id)).not.toContain("api");
    expect(d.draft.labels).not.toContain("api");
    // Only the always-on needs, with nothing matched.
    expect(d.needs.map((n) => n.id)).toEqual(["cicd", "observability"]);
    expect(d.needs[0]?.words).toEqual([]);
    expect(d.needs[0]?.reason).toMatch(/^always/);
  });

  it("a phrase inside a longer match is not counted twice (CI/CD is not also CI and CD)", () => {
    const m = matchNeeds(story({ id: "X-1", title: "Speed up the CI/CD pipeline" })).find((x) => x.rule.id === "cicd");
    expect(m?.hits.map((h) => h.word)).toEqual(["CI/CD", "pipeline"]);
  });

  it("fenced code in the description is not read as requirements", () => {
    const s = story({ id: "X-2", title: "Docs", description: "Text.\n```yaml\ndatabase: postgres\n```\nMore text." });
    expect(ids(s)).not.toContain("database");
  });
});

describe("needs and labels per kind of story", () => {
  it("a database story needs backups, migrations and scaling, labelled database", () => {
    const d = deriveTask(databaseStory, { tracker: "files", environments: ["staging", "production"] });
    const db = d.needs.find((n) => n.id === "database");
    expect(db?.taskType).toBe("devops.terraform");
    expect(db?.words).toEqual(expect.arrayContaining(["PostgreSQL", "database", "schema migration"]));
    expect(db?.reason).toContain('"PostgreSQL" (title, description)');
    const work = db?.work.join("\n") ?? "";
    expect(work).toMatch(/backups/i);
    expect(work).toMatch(/migrations/i);
    expect(work).toMatch(/scaling/i);
    expect(d.draft.labels).toEqual(expect.arrayContaining(["devops", "infrastructure", "database"]));
    expect(d.requires.map((r) => r.team)).toEqual(["database", "qa"]);
    expect(d.provides.find((p) => p.team === "database")?.what).toMatch(/backups/);
  });

  it("an ML story needs GPU node pools and model serving, labelled gpu", () => {
    const ml = needOf(mlStory, "ml_gpu");
    expect(ml?.words).toEqual(expect.arrayContaining(["machine learning", "GPU", "model serving", "Inference"]));
    expect(ml?.work.join("\n")).toMatch(/GPU node pool/);
    expect(ml?.work.join("\n")).toMatch(/[Mm]odel serving/);
    const d = deriveTask(mlStory, { tracker: "jira" });
    expect(d.draft.labels).toContain("gpu");
    expect(d.requires.map((r) => r.team)).toContain("ai");
    expect(d.draft.idempotencyKey).toBe("devops-pack-jira-kan-22-devops");
  });

  it("a frontend story needs a CDN and static assets, labelled cdn", () => {
    const fe = needOf(frontendStory, "frontend");
    expect(fe?.words).toEqual(expect.arrayContaining(["UI", "React", "browser", "frontend"]));
    expect(fe?.reason).toContain("(labels)");
    expect(fe?.work.join("\n")).toMatch(/CDN/);
    expect(fe?.work.join("\n")).toMatch(/static asset/);
    const d = deriveTask(frontendStory, { tracker: "files" });
    expect(d.draft.labels).toEqual(expect.arrayContaining(["cdn", "frontend"]));
    expect(d.needs.map((n) => n.id)).not.toContain("api");
    expect(d.requires.map((r) => r.team)).toEqual(["frontend", "qa"]);
  });

  it("an API story needs health endpoints and a performance target, read from the story", () => {
    const d = deriveTask(apiStory, { tracker: "github", environments: ["staging", "production"] });
    const api = d.needs.find((n) => n.id === "api");
    expect(api?.taskType).toBe("devops.kubernetes");
    expect(api?.work.join("\n")).toMatch(/\/healthz/);
    expect(api?.work.join("\n")).toContain("p95 < 300 ms");
    expect(d.draft.labels).toContain("api");
    expect(d.targets).toEqual({ p95Ms: 300, availability: 99.95, rto: "1h", rpo: "15m" });
    expect(codes(d.warnings)).not.toContain("no-performance-target");
    expect(codes(d.warnings)).not.toContain("no-rto");
    expect(d.requires.map((r) => r.team)).toEqual(["backend", "qa"]);
  });

  it("CI/CD and monitoring are always derived", () => {
    for (const s of [databaseStory, mlStory, frontendStory, apiStory, rapidStory]) {
      expect(ids(s)).toEqual(expect.arrayContaining(["cicd", "observability"]));
    }
  });
});

describe("the seed story", () => {
  const seed = loadSeedStory();

  it("parses with the tiny test reader", () => {
    expect(seed.id).toBe("6.1.14.3");
    // Mac Roman mojibake of "🔴 BLOCKED", with the U+F8FF that 0xF0 becomes.
    expect(seed.priority).toBe("\uf8ffüî¥ BLOCKED");
    expect(seed.acceptanceCriteria.length).toBeGreaterThanOrEqual(16);
  });

  it("derives a task for this story, following the `/doe` task template (`.claude/commands/doe.md`) section by section", () => {
    const d = deriveTask(seed, { tracker: "files" });
    expect(d.draft.title).toBe("DevOps Expansion Pack Extraction (DRAFT) - DevOps");
    expect(d.draft.priority).toBe("high");
    expect(d.draft.idempotencyKey).toBe("devops-pack-files-6-1-14-3-devops");
    expect(d.needs.map((n) => n.id)).toEqual(expect.arrayContaining(["disaster_recovery", "cicd", "observability"]));
    expect(d.needs.map((n) => n.id)).not.toContain("api");
    expect(d.needs.map((n) => n.id)).not.toContain("ml_gpu");
    const body = d.draft.body;
    const headings = [
      "## Story Context",
      "## DevOps Requirements",
      "## Technical Specifications",
      "### Platform & Tools",
      "## Infrastructure Requirements",
      "## CI/CD Pipeline Specification",
      "## Monitoring & Observability",
      "## Security & Compliance",
      "## Cross-Team Dependencies",
      "## Performance & Scaling Requirements",
      "## Disaster Recovery & Backup",
      "## Acceptance Criteria",
      "## Definition of Done",
    ];
    const at = headings.map((h) => body.indexOf(`\n${h}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(body).toContain("Original Story: 6.1.14.3 - DevOps Expansion Pack Extraction (DRAFT)");
    expect(body).toContain("Related to: Epic-6.1 - Agent Identity System");
    // DevOps criteria derived from the story's own acceptance criteria.
    expect(body).toContain('Restore drill confirms "Disaster-recovery procedure moved to `workflows/disaster-recovery.md`"');
    expect(body).toContain('"The agent activates" holds after an automated deploy to staging');
    // Blocked, and said so.
    expect(body).toContain("BLOCKED BY: the story itself");
    expect(codes(d.warnings)).toContain("story-blocked");
    // No generic template blocks.
    expect(body).not.toContain("aws_ecs_cluster");
    expect(body).not.toContain("[story-app]");
  });
});

describe("priority", () => {
  const table: [string | undefined, string][] = [
    ["Highest", "highest"],
    ["Blocker", "highest"],
    ["Critical", "highest"],
    ["P0", "highest"],
    ["High", "high"],
    ["P1 - High", "high"],
    ["🔴 BLOCKED", "high"],
    ["üî¥ BLOCKED", "high"],
    ["\uf8ffüî¥ BLOCKED", "high"],
    ["Medium", "medium"],
    ["P2", "medium"],
    ["Low", "low"],
    ["P3", "low"],
    ["Lowest", "lowest"],
    ["P4", "lowest"],
    ["🟡 Someday", "medium"],
    [undefined, "medium"],
  ];
  it.each(table)("%s → %s", (text, expected) => {
    const d = deriveTask(story({ id: "P-1", title: "t", ...(text !== undefined ? { priority: text } : {}) }), { tracker: "files" });
    expect(d.draft.priority).toBe(expected);
  });

  it("names an unknown or missing priority and a blocked story in the warnings", () => {
    expect(codes(deriveTask(story({ id: "P-2", title: "t", priority: "🟡 Someday" }), { tracker: "files" }).warnings)).toContain("no-priority");
    expect(codes(deriveTask(story({ id: "P-3", title: "t" }), { tracker: "files" }).warnings)).toContain("no-priority");
    expect(codes(deriveTask(story({ id: "P-4", title: "t", priority: "High" }), { tracker: "files" }).warnings)).not.toContain("no-priority");
  });
});

describe("story points", () => {
  it("a story with no derived need: base 2 → 2 points", () => {
    const d = deriveTask(story({ id: "S-1", title: "Tidy up" }), { tracker: "files", environments: ["production"] });
    expect(d.complexity.score).toBe(2);
    expect(d.draft.storyPoints).toBe(2);
  });

  it("the database story: base 2 + database 2 + teams database, qa 2 + DR 2 = 8 → 8", () => {
    const d = deriveTask(databaseStory, { tracker: "files" });
    expect(d.complexity.factors.map((f) => [f.name, f.points])).toEqual([
      ["base: CI/CD pipeline and monitoring", 2],
      ["need: database", 2],
      ["cross-team: database", 1],
      ["cross-team: qa", 1],
      ["disaster recovery", 2],
    ]);
    expect(d.complexity.score).toBe(8);
    expect(d.draft.storyPoints).toBe(8);
  });

  it("the API story: 2 + api 2 + backend, qa 2 + DR 2 + strict targets 1 = 9 → rounded up to 13", () => {
    const d = deriveTask(apiStory, { tracker: "files" });
    expect(d.complexity.score).toBe(9);
    expect(d.draft.storyPoints).toBe(13);
  });

  it("ML counts 3 and compliance 1: 2 + ml_gpu 3 + ai, qa 2 + compliance 1 = 8", () => {
    const s = { ...mlStory, description: `${mlStory.description} Recommendations must respect GDPR.` };
    const d = deriveTask(s, { tracker: "files" });
    expect(d.complexity.factors).toContainEqual({ name: "need: ml_gpu", points: 3 });
    expect(d.complexity.factors).toContainEqual({ name: "compliance", points: 1 });
    expect(d.complexity.score).toBe(8);
    expect(d.draft.storyPoints).toBe(8);
  });

  it("is capped at 21 and explained in the body", () => {
    const s = story({
      id: "S-9",
      title: "Everything",
      description: "A React UI, a REST API, a PostgreSQL database, a Kafka queue, file uploads to S3, OAuth login, GPU inference, HIPAA, 99.99% availability.",
      acceptanceCriteria: [{ text: "works", done: false }],
    });
    const d = deriveTask(s, { tracker: "files" });
    expect(d.complexity.score).toBeGreaterThan(21);
    expect(d.draft.storyPoints).toBe(21);
    expect(d.draft.body).toContain(`**21 story points**: complexity score ${d.complexity.score}`);
    expect(d.draft.body).toContain("Formula: base 2");
  });
});

describe("warnings for missing configuration", () => {
  it("names no environments and each missing target", () => {
    const d = deriveTask(databaseStory, { tracker: "files" });
    expect(codes(d.warnings)).toEqual(["no-environments", "no-performance-target", "no-availability-target", "no-rto", "no-rpo"]);
    expect(d.targets).toEqual({ p95Ms: 500, availability: 99.9, rto: "15m", rpo: "5m" });
    expect(d.draft.body).toContain("p95 < 500 ms (default: the story states none)");
    for (const c of codes(d.warnings)) expect(WARNING_CODES).toContain(c);
  });

  it("gives no environment warning when environments are given, and uses them", () => {
    const d = deriveTask(databaseStory, { tracker: "files", environments: ["qa", "prod"] });
    expect(codes(d.warnings)).not.toContain("no-environments");
    expect(d.draft.body).toContain("qa → prod");
  });

  it("names a story without acceptance criteria", () => {
    expect(codes(deriveTask(story({ id: "W-1", title: "t", priority: "Low" }), { tracker: "files" }).warnings)).toContain("no-acceptance-criteria");
  });
});

describe("targets read from the story text", () => {
  it.each([
    ["p95 < 300ms", { p95Ms: 300 }],
    ["95th percentile under 1.5 s", { p95Ms: 1500 }],
    ["p95 latency of 250 ms", { p95Ms: 250 }],
    ["99.95% uptime", { availability: 99.95 }],
    ["Availability: 99.9 %", { availability: 99.9 }],
    ["RTO 1h and RPO 5 minutes", { rto: "1h", rpo: "5m" }],
    ["RTO < 30 min", { rto: "30m" }],
  ])("%s", (text, expected) => {
    expect(readTargets(text).targets).toMatchObject(expected);
  });

  it("ignores percentages and objectives that are not targets", () => {
    const r = readTargets("Reduces the file by 43%.\n- Recovery time objectives (RTO)\n- Recovery point objectives (RPO)");
    expect(r.stated).toEqual({ p95: false, availability: false, rto: false, rpo: false });
  });
});

describe("determinism", () => {
  it("the same story gives the same derivation", () => {
    const a = deriveTask(apiStory, { tracker: "files" });
    const b = deriveTask(structuredClone(apiStory), { tracker: "files" });
    expect(b).toEqual(a);
  });

  it("the seed reader and the loader agree", () => {
    const s = loadSeedStory();
    expect(parseSeedStory(s.description, s.source)).toEqual(s);
  });
});

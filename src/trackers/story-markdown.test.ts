import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  findTaskLink,
  parseStoryMarkdown,
  readStoryMarkdown,
  readTaskFrontMatter,
  renderTaskFile,
  repairMojibake,
  stripLeadingEmoji,
  withTaskLink,
} from "./story-markdown.js";

// A story in the story markdown format of `examples/stories/`, written for these tests (mojibake emoji, metadata block,
// Must/Should/Nice checkboxes, a quality-gate checklist after the criteria).
const SEED = readFileSync(join(import.meta.dirname, "fixtures/story-6.1.14.3-format.md"), "utf8");

describe("parseStoryMarkdown on the story markdown format", () => {
  const story = parseStoryMarkdown(SEED, "docs/stories/story-6.1.14.3.md");

  it("reads the id, title, epic and priority (emoji, in mojibake, stripped)", () => {
    expect(story?.id).toBe("6.1.14.3");
    expect(story?.title).toBe("DevOps Expansion Pack Extraction (DRAFT)");
    expect(story?.epic).toBe("Epic-6.1 - Agent Identity System");
    expect(story?.priority).toBe("BLOCKED");
    expect(story?.source).toBe("docs/stories/story-6.1.14.3.md");
  });

  it("collects the Must/Should/Nice to Have checkboxes under '‚úÖ Acceptance Criteria' only", () => {
    const texts = story?.acceptanceCriteria.map((c) => c.text) ?? [];
    expect(texts).toHaveLength(10 + 3 + 3);
    expect(texts[0]).toBe("Pipeline patterns moved to `data/cicd-pipeline-patterns.md`");
    expect(texts).toContain("Moved files name the files they refer to");
    expect(texts.at(-1)).toBe("Diagrams for the deployment strategies");
    // The Quality Gate checkboxes live in another section.
    expect(texts.some((t) => t.includes("Pre-Commit"))).toBe(false);
    expect(story?.acceptanceCriteria.every((c) => !c.done)).toBe(true);
  });

  it("keeps the rest as the description, repaired, without the metadata block or the criteria", () => {
    const d = story?.description ?? "";
    expect(d).toContain("## 📋 Objective");
    expect(d).toContain("**As a** maintainer of the agent pack");
    expect(d).toContain("other agents can reuse them");
    expect(d).not.toContain("**Story ID:**");
    expect(d).not.toContain("**Owner:**");
    expect(d).not.toContain("Diagrams for the deployment strategies");
    expect(d).not.toContain("üìã");
  });
});

describe("mojibake and emoji", () => {
  it("repairs UTF-8 that was decoded as Mac Roman", () => {
    expect(repairMojibake("## ‚úÖ Acceptance Criteria")).toBe("## ✅ Acceptance Criteria");
    expect(repairMojibake("\uf8ffü\u00ee¥ BLOCKED")).toBe("🔴 BLOCKED");
    expect(repairMojibake("‚úÖ Caf√© done")).toBe("✅ Café done");
  });

  it("leaves real accented text alone", () => {
    expect(repairMojibake("Café “École” naïve")).toBe("Café “École” naïve");
    // Without a long sequence there is no evidence of mojibake, so two-byte pairs stay.
    expect(repairMojibake("Caf√©")).toBe("Caf√©");
  });

  it("strips leading emoji and leftover mojibake, keeping the words", () => {
    expect(stripLeadingEmoji("🔴 BLOCKED")).toBe("BLOCKED");
    expect(stripLeadingEmoji("⚠️ High")).toBe("High");
    expect(stripLeadingEmoji("üî¥ BLOCKED")).toBe("BLOCKED");
    expect(stripLeadingEmoji("P1")).toBe("P1");
    expect(stripLeadingEmoji("Élevée")).toBe("Élevée");
  });
});

describe("story fields", () => {
  it("takes the id from the heading when there is no Story ID line, and reads labels and components", () => {
    const s = parseStoryMarkdown(
      [
        "# Story KAN-7: Checkout API",
        "",
        "**Priority:** High",
        "**Labels:** `api`, payments , ",
        "**Components:** backend, db",
        "",
        "## Objective",
        "Expose payments.",
        "",
        "### Acceptance Criteria",
        "- [x] p95 under 200 ms",
        "* [ ] health endpoint",
        "## Notes",
        "- [ ] not a criterion",
      ].join("\r\n"),
      "a.md",
    );
    expect(s?.id).toBe("KAN-7");
    expect(s?.title).toBe("Checkout API");
    expect(s?.priority).toBe("High");
    expect(s?.labels).toEqual(["api", "payments"]);
    expect(s?.components).toEqual(["backend", "db"]);
    expect(s?.acceptanceCriteria).toEqual([
      { text: "p95 under 200 ms", done: true },
      { text: "health endpoint", done: false },
    ]);
    expect(s?.description).toContain("Expose payments.");
    expect(s?.description).toContain("- [ ] not a criterion");
    expect(s?.epic).toBeUndefined();
  });

  it("ignores headings and fields inside code fences", () => {
    const s = parseStoryMarkdown(["**Story ID:** 1.2", "", "```", "# Story 9.9: Not me", "**Priority:** Low", "```"].join("\n"), "b.md");
    expect(s?.id).toBe("1.2");
    expect(s?.priority).toBeUndefined();
  });

  it("is not a story without an id, nor when devops-pack generated it", () => {
    expect(parseStoryMarkdown("# Readme\n\nJust notes.\n", "README.md")).toBeUndefined();
    const task = renderTaskFile({
      id: "docs/stories/1.2-devops.md",
      story: { id: "1.2", title: "T" },
      storyLink: "s.md",
      title: "T - DevOps",
      labels: ["devops"],
      priority: "high",
      storyPoints: 5,
      idempotencyKey: "devops-pack-files-1-2-devops",
      body: "**Story ID:** 1.2\n# Story 1.2: T",
    });
    expect(parseStoryMarkdown(task, "docs/stories/1.2-devops.md")).toBeUndefined();
  });

  it("reports malformed stories clearly", () => {
    const mismatch = readStoryMarkdown("# Story 1.2: A\n\n**Story ID:** 1.3\n", "x.md");
    expect(mismatch.ok).toBe(false);
    expect(mismatch.errors[0]?.message).toBe("x.md: **Story ID:** 1.3 disagrees with the heading's 'Story 1.2'");
    expect(readStoryMarkdown("**Story ID:**\n", "x.md").errors[0]?.message).toContain("**Story ID:** is empty");
    expect(readStoryMarkdown("**Story ID:** a b\n", "x.md").errors[0]?.message).toContain("is not an id");
    expect(readStoryMarkdown("**Story ID:** 1\u0000", "x.md").errors[0]?.kind).toBe("binary");
    expect(readStoryMarkdown("**Story ID:** 1 \ufffd", "x.md").errors[0]?.kind).toBe("encoding");
    const huge = readStoryMarkdown(`**Story ID:** 1\n${"x".repeat(2 * 1024 * 1024)}`, "big.md");
    expect(huge.errors[0]?.kind).toBe("too-large");
    expect(huge.errors[0]?.message).toMatch(/^big\.md: \d+ bytes; the limit is 2097152 bytes$/);
  });
});

describe("task links", () => {
  const story = ["# Story 1.2: A", "", "**Story ID:** 1.2  ", "**Priority:** High", "", "**NOTE:** later", "", "## Objective", "x"].join("\n");

  it("inserts one link line as a paragraph after the metadata block", () => {
    const once = withTaskLink(story, "A - DevOps", "1.2-devops.md");
    expect(once.split("\n").slice(2, 7)).toEqual(["**Story ID:** 1.2  ", "**Priority:** High", "", "**DevOps Task:** [A - DevOps](1.2-devops.md)", ""]);
    expect(findTaskLink(once)).toEqual({ title: "A - DevOps", target: "1.2-devops.md" });
    const twice = withTaskLink(once, "A - DevOps", "other/1.2-devops.md");
    expect(twice.match(/\*\*DevOps Task:\*\*/g)).toHaveLength(1);
    expect(findTaskLink(twice)?.target).toBe("other/1.2-devops.md");
  });

  it("keeps CRLF line endings and round-trips awkward titles and paths", () => {
    const crlf = withTaskLink(story.replace(/\n/g, "\r\n"), "A [draft] - DevOps", "my dir/1.2 (x)-devops.md");
    expect(crlf.split("\r\n").length).toBe(story.split("\n").length + 2);
    expect(crlf.replace(/\r\n/g, "")).not.toContain("\n");
    expect(findTaskLink(crlf)).toEqual({ title: "A [draft] - DevOps", target: "my dir/1.2 (x)-devops.md" });
  });

  it("puts the link under the title when there is no metadata block", () => {
    const out = withTaskLink("# Story 3: B\nBody\n", "B - DevOps", "3-devops.md");
    expect(out).toBe("# Story 3: B\n\n**DevOps Task:** [B - DevOps](3-devops.md)\nBody\n");
  });
});

describe("task files", () => {
  const input = {
    id: "docs/stories/1.2-devops.md",
    story: { id: "1.2", title: "A" },
    storyLink: "story 1.2.md",
    title: "A: the \"api\" - DevOps",
    labels: ["devops", "infrastructure"],
    priority: "high" as const,
    storyPoints: 8,
    idempotencyKey: "devops-pack-files-1-2-devops",
    body: "## Story context\n\nText.",
  };

  it("renders front matter that reads back, the generated header, the story link and the body", () => {
    const text = renderTaskFile(input);
    expect(text.startsWith("---\n# Generated by devops-pack story — review before applying\n")).toBe(true);
    expect(text).toContain("<!-- Generated by devops-pack story — review before applying -->");
    expect(text).toContain("**Story:** [Story 1.2: A](story%201.2.md)");
    expect(text.trimEnd().endsWith("Text.")).toBe(true);
    const fm = readTaskFrontMatter(text, "t.md");
    expect(fm.value).toEqual({ id: input.id, story: "1.2", title: input.title, idempotency_key: input.idempotencyKey });
  });

  it("rejects broken front matter in a generated file and ignores other files", () => {
    const broken = readTaskFrontMatter("---\n# Generated by devops-pack story\nid: [unclosed\n---\n", "t.md");
    expect(broken.ok).toBe(false);
    expect(broken.errors[0]?.message).toMatch(/^t\.md: front matter: /);
    expect(readTaskFrontMatter("---\nidempotency_key: k\n---\n", "u.md").value).toBeUndefined();
  });
});

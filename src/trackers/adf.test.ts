import { describe, expect, it } from "vitest";
import { acceptanceCriteriaFromMarkdown, adfToMarkdown, markdownToAdf, type AdfNode } from "./adf.js";

/** ADF as Atlassian documents it: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ */
function types(nodes: AdfNode[] | undefined): string[] {
  return (nodes ?? []).map((n) => n.type);
}

describe("markdownToAdf", () => {
  const md = [
    "## Story context",
    "",
    "Builds **the API** for `orders`, see [the spec](https://example.com/spec).",
    "",
    "- first",
    "- second",
    "  - nested",
    "",
    "1. one",
    "2. two",
    "",
    "- [ ] open criterion",
    "- [x] done criterion",
    "",
    "```yaml",
    "replicas: 3",
    "```",
    "",
    "| Metric | Target |",
    "| --- | --- |",
    "| p95 | 300 ms |",
  ].join("\n");
  const doc = markdownToAdf(md);

  it("is a version-1 doc with the block nodes in order", () => {
    expect(doc).toMatchObject({ version: 1, type: "doc" });
    expect(types(doc.content)).toEqual(["heading", "paragraph", "bulletList", "orderedList", "bulletList", "codeBlock", "table"]);
    expect(doc.content[0]).toEqual({ type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Story context" }] });
  });

  it("marks bold, inline code and links", () => {
    const p = doc.content[1]!.content!;
    expect(p).toContainEqual({ type: "text", text: "the API", marks: [{ type: "strong" }] });
    expect(p).toContainEqual({ type: "text", text: "orders", marks: [{ type: "code" }] });
    expect(p).toContainEqual({ type: "text", text: "the spec", marks: [{ type: "link", attrs: { href: "https://example.com/spec" } }] });
  });

  it("nests lists and numbers ordered ones", () => {
    const bullets = doc.content[2]!;
    expect(bullets.content).toHaveLength(2);
    expect(types(bullets.content![1]!.content)).toEqual(["paragraph", "bulletList"]);
    expect(doc.content[3]).toMatchObject({ type: "orderedList", attrs: { order: 1 } });
  });

  it("writes checkboxes as ☐ / ☑ bullets and code blocks with their language", () => {
    const items = doc.content[4]!.content!.map((i) => i.content![0]!.content![0]!.text);
    expect(items).toEqual(["☐ open criterion", "☑ done criterion"]);
    expect(doc.content[5]).toEqual({ type: "codeBlock", attrs: { language: "yaml" }, content: [{ type: "text", text: "replicas: 3" }] });
  });

  it("never emits an empty text node (Jira rejects them)", () => {
    const walk = (n: AdfNode): AdfNode[] => [n, ...(n.content ?? []).flatMap(walk)];
    const all = markdownToAdf("**\n\n- \n\n``` \n```\n").content.flatMap(walk);
    expect(all.filter((n) => n.type === "text" && !n.text)).toEqual([]);
  });

  it("round-trips through adfToMarkdown", () => {
    const back = adfToMarkdown(doc);
    expect(back).toContain("## Story context");
    expect(back).toContain("**the API** for `orders`, see [the spec](https://example.com/spec).");
    expect(back).toContain("- first\n- second\n  - nested");
    expect(back).toContain("1. one\n2. two");
    expect(back).toContain("```yaml\nreplicas: 3\n```");
    expect(back).toContain("| p95 | 300 ms |");
  });
});

describe("adfToMarkdown", () => {
  it("reads the nodes Jira's editor produces: taskList, mention, emoji, hardBreak, panel", () => {
    const doc = {
      version: 1,
      type: "doc",
      content: [
        { type: "panel", attrs: { panelType: "info" }, content: [{ type: "paragraph", content: [{ type: "text", text: "Note for " }, { type: "mention", attrs: { id: "1", text: "@Ana" } }] }] },
        {
          type: "taskList",
          attrs: { localId: "a" },
          content: [
            { type: "taskItem", attrs: { localId: "b", state: "TODO" }, content: [{ type: "text", text: "Health endpoint" }] },
            { type: "taskItem", attrs: { localId: "c", state: "DONE" }, content: [{ type: "text", text: "p95 under 300 ms" }] },
          ],
        },
        { type: "paragraph", content: [{ type: "emoji", attrs: { shortName: ":rocket:", text: "🚀" } }, { type: "text", text: " line" }, { type: "hardBreak" }, { type: "text", text: "two" }] },
      ],
    };
    expect(adfToMarkdown(doc)).toBe("Note for @Ana\n\n- [ ] Health endpoint\n- [x] p95 under 300 ms\n\n🚀 line\ntwo");
  });

  it("passes strings through and treats null as empty", () => {
    expect(adfToMarkdown("plain v2 text")).toBe("plain v2 text");
    expect(adfToMarkdown(null)).toBe("");
  });
});

describe("acceptanceCriteriaFromMarkdown", () => {
  it("takes checkbox-like lines, with their state", () => {
    expect(acceptanceCriteriaFromMarkdown("Intro\n- [ ] a\n- [x] b\n☐ c\n☑ d\n```\n- [ ] not in code\n```")).toEqual([
      { text: "a", done: false },
      { text: "b", done: true },
      { text: "c", done: false },
      { text: "d", done: true },
    ]);
  });

  it("falls back to the list under an Acceptance Criteria heading, up to the next heading", () => {
    const md = "# Story\n\ntext\n\n## ✅ Acceptance Criteria\n\n- API answers in 300 ms\n1. Backups daily\n\n## Notes\n\n- not a criterion";
    expect(acceptanceCriteriaFromMarkdown(md)).toEqual([
      { text: "API answers in 300 ms", done: false },
      { text: "Backups daily", done: false },
    ]);
  });

  it("finds none when there are neither", () => {
    expect(acceptanceCriteriaFromMarkdown("just text\n- a list")).toEqual([]);
  });
});

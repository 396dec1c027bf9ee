// Issue 12, finding 10a: the story line syntax is read in linear time, and over-long lines
// are refused with the file and the line. The time these inputs take is measured in
// bench/hostile.mjs, not here; these tests check the results.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_STORY_LINE } from "../core/limits.js";
import { checkboxOf, fieldOf, headingOf, readStoryMarkdown, storyHeadingOf } from "./story-markdown.js";

// The expressions the story parser used before (cubic on a line of many spaces). They run
// here only on short strings, as the reference the linear code must agree with.
const OLD_HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const OLD_FIELD = /^\s{0,3}\*\*([^*\n]+?):?\*\*:?[ \t]*(.*?)\s*$/;
const OLD_CHECKBOX = /^\s*[-*+]\s+\[([ xX])\]\s+(.*?)\s*$/;
const OLD_STORY_HEADING = /^Story\s+([A-Za-z0-9][\w.-]*?)\s*(?::\s*|\s[–—-]\s*|$)(.*)$/i;

/** Short lines made of the characters these expressions care about. */
const line = fc
  .array(fc.constantFrom(" ", "\t", "#", "*", ":", "-", "–", "—", "+", "[", "]", "x", "X", "S", "t", "o", "r", "y", "s", "1", ".", "_", "a", "\u00a0", "\r", "\u2028"), { maxLength: 24 })
  .map((cs) => cs.join(""));
const prefixed = (prefixes: string[]) => fc.tuple(fc.constantFrom(...prefixes), line).map(([p, l]) => p + l);

describe("linear story line syntax agrees with the old expressions", () => {
  const runs = { numRuns: 3000 };

  it("headings", () => {
    fc.assert(
      fc.property(fc.oneof(line, prefixed(["# ", "## ", "  ### ", "####### ", "#\t"])), (l) => {
        const m = OLD_HEADING.exec(l);
        expect(headingOf(l)).toEqual(m ? { level: m[1]?.length, text: m[2] } : undefined);
      }),
      runs,
    );
  });

  it("**Key:** value fields", () => {
    fc.assert(
      fc.property(fc.oneof(line, prefixed(["**", "**Story ID:**", "  **Epic**:", "**a*", "**:**", "**Key::** "])), (l) => {
        const m = OLD_FIELD.exec(l);
        expect(fieldOf(l)).toEqual(m ? { name: m[1], value: m[2] } : undefined);
      }),
      runs,
    );
  });

  it("checkboxes", () => {
    fc.assert(
      fc.property(fc.oneof(line, prefixed(["- [ ] ", "* [x]", "  + [X]\t", "-  [ ]"])), (l) => {
        const m = OLD_CHECKBOX.exec(l);
        expect(checkboxOf(l)).toEqual(m ? { done: m[1] !== " ", text: m[2] } : undefined);
      }),
      runs,
    );
  });

  it("Story headings", () => {
    fc.assert(
      fc.property(fc.oneof(line, prefixed(["Story ", "story\t", "STORY 1.2", "Story x-", "Story a.b "])), (l) => {
        const m = OLD_STORY_HEADING.exec(l);
        expect(storyHeadingOf(l)).toEqual(m ? { id: m[1], title: m[2] } : undefined);
      }),
      runs,
    );
  });

  it("the usual headings", () => {
    expect(storyHeadingOf("Story 6.1.14.3: Deploy the API")).toEqual({ id: "6.1.14.3", title: "Deploy the API" });
    expect(storyHeadingOf("Story 6.1 – Deploy")).toEqual({ id: "6.1", title: "Deploy" });
    expect(storyHeadingOf("Story a-b")).toEqual({ id: "a-b", title: "" });
    expect(storyHeadingOf("Stories about x")).toBeUndefined();
  });
});

describe("hostile story lines (finding 10a)", () => {
  it("reads the cubic heading 'Story x: T' + spaces + 'b' with the right id and title", () => {
    const spaces = " ".repeat(8_000);
    const r = readStoryMarkdown(`# Story x: T${spaces}b\n\nBody.\n`, "stories/x.md");
    expect(r.ok).toBe(true);
    expect(r.value).toMatchObject({ id: "x", title: `T${spaces}b`, description: "Body." });
  });

  it("reads a field and a checkbox padded with spaces", () => {
    const spaces = " ".repeat(9_000);
    const r = readStoryMarkdown(`# Story y: T\n\n**Priority:** High${spaces}x\n\n## Acceptance Criteria\n- [x] ok${spaces}b\n`, "y.md");
    expect(r.value?.priority).toBe(`High${spaces}x`);
    expect(r.value?.acceptanceCriteria).toEqual([{ text: `ok${spaces}b`, done: true }]);
  });

  it("refuses a line over the limit, naming the file, the line and the limit", () => {
    const r = readStoryMarkdown(`# Story z: T\n\nok\n# Story z: T${" ".repeat(MAX_STORY_LINE)}b\n`, "stories/z.md");
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      {
        message: `stories/z.md: line 4 is ${MAX_STORY_LINE + 13} characters long; the limit is ${MAX_STORY_LINE} characters per line, break it into shorter lines`,
        path: "stories/z.md",
        line: 4,
        kind: "line-too-long",
      },
    ]);
  });

  it("accepts a line at the limit", () => {
    expect(readStoryMarkdown(`# Story w: T\n\n${"x".repeat(MAX_STORY_LINE)}\n`, "w.md").ok).toBe(true);
  });
});

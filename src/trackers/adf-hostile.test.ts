// Issue 12: tracker text (a Jira description, a GitHub issue body) is read in linear time.
// The old expressions backtracked quadratically or cubically on lines of spaces and on
// unclosed delimiters; these tests check the results on those inputs (the time they take
// is measured in bench/hostile.mjs, not here) and that the readers agree with the old
// expressions on ordinary input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptanceCriteriaFromMarkdown,
  atxHeadingOf,
  criterionOf,
  fenceOf,
  inline,
  inlineMatches,
  isAcceptanceHeading,
  isRule,
  isTableSeparator,
  listItemOf,
  MAX_READ_NESTING,
  MAX_WRITE_NESTING,
  adfToMarkdown,
  markdownToAdf,
} from "./adf.js";
import type { AdfNode } from "./adf.js";
import { DevopsPackError } from "../core/errors.js";
import { checkboxes } from "./github.js";

// The expressions adf.ts and github.ts used before. They run here only on short strings,
// as the reference the linear readers must agree with.
const OLD_FENCE = /^(\s*)(```+|~~~+)\s*([\w#+.-]*)\s*$/;
const OLD_HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const OLD_LIST = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const OLD_RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const OLD_TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
const OLD_CHECKBOX = /^\s*(?:[-*+]|\d+[.)])?\s*(?:\[( |x|X)\]|(☐|☑|✅|✔|✓|⬜|🔲))\s+(.+?)\s*$/u;
const OLD_AC_HEADING = /^\s*(?:#{1,6}\s*|\*\*\s*)?[^\w]*acceptance\s+criteria\b/iu;
const OLD_GITHUB_CHECKBOX = /^\s*[-*+]\s+\[([ xX])\]\s+(.+?)\s*$/;
const OLD_INLINE = /`([^`]+)`|\*\*(.+?)\*\*|__(.+?)__|~~(.+?)~~|\[([^\]]+)\]\(([^)\s]+)\)|(?<![\w*])\*(?!\s)([^*]+?)\*(?![\w*])|(?<!\w)_(?!\s)([^_]+?)_(?!\w)/g;

const runs = { numRuns: 3000 };
const chars = (cs: string[], maxLength = 24) => fc.array(fc.constantFrom(...cs), { maxLength }).map((a) => a.join(""));
const SPACE = [" ", "\t", "\u00a0", "\u2028", "\r"];
const withPrefix = (prefixes: string[], rest: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom(...prefixes), rest).map(([p, l]) => p + l);

describe("linear tracker readers agree with the old expressions", () => {
  it("code fences", () => {
    const line = chars([...SPACE, "`", "~", "j", "s", "#", "+", ".", "-", "!"]);
    fc.assert(
      fc.property(fc.oneof(line, withPrefix(["```", " ~~~~", "``", "````"], line)), (l) => {
        const m = OLD_FENCE.exec(l);
        expect(fenceOf(l)).toEqual(m ? { marker: m[2], language: m[3] } : undefined);
      }),
      runs,
    );
  });

  it("headings", () => {
    const line = chars([...SPACE, "#", "a", "b", "*"]);
    fc.assert(
      fc.property(fc.oneof(line, withPrefix(["# ", "## a", "###### ", "####### ", " # "], line)), (l) => {
        const m = OLD_HEADING.exec(l);
        expect(atxHeadingOf(l)).toEqual(m ? { level: m[1]?.length, text: m[2] } : undefined);
      }),
      runs,
    );
  });

  it("list items", () => {
    const line = chars([...SPACE, "-", "*", "+", "1", "2", ".", ")", "a", "[", "]"]);
    fc.assert(
      fc.property(fc.oneof(line, withPrefix(["- ", "  * a", "12. ", "3)", "+\t"], line)), (l) => {
        const m = OLD_LIST.exec(l);
        expect(listItemOf(l)).toEqual(m ? { bullet: m[2], text: m[3] } : undefined);
      }),
      runs,
    );
  });

  it("rules", () => {
    fc.assert(
      fc.property(chars([...SPACE, "-", "*", "_", "a"]), (l) => {
        expect(isRule(l)).toBe(OLD_RULE.test(l));
      }),
      runs,
    );
  });

  it("table separators", () => {
    const line = chars([...SPACE, "|", ":", "-", "-", "a"], 30);
    fc.assert(
      fc.property(fc.oneof(line, withPrefix(["|---|", "| --- | :-: |", "--|--", ":--"], line)), (l) => {
        expect(isTableSeparator(l)).toBe(OLD_TABLE_SEP.test(l));
      }),
      runs,
    );
  });

  it("acceptance-criteria checkboxes (one deliberate difference: nothing after the box is no criterion)", () => {
    const line = chars([...SPACE, "-", "*", "1", ".", ")", "[", "]", "x", "X", "☐", "☑", "✅", "🔲", "a", "#"]);
    fc.assert(
      fc.property(fc.oneof(line, withPrefix(["- [ ] ", "* [x]", "1. ☑ ", " ✅", "🔲 ", "[X]\t"], line)), (l) => {
        const m = OLD_CHECKBOX.exec(l);
        const text = m?.[3];
        const expected =
          m && text !== undefined && text.trim() !== "" ? { text, done: m[1] !== undefined ? m[1] !== " " : m[2] !== "☐" && m[2] !== "⬜" && m[2] !== "🔲" } : undefined;
        expect(criterionOf(l)).toEqual(expected);
      }),
      runs,
    );
  });

  it("acceptance-criteria headings", () => {
    const line = chars([...SPACE, "#", "*", "🎯", ":", "a", "A", "c", "ſ", "K"]);
    fc.assert(
      fc.property(fc.oneof(line, fc.tuple(line, fc.constantFrom("Acceptance Criteria", "acceptance  criteria:", "ACCEPTANCE\tCRITERIAx", "acceptance"), line).map((p) => p.join(""))), (l) => {
        expect(isAcceptanceHeading(l)).toBe(OLD_AC_HEADING.test(l));
      }),
      runs,
    );
  });

  it("GitHub checkboxes (the same difference)", () => {
    const line = chars([...SPACE, "-", "*", "[", "]", "x", "#", "1", "a"]);
    fc.assert(
      fc.property(fc.oneof(line, withPrefix(["- [ ] ", "* [x]", "  + [X]\t", "- [ ] #1"], line)), (l) => {
        const m = OLD_GITHUB_CHECKBOX.exec(l);
        const expected = m && m[2] !== undefined && m[2].trim() !== "" && !/^#\d+$/.test(m[2]) ? [{ text: m[2], done: m[1] !== " " }] : [];
        expect(checkboxes(l)).toEqual(expected);
      }),
      runs,
    );
  });

  it("inline spans", () => {
    const text = chars(["*", "*", "_", "_", "~", "`", "[", "]", "(", ")", "a", "b", "1", " ", "\n", "\u2028", "."], 30);
    fc.assert(
      fc.property(text, (t) => {
        const old = [...t.matchAll(OLD_INLINE)].map((m) => ({ index: m.index, length: m[0].length, groups: [...m] }));
        expect(inlineMatches(t)).toEqual(old);
      }),
      { numRuns: 10_000 },
    );
  });

  it("ordinary markdown reads as before", () => {
    expect(inline("Builds **the API** for `orders`, _see_ [the spec](https://x.test/s) ~~now~~ *soon*")).toEqual([
      { type: "text", text: "Builds " },
      { type: "text", text: "the API", marks: [{ type: "strong" }] },
      { type: "text", text: " for " },
      { type: "text", text: "orders", marks: [{ type: "code" }] },
      { type: "text", text: ", " },
      { type: "text", text: "see", marks: [{ type: "em" }] },
      { type: "text", text: " " },
      { type: "text", text: "the spec", marks: [{ type: "link", attrs: { href: "https://x.test/s" } }] },
      { type: "text", text: " " },
      { type: "text", text: "now", marks: [{ type: "strike" }] },
      { type: "text", text: " " },
      { type: "text", text: "soon", marks: [{ type: "em" }] },
    ]);
  });
});

describe("hostile tracker text", () => {
  const spaces = " ".repeat(8_000);

  it("a heading '#' + spaces + 'b', and one with a line separator, are read (cubic before)", () => {
    expect(markdownToAdf(`#${spaces}b`).content).toEqual([{ type: "heading", attrs: { level: 1 }, content: [{ type: "text", text: "b" }] }]);
    // U+2028 inside the text: not a heading (the old expression's `.` stopped there too), a paragraph.
    const doc = markdownToAdf(`# a${spaces}\u2028b`);
    expect(doc.content.map((n) => n.type)).toEqual(["paragraph"]);
  });

  it("a checkbox whose text holds a line separator after many spaces is no criterion; one padded with spaces keeps its text", () => {
    expect(acceptanceCriteriaFromMarkdown(`- [ ] a${spaces}\u2028b`)).toEqual([]);
    expect(acceptanceCriteriaFromMarkdown(`- [ ]${spaces}\u2028b\n1. ✅ ok${spaces}b${spaces}`)).toEqual([
      { text: "b", done: false },
      { text: `ok${spaces}b`, done: true },
    ]);
    expect(checkboxes(`- [ ] a${spaces}\u2028b\n- [x] a${spaces}b${spaces}\r`)).toEqual([{ text: `a${spaces}b`, done: true }]);
  });

  it("a checkbox with nothing after it is no criterion (the old expressions made one of ' ')", () => {
    expect(acceptanceCriteriaFromMarkdown("- [ ]   ")).toEqual([]);
    expect(checkboxes("- [ ]   ")).toEqual([]);
  });

  it("table separators, fences, rules and list items padded with spaces", () => {
    expect(markdownToAdf(`a|b\n|--${spaces}|--${spaces}x`).content.map((n) => n.type)).toEqual(["paragraph"]);
    expect(markdownToAdf(`a|b\n|--${spaces}|--${spaces}`).content.map((n) => n.type)).toEqual(["table"]);
    expect(markdownToAdf(`\`\`\`${spaces}!`).content.map((n) => n.type)).toEqual(["paragraph"]);
    expect(markdownToAdf(`- - -${spaces}x`).content.map((n) => n.type)).toEqual(["bulletList"]);
    expect(acceptanceCriteriaFromMarkdown(`## Acceptance Criteria\n-${spaces}a\u2028b\n- ok`)).toEqual([{ text: "ok", done: false }]);
    expect(acceptanceCriteriaFromMarkdown(`${spaces}x\n**Acceptance criteria**${spaces}\n- one\n**Notes**${spaces}:\n- two`)).toEqual([{ text: "one", done: false }]);
  });

  it("unclosed inline delimiters are plain text", () => {
    for (const t of ["**" + "*".repeat(100_000), "[a](".repeat(25_000), "[".repeat(100_000), "~~" + "a~".repeat(50_000), "`".repeat(100_000), "**a\u2028".repeat(20_000)]) {
      const nodes = inline(t);
      expect(nodes.map((n) => n.text ?? "").join("")).toBe(
        // Only '**' + many '*' has spans: each '*****' is strong '*'.
        t.startsWith("***") ? t.replace(/\*{5}/g, "*") : t,
      );
    }
  });

  it("a long list item's continuation lines are appended in place", () => {
    const body = ["- item", ...Array.from({ length: 20_000 }, (_, i) => `  line ${i}`)].join("\n");
    const item = markdownToAdf(body).content[0]?.content?.[0]?.content?.[0];
    expect(item?.content?.filter((n) => n.type === "hardBreak")).toHaveLength(20_000);
  });
});

describe("nesting is bounded both ways", () => {
  it("a line of 50,000 '>' is one block quote holding the rest as text (ADF has no nested quotes; it overflowed the stack)", () => {
    const doc = markdownToAdf(`${">".repeat(50_000)} deep`);
    expect(doc.content).toHaveLength(1);
    const quote = doc.content[0];
    expect(quote?.type).toBe("blockquote");
    expect(quote?.content).toHaveLength(1);
    expect(quote?.content?.[0]?.type).toBe("paragraph");
    expect(quote?.content?.[0]?.content?.[0]?.text).toBe(`${">".repeat(49_999)} deep`);
  });

  it("list items nested 3,000 levels deep stop nesting at MAX_WRITE_NESTING and keep the deeper items as text", () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => `${"  ".repeat(i)}- item ${i}`);
    const doc = markdownToAdf(lines.join("\n"));
    let list: AdfNode | undefined = doc.content[0];
    let depth = 0;
    let last: AdfNode | undefined;
    while (list?.type === "bulletList") {
      depth++;
      last = list.content?.[0];
      list = last?.content?.find((c) => c.type === "bulletList");
    }
    expect(depth).toBe(MAX_WRITE_NESTING);
    const text = JSON.stringify(last);
    expect(text).toContain("item 2999");
  });

  it("an ADF document from a tracker nested 100,000 deep is a TRACKER error, not a stack overflow", () => {
    let node: AdfNode = { type: "paragraph", content: [{ type: "text", text: "x" }] };
    for (let i = 0; i < 100_000; i++) node = { type: "blockquote", content: [node] };
    let err: unknown;
    try {
      adfToMarkdown({ version: 1, type: "doc", content: [node] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DevopsPackError);
    expect((err as DevopsPackError).code).toBe("TRACKER");
    expect((err as Error).message).toMatch(new RegExp(`nests more than ${10 * MAX_READ_NESTING} levels deep; the limit is ${MAX_READ_NESTING}`));
  });

  it("an ADF document within the limit still reads back", () => {
    let node: AdfNode = { type: "paragraph", content: [{ type: "text", text: "inner" }] };
    for (let i = 0; i < 20; i++) node = { type: "blockquote", content: [node] };
    expect(adfToMarkdown({ version: 1, type: "doc", content: [node] })).toContain("inner");
  });
});

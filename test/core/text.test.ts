import { describe, expect, it } from "vitest";
import { DECIDER_RULES, REASON_RULES, checkLabel, escapeBlock, escapeLabel, requireLabel } from "../../src/core/text.js";

describe("labels people type: --by and --reason (issue 12, finding 14c)", () => {
  const refusedBy: [string, string, RegExp][] = [
    ["a newline", "alice\nbob", /a line break \(U\+000A at character 6\)/],
    ["an ANSI escape", "\u001b[2Jalice", /a control character \(U\+001B at character 1\)/],
    ["DEL", "ali\u007fce", /a control character \(U\+007F/],
    ["a C1 control", "ali\u009bce", /a control character \(U\+009B/],
    ["a zero-width space", "al\u200bice", /an invisible or bidirectional character \(U\+200B/],
    ["a zero-width joiner", "al\u200dice", /U\+200D/],
    ["a bidi override", "\u202ealice", /U\+202E/],
    ["a bidi isolate", "alice\u2066", /U\+2066/],
    ["a BOM inside", "ali\ufeffce", /U\+FEFF/],
    ["a line separator", "alice\u2028bob", /U\+2028/],
  ];
  it.each(refusedBy)("--by with %s is refused", (_name, value, message) => {
    const r = checkLabel(value, DECIDER_RULES);
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.message).toMatch(/^--by contains /);
    expect(r.errors[0]?.message).toMatch(message);
  });

  it("--by is at most 100 characters; 100 KB is refused", () => {
    expect(checkLabel("a".repeat(100), DECIDER_RULES).ok).toBe(true);
    expect(checkLabel("a".repeat(101), DECIDER_RULES).errors[0]?.message).toBe("--by is 101 characters long; the limit is 100.");
    expect(checkLabel("a".repeat(100 * 1024), DECIDER_RULES).errors[0]?.message).toMatch(/102400 characters long; the limit is 100/);
  });

  it("names with accents, CJK and emoji are fine, and they are trimmed", () => {
    for (const name of ["Zoë Ångström", "山田 太郎", "alice 🚀", "o'brien-smith"]) expect(checkLabel(` ${name} `, DECIDER_RULES)).toMatchObject({ ok: true, value: name });
  });

  it("--reason folds line breaks and tabs into spaces but refuses escapes; at most 2,000 characters", () => {
    expect(checkLabel("reviewed\ndeploy.yml\r\n\tand ci.yml", REASON_RULES)).toMatchObject({ ok: true, value: "reviewed deploy.yml and ci.yml" });
    expect(checkLabel("ok \u001b]8;;http://evil\u0007click", REASON_RULES).ok).toBe(false);
    expect(checkLabel("x".repeat(2000), REASON_RULES).ok).toBe(true);
    expect(checkLabel("x".repeat(2001), REASON_RULES).errors[0]?.message).toBe("--reason is 2001 characters long; the limit is 2000.");
  });

  it("requireLabel throws BAD_INPUT (exit 2)", () => {
    expect(() => requireLabel("a\u001bb", DECIDER_RULES)).toThrow(/--by contains a control character/);
    try {
      requireLabel("a\u001bb", DECIDER_RULES);
    } catch (e) {
      expect((e as { code?: string }).code).toBe("BAD_INPUT");
    }
    expect(() => requireLabel("   ", DECIDER_RULES)).toThrow(/--by must not be empty/);
  });
});

describe("labels read from elsewhere are escaped, not refused (issue 12, finding 14c)", () => {
  it("escapes control, bidi and zero-width characters visibly", () => {
    expect(escapeLabel("Fix \u001b[31mred\u001b[0m\ntitle\u202e\u200b")).toBe("Fix \\u{1b}[31mred\\u{1b}[0m\\u{a}title\\u{202e}\\u{200b}");
    expect(escapeLabel("Plain title – with ünïcode 🚀")).toBe("Plain title – with ünïcode 🚀");
  });
  it("cuts long labels", () => {
    const out = escapeLabel("t".repeat(100 * 1024));
    expect([...out]).toHaveLength(300);
    expect(out.endsWith("…")).toBe(true);
  });
  it("keeps line breaks in blocks but escapes the rest", () => {
    expect(escapeBlock("# Title\u001b[2J\n\tbody\u0007\n")).toBe("# Title\\u{1b}[2J\n\tbody\\u{7}\n");
  });
});

// Issue 12, findings 9 and 14g: hostile YAML (many keys, deep nesting, many documents,
// custom tags, __proto__ keys) is bounded or refused with a message that names the limit.
// The work these inputs cost is measured in bench/hostile.mjs, not here.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isDevopsPackError } from "../../src/core/errors.js";
import { MAX_YAML_DEPTH, MAX_YAML_DOCUMENTS, MAX_YAML_KEYS } from "../../src/core/limits.js";
import type { Specialist } from "../../src/core/specialist.js";
import { parseTaskDocument, validateTaskInput } from "../../src/core/tasks/parse.js";
import { parseYamlSafe, readYamlDocuments } from "../../src/core/yaml.js";

function badInputMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isDevopsPackError(e) && e.code).toBe("BAD_INPUT");
    return (e as Error).message;
  }
  return expect.fail("expected BAD_INPUT");
}

const keys = (n: number, indent = "") => Array.from({ length: n }, (_, i) => `${indent}k${i}: ${i}`).join("\n") + "\n";
const task = (extra: string) => `task:\n  type: devops.demo\n  input:\n    project_type: node\n${extra}`;

describe("bounded YAML parsing (finding 9)", () => {
  it("refuses a task with 100k keys, naming the limit and the line", () => {
    const text = task("    extra:\n" + keys(100_000, "      "));
    const message = badInputMessage(() => parseTaskDocument(text, "keys.yaml"));
    expect(message).toContain(`keys.yaml has more than ${MAX_YAML_KEYS} YAML keys and items`);
    expect(message).toContain(`the limit is ${MAX_YAML_KEYS} per file, split the file`);
    // The 65,537th key or item: 3 of the envelope, then `extra:`'s keys from line 6 on.
    expect(message).toContain(`(past it at line 65537)`);
    expect(message).toMatch(/line 65537:/);
  });

  it("still reports a duplicate key among 50k keys, at its line", () => {
    const r = parseYamlSafe(keys(50_000) + "k17: again\n", "dup.yaml");
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([{ message: "Map keys must be unique", path: "dup.yaml", line: 50_001, column: 1, kind: "syntax" }]);
  });

  it("reads 50k distinct keys", () => {
    const r = parseYamlSafe(keys(50_000), "many.yaml");
    expect(r.ok).toBe(true);
    expect(Object.keys(r.value as object)).toHaveLength(50_000);
  });

  it("reports duplicate keys in flow and nested maps with the library's message and position", () => {
    const r = parseYamlSafe("a: 1\nb:\n  c: 1\n  c: 2\nd: {x: 1, x: 2}\na: 3\n", "d.yaml");
    expect(r.errors.map((e) => [e.message, e.line, e.column])).toEqual([
      ["Map keys must be unique", 4, 3],
      ["Map keys must be unique", 5, 11],
      ["Map keys must be unique", 6, 1],
    ]);
  });

  it("keeps keys of different types apart, as the library does (1 and '1')", () => {
    expect(parseYamlSafe("1: a\n'1': b\ntrue: c\n'true': d\n", "t.yaml").ok).toBe(true);
  });

  it("refuses nesting deeper than the limit without overflowing the stack, and reads it at the limit", () => {
    const deep = (n: number) => task(`    extra: ${"[".repeat(n)}${"]".repeat(n)}\n`);
    expect(badInputMessage(() => parseTaskDocument(deep(100_000), "deep.yaml"))).toContain(`deep.yaml: YAML collections nested more than ${MAX_YAML_DEPTH} deep at line 5; the limit is ${MAX_YAML_DEPTH} levels`);
    const blockDeep = Array.from({ length: MAX_YAML_DEPTH + 5 }, (_, i) => `${" ".repeat(i)}a:`).join("\n") + " 1\n";
    expect(parseYamlSafe(blockDeep, "block.yaml").errors[0]?.kind).toBe("too-deep");
    // The task's own maps are 3 levels; the flow sequences fill the rest.
    expect(parseYamlSafe(deep(MAX_YAML_DEPTH - 3), "ok.yaml").ok).toBe(true);
  });

  it("refuses a stream of more documents than the limit, naming the document and its line", () => {
    const r = readYamlDocuments("a: 1\n" + "---\n".repeat(500_000), "docs.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issue).toMatchObject({ kind: "too-many-documents", line: MAX_YAML_DOCUMENTS + 1 });
    expect(r.issue.message).toBe(
      `docs.yaml holds more than ${MAX_YAML_DOCUMENTS} YAML documents (document ${MAX_YAML_DOCUMENTS + 1} starts at line ${MAX_YAML_DOCUMENTS + 1}); the limit is ${MAX_YAML_DOCUMENTS} per file, split the file`,
    );
    const atLimit = readYamlDocuments("a: 1\n" + "---\nb: 2\n".repeat(MAX_YAML_DOCUMENTS - 1), "ok.yaml");
    expect(atLimit.ok && atLimit.value.docs.length).toBe(MAX_YAML_DOCUMENTS);
  });

  it("counts keys across the documents of a file", () => {
    const docs = Array.from({ length: 3 }, () => keys(30_000)).join("---\n");
    const r = readYamlDocuments(docs, "three.yaml");
    expect(!r.ok && r.issue.message).toMatch(/^three\.yaml has more than 65536 YAML keys and items \(past it at line 65539\)/);
  });

  it("a task file with a second document is refused at the second document's line", () => {
    expect(badInputMessage(() => parseTaskDocument(task("---\n".repeat(500_000)), "two.yaml"))).toMatch(/line 5: two\.yaml holds more than one YAML document; a single document is expected/);
  });
});

describe("YAML strictness (finding 14g)", () => {
  it("refuses a custom tag in a task file, naming the tag and the accepted ones", () => {
    const message = badInputMessage(() => parseTaskDocument("task:\n  type: devops.demo\n  input: !foo\n    project_type: node\n", "tag.yaml"));
    expect(message).toContain("line 3: Custom YAML tag !foo is not supported; only the YAML 1.2 core tags (!!map, !!seq, !!str, !!int, !!float, !!bool, !!null) are");
  });

  it("accepts the core schema's own tags", () => {
    expect(parseYamlSafe("a: !!str 1\nb: !!int '2'\nc: !!map {x: 1}\n", "core.yaml")).toMatchObject({ ok: true, value: { a: "1", b: 2, c: { x: 1 } } });
  });

  it("custom tags can be left to the library where a reader asks for it (the scanner)", () => {
    const r = readYamlDocuments("a: !Ref x\n", "cfn.yaml", { customTags: "ignore" });
    expect(r.ok && r.value.docs[0]?.errors).toEqual([]);
  });

  const demo: Specialist<{ project_type: "node" | "python"; options?: { cache: boolean } | undefined }> = {
    agent: "devops_demo",
    taskType: "devops.demo",
    description: "demo",
    schema: z.object({ project_type: z.enum(["node", "python"]), options: z.object({ cache: z.boolean() }).strict().optional() }).strict(),
    environments: () => [],
    plan: () => ({ artifacts: [], findings: [], notes: [] }),
  };

  it("reports a __proto__ key in the task input as an unknown field, naming the valid fields", () => {
    const envelope = parseTaskDocument(task("    __proto__:\n      admin: true\n"), "proto.yaml");
    const message = badInputMessage(() => validateTaskInput(envelope, demo, "proto.yaml"));
    expect(message).toContain("Unknown field '__proto__' in task.input. Valid fields: options, project_type.");
  });

  it("reports a nested __proto__ key where it is", () => {
    const envelope = parseTaskDocument(task("    options:\n      cache: true\n      __proto__: {}\n"), "proto.yaml");
    expect(badInputMessage(() => validateTaskInput(envelope, demo, "proto.yaml"))).toContain("Unknown field '__proto__' in task.input.options. Valid fields: cache.");
  });

  it("reports a __proto__ key in the envelope", () => {
    expect(badInputMessage(() => parseTaskDocument("__proto__: {}\ntask:\n  type: devops.demo\n", "proto.yaml"))).toContain("Unknown field '__proto__' in the task file. Valid fields: task.");
    expect(badInputMessage(() => parseTaskDocument("task:\n  type: devops.demo\n  __proto__: {}\n", "proto.yaml"))).toContain("Unknown field '__proto__' in task. Valid fields: input, type.");
  });

  it("reports __proto__ in JSON arguments too (JSON.parse keeps it as an own key)", () => {
    const input = JSON.parse('{"project_type":"node","__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(badInputMessage(() => validateTaskInput({ type: "devops.demo", input }, demo, "args"))).toContain("Unknown field '__proto__' in task.input.");
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isDevopsPackError } from "../../src/core/errors.js";
import type { Specialist } from "../../src/core/specialist.js";
import { nearest } from "../../src/core/suggest.js";
import { parseTaskDocument, routeTask, validateTaskInput, withEnvironment } from "../../src/core/tasks/parse.js";
import { parseYamlSafe } from "../../src/core/yaml.js";

const demo: Specialist<{ project_type: "node" | "python"; environments: string[]; options?: { cache: boolean } | undefined }> = {
  agent: "devops_demo",
  taskType: "devops.demo",
  description: "demo",
  schema: z
    .object({
      project_type: z.enum(["node", "python"]),
      environments: z.array(z.string()).default([]),
      options: z.object({ cache: z.boolean() }).strict().optional(),
    })
    .strict(),
  environments: (i) => i.environments,
  plan: () => ({ artifacts: [], findings: [], notes: [] }),
};
const catalog = { specialists: new Map([["devops.demo", demo]]), declared: new Map([["devops.demo", "devops_demo"], ["devops.terraform", "devops_terraform"]]) };

function badInputMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isDevopsPackError(e) && e.code).toBe("BAD_INPUT");
    expect(isDevopsPackError(e) && e.exitCode).toBe(2);
    return (e as Error).message;
  }
  return expect.fail("expected BAD_INPUT");
}

describe("task documents", () => {
  it("parses YAML and JSON alike", () => {
    const y = parseTaskDocument("task:\n  type: devops.demo\n  input:\n    project_type: node\n", "t.yaml");
    const j = parseTaskDocument('{"task":{"type":"devops.demo","input":{"project_type":"node"}}}', "t.json");
    expect(y).toEqual(j);
  });

  it("malformed YAML names the line", () => {
    expect(badInputMessage(() => parseTaskDocument("task:\n  type: [devops.demo\n", "bad.yaml"))).toMatch(/bad\.yaml is not a valid task file:\n\s+line \d+:/);
  });

  it("unknown envelope fields suggest the nearest", () => {
    expect(badInputMessage(() => parseTaskDocument("task:\n  type: devops.demo\n  inputs: {}\n", "t.yaml"))).toMatch(/Unknown field 'inputs' in task\. Did you mean input\? Valid fields: input, type\./);
    expect(badInputMessage(() => parseTaskDocument("tsak: {}\n", "t.yaml"))).toMatch(/Unknown field 'tsak'.*Did you mean task\?/);
  });

  it("an empty file says what a task looks like", () => {
    expect(badInputMessage(() => parseTaskDocument("", "empty.yaml"))).toMatch(/empty\.yaml is empty.*type: devops\.cicd/s);
  });

  it("refuses a YAML alias bomb quickly", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const started = performance.now();
    const r = parseYamlSafe(`task:\n  type: devops.demo\n  input:\n    x:\n${bomb.split("\n").map((l) => `      ${l}`).join("\n")}\n`, "bomb.yaml");
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.kind).toBe("alias-bomb");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("refuses huge input", () => {
    const r = parseYamlSafe("x: " + "a".repeat(3 * 1024 * 1024), "huge.yaml");
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.kind).toBe("too-large");
  });

  it("refuses duplicate keys", () => {
    expect(parseYamlSafe("a: 1\na: 2\n", "dup.yaml").ok).toBe(false);
  });
});

describe("routing", () => {
  it("routes a task type to its specialist", () => {
    expect(routeTask("devops.demo", catalog)).toBe(demo);
  });
  it("an unknown type names the valid ones and the nearest", () => {
    expect(badInputMessage(() => routeTask("devops.dmeo", catalog))).toBe("Unknown task type 'devops.dmeo'. Did you mean devops.demo? Valid types: devops.demo, devops.terraform.");
  });
  it("a declared type without a built specialist says so", () => {
    expect(badInputMessage(() => routeTask("devops.terraform", catalog))).toMatch(/belongs to agent devops_terraform, whose specialist is not built yet. Task types that run today: devops\.demo/);
  });
});

describe("input validation", () => {
  const env = (input: Record<string, unknown>) => ({ type: "devops.demo", input });
  it("unknown fields name the valid fields and suggest the nearest", () => {
    const msg = badInputMessage(() => validateTaskInput(env({ project_type: "node", enviroments: [] }), demo, "t.yaml"));
    expect(msg).toContain("Unknown field 'enviroments' in task.input. Did you mean environments? Valid fields: environments, options, project_type.");
  });
  it("nested unknown fields are located", () => {
    const msg = badInputMessage(() => validateTaskInput(env({ project_type: "node", options: { cahce: true } }), demo, "t.yaml"));
    expect(msg).toContain("Unknown field 'cahce' in task.input.options. Did you mean cache?");
  });
  it("bad enum values list the valid values", () => {
    const msg = badInputMessage(() => validateTaskInput(env({ project_type: "nodee" }), demo, "t.yaml"));
    expect(msg).toContain('Invalid value "nodee" for task.input.project_type. Did you mean node? Valid values: node, python.');
  });
  it("a huge wrong value is quoted cut short, not echoed back whole, and gets no suggestion", () => {
    const msg = badInputMessage(() => validateTaskInput(env({ project_type: "n".repeat(1_000_000) }), demo, "t.yaml"));
    expect(msg).toContain(`Invalid value "${"n".repeat(59)}… (1000002 characters) for task.input.project_type. Valid values: node, python.`);
    expect(msg.length).toBeLessThan(500);
    const key = "x".repeat(1_000_000);
    const unknown = badInputMessage(() => validateTaskInput(env({ project_type: "node", [key]: 1 }), demo, "t.yaml"));
    expect(unknown).toContain(`Unknown field '${"x".repeat(60)}…' (1000000 characters) in task.input. Valid fields: environments, options, project_type.`);
    expect(unknown.length).toBeLessThan(500);
  });
  it("missing required fields are named", () => {
    expect(badInputMessage(() => validateTaskInput(env({}), demo, "t.yaml"))).toContain("Missing required field task.input.project_type");
  });
  it("--env narrows environments", () => {
    const e = withEnvironment(env({ project_type: "node", environments: ["staging", "production"] }), demo, "staging");
    expect(e.input.environments).toEqual(["staging"]);
  });
});

describe("nearest", () => {
  it("suggests only plausible names", () => {
    expect(nearest("devops_terafrom", ["devops_terraform", "devops_cicd"])).toEqual(["devops_terraform"]);
    expect(nearest("zzz", ["devops_terraform"])).toEqual([]);
  });
});

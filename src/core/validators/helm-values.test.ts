/**
 * Issue 13, defect 2: gate.quality.helm validates values.yaml and every
 * values-<env>.yaml (merged over values.yaml, as Helm merges -f files)
 * against the chart's values.schema.json with Ajv, through the real gate
 * engine. It used to check only the schema's own shape and that each values
 * file was a mapping, so a values file the schema refuses passed the gate.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateGates } from "../gates/engine.js";
import type { GateSpec } from "../packs/schema.js";
import type { Artifact } from "../plans/plan.js";
import { artifact, sealPlan } from "../plans/plan.js";
import { VALIDATORS } from "./index.js";
import { helmValidator, validateHelm } from "./kubernetes.js";
import { mergeHelmValues } from "./helm-values.js";

const quality: GateSpec = { id: "gate.quality", type: "quality", threshold: 100, description: "" };
const GOLDEN = join(import.meta.dirname, "../../agents/kubernetes/__golden__");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** Every chart file of a golden kubernetes example, as the plan's helm artifacts. */
function goldenChart(example: string): Artifact[] {
  const root = join(GOLDEN, example);
  return walk(join(root, "charts"))
    .map((p) => relative(root, p).split("\\").join("/"))
    .sort()
    .map((p) => artifact(p, "helm", readFileSync(join(root, p), "utf8")));
}

const CHART_EXAMPLES = readdirSync(GOLDEN).filter((d) => readdirSync(join(GOLDEN, d)).includes("charts"));

async function helmGate(artifacts: Artifact[]) {
  const plan = sealPlan({ id: "abc123def456", createdAt: "2026-01-01T00:00:00.000Z", task: { type: "devops.test", input: {} }, agent: "test", environment: [], artifacts, findings: [], notes: [], touchesSecrets: false });
  const [gate] = await evaluateGates(plan, [quality], { decisions: [], validators: { helm: VALIDATORS.helm! } });
  expect(gate?.gate).toBe("gate.quality.helm");
  return gate!;
}

/** The checkout chart with one file replaced. */
function checkoutWith(file: string, edit: (text: string) => string): Artifact[] {
  return goldenChart("kubernetes").map((a) => (a.path === `charts/checkout/${file}` ? artifact(a.path, "helm", edit(a.content)) : a));
}

describe("gate.quality.helm validates values against values.schema.json", () => {
  it("covers the three golden charts", () => {
    expect(CHART_EXAMPLES.sort()).toEqual(["kubernetes", "kubernetes-bluegreen", "kubernetes-canary-istio"]);
  });

  for (const example of CHART_EXAMPLES) {
    it(`every golden chart passes: ${example}`, async () => {
      const gate = await helmGate(goldenChart(example));
      expect(gate.blocking).toEqual([]);
      expect(gate.status).toBe("passed");
    });
  }

  it("fails a values-<env>.yaml with a wrong type, naming the file, the JSON pointer and the message", async () => {
    const gate = await helmGate(checkoutWith("values-staging.yaml", (t) => `${t}replicaCount: three\n`));
    expect(gate.status).toBe("failed");
    expect(gate.blocking).toEqual([expect.stringContaining("charts/checkout/values-staging.yaml: ")]);
    expect(gate.blocking[0]).toContain("values-staging.yaml merged over values.yaml: /replicaCount: must be integer [schema]");
  });

  it("fails values.yaml missing a required property", async () => {
    const gate = await helmGate(checkoutWith("values.yaml", (t) => t.replace(/\n {2}limits:\n(?: {4}.*\n)+/, "\n")));
    expect(gate.status).toBe("failed");
    const own = gate.blocking.filter((b) => b.startsWith("charts/checkout/values.yaml:"));
    expect(own).toEqual([expect.stringContaining("values.yaml: /resources: must have required property 'limits' [schema]")]);
  });

  it("fails a values file with a property the schema does not allow (additionalProperties: false), naming it", async () => {
    const gate = await helmGate(checkoutWith("values-production.yaml", (t) => `${t}replicaCont: 3\n`));
    expect(gate.status).toBe("failed");
    expect(gate.blocking).toEqual([expect.stringContaining("values-production.yaml merged over values.yaml: (top level): must NOT have additional properties: 'replicaCont' [schema]")]);
  });

  it("an env file that overrides only part of a map still validates (maps merge deeply, lists are replaced)", async () => {
    const gate = await helmGate(checkoutWith("values-staging.yaml", (t) => `${t}image:\n  tag: 1.4.3\n`));
    expect(gate.blocking).toEqual([]);
  });

  it("refuses a schema that is not a valid draft-07 schema, by Ajv's meta-schema", async () => {
    const r = await validateHelm(JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { a: { type: "int" } } }), "charts/api/values.schema.json");
    expect(r.ok).toBe(false);
    expect(r.errors[0]?.message).toMatch(/^values\.schema\.json: \/properties\/a\/type: must be equal to one of the allowed values/);
  });

  it("a values file on its own (no schema in view) is checked as a mapping only; the gate sees the whole chart", async () => {
    const [values] = checkoutWith("values.yaml", (t) => `${t}replicaCont: 3\n`).filter((a) => a.path.endsWith("/values.yaml"));
    expect((await helmValidator.validate(values!)).ok).toBe(true);
  });
});

describe("mergeHelmValues", () => {
  it("merges maps deeply, replaces lists and scalars, and a null deletes the key (as Helm does)", () => {
    expect(mergeHelmValues({ a: { b: 1, c: [1, 2] }, d: 1, e: 1 }, { a: { c: [3] }, d: "x", e: null })).toEqual({ a: { b: 1, c: [3] }, d: "x" });
  });
});

// Issue 12, finding 9, the readers that still parsed on their own: workflow and rule-file
// analysis (repository files read through diskInputs), the bundle's cross-references, and
// the Prometheus and Grafana validators now read through core/yaml's bounded reader, and
// say which limit a file goes past. The work these inputs cost is measured in
// bench/hostile.mjs, not here; these tests check the results.
import { describe, expect, it } from "vitest";
import { readAlerts } from "../../src/agents/alerting/analyze.js";
import { analyzeWorkflow } from "../../src/agents/cicd/analyze.js";
import { checkReferences } from "../../src/agents/manager/workflows/references.js";
import { MAX_YAML_DEPTH, MAX_YAML_DOCUMENTS, MAX_YAML_KEYS } from "../../src/core/limits.js";
import type { Artifact } from "../../src/core/plans/plan.js";
import { validateGrafanaDashboard } from "../../src/core/validators/grafana.js";
import { readYamlDocument } from "../../src/core/yaml.js";
import { parseWorkflow } from "../../src/scanner/github-actions/parse.js";

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n") + "\n";
const artifact = (path: string, kind: Artifact["kind"], content: string): Artifact => ({ path, kind, content, sha256: "" });

describe("readYamlDocument: one bounded parse with data, nodes and positions", () => {
  it("gives the data and the node tree of the same parse", () => {
    const r = readYamlDocument("a: 1\nb:\n  - x\n", "f.yaml");
    expect(r.ok && r.value.data).toEqual({ a: 1, b: ["x"] });
    expect(r.ok && r.value.lc.linePos(r.value.doc?.range[0] ?? -1)).toEqual({ line: 1, col: 1 });
    expect(readYamlDocument("", "e.yaml")).toMatchObject({ ok: true, value: { data: null } });
  });

  it("refuses what parseYamlSafe refuses: past the key limit, custom tags", () => {
    const many = readYamlDocument(lines(MAX_YAML_KEYS + 1, (i) => `k${i}: 1`), "many.yaml");
    expect(many.ok).toBe(false);
    expect(many.errors[0]?.message).toContain(`more than ${MAX_YAML_KEYS} YAML keys and items`);
    expect(readYamlDocument("a: !foo x\n", "t.yaml").errors[0]?.message).toMatch(/Custom YAML tag !foo is not supported/);
  });
});

describe("workflow and rule-file analysis (repository files)", () => {
  const workflowHead = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n    - run: echo\n    env:\n";

  it("a workflow past the key limit is one DP-CICD-009 finding naming the limit", () => {
    const findings = analyzeWorkflow(".github/workflows/ci.yml", workflowHead + lines(MAX_YAML_KEYS, (i) => `      K${i}: v`));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: "DP-CICD-009", file: ".github/workflows/ci.yml" });
    expect(findings[0]?.message).toContain(`the limit is ${MAX_YAML_KEYS} per file`);
  });

  it("findings still carry the line of the offending key", () => {
    const findings = analyzeWorkflow("ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n");
    expect(findings.find((f) => f.ruleId === "DP-CICD-001")?.line).toBe(6);
  });

  it("a rule file nested past the depth limit is one DP-ALERT-008 naming the limit; a good one has its alerts' lines", () => {
    const deep = readAlerts("rules.yml", "groups: " + "[".repeat(MAX_YAML_DEPTH + 1) + "]".repeat(MAX_YAML_DEPTH + 1) + "\n");
    expect(deep.alerts).toEqual([]);
    expect(deep.error).toMatchObject({ ruleId: "DP-ALERT-008", file: "rules.yml" });
    expect(deep.error?.message).toContain(`the limit is ${MAX_YAML_DEPTH} levels`);
    const good = readAlerts("rules.yml", "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n");
    expect(good.alerts).toMatchObject([{ name: "Down", line: 4 }]);
  });

  it("the scanner's workflow parser says which limit a file goes past", () => {
    const r = parseWorkflow("ci.yml", workflowHead + lines(MAX_YAML_KEYS, (i) => `      K${i}: v`));
    expect("jobs" in r).toBe(false);
    expect(r).toMatchObject({ file: "ci.yml", message: expect.stringContaining(`the limit is ${MAX_YAML_KEYS} per file`) as unknown });
  });
});

describe("the bundle's cross-references", () => {
  it("a manifest past the document limit is a problem naming the limit, not a silent skip", () => {
    const docs = lines(MAX_YAML_DOCUMENTS + 1, (i) => `---\nkind: ConfigMap\nmetadata:\n  name: c${i}`);
    const report = checkReferences([artifact("k8s/many.yaml", "kubernetes", docs)], {});
    expect(report.problems).toEqual([expect.stringContaining(`holds more than ${MAX_YAML_DOCUMENTS} YAML documents`)]);
  });

  it("a document that does not parse is a problem", () => {
    const report = checkReferences([artifact("k8s/bad.yaml", "kubernetes", "kind: Deployment\nkind: Service\n")], {});
    expect(report.problems).toEqual([expect.stringMatching(/^k8s\/bad\.yaml cannot be read: Map keys must be unique/)]);
  });
});

describe("Grafana dashboards (JSON)", () => {
  it("a dashboard nested past the depth limit is refused naming the limit (the schema walk overflowed the stack)", async () => {
    const depth = 100_000;
    const r = await validateGrafanaDashboard(`{"title": "t", "panels": ${"[".repeat(depth)}${"]".repeat(depth)}}`, "deep.json");
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ path: "deep.json", kind: "too-deep", message: expect.stringContaining(`the limit is ${MAX_YAML_DEPTH} levels`) as unknown })]);
  });

  it("a dashboard with 60,000 keys in one object and an unknown field gets the field's line (the locator's duplicate-key check was quadratic)", async () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `"k${i}": ${i}`).join(",\n    ");
    const r = await validateGrafanaDashboard(`{\n  "title": "t",\n  "bogus": true,\n  "templating": {"list": []},\n  "panels": [],\n  "annotations": {"list": []},\n  "extra": {\n    ${keys}\n  }\n}\n`, "big.json");
    expect(r.ok).toBe(false);
    expect(r.errors).toContainEqual(expect.objectContaining({ line: 3, message: expect.stringContaining("unknown field 'bogus'") as unknown }));
  });

  it("a dashboard past the key limit is refused naming the limit", async () => {
    // The lexer's count is a lower bound: up to one key per collection (here 2) may go unseen.
    const keys = Array.from({ length: MAX_YAML_KEYS + 3 }, (_, i) => `"k${i}":0`).join(",");
    const r = await validateGrafanaDashboard(`{"title":"t","x":{${keys}}}`, "many.json");
    expect(r.errors).toEqual([expect.objectContaining({ kind: "too-many-keys", message: expect.stringContaining(`the limit is ${MAX_YAML_KEYS} per file`) as unknown })]);
  });
});

describe("the early key count on the lexer's tokens", () => {
  it("counts a flow mapping's keys once (its ':' and ',' were both counted, so 32,769 keys were refused as over 65,536)", () => {
    const n = 40_000;
    const json = `{${Array.from({ length: n }, (_, i) => `"k${i}": ${i}`).join(", ")}}`;
    const r = readYamlDocument(json, "keys.json");
    expect(r.ok, r.errors[0]?.message).toBe(true);
    expect(Object.keys((r.ok ? r.value.data : {}) as object)).toHaveLength(n);
  });

  it("still refuses a flow mapping past the limit, and block keys and items", () => {
    const flow = `{${Array.from({ length: MAX_YAML_KEYS + 1 }, (_, i) => `k${i}: 0`).join(", ")}}`;
    expect(readYamlDocument(flow, "f.yaml").errors[0]?.kind).toBe("too-many-keys");
    expect(readYamlDocument(lines(MAX_YAML_KEYS + 1, (i) => `- ${i}`), "s.yaml").errors[0]?.kind).toBe("too-many-keys");
  });
});

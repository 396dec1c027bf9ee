// Issue 12, finding 9: the scanner's parsers bound their work and report a file past a bound
// as a DP-SCAN-001 finding whose message names the limit. The time these inputs take is
// measured in bench/hostile.mjs, not here.
import { describe, expect, it } from "vitest";
import { MAX_DOCKERFILE_INSTRUCTIONS, MAX_DOCKERFILE_STAGES, MAX_YAML_DEPTH, MAX_YAML_DOCUMENTS, MAX_YAML_KEYS } from "../core/limits.js";
import { parseDockerfile } from "./dockerfile/parse.js";
import { scanSources } from "./engine.js";
import { loadTargets } from "./index.js";
import { parseManifestFile } from "./kubernetes/parse.js";

const configMap = (keys: number, extra = "") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${Array.from({ length: keys }, (_, i) => `  k${i}: "v"`).join("\n")}\n${extra}`;
const pod = (i: number) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n  - name: c\n    image: nginx\n`;

describe("Kubernetes manifests past the parsing bounds", () => {
  it("a ConfigMap with 100k keys is one parse error naming the limit", () => {
    const r = parseManifestFile({ path: "cm.yaml", content: configMap(100_000) });
    expect(r.objects).toEqual([]);
    expect(r.error).toEqual({
      file: "cm.yaml",
      line: 65_537,
      message: `cm.yaml has more than ${MAX_YAML_KEYS} YAML keys and items (past it at line 65537); the limit is ${MAX_YAML_KEYS} per file, split the file`,
    });
  });

  it("a duplicate key among 50k keys is still reported at its line", () => {
    const r = parseManifestFile({ path: "cm.yaml", content: configMap(50_000, '  k49999: "again"\n') });
    expect(r.error).toEqual({ file: "cm.yaml", line: 50_006, message: "YAML syntax: Map keys must be unique" });
  });

  it(`more than ${MAX_YAML_DOCUMENTS} documents are refused, and the file at the limit is read`, () => {
    const small = (i: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\n`;
    const over = Array.from({ length: 20_000 }, (_, i) => small(i)).join("---\n");
    expect(parseManifestFile({ path: "pods.yaml", content: over }).error?.message).toBe(
      `pods.yaml holds more than ${MAX_YAML_DOCUMENTS} YAML documents (document ${MAX_YAML_DOCUMENTS + 1} starts at line ${MAX_YAML_DOCUMENTS * 4}); the limit is ${MAX_YAML_DOCUMENTS} per file, split the file`,
    );
    // 20k full Pods pass the key limit first.
    expect(parseManifestFile({ path: "pods.yaml", content: Array.from({ length: 20_000 }, (_, i) => pod(i)).join("---\n") }).error?.message).toContain(
      `the limit is ${MAX_YAML_KEYS} per file`,
    );
    const atLimit = parseManifestFile({ path: "pods.yaml", content: Array.from({ length: MAX_YAML_DOCUMENTS }, (_, i) => pod(i)).join("---\n") });
    expect(atLimit.error).toBeUndefined();
    expect(atLimit.objects).toHaveLength(MAX_YAML_DOCUMENTS);
  });

  it("deep nesting is refused without overflowing the stack", () => {
    const deep = `apiVersion: v1\nkind: ConfigMap\ndata:\n  x: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    expect(parseManifestFile({ path: "deep.yaml", content: deep }).error?.message).toBe(
      `deep.yaml: YAML collections nested more than ${MAX_YAML_DEPTH} deep at line 4; the limit is ${MAX_YAML_DEPTH} levels`,
    );
  });

  it("custom tags stay readable in manifests (the scanner reads what kubectl would)", () => {
    const r = parseManifestFile({ path: "tag.yaml", content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  x: !custom y\n" });
    expect(r.error).toBeUndefined();
    expect(r.objects[0]?.raw["data"]).toEqual({ x: "y" });
  });

  it("a scan reports the refused file as DP-SCAN-001 with the limit", async () => {
    const result = scanSources([{ path: "cm.yaml", content: configMap(100_000) }], { targets: await loadTargets() });
    const f = result.findings.find((x) => x.ruleId === "DP-SCAN-001");
    expect(f?.message).toContain(`the limit is ${MAX_YAML_KEYS} per file`);
  });
});

describe("Dockerfiles past the parsing bounds", () => {
  it("30k stages are refused at the first stage past the limit", () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `FROM alpine:3.20 AS s${i}\nRUN echo ${i}\n`).join("");
    expect(parseDockerfile("Dockerfile", text)).toEqual({
      file: "Dockerfile",
      line: MAX_DOCKERFILE_STAGES * 2 + 1,
      message: `Dockerfile has more than ${MAX_DOCKERFILE_STAGES} build stages (FROM at line ${MAX_DOCKERFILE_STAGES * 2 + 1}); the limit is ${MAX_DOCKERFILE_STAGES} per Dockerfile`,
    });
  });

  it("stages up to the limit parse, and FROM <stage> finds the first stage of that name", () => {
    const text = Array.from({ length: MAX_DOCKERFILE_STAGES - 1 }, (_, i) => `FROM alpine:3.20 AS s${i % 10}\n`).join("") + "FROM s3\n";
    const r = parseDockerfile("Dockerfile", text);
    expect("stages" in r && r.stages.length).toBe(MAX_DOCKERFILE_STAGES);
    expect("stages" in r && r.stages.at(-1)?.parent).toBe(3);
  });

  it("more instructions than the limit are refused", () => {
    const text = "FROM alpine:3.20\n" + "RUN true\n".repeat(MAX_DOCKERFILE_INSTRUCTIONS + 5);
    expect(parseDockerfile("Dockerfile", text)).toMatchObject({ line: MAX_DOCKERFILE_INSTRUCTIONS + 1, message: expect.stringContaining(`the limit is ${MAX_DOCKERFILE_INSTRUCTIONS} per Dockerfile`) as unknown });
  });

  it("heredoc markers after quotes are still told apart (counted once along the line)", () => {
    const r = parseDockerfile("Dockerfile", "FROM alpine\nRUN echo '<<NOT' <<A \"<<NOR\" <<B\na\nA\nb\nB\n");
    expect("stages" in r && r.stages[0]?.instructions[0]?.heredocs.map((h) => h.delimiter)).toEqual(["A", "B"]);
  });
});

/**
 * Golden files, reviewed like code, plus the properties that must hold
 * whatever the snapshot says.
 *
 * - __golden__/modules/<dir>/: the six modules (the same bytes in every plan);
 * - __golden__/<example>/: the environment roots, the cost estimate, the notes
 *   and the findings of each examples/terraform*.yaml.
 *
 * Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx vitest run src/agents/terraform/golden.test.ts
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHclStructure } from "../../core/validators/terraform.js";
import type { HclBlock } from "../../core/validators/terraform.js";
import { MARKER } from "./index.js";
import { TERRAFORM_EXAMPLES, planExample } from "./testing/examples.js";
import { expectGolden, goldenFiles } from "../testing/golden.js";

const GOLDEN = join(import.meta.dirname, "__golden__");

const plans = new Map(TERRAFORM_EXAMPLES.map((f) => [f, planExample(f)]));

describe("golden files", () => {
  it("modules match __golden__/modules/ and are the same bytes in every plan", () => {
    const modules = new Map<string, string>();
    for (const [file, draft] of plans) {
      for (const a of draft.artifacts.filter((x) => x.path.startsWith("modules/"))) {
        const name = a.path.slice("modules/".length);
        const seen = modules.get(name);
        expect(seen === undefined || seen === a.content, `${file}: ${a.path} differs between plans`).toBe(true);
        modules.set(name, a.content);
      }
    }
    expect(new Set([...modules.keys()].map((k) => k.split("/")[0]))).toEqual(new Set(["vpc", "eks-cluster", "ecs-service", "rds", "s3-bucket", "iam-role"]));
    expectGolden(join(GOLDEN, "modules"), new Map([...modules].sort(([a], [b]) => (a < b ? -1 : 1))));
  });

  for (const file of TERRAFORM_EXAMPLES) {
    it(`${file} matches __golden__/${file.replace(/\.ya?ml$/, "")}/`, () => {
      expectGolden(join(GOLDEN, file.replace(/\.ya?ml$/, "")), goldenFiles(plans.get(file)!, (a) => (a.path.startsWith("envs/") ? a.path : undefined)));
    });
  }
});

function parsed(content: string, path: string): HclBlock[] {
  const r = parseHclStructure(content);
  if (!r.ok) throw new Error(`${path}:${r.error.line}: ${r.error.message}`);
  return r.blocks;
}

describe("properties of every generated file", () => {
  const all = [...plans].flatMap(([file, d]) => d.artifacts.map((a) => ({ file, a })));

  it("every file starts with the generated-file marker", () => {
    for (const { file, a } of all) {
      const first = a.kind === "terraform" ? a.content.split("\n")[0] : (JSON.parse(a.content) as { generated_by: string }).generated_by;
      expect(first, `${file} ${a.path}`).toBe(a.kind === "terraform" ? MARKER : MARKER.slice(2));
    }
  });

  it("each module has main, variables, outputs and versions; each root also backend and providers", () => {
    for (const [file, d] of plans) {
      const paths = new Set(d.artifacts.map((a) => a.path));
      for (const p of paths) {
        const m = /^modules\/([^/]+)\//.exec(p);
        if (m) for (const f of ["main", "variables", "outputs", "versions"]) expect(paths.has(`modules/${m[1]}/${f}.tf`), `${file} ${p}`).toBe(true);
        const e = /^envs\/([^/]+)\//.exec(p);
        if (e) for (const f of ["main", "variables", "outputs", "versions", "backend", "providers"]) expect(paths.has(`envs/${e[1]}/${f}.tf`), `${file} ${p}`).toBe(true);
      }
    }
  });

  it("every variable has a description and a type, and every output a description", () => {
    for (const { file, a } of all.filter((x) => x.a.kind === "terraform")) {
      for (const b of parsed(a.content, a.path)) {
        const names = new Set(b.attributes.map((x) => x.name));
        if (b.type === "variable") expect(names.has("description") && names.has("type"), `${file} ${a.path} variable ${b.labels[0]}`).toBe(true);
        if (b.type === "output") expect(names.has("description"), `${file} ${a.path} output ${b.labels[0]}`).toBe(true);
      }
    }
  });

  it("roots pin Terraform and the AWS provider, lock their S3 state, and tag by default", () => {
    for (const [file, d] of plans) {
      for (const a of d.artifacts.filter((x) => x.path.startsWith("envs/"))) {
        if (a.path.endsWith("/versions.tf")) {
          expect(a.content, file).toContain('required_version = "~> 1.11"');
          expect(a.content, file).toMatch(/source\s+= "hashicorp\/aws"\n\s+version = "~> 6\.0"/);
        }
        if (a.path.endsWith("/backend.tf")) {
          expect(a.content, file).toMatch(/backend "s3" \{/);
          expect(a.content, file).toMatch(/encrypt\s+= true/);
          expect(a.content, file).toMatch(/use_lockfile\s+= true|dynamodb_table\s+= "/);
          const env = a.path.split("/")[1]!;
          expect(a.content, file).toMatch(new RegExp(`key\\s+= "[^"]+/${env}/terraform\\.tfstate"`));
        }
        if (a.path.endsWith("/providers.tf")) expect(a.content, file).toMatch(/default_tags \{\n\s+tags = local\.tags/);
      }
    }
  });

  it("modules never configure a provider or a backend", () => {
    for (const { file, a } of all.filter((x) => x.a.path.startsWith("modules/"))) {
      const blocks = parsed(a.content, a.path);
      expect(blocks.some((b) => b.type === "provider"), `${file} ${a.path}`).toBe(false);
      expect(blocks.flatMap((b) => b.blocks).some((b) => b.type === "backend"), `${file} ${a.path}`).toBe(false);
    }
  });

  it("is deterministic: planning twice gives identical bytes", () => {
    for (const file of TERRAFORM_EXAMPLES) expect(JSON.stringify(planExample(file))).toBe(JSON.stringify(plans.get(file)));
  });
});

/**
 * Every examples/terraform*.yaml task runs through the real task parser, the
 * schema, the planner, the quality gate's validator (real `terraform fmt`,
 * the HCL structure reader and the attribute table), HashiCorp's HCL parser
 * (@cdktf/hcl2json, its parser compiled to wasm) and our security scanner.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as hcl2json } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { parseTaskDocument } from "../../core/tasks/parse.js";
import { ATTRIBUTE_TABLE, parseHclStructure, terraformValidator } from "../../core/validators/terraform.js";
import type { BlockSchema } from "../../core/validators/terraform.js";
import { scanSources } from "../../scanner/engine.js";
import { loadTargets } from "../../scanner/index.js";
import { parseTerraform } from "../../scanner/terraform/index.js";
import { expectedInstances, terraformSpecialist } from "./index.js";
import { environmentRoot, resolve } from "./root.js";
import { REPO_ROOT, TERRAFORM_EXAMPLES, loadExample, planExample } from "./testing/examples.js";

/** The scanner suppressions the generated code carries on purpose, with their reasons in the notes. */
const EXPECTED_SUPPRESSIONS = new Set(["DP-AWS-S3-013", "DP-AWS-S3-002", "DP-AWS-SG-003"]);

describe("examples/terraform*.yaml", () => {
  it("cover the seed example, every resource type, several environments and drift", () => {
    expect(TERRAFORM_EXAMPLES).toEqual(expect.arrayContaining(["terraform.yaml", "terraform-platform.yaml", "terraform-drift.yaml"]));
    const types = new Set(TERRAFORM_EXAMPLES.flatMap((f) => loadExample(f).resources.map((r) => r.type)));
    expect(types).toEqual(new Set(["vpc", "eks_cluster", "ecs_service", "rds", "s3_bucket", "iam_role"]));
    expect(loadExample("terraform-platform.yaml").resources).toHaveLength(10);
  });

  it("terraform.yaml is exactly the documented example", () => {
    const envelope = parseTaskDocument(readFileSync(join(REPO_ROOT, "examples", "terraform.yaml"), "utf8"), "terraform.yaml");
    expect(envelope).toEqual({
      type: "devops.terraform",
      input: { provider: "aws", resources: [{ type: "eks_cluster", name: "production", node_count: 3 }], environment: "production" },
    });
  });

  for (const file of TERRAFORM_EXAMPLES) {
    describe(file, () => {
      const plan = planExample(file);
      const tf = plan.artifacts.filter((a) => a.kind === "terraform");

      it("passes the quality gate's validator: terraform fmt identical, parsed, no unknown argument, no unchecked type", async () => {
        expect(tf.length).toBeGreaterThan(0);
        const results = await terraformValidator.validateAll(tf);
        for (const a of tf) {
          const r = await terraformValidator.validate(a);
          expect(r.errors, a.path).toEqual([]);
          expect(r.warnings, a.path).toEqual([]);
          expect(results.get(a.path), a.path).toEqual(r);
        }
      });

      it("parses with HashiCorp's HCL parser and the scanner's, and every resource argument is in the attribute table", async () => {
        for (const a of tf) {
          const json = (await hcl2json(a.path, a.content)) as Record<string, Record<string, Record<string, unknown[]>>>;
          for (const kind of ["resource", "data"] as const) {
            for (const [type, byName] of Object.entries(json[kind] ?? {})) {
              const schema = ATTRIBUTE_TABLE[kind][type];
              expect(schema, `${a.path}: ${kind} ${type} has no attribute table`).toBeDefined();
              for (const [name, bodies] of Object.entries(byName)) for (const body of bodies) checkJsonBody(body, schema!, `${a.path} ${type}.${name}`, true);
            }
          }
        }
        const parsed = parseTerraform(tf.map((a) => ({ path: a.path, content: a.content })));
        expect(parsed.errors).toEqual([]);
      });

      it("scans clean: no active finding, only the documented suppressions", async () => {
        const result = scanSources(plan.artifacts.map((a) => ({ path: a.path, content: a.content })), { targets: await loadTargets() });
        expect(result.findings.filter((f) => !f.suppressed)).toEqual([]);
        for (const f of result.findings) {
          expect(EXPECTED_SUPPRESSIONS.has(f.ruleId), `${f.ruleId} ${f.file}:${f.line}`).toBe(true);
          expect(f.suppressed?.reason.length ?? 0).toBeGreaterThan(20);
        }
        expect(result.score).toBe(100);
        expect(result.evaluated).toBeGreaterThan(100);
      });

      it("says what the plan costs and how state works", () => {
        const cost = plan.notes.filter((n) => n.kind === "cost");
        expect(cost.length).toBe(terraformSpecialist.environments(loadExample(file)).length);
        for (const n of cost) expect(n.text).toMatch(/^Estimated monthly cost of [a-z-]+: \$\d+\.\d{2} in fixed charges, from the pack's price table of \d{4}-\d{2}-\d{2}/);
        expect(plan.notes.some((n) => n.text.startsWith("State: one state per environment"))).toBe(true);
        expect(plan.notes.some((n) => /import \{\n {2}to = module\.[a-z0-9_]+\.aws_[a-z0-9_]+\.this\n {2}id = "/.test(n.text))).toBe(true);
      });
    });
  }
});

/** Keys of an hcl2json body: attributes and blocks must all be known to the table (dynamic blocks by their label). */
function checkJsonBody(body: unknown, schema: BlockSchema, where: string, top: boolean): void {
  if (typeof body !== "object" || body === null) return;
  const args = new Set(schema.a.split(" ").filter((x) => x !== ""));
  const nested = schema.b ?? {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (top && ["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"].includes(key)) continue;
    if (key === "dynamic") {
      for (const [name, defs] of Object.entries(value as Record<string, { content?: unknown[] }[]>)) {
        const inner = nested[name];
        expect(inner, `${where}: dynamic ${name}`).toBeDefined();
        if (inner !== undefined && inner !== "*") for (const d of defs) for (const c of d.content ?? []) checkJsonBody(c, inner, `${where} > ${name}`, false);
      }
      continue;
    }
    if (args.has(key) || schema.p?.test(key)) continue;
    const inner = nested[key];
    expect(inner, `${where}: unknown argument or block ${key}`).toBeDefined();
    if (inner !== undefined && inner !== "*" && Array.isArray(value)) for (const v of value) checkJsonBody(v, inner, `${where} > ${key}`, false);
  }
}

describe("drift inventory agrees with the modules", () => {
  it("every instance the configuration expects is a resource block of its module, and every block is covered by some example", () => {
    const blocksByDir = new Map<string, Set<string>>();
    const covered = new Map<string, Set<string>>();
    for (const file of TERRAFORM_EXAMPLES) {
      const draft = planExample(file);
      for (const a of draft.artifacts.filter((x) => /^modules\/[^/]+\/main\.tf$/.test(x.path))) {
        const r = parseHclStructure(a.content);
        if (!r.ok) throw new Error(r.error.message);
        const dir = a.path.split("/")[1]!;
        blocksByDir.set(dir, new Set(r.blocks.filter((b) => b.type === "resource").map((b) => `${b.labels[0]!}.${b.labels[1]!}`)));
      }
      const input = loadExample(file);
      const resolved = resolve(input);
      for (const env of resolved.environments) {
        const root = environmentRoot(resolved, env);
        for (const c of root.calls) {
          const seen = covered.get(c.dir) ?? new Set<string>();
          for (const i of c.call.instances) seen.add(i.address.replace(/\[[^\]]*\]$/, ""));
          covered.set(c.dir, seen);
        }
        expect(new Set(expectedInstances(root).map((i) => i.address)).size).toBe(expectedInstances(root).length);
      }
    }
    for (const [dir, blocks] of blocksByDir) {
      const seen = covered.get(dir) ?? new Set<string>();
      for (const s of seen) expect(blocks.has(s), `modules/${dir}: inventory names ${s}, which the module does not declare`).toBe(true);
      for (const b of blocks) expect(seen.has(b), `modules/${dir}: ${b} is never in the drift inventory of any example`).toBe(true);
    }
  });
});

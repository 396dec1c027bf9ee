/**
 * Every examples/kubernetes*.yaml task runs through the real task parser,
 * the planner, both quality gates (kubernetes-models `.validate()` and the
 * Helm checks), the security scanner, and `kubectl kustomize` on every
 * overlay, whose output is validated and scanned again.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helmValidator, kubernetesValidator } from "../../core/validators/kubernetes.js";
import { kubernetesSpecialist } from "./index.js";
import { hardeningViolations } from "./testing/hardening.js";
import { scanFiles } from "../testing/scan.js";
import type { Obj } from "./testing/support.js";
import { at, docs, exampleFiles, kustomizeBuild, loadExample, ROOT } from "./testing/support.js";

const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .filter((f) => /^kubernetes.*\.ya?ml$/.test(f))
  .sort();

function planExample(file: string) {
  const input = loadExample(file);
  return { input, plan: kubernetesSpecialist.plan(input, { files: new Map() }) };
}

describe("examples/kubernetes*.yaml", () => {
  it("cover a full application, canary with Istio, blue-green and optimization", () => {
    expect(EXAMPLES).toEqual([...exampleFiles()].sort());
  });

  for (const file of EXAMPLES) {
    describe(file, () => {
      const { input, plan } = planExample(file);

      it("passes the quality gates: every manifest validates against the Kubernetes schemas, every chart file passes the Helm checks", async () => {
        expect(plan.artifacts.length).toBeGreaterThan(0);
        for (const a of plan.artifacts) {
          expect(["kubernetes", "helm"]).toContain(a.kind);
          const r = await (a.kind === "helm" ? helmValidator : kubernetesValidator).validate(a);
          expect(r.errors, a.path).toEqual([]);
          expect(r.warnings, a.path).toEqual([]);
        }
      });

      it("scans clean: no active finding; only Helm templates are suppressed, with a reason", async () => {
        const r = await scanFiles(plan.artifacts.map((a) => ({ path: a.path, content: a.content })));
        expect(r.findings.filter((f) => !f.suppressed)).toEqual([]);
        for (const f of r.findings) {
          expect(f.ruleId).toBe("DP-SCAN-001");
          expect(f.file).toMatch(new RegExp(`^charts/${input.name}/templates/[a-z-]+\\.yaml$`));
          expect(f.suppressed?.reason).toMatch(/^Helm template: it renders the objects of k8s\//);
        }
        expect(r.score).toBe(100);
        expect(r.evaluated).toBeGreaterThan(50);
      });

      it("hardens every workload", () => {
        const deployments = plan.artifacts.filter((a) => a.kind === "kubernetes").flatMap((a) => docs(a.content)).filter((o) => o["kind"] === "Deployment");
        expect(deployments.length).toBeGreaterThan(0);
        for (const d of deployments) expect(hardeningViolations(d)).toEqual([]);
      });

      if (input.kustomize) {
        const overlays = input.environments.length > 0 ? input.environments.map((e) => `k8s/${input.name}/overlays/${e}`) : [`k8s/${input.name}/base`];
        for (const dir of overlays) {
          it(`kubectl kustomize ${dir} builds objects that validate and scan clean`, async () => {
            const built = kustomizeBuild(plan.artifacts, dir);
            const objects = docs(built);
            expect(objects.length).toBeGreaterThan(5);
            const r = await kubernetesValidator.validate({ path: `${dir}/build.yaml`, kind: "kubernetes", content: built, sha256: "" });
            expect(r.errors).toEqual([]);
            expect(r.warnings).toEqual([]);
            const scan = await scanFiles([{ path: `${dir}/build.yaml`, content: built }]);
            expect(scan.findings).toEqual([]);
            for (const d of objects.filter((o) => o["kind"] === "Deployment")) expect(hardeningViolations(d)).toEqual([]);
            const namespaces = new Set(objects.map((o) => at(o, "metadata", "namespace")).filter((n) => n !== undefined));
            expect(namespaces.size).toBe(1);
            const ns = objects.find((o) => o["kind"] === "Namespace") as Obj;
            expect(namespaces).toEqual(new Set([at(ns, "metadata", "name")]));
            expect(at(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce")).toBe("restricted");
          });
        }
      }

      it("targets its environments for the production approval gate", () => {
        expect(kubernetesSpecialist.environments(input)).toEqual(input.environments);
        expect(plan.touchesSecrets ?? false).toBe(false);
      });
    });
  }

  it("kubernetes.yaml: the staging overlay carries only staging's values", () => {
    const { plan } = planExample("kubernetes.yaml");
    const staging = docs(kustomizeBuild(plan.artifacts, "k8s/checkout/overlays/staging"));
    const production = docs(kustomizeBuild(plan.artifacts, "k8s/checkout/overlays/production"));
    const find = (objs: Obj[], kind: string) => objs.find((o) => o["kind"] === kind) as Obj;
    expect(at(find(staging, "Namespace"), "metadata", "name")).toBe("shop-staging");
    expect(at(find(production, "Namespace"), "metadata", "name")).toBe("shop");
    expect(at(find(staging, "Ingress"), "spec", "rules", 0, "host")).toBe("staging.shop.example.com");
    expect(at(find(staging, "Ingress"), "spec", "tls", 0)).toEqual({ hosts: ["staging.shop.example.com"], secretName: "staging-shop-tls" });
    expect(at(find(production, "Ingress"), "spec", "rules", 0, "host")).toBe("shop.example.com");
    expect(at(find(staging, "HorizontalPodAutoscaler"), "spec", "minReplicas")).toBe(1);
    expect(at(find(production, "HorizontalPodAutoscaler"), "spec", "maxReplicas")).toBe(20);
    const container = (objs: Obj[]) => at(find(objs, "Deployment"), "spec", "template", "spec", "containers", 0);
    expect(at(container(staging), "resources", "limits", "memory")).toBe("256Mi");
    expect(at(container(production), "resources", "limits", "memory")).toBe("384Mi");
    expect(at(container(staging), "env")).toContainEqual({ name: "LOG_LEVEL", value: "debug" });
    // A config change rolls the pods: the checksum annotation follows the data.
    const checksum = (objs: Obj[]) => at(find(objs, "Deployment"), "spec", "template", "metadata", "annotations", "checksum/config");
    expect(checksum(staging)).not.toBe(checksum(production));
    // The HPA owns the replica count.
    expect(at(find(production, "Deployment"), "spec", "replicas")).toBeUndefined();
  });
});

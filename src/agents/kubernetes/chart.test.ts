/**
 * The Helm chart, without Helm (it cannot be installed here): its structure,
 * its values (and each environment's) against values.schema.json with ajv,
 * and its templates rendered by the test renderer, which must give exactly
 * the objects `kubectl kustomize` builds for the same environment.
 */
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseGoTemplate } from "../../core/validators/kubernetes.js";
import { Placeholders } from "./placeholders.js";
import { hardeningViolations } from "./testing/hardening.js";
import { scanFiles } from "../testing/scan.js";
import { mergeValues } from "./testing/helm-render.js";
import type { Obj } from "./testing/support.js";
import { at, docs, kustomizeBuild, loadExample, planInput, renderChart } from "./testing/support.js";
import { kubernetesSpecialist } from "./index.js";

const CHART_EXAMPLES = ["kubernetes.yaml", "kubernetes-bluegreen.yaml", "kubernetes-canary-istio.yaml"];

function chartOf(file: string) {
  const input = loadExample(file);
  const plan = kubernetesSpecialist.plan(input, { files: new Map() });
  const dir = `charts/${input.name}`;
  const files = new Map(plan.artifacts.filter((a) => a.path.startsWith(`${dir}/`)).map((a) => [a.path.slice(dir.length + 1), a]));
  return { input, plan, dir, files };
}

/** What Helm adds and Kustomize does not: the chart and manager labels. */
function normalise(o: Obj): Obj {
  const copy = structuredClone(o);
  const labels = at(copy, "metadata", "labels") as Obj | undefined;
  if (labels) {
    delete labels["helm.sh/chart"];
    delete labels["app.kubernetes.io/managed-by"];
  }
  return copy;
}

const key = (o: Obj) => `${String(o["kind"])}/${String(at(o, "metadata", "name"))}`;

function schemaValidator(schemaText: string) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(schemaText) as object);
}

describe("Helm chart", () => {
  for (const file of CHART_EXAMPLES) {
    describe(file, () => {
      const { input, plan, dir, files } = chartOf(file);
      const text = (name: string) => files.get(name)?.content ?? "";

      it("has Chart.yaml (apiVersion v2), values.yaml, values.schema.json, templates with _helpers.tpl and NOTES.txt, and one values file per environment", () => {
        const names = [...files.keys()];
        expect(names).toEqual(expect.arrayContaining(["Chart.yaml", "values.yaml", "values.schema.json", ".helmignore", "templates/_helpers.tpl", "templates/NOTES.txt", "templates/deployment.yaml".replace("deployment", input.strategy === "blue_green" ? "deployment-blue" : "deployment")]));
        for (const env of input.environments) expect(names).toContain(`values-${env}.yaml`);
        const chart = parse(text("Chart.yaml")) as Obj;
        expect(chart).toMatchObject({ apiVersion: "v2", name: input.name, type: "application", version: "0.1.0", kubeVersion: ">=1.30.0-0" });
        for (const a of files.values()) expect(a.kind).toBe("helm");
        for (const [name, a] of files) {
          if (name.startsWith("templates/")) expect(() => parseGoTemplate(a.content), name).not.toThrow();
        }
        // Every include names a template that _helpers.tpl defines.
        const defined = new Set([...text("templates/_helpers.tpl").matchAll(/define "([^"]+)"/g)].map((m) => m[1]));
        for (const a of files.values()) for (const m of a.content.matchAll(/include "([^"]+)"/g)) expect(defined, `${a.path}: ${m[1]}`).toContain(m[1]);
      });

      it("values.yaml and every environment's merged values validate against values.schema.json (ajv, strict)", () => {
        const validate = schemaValidator(text("values.schema.json"));
        const values = parse(text("values.yaml")) as Record<string, unknown>;
        expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
        for (const env of input.environments) {
          const merged = mergeValues(values, (parse(text(`values-${env}.yaml`)) ?? {}) as Record<string, unknown>);
          expect(validate(merged), `${env}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      });

      it("values.schema.json refuses a typo, missing limits, a latest tag and a bad quantity", () => {
        const validate = schemaValidator(text("values.schema.json"));
        const values = parse(text("values.yaml")) as Record<string, unknown>;
        expect(validate({ ...values, replicaCont: 3 })).toBe(false);
        expect(validate({ ...values, resources: { requests: { cpu: "100m", memory: "128Mi" } } })).toBe(false);
        expect(validate(mergeValues(values, { resources: { limits: { cpu: "lots" } } }))).toBe(false);
        if (values["image"]) expect(validate(mergeValues(values, { image: { tag: "latest" } }))).toBe(false);
      });

      const targets = input.environments.length > 0 ? input.environments : [undefined];
      for (const env of targets) {
        it(`renders${env ? ` with values-${env}.yaml` : ""} to exactly the objects kubectl kustomize builds`, async () => {
          const overlay = env ? `k8s/${input.name}/overlays/${env}` : `k8s/${input.name}/base`;
          const built = docs(kustomizeBuild(plan.artifacts, overlay)).filter((o) => o["kind"] !== "Namespace" && !(o["kind"] === "ServiceAccount" && at(o, "metadata", "name") === "default"));
          const namespace = String(at(built[0], "metadata", "namespace"));
          const rendered = renderChart(plan.artifacts, dir, namespace, env);
          const objects = rendered.filter((r) => r.file.endsWith(".yaml")).flatMap((r) => docs(r.text));
          expect(objects.map(key).sort()).toEqual(built.map(key).sort());
          const byKey = new Map(built.map((o) => [key(o), o]));
          for (const o of objects) expect(normalise(o), key(o)).toEqual(byKey.get(key(o)));
          for (const o of objects) expect(at(o, "metadata", "labels", "app.kubernetes.io/managed-by")).toBe("Helm");
          for (const d of objects.filter((o) => o["kind"] === "Deployment")) expect(hardeningViolations(d)).toEqual([]);
          const scan = await scanFiles(rendered.filter((r) => r.file.endsWith(".yaml")).map((r) => ({ path: `rendered/${r.file}`, content: r.text })));
          // The rendered chart has no Namespace object: every rule but the namespace-level default-deny sees the same objects.
          expect(scan.findings).toEqual([]);
          const notes = rendered.find((r) => r.file === "templates/NOTES.txt")?.text ?? "";
          expect(notes).toContain(`is installed in namespace ${namespace}`);
          expect(notes).not.toMatch(/\{\{|<no value>/);
        });
      }
    });
  }

  it("switching blue-green with --set blueGreen.live=green moves the live Service and the preview", () => {
    const { plan, dir } = chartOf("kubernetes-bluegreen.yaml");
    const patched = plan.artifacts.map((a) => (a.path === `${dir}/values.yaml` ? { ...a, content: a.content.replace("live: blue", "live: green") } : a));
    const services = renderChart(patched, dir, "web")
      .filter((r) => r.file === "templates/service.yaml")
      .flatMap((r) => docs(r.text));
    expect(services.map((s) => [at(s, "metadata", "name"), at(s, "spec", "selector", "slot")])).toEqual([
      ["storefront", "green"],
      ["storefront-preview", "blue"],
    ]);
  });

  it("canary weights follow canary.weight, and disabling autoscaling brings replicas back", () => {
    const { plan } = planInput({
      name: "api",
      image: "ghcr.io/acme/api:1.0.0@sha256:" + "a".repeat(64),
      strategy: "canary",
      mesh: "istio",
      autoscaling: { min: 2, max: 5 },
    });
    const chartDir = "charts/api";
    const set = (f: (v: string) => string) => plan.artifacts.map((a) => (a.path === `${chartDir}/values.yaml` ? { ...a, content: f(a.content) } : a));
    const istio = (artifacts: typeof plan.artifacts) => renderChart(artifacts, chartDir, "api").find((r) => r.file === "templates/istio.yaml")?.text ?? "";
    const vs = docs(istio(set((v) => v.replace("weight: 10", "weight: 25")))).find((o) => o["kind"] === "VirtualService");
    expect((at(vs, "spec", "http", 0, "route") as Obj[]).map((r) => r["weight"])).toEqual([75, 25]);
    const noHpa = renderChart(set((v) => v.replace(/(autoscaling:[\s\S]*?enabled:) true/, "$1 false")), chartDir, "api");
    const deployments = noHpa.filter((r) => r.file.startsWith("templates/deployment")).flatMap((r) => docs(r.text));
    expect(deployments.map((d) => at(d, "spec", "replicas"))).toEqual([2, 1]);
    // A disabled template renders nothing at all, not a comment-only document.
    expect(noHpa.find((r) => r.file === "templates/hpa.yaml")?.text.trim()).toBe("");
  });
});

describe("placeholders", () => {
  it("substitute scalars, guarded lines, blocks, map and list splices", () => {
    const ph = new Placeholders();
    const name = ph.scalar('include "x.fullname" .');
    const replicas = ph.scalar(".Values.replicaCount", "not .Values.autoscaling.enabled");
    const labels = ph.mapSplice('include "x.labels" .');
    const resources = ph.block("toYaml .Values.resources");
    const env = ph.listSplice(".Values.env");
    const yaml = [`name: ${name}-canary`, `replicas: ${replicas}`, "labels:", `  ${labels}: ""`, `resources: ${resources}`, "env:", `  - ${env}`, "  - name: A", ""].join("\n");
    expect(ph.apply(yaml)).toBe(
      [
        'name: {{ include "x.fullname" . }}-canary',
        "{{- if not .Values.autoscaling.enabled }}",
        "replicas: {{ .Values.replicaCount }}",
        "{{- end }}",
        "labels:",
        '  {{- include "x.labels" . | nindent 2 }}',
        "resources:",
        "  {{- toYaml .Values.resources | nindent 2 }}",
        "env:",
        "  {{- with .Values.env }}",
        "  {{- toYaml . | nindent 2 }}",
        "  {{- end }}",
        "  - name: A",
        "",
      ].join("\n"),
    );
  });

  it("refuse a placeholder used in the wrong place, or left over", () => {
    const ph = new Placeholders();
    const block = ph.block("toYaml .Values.x");
    expect(() => ph.apply(`name: ${block}-x`)).toThrow(/cannot be inlined/);
    expect(() => ph.apply("name: __dph99__")).toThrow(/unknown/);
  });
});

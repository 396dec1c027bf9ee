import { describe, expect, it } from "vitest";
import type { Artifact } from "../plans/plan.js";
import { helmValidator, kubernetesValidator, parseGoTemplate, TemplateSyntaxError, validateHelm, validateKubernetes } from "./kubernetes.js";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: { app: api }
  template:
    metadata:
      labels: { app: api }
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          ports:
            - containerPort: 8080
          resources:
            requests: { cpu: 100m, memory: 128Mi }
`;

describe("kubernetesValidator", () => {
  it("is the validator of kind kubernetes, backed by kubernetes-models", () => {
    expect(kubernetesValidator.kind).toBe("kubernetes");
    expect(kubernetesValidator.tool).toMatch(/^kubernetes-models 4\.5\.1/);
  });

  it("accepts valid objects in a multi-document file", async () => {
    const r = await validateKubernetes(`# header\n${DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata: { name: api, namespace: shop }\nspec:\n  selector: { app: api }\n  ports: [{ port: 80, targetPort: 8080 }]\n`, "a.yaml");
    expect(r).toEqual({ ok: true, value: null, warnings: [], errors: [] });
  });

  it("calls .validate(): a wrong type or a bad quantity is an error at its line", async () => {
    const bad = DEPLOYMENT.replace("containerPort: 8080", 'containerPort: "http"').replace("cpu: 100m", "cpu: lots");
    const r = await validateKubernetes(bad, "deploy.yaml");
    expect(r.ok).toBe(false);
    const messages = r.errors.map((e) => `${e.line}: ${e.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^17: Deployment api: spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort must be integer$/));
    expect(messages).toContainEqual(expect.stringMatching(/^19: Deployment api: spec\.template\.spec\.containers\[0\]\.resources\.requests\.cpu .*quantity/));
    for (const e of r.errors) expect(e).toMatchObject({ path: "deploy.yaml", kind: "schema" });
  });

  it("requires a valid metadata.name", async () => {
    const r = await validateKubernetes("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\ndata: {}\n", "cm.yaml");
    expect(r.errors.map((e) => e.message)).toEqual(["ConfigMap -: metadata.name is required"]);
    const svc = await validateKubernetes("apiVersion: v1\nkind: Service\nmetadata:\n  name: My.Service\nspec: {}\n", "svc.yaml");
    expect(svc.errors[0]?.message).toMatch(/is not a valid DNS label/);
  });

  it("reports YAML syntax errors with their line, and never throws", async () => {
    const r = await validateKubernetes("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: [\n", "broken.yaml");
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ kind: "syntax", path: "broken.yaml" });
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(4);
    const dup = await validateKubernetes("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: { name: a }\n", "dup.yaml");
    expect(dup.errors[0]).toMatchObject({ kind: "syntax", line: 3 });
  });

  it("refuses API versions the server no longer serves", async () => {
    const r = await validateKubernetes("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: { name: a }\nspec: {}\n", "pdb.yaml");
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: "removed-api", line: 1 });
    expect(r.errors[0]?.message).toContain("policy/v1beta1 is no longer served (removed in Kubernetes 1.25); use policy/v1");
  });

  it("skips unknown custom resources with a warning, not an error", async () => {
    const r = await validateKubernetes("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: { name: a }\nspec: {}\n", "cert.yaml");
    expect(r.ok).toBe(true);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.kind).toBe("skipped");
    expect(r.warnings[0]?.message).toContain("custom resource cert-manager.io/v1 Certificate; no schema available, not validated");
  });

  it("checks the structure of Istio routing: weights add up to 100 and subsets exist", async () => {
    const dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: api }\nspec:\n  host: api\n  subsets:\n    - { name: stable, labels: { track: stable } }\n    - { name: canary, labels: { track: canary } }\n";
    const vs = (w1: number, w2: number, subset = "canary") =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: api }\nspec:\n  hosts: [api]\n  http:\n    - route:\n        - destination: { host: api, subset: stable }\n          weight: ${w1}\n        - destination: { host: api, subset: ${subset} }\n          weight: ${w2}\n`;
    expect((await validateKubernetes(`${dr}---\n${vs(90, 10)}`, "istio.yaml")).errors).toEqual([]);
    expect((await validateKubernetes(`${dr}---\n${vs(90, 20)}`, "istio.yaml")).errors[0]?.message).toMatch(/route weights add up to 110; Istio requires 100/);
    expect((await validateKubernetes(`${dr}---\n${vs(90, 10, "canry")}`, "istio.yaml")).errors[0]?.message).toMatch(/subset canry is not defined by the DestinationRule of api \(stable, canary\)/);
    const noHosts = await validateKubernetes("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: api }\nspec:\n  http: []\n", "vs.yaml");
    expect(noHosts.errors[0]?.message).toMatch(/VirtualService api: spec\.hosts/);
  });

  it("checks Gateway API HTTPRoutes (Linkerd) and PeerAuthentication", async () => {
    const route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: api }\nspec:\n  parentRefs: [{ group: core, kind: Service, name: api, port: 80 }]\n  rules:\n    - backendRefs: [{ name: api, port: 80, weight: 90 }, { name: api-canary, port: 80, weight: 10 }]\n";
    expect((await validateKubernetes(route, "route.yaml")).errors).toEqual([]);
    expect((await validateKubernetes(route.replace("weight: 10", "weight: -1"), "route.yaml")).errors[0]?.message).toMatch(/HTTPRoute api: spec\.rules\[0\]\.backendRefs\[1\]\.weight/);
    const pa = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: api }\nspec:\n  mtls: { mode: STRICTEST }\n";
    expect((await validateKubernetes(pa, "pa.yaml")).errors[0]?.message).toMatch(/PeerAuthentication api: spec\.mtls\.mode/);
  });

  it("checks Kustomizations and JSON 6902 patch files", async () => {
    const k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\npatches:\n  - path: p.yaml\n    target: { kind: Deployment, name: api }\n";
    expect((await validateKubernetes(k, "kustomization.yaml")).errors).toEqual([]);
    expect((await validateKubernetes(k.replace("resources:", "resorces:"), "kustomization.yaml")).errors[0]?.message).toMatch(/unknown field 'resorces'\. Did you mean resources\?/);
    expect((await validateKubernetes(`${k}  - target: { kind: Service }\n`, "kustomization.yaml")).errors[0]?.message).toMatch(/exactly one of path and patch/);
    const ops = "- op: replace\n  path: /spec/replicas\n  value: 3\n- op: remove\n  path: /metadata/annotations\n";
    expect((await validateKubernetes(ops, "patch.yaml")).errors).toEqual([]);
    expect((await validateKubernetes("- op: replace\n  path: spec/replicas\n  value: 3\n", "patch.yaml")).errors[0]?.message).toMatch(/not a JSON pointer/);
    expect((await validateKubernetes("- op: replace\n  path: /spec/replicas\n", "patch.yaml")).ok).toBe(false);
  });

  it("refuses documents that are not Kubernetes objects", async () => {
    expect((await validateKubernetes("name: x\n", "x.yaml")).errors[0]?.message).toMatch(/apiVersion and kind are required/);
    expect((await validateKubernetes("- 1\n- 2\n", "x.yaml")).errors[0]?.message).toMatch(/not a Kubernetes object/);
  });

  it("validates the items of a List", async () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: ok }\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: bad }\n    data: { a: 1 }\n`;
    const r = await validateKubernetes(list, "list.yaml");
    expect(r.errors).toEqual([expect.objectContaining({ line: 10, message: "ConfigMap bad: data.a must be string" })]);
  });

  it("validates through the ArtifactValidator interface", async () => {
    const a: Artifact = { path: "k8s/x.yaml", kind: "kubernetes", content: DEPLOYMENT, sha256: "" };
    expect((await kubernetesValidator.validate(a)).ok).toBe(true);
  });
});

describe("Go templates", () => {
  it("parse text, actions, blocks, defines and trimming", () => {
    const tree = parseGoTemplate('{{- define "x.name" -}}\n{{ .Chart.Name | trunc 63 }}\n{{- end }}\na: {{ include "x.name" . }}\n{{- if .Values.on }}\nb: 1\n{{- else if not .Values.off }}\nb: 2\n{{- else }}\nb: 3\n{{- end }}\n');
    expect(tree.map((n) => n.type)).toEqual(["define", "text", "action", "if", "text"]);
    const define = tree[0];
    expect(define?.type === "define" && define.name).toBe("x.name");
    const ifNode = tree[3];
    expect(ifNode?.type === "if" && ifNode.elseBody[0]?.type).toBe("if");
  });

  it("report unbalanced blocks, unknown functions and unclosed actions with their line", () => {
    const fail = (src: string) => {
      try {
        parseGoTemplate(src);
      } catch (e) {
        return e instanceof TemplateSyntaxError ? `${e.line}: ${e.message}` : String(e);
      }
      return "";
    };
    expect(fail("a\n{{ if .Values.x }}\nb\n")).toBe("2: {{ if }} is never closed by {{ end }}");
    expect(fail("{{ end }}")).toBe("1: unexpected {{ end }}");
    expect(fail("x\n{{ toYml .Values }}")).toBe("2: function \"toYml\" not defined. Did you mean toYaml?");
    expect(fail("{{ .Values.x ")).toBe("1: unclosed action: {{ without }}");
    expect(fail('{{ printf "%s }}')).toMatch(/unterminated quoted string/);
  });
});

describe("helmValidator", () => {
  it("is the validator of kind helm", () => {
    expect(helmValidator.kind).toBe("helm");
  });

  it("checks Chart.yaml", async () => {
    expect((await validateHelm("apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: 1.0.0\ntype: application\n", "charts/api/Chart.yaml")).ok).toBe(true);
    const v1 = await validateHelm("apiVersion: v1\nname: api\nversion: 1.0\n", "charts/api/Chart.yaml");
    expect(v1.errors.map((e) => e.message)).toEqual(["Chart.yaml apiVersion: Helm 3 charts use apiVersion v2", "Chart.yaml version: a SemVer 2 version string such as 0.1.0 (quote it: YAML reads 1.0 as a number)"]);
  });

  it("checks values.schema.json as a JSON schema", async () => {
    const good = JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", additionalProperties: false, required: ["a"], properties: { a: { type: "integer", minimum: 1 } } });
    expect((await validateHelm(good, "charts/api/values.schema.json")).ok).toBe(true);
    // Ajv's meta-schema check first, then compiling (strict mode): a wrong type name, an unknown property in required, a broken pattern.
    const messages = async (schema: object) => (await validateHelm(JSON.stringify(schema), "charts/api/values.schema.json")).errors.map((e) => e.message);
    expect((await messages({ type: "object", properties: { a: { type: "int" } } }))[0]).toBe(
      'values.schema.json: /properties/a/type: must be equal to one of the allowed values: ["array","boolean","integer","null","number","object","string"]',
    );
    expect(await messages({ type: "object", additionalProperties: false, required: ["b"], properties: { a: { type: "integer" } } })).toEqual([
      expect.stringMatching(/^values\.schema\.json: strict mode: required property "b" is not defined/),
    ]);
    expect(await messages({ type: "object", properties: { a: { type: "string", pattern: "([" } } })).toEqual([expect.stringMatching(/^values\.schema\.json: .*Invalid regular expression/)]);
    expect(await messages({ $schema: "http://json-schema.org/draft-04/schema#", type: "object" })).toEqual([expect.stringContaining("is not a draft this gate validates; declare one of http://json-schema.org/draft-07/schema#")]);
    expect((await validateHelm("{", "charts/api/values.schema.json")).errors[0]?.kind).toBe("syntax");
  });

  it("checks values files and template syntax", async () => {
    expect((await validateHelm("replicaCount: 2\n", "charts/api/values-prod.yaml")).ok).toBe(true);
    expect((await validateHelm("- a\n", "charts/api/values.yaml")).errors[0]?.message).toBe("values.yaml must be a mapping");
    expect((await validateHelm("a: {{ .Values.x }}\n", "charts/api/templates/x.yaml")).ok).toBe(true);
    const broken = await validateHelm("a: b\n{{- if .Values.x }}\nc: d\n", "charts/api/templates/x.yaml");
    expect(broken.errors).toEqual([{ message: "template: {{ if }} is never closed by {{ end }}", path: "charts/api/templates/x.yaml", line: 2, kind: "template" }]);
  });
});

import { describe, expect, it } from "vitest";
import type { Evaluation } from "../types.js";
import { kubernetesTarget } from "./index.js";
import { claimsKubernetes, MAX_ALIAS_COUNT, parseKubernetesFiles, parseManifestFile } from "./parse.js";
import { workloadOf } from "./workload.js";

const MULTI = `# two objects and a List
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: fast
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      type: NodePort
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      template:
        spec:
          containers:
            - name: web
              image: nginx
---
# not a Kubernetes object: ignored
name: just-data
values: [1, 2]
`;

function evaluationsOf(files: { path: string; content: string }[], ruleId: string): Evaluation[] {
  const { docs } = parseKubernetesFiles(files);
  const rule = kubernetesTarget.rules.find((r) => r.meta.id === ruleId);
  if (!rule) throw new Error(ruleId);
  return docs.flatMap((d) => rule.check(d));
}

describe("parseManifestFile", () => {
  it("expands multi-document files and List items, with lines and resources", () => {
    const { objects, error } = parseManifestFile({ path: "k8s/app.yaml", content: MULTI });
    expect(error).toBeUndefined();
    expect(objects.map((o) => o.resource)).toEqual(["ConfigMap/shop/settings", "Service/-/web", "Deployment/shop/web"]);
    const [cm, svc, deploy] = objects;
    expect(cm?.startLine).toBe(2);
    expect(cm?.endLine).toBe(8);
    expect(cm?.namespace).toBe("shop");
    expect(svc?.namespace).toBeUndefined();
    expect(svc?.startLine).toBe(13);
    expect(svc?.lineOf(["spec", "type"])).toEqual({ line: 18, column: 7 });
    expect(deploy?.startLine).toBe(19);
    expect(deploy?.lineOf(["spec", "template", "spec", "containers", 0, "image"])).toEqual({ line: 29, column: 15 });
    // A missing node points at its deepest existing ancestor.
    expect(deploy?.lineOf(["spec", "template", "spec", "containers", 0, "securityContext", "privileged"])).toEqual({ line: 28, column: 15 });
    expect(deploy?.file).toBe("k8s/app.yaml");
  });

  it("expands *List kinds and JSON manifests", () => {
    const json = JSON.stringify({ apiVersion: "v1", kind: "PodList", items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "a" }, spec: { containers: [{ name: "c", image: "x:1" }] } }] }, null, 2);
    const { objects, error } = parseManifestFile({ path: "pods.json", content: json });
    expect(error).toBeUndefined();
    expect(objects.map((o) => o.resource)).toEqual(["Pod/-/a"]);
    expect(objects[0]?.lineOf(["spec", "containers", 0, "image"])).toEqual({ line: 15, column: 13 });
  });

  it("ignores documents that are not Kubernetes objects", () => {
    expect(parseManifestFile({ path: "values.yaml", content: "replicas: 3\nimage: {tag: x}\n" })).toEqual({ objects: [] });
    expect(parseManifestFile({ path: "empty.yaml", content: "" })).toEqual({ objects: [] });
  });

  it("refuses Helm templates that look like manifests", () => {
    const helm = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"app.fullname\" . }}\nspec:\n  replicas: {{ .Values.replicas }}\n";
    expect(parseManifestFile({ path: "templates/deploy.yaml", content: helm }).error?.message).toMatch(/^Helm template, render it first/);
    // Go templates inside a ConfigMap value are data, not Helm.
    const alerting = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alert-templates\ndata:\n  slack.tmpl: |\n    {{ define \"slack.text\" }}{{ .CommonLabels.alertname }}{{ end }}\n";
    const ok = parseManifestFile({ path: "cm.yaml", content: alerting });
    expect(ok.error).toBeUndefined();
    expect(ok.objects).toHaveLength(1);
  });

  it("reports duplicate keys, syntax errors, binary and oversized files as per-file errors", () => {
    const dup = parseManifestFile({ path: "dup.yaml", content: "apiVersion: v1\nkind: Pod\nkind: Service\n" });
    expect(dup.error).toMatchObject({ file: "dup.yaml", line: 3 });
    expect(dup.error?.message).toMatch(/unique/);
    expect(parseManifestFile({ path: "bad.yaml", content: "apiVersion: v1\nkind: [Pod\n" }).error?.file).toBe("bad.yaml");
    expect(parseManifestFile({ path: "bin.yaml", content: "apiVersion\u0000kind" }).error?.message).toMatch(/binary/);
    const big = `apiVersion: v1\nkind: ConfigMap\ndata:\n  x: "${"a".repeat(2 * 1024 * 1024)}"\n`;
    expect(parseManifestFile({ path: "big.yaml", content: big }).error?.message).toMatch(/limit/);
  });

  it("bounds alias bombs", () => {
    const lines = ["apiVersion: v1", "kind: ConfigMap", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
    const bomb = parseManifestFile({ path: "bomb.yaml", content: lines.join("\n") });
    expect(bomb.objects).toEqual([]);
    expect(bomb.error?.message).toMatch(/alias/);
    // A few aliases are fine, but expansion is still capped.
    const small = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nbase: &b {k: v}\ncopy: *b\n";
    expect(parseManifestFile({ path: "ok.yaml", content: small }).objects).toHaveLength(1);
    expect(MAX_ALIAS_COUNT).toBe(100);
  });

  it("never throws on mangled input (deterministic fuzz)", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ["{", "}", "[", "]", ":", "-", " ", "\n", "&a", "*a", "!!", "'", '"', "|", ">", "#", "---", "apiVersion: v1", "kind: Pod", "\t", "{{", "%YAML", "? "];
    for (let i = 0; i < 300; i++) {
      const cut = rand(MULTI.length);
      const noise = Array.from({ length: 1 + rand(12) }, () => alphabet[rand(alphabet.length)] ?? "").join("");
      const content = MULTI.slice(0, cut) + noise + MULTI.slice(cut + rand(20));
      expect(() => {
        const { docs } = parseKubernetesFiles([{ path: `fuzz/${i}.yaml`, content }]);
        for (const d of docs) for (const r of kubernetesTarget.rules) r.check(d);
      }).not.toThrow();
    }
  });
});

describe("claimsKubernetes", () => {
  it("claims YAML/JSON manifests outside .github/workflows", () => {
    expect(claimsKubernetes("k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment")).toBe(true);
    expect(claimsKubernetes("k8s/deploy.YML", "kind: Pod\napiVersion: v1")).toBe(true);
    expect(claimsKubernetes("k8s/pod.json", '{"apiVersion":"v1","kind":"Pod"}')).toBe(true);
    expect(claimsKubernetes(".github/workflows/ci.yaml", "apiVersion kind")).toBe(false);
    expect(claimsKubernetes("repo/.github/workflows/ci.yml", "apiVersion kind")).toBe(false);
    expect(claimsKubernetes("chart/Chart.yaml", "apiVersion: v2\nname: x")).toBe(false);
    expect(claimsKubernetes("Dockerfile", "apiVersion kind")).toBe(false);
  });
});

describe("workloadOf", () => {
  it("finds the pod spec of a CronJob with all container lists", () => {
    const cron = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: report}
        spec:
          initContainers: [{name: init, image: "busybox:1.36"}]
          containers: [{name: main, image: "report:1"}]
          ephemeralContainers: [{name: debug, image: "busybox:1.36"}]
`;
    const [object] = parseManifestFile({ path: "cron.yaml", content: cron }).objects;
    if (!object) throw new Error("no object");
    const w = workloadOf(object);
    expect(w?.specPath).toEqual(["spec", "jobTemplate", "spec", "template", "spec"]);
    expect(w?.containers.map((c) => `${c.list}/${c.name}`)).toEqual(["initContainers/init", "containers/main", "ephemeralContainers/debug"]);
    expect(w?.podMetadata).toEqual({ labels: { app: "report" } });
  });

  it("container settings override pod settings", () => {
    const pod = (podUser: number, containerUser?: number) => `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  securityContext: {runAsUser: ${podUser}}
  containers:
    - name: c
      image: c:1
${containerUser === undefined ? "" : `      securityContext: {runAsUser: ${containerUser}}\n`}`;
    const passed = (content: string) => evaluationsOf([{ path: "p.yaml", content }], "DP-K8S-CONTAINER-004").map((e) => e.passed);
    expect(passed(pod(0))).toEqual([false]);
    expect(passed(pod(0, 10001))).toEqual([true]);
    expect(passed(pod(10001, 0))).toEqual([false]);
  });
});

describe("the scanned set", () => {
  const deployment = (ns: string | undefined) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${ns ? `  namespace: ${ns}\n` : ""}spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: web}]
`;
  const policy = (ns: string | undefined) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
${ns ? `  namespace: ${ns}\n` : ""}spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

  it("matches NetworkPolicies across files of the same namespace", () => {
    const files = [
      { path: "app/deploy.yaml", content: deployment("shop") },
      { path: "policies/deny.yaml", content: policy("shop") },
    ];
    expect(evaluationsOf(files, "DP-K8S-NET-001").map((e) => e.passed)).toEqual([true]);
    const deny = evaluationsOf(files, "DP-K8S-NET-002");
    expect(deny.map((e) => [e.passed, e.resource, e.file])).toEqual([[true, "Namespace/-/shop", "app/deploy.yaml"]]);
  });

  it("does not match namespace-less objects across top-level directories", () => {
    const same = [
      { path: "shop/base/deploy.yaml", content: deployment(undefined) },
      { path: "shop/components/deny.yaml", content: policy(undefined) },
    ];
    expect(evaluationsOf(same, "DP-K8S-NET-001").map((e) => e.passed)).toEqual([true]);
    const other = [
      { path: "shop/deploy.yaml", content: deployment(undefined) },
      { path: "blog/deny.yaml", content: policy(undefined) },
    ];
    expect(evaluationsOf(other, "DP-K8S-NET-001").map((e) => e.passed)).toEqual([false]);
  });

  it("evaluates the default-deny rule once per namespace", () => {
    const files = [
      { path: "a/one.yaml", content: deployment("shop") },
      { path: "a/two.yaml", content: deployment("shop").replace("name: web", "name: api") },
      { path: "a/three.yaml", content: deployment("blog") },
    ];
    const evals = evaluationsOf(files, "DP-K8S-NET-002");
    expect(evals.map((e) => `${e.resource}@${e.file}:${e.passed}`).sort()).toEqual(["Namespace/-/blog@a/three.yaml:false", "Namespace/-/shop@a/one.yaml:false"]);
  });

  it("accepts untagged images that a Skaffold config of the same project builds", () => {
    const skaffold = "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: web\n      context: src/web\n";
    const deploy = { path: "shop/k8s/web.yaml", content: deployment("shop") };
    expect(evaluationsOf([deploy], "DP-K8S-CONTAINER-018").map((e) => e.passed)).toEqual([false]);
    expect(evaluationsOf([deploy, { path: "shop/skaffold.yaml", content: skaffold }], "DP-K8S-CONTAINER-018").map((e) => e.passed)).toEqual([true]);
    expect(evaluationsOf([deploy, { path: "blog/skaffold.yaml", content: skaffold }], "DP-K8S-CONTAINER-018").map((e) => e.passed)).toEqual([false]);
  });

  it("honours automountServiceAccountToken on the pod's ServiceAccount", () => {
    const sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\nautomountServiceAccountToken: false\n";
    const deploy = deployment("shop").replace("    spec:\n      containers", "    spec:\n      serviceAccountName: web\n      containers");
    expect(evaluationsOf([{ path: "a/d.yaml", content: deploy }], "DP-K8S-POD-007").map((e) => e.passed)).toEqual([false]);
    expect(evaluationsOf([{ path: "a/d.yaml", content: deploy }, { path: "a/sa.yaml", content: sa }], "DP-K8S-POD-007").map((e) => e.passed)).toEqual([true]);
  });
});

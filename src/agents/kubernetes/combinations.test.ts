/**
 * Tasks that are not examples: every strategy with every mesh, and the
 * optional parts switched on and off. Each plan must pass both quality
 * gates, scan clean (or report exactly the loosenings the task asked for),
 * build with `kubectl kustomize` into valid, hardened objects, and its chart
 * must render to the same objects.
 */
import { describe, expect, it } from "vitest";
import { helmValidator, kubernetesValidator } from "../../core/validators/kubernetes.js";
import { MESHES, STRATEGIES } from "./schema.js";
import { hardeningViolations } from "./testing/hardening.js";
import { scanFiles } from "../testing/scan.js";
import type { Obj } from "./testing/support.js";
import { at, docs, kustomizeBuild, planInput, renderChart } from "./testing/support.js";

const DIGEST = `sha256:${"c".repeat(64)}`;

interface Case {
  title: string;
  input: Record<string, unknown>;
  /** Rule ids the scanner must report (loosenings asked for by the task). */
  expected?: string[];
}

const base = { name: "svc", image: `ghcr.io/acme/svc:2.0.0@${DIGEST}` };

const cases: Case[] = [
  ...STRATEGIES.flatMap((strategy) =>
    MESHES.map((mesh) => ({
      title: `${strategy} with mesh ${mesh}`,
      input: {
        ...base,
        strategy,
        mesh,
        ports: [{ name: "http", port: 8080, service_port: 80 }, { name: "grpc", port: 9000 }],
        ingress: { host: "svc.example.com" },
        autoscaling: { min: 2, max: 6 },
        environments: ["staging", "production"],
        overrides: { staging: { host: "svc.staging.example.com", autoscaling: { min: 1, max: 2 } } },
        ...(strategy === "blue_green" ? { blue_green: { live: "green", live_image: `ghcr.io/acme/svc:1.9.0@sha256:${"d".repeat(64)}` } } : {}),
        ...(strategy === "canary" ? { canary: { weight: 20, replicas: 2 } } : {}),
      },
    })),
  ),
  {
    title: "every optional part: config, file and env secrets, metrics, egress, callers, namespaces per environment",
    input: {
      ...base,
      namespace: "team-svc",
      replicas: 3,
      resources: { requests: { cpu: "0.5", memory: "1Gi" } },
      env: { MODE: "api", WORKERS: 4, DEBUG: false },
      config: { "app.yaml": "port: 8080\n", "log.level": "info" },
      secrets: [
        { secret: "svc-db", keys: ["password"], mount_path: "/etc/db" },
        { secret: "svc-api", as: "env", env: { API_TOKEN: "token" } },
      ],
      writable_paths: ["/tmp", "/var/cache/svc"],
      metrics: { port: 9102, namespace: "observability" },
      egress: [{ cidr: "10.0.0.0/8", except: ["10.0.0.0/24"], ports: [{ port: 5432 }] }, { namespace: "kafka", ports: [9092, 9093] }],
      allow_from: [{ namespace: "gateway" }],
      pdb: { min_available: 2 },
      probes: { type: "tcp" },
      shutdown: { drain_seconds: 5, grace_period_seconds: 30 },
      environments: ["dev", "prod"],
      overrides: {
        dev: { namespace: "team-svc-dev", replicas: 1, env: { MODE: "dev" }, config: { "log.level": "debug" } },
        prod: { replicas: 5, resources: { limits: { memory: "2Gi" } } },
      },
    },
    expected: ["DP-K8S-SECRET-002"],
  },
  {
    title: "no digest, no ingress, no PDB, plain manifests, no chart",
    input: { name: "batch", image: "ghcr.io/acme/batch:1.0.0", pdb: false, kustomize: false, chart: false, environments: ["qa"] },
    expected: ["DP-K8S-CONTAINER-019"],
  },
  {
    title: "chart without Kustomize and without environments",
    input: { ...base, kustomize: false, ingress: { host: "svc.example.com", class: "traefik" }, probes: { type: "grpc", port: "grpc" }, ports: [{ name: "grpc", port: 9000 }] },
  },
  {
    title: "resource optimization with per-environment resources",
    input: {
      ...base,
      optimize: { cpu: { p50: "50m", p95: "0.2", p99: "300m" }, memory: { p50: "100Mi", p95: "180Mi", p99: "300Mi" }, current: { cpu: "500m" } },
      environments: ["staging", "production"],
      overrides: { staging: { resources: { requests: { cpu: "50m" }, limits: { cpu: "100m" } } } },
    },
  },
];

describe("combinations", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const { input, plan } = planInput(c.input);
      for (const a of plan.artifacts) {
        const r = await (a.kind === "helm" ? helmValidator : kubernetesValidator).validate(a);
        expect(r.errors, a.path).toEqual([]);
        expect(r.warnings, a.path).toEqual([]);
      }
      const scan = await scanFiles(plan.artifacts.map((a) => ({ path: a.path, content: a.content })));
      const active = scan.findings.filter((f) => !f.suppressed);
      expect([...new Set(active.map((f) => f.ruleId))].sort()).toEqual(c.expected ?? []);
      expect(scan.findings.filter((f) => f.suppressed).every((f) => f.ruleId === "DP-SCAN-001" && f.file.startsWith(`charts/${input.name}/templates/`))).toBe(true);

      const deployments = plan.artifacts.filter((a) => a.kind === "kubernetes").flatMap((a) => docs(a.content)).filter((o) => o["kind"] === "Deployment");
      expect(deployments.length).toBe(input.strategy === "rolling" ? Math.max(1, input.kustomize ? 1 : input.environments.length) : 2 * Math.max(1, input.kustomize ? 1 : input.environments.length));
      for (const d of deployments) expect(hardeningViolations(d)).toEqual([]);

      const envs = input.environments.length > 0 ? input.environments : [undefined];
      for (const env of envs) {
        // What an environment gets: the overlay's build, or its plain manifests.
        const dir = input.kustomize ? (env ? `k8s/${input.name}/overlays/${env}` : `k8s/${input.name}/base`) : env ? `k8s/${input.name}/${env}` : `k8s/${input.name}`;
        const built = input.kustomize
          ? kustomizeBuild(plan.artifacts, dir)
          : plan.artifacts
              .filter((a) => a.path.startsWith(`${dir}/`) && !a.path.slice(dir.length + 1).includes("/"))
              .map((a) => a.content)
              .join("\n---\n");
        const v = await kubernetesValidator.validate({ path: `${dir}/build.yaml`, kind: "kubernetes", content: built, sha256: "" });
        expect(v.errors, dir).toEqual([]);
        const objects = docs(built);
        const builtScan = await scanFiles([{ path: "build.yaml", content: built }]);
        expect([...new Set(builtScan.findings.map((f) => f.ruleId))].sort(), dir).toEqual(c.expected ?? []);
        if (!input.chart) continue;
        const namespace = String(at(objects.find((o) => o["kind"] === "Namespace"), "metadata", "name"));
        const rendered = renderChart(plan.artifacts, `charts/${input.name}`, namespace, env)
          .filter((r) => r.file.endsWith(".yaml"))
          .flatMap((r) => docs(r.text))
          .map((o) => {
            const labels = at(o, "metadata", "labels") as Obj;
            delete labels["helm.sh/chart"];
            delete labels["app.kubernetes.io/managed-by"];
            return o;
          });
        const expected = objects.filter((o) => o["kind"] !== "Namespace" && !(o["kind"] === "ServiceAccount" && at(o, "metadata", "name") === "default"));
        const key = (o: Obj) => `${String(o["kind"])}/${String(at(o, "metadata", "name"))}`;
        expect(rendered.map(key).sort(), dir).toEqual(expected.map(key).sort());
        const byKey = new Map(expected.map((o) => [key(o), o]));
        for (const o of rendered) expect(o, `${dir} ${key(o)}`).toEqual(byKey.get(key(o)));
      }
    });
  }
});

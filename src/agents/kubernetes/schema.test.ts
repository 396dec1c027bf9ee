import { describe, expect, it } from "vitest";
import { validateTaskInput } from "../../core/tasks/parse.js";
import { resolveConfig } from "./config.js";
import { kubernetesSpecialist } from "./index.js";
import { kubernetesInputSchema } from "./schema.js";

const DIGEST = `sha256:${"e".repeat(64)}`;
const MIN = { name: "api", image: "ghcr.io/acme/api:1.0.0" };

/** The message a user sees: the task parser's error for this input. */
function error(input: Record<string, unknown>): string {
  try {
    validateTaskInput({ type: "devops.kubernetes", input }, kubernetesSpecialist, "task.yaml");
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("devops.kubernetes input schema", () => {
  it("needs only a name and an image, and fills safe defaults", () => {
    const input = kubernetesInputSchema.parse(MIN);
    expect(input).toMatchObject({ ports: [8080], strategy: "rolling", mesh: "none", chart: true, kustomize: true, environments: [], writable_paths: ["/tmp"], run_as_user: 10001 });
    const cfg = resolveConfig(input);
    expect(cfg.namespace).toBe("api");
    expect(cfg.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "400m", memory: "256Mi" } });
    expect(cfg.tracks).toEqual([{ id: "main", suffix: "", image: { repository: "ghcr.io/acme/api", tag: "1.0.0", digest: "" }, autoscaled: false, replicas: 2 }]);
    expect(cfg.pdb).toEqual({ maxUnavailable: 1 });
  });

  it("canonicalises quantities and fills limits from requests", () => {
    const cfg = resolveConfig(kubernetesInputSchema.parse({ ...MIN, resources: { requests: { cpu: 0.25, memory: "0.5Gi" } } }));
    expect(cfg.resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } });
  });

  it("names an unknown field and suggests the nearest", () => {
    const msg = error({ ...MIN, replcas: 3 });
    expect(msg).toContain("Unknown field 'replcas' in task.input. Did you mean replicas?");
    expect(error({ ...MIN, ingress: { host: "a.example.com", tls_secrte: "x" } })).toContain("Unknown field 'tls_secrte' in task.input.ingress. Did you mean tls_secret?");
  });

  it("lists the strategies and meshes", () => {
    expect(error({ ...MIN, strategy: "bluegreen" })).toContain('Invalid value "bluegreen" for task.input.strategy. Did you mean blue_green? Valid values: rolling, blue_green, canary.');
    expect(error({ ...MIN, mesh: "consul" })).toContain('Invalid value "consul" for task.input.mesh. Valid values: none, istio, linkerd.');
  });

  it("refuses images without a version, with latest, or with a malformed digest", () => {
    expect(error({ name: "api", image: "nginx" })).toMatch(/task\.input\.image: give a version tag/);
    expect(error({ name: "api", image: "nginx:latest" })).toMatch(/task\.input\.image: the latest tag changes with every push/);
    expect(error({ ...MIN, digest: "sha256:abc" })).toMatch(/task\.input\.digest: a digest such as sha256:/);
    expect(error({ name: "api", image: `ghcr.io/acme/api:1.0.0@${DIGEST}`, digest: DIGEST })).toMatch(/task\.input\.digest: the image already carries a digest/);
  });

  it("refuses names and namespaces that break object names or isolation", () => {
    expect(error({ ...MIN, name: "My_App" })).toMatch(/task\.input\.name: a lower-case DNS label/);
    expect(error({ ...MIN, name: "a".repeat(41) })).toMatch(/task\.input\.name/);
    expect(error({ ...MIN, namespace: "default" })).toMatch(/task\.input\.namespace: use a namespace dedicated to the application/);
    expect(error({ ...MIN, namespace: "kube-system" })).toMatch(/task\.input\.namespace/);
  });

  it("refuses a credential in a plain environment variable, pointing at secrets", () => {
    expect(error({ ...MIN, env: { DB_PASSWORD: "hunter2" } })).toMatch(/task\.input\.env\.DB_PASSWORD: DB_PASSWORD looks like a credential.*secrets/);
    expect(error({ ...MIN, env: { DB_PASSWORD_FILE: "/var/run/secrets/db/password" } })).toBe("");
  });

  it("refuses bad quantities and limits below requests", () => {
    expect(error({ ...MIN, resources: { requests: { cpu: "fast" } } })).toMatch(/task\.input\.resources\.requests\.cpu: a CPU quantity/);
    expect(error({ ...MIN, resources: { requests: { memory: "512Mi" }, limits: { memory: "256Mi" } } })).toMatch(/task\.input\.resources\.limits\.memory: the memory limit is below the memory request/);
  });

  it("refuses a UID below 10000", () => {
    expect(error({ ...MIN, run_as_user: 1000 })).toMatch(/task\.input\.run_as_user: UIDs below 10000/);
  });

  it("keeps replicas and autoscaling from both owning the replica count", () => {
    expect(error({ ...MIN, replicas: 3, autoscaling: { min: 2, max: 4 } })).toMatch(/task\.input\.replicas: replicas and autoscaling both set the replica count/);
    expect(error({ ...MIN, autoscaling: { min: 5, max: 4 } })).toMatch(/task\.input\.autoscaling\.min: autoscaling\.min must not exceed autoscaling\.max/);
    expect(error({ ...MIN, autoscaling: { min: 2, max: 4 }, environments: ["prod"], overrides: { prod: { replicas: 3 } } })).toMatch(/task\.input\.overrides\.prod\.replicas: autoscaling owns the replica count/);
  });

  it("catches an override for a misspelt environment, and leaves others to a note", () => {
    expect(error({ ...MIN, environments: ["staging", "production"], overrides: { prodution: { replicas: 3 } } })).toMatch(/task\.input\.overrides\.prodution: overrides names 'prodution', which is not in environments \(staging, production\)\. Did you mean production\?/);
    // `run --env staging` narrows environments; the production override is then unused, not an error.
    const input = kubernetesInputSchema.parse({ ...MIN, environments: ["staging"], overrides: { production: { replicas: 3 } } });
    const notes = kubernetesSpecialist.plan(input, { files: new Map() }).notes;
    expect(notes.some((n) => n.text.startsWith("Overrides for production were not used"))).toBe(true);
  });

  it("checks references between fields", () => {
    expect(error({ ...MIN, probes: { port: "htp" } })).toMatch(/task\.input\.probes\.port: probes\.port 'htp' is not a port name\. Ports: http\. Did you mean http\?/);
    expect(error({ ...MIN, environments: ["prod"], overrides: { prod: { host: "x.example.com" } } })).toMatch(/task\.input\.overrides\.prod\.host: host and tls_secret need ingress/);
    expect(error({ ...MIN, canary: { weight: 10 } })).toMatch(/task\.input\.canary: canary settings apply to strategy canary \(it is rolling\)/);
    expect(error({ ...MIN, ports: [8080, 8080] })).toMatch(/task\.input\.ports\[1\]: port 8080 is listed twice/);
    expect(error({ ...MIN, metrics: { port: 8080 } })).toMatch(/task\.input\.metrics\.port: port 8080 is also an application port/);
    expect(error({ ...MIN, secrets: [{ secret: "db", as: "env" }] })).toMatch(/task\.input\.secrets\[0\]\.env: as: env needs env/);
    expect(error({ ...MIN, writable_paths: ["/tmp"], config: { a: "b" }, config_mount_path: "/tmp" })).toMatch(/task\.input\.config_mount_path: config is mounted at \/tmp/);
    expect(error({ ...MIN, optimize: { cpu: { p50: "1", p95: "500m", p99: "2" }, memory: { p50: "1Gi", p95: "1Gi", p99: "1Gi" } } })).toMatch(/task\.input\.optimize\.cpu: cpu percentiles must not decrease/);
    expect(error({ ...MIN, resources: {}, optimize: { cpu: { p50: "1", p95: "1", p99: "1" }, memory: { p50: "1Gi", p95: "1Gi", p99: "1Gi" } } })).toMatch(/task\.input\.resources: resources and optimize both set requests/);
    expect(error({ ...MIN, optimize: { cpu: { p50: "1", p95: "1", p99: "1" }, memory: { p50: "1Gi", p95: "1Gi", p99: "1Gi" }, headroom: 20 } })).toMatch(/task\.input\.optimize\.headroom: headroom above 3/);
  });

  it("takes every environment's differences and the blue-green and canary settings", () => {
    const input = kubernetesInputSchema.parse({
      ...MIN,
      strategy: "blue_green",
      blue_green: { live: "green", live_image: `ghcr.io/acme/api:0.9.0@${DIGEST}` },
      ingress: { host: "api.example.com" },
      environments: ["staging"],
      overrides: { staging: { namespace: "api-staging", host: "api.staging.example.com", replicas: 1 } },
    });
    const cfg = resolveConfig(input, "staging");
    expect(cfg).toMatchObject({ namespace: "api-staging", environment: "staging", blueGreen: { live: "green", idle: "blue" } });
    expect(cfg.ingress).toMatchObject({ host: "api.staging.example.com", tlsSecret: "api-tls", controllerNamespace: "ingress-nginx" });
    expect(cfg.tracks.map((t) => [t.id, t.image.tag, t.replicas])).toEqual([
      ["blue", "1.0.0", 1],
      ["green", "0.9.0", 1],
    ]);
  });
});

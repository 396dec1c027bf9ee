/**
 * The lifecycle workflow end to end with the real specialists and the real
 * validators (promtool, amtool, actionlint, kubernetes-models, the Grafana
 * schema): the bundle passes every gate, its generated promtool tests pass,
 * it has no dangling reference, its steps are in the store, a failed run
 * resumes, and post-mortem action items change the plan.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { runWorkflowText } from "../../src/agents/manager/workflow-runtime.js";
import { checkReferences } from "../../src/agents/manager/workflows/references.js";
import { resolveLink } from "../../src/agents/observability/index.js";
import type { Artifact } from "../../src/core/plans/plan.js";
import { artifact } from "../../src/core/plans/plan.js";
import type { SpecialistEntry } from "../../src/agents/registry.js";
import { wired } from "../../src/interfaces/wiring.js";
import { decide, applyStored } from "../../src/agents/manager/runtime.js";
import { defaultStoreConfig, openStore } from "../../src/core/store/index.js";
import { tempDir } from "../helpers/tmp.js";

const EXAMPLE = "examples/lifecycle.yaml";
const text = readFileSync(EXAMPLE, "utf8");
const links = (parse(text) as { input: { links: { runbook_base_url: string; grafana_url: string } } }).input.links;

function requireTool(tool: string, pkg: string): void {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error(`${tool} is missing: install it with apt-get install -y --no-install-recommends ${pkg}`);
  }
}

async function runExample(dir: string, opts: { input?: string; fresh?: boolean; specialists?: readonly SpecialistEntry[] } = {}) {
  const base = wired(dir);
  return runWorkflowText("lifecycle", opts.input ?? text, EXAMPLE, { ...base, ...(opts.specialists ? { specialists: opts.specialists } : {}), ...(opts.fresh !== undefined ? { fresh: opts.fresh } : {}) });
}

/** An independent walk of the bundle: every alert's runbook_url and dashboard_url, every dashboard link. */
function walk(artifacts: readonly Artifact[]): { alerts: string[]; dangling: string[] } {
  const paths = new Set(artifacts.map((a) => a.path));
  const uids = new Set(artifacts.filter((a) => a.kind === "grafana-dashboard").map((a) => (JSON.parse(a.content) as { uid: string }).uid));
  const alerts: string[] = [];
  const dangling: string[] = [];
  for (const a of artifacts.filter((x) => x.kind === "prometheus-rules")) {
    for (const g of (parse(a.content) as { groups: { rules: Record<string, unknown>[] }[] }).groups) {
      for (const r of g.rules) {
        if (typeof r.alert !== "string") continue;
        alerts.push(r.alert);
        const ann = r.annotations as Record<string, string>;
        expect(ann.runbook_url, r.alert).toMatch(/^https:\/\/github\.com\/acme\/shop-infra\/blob\/main\/runbooks\/alerts\//);
        const rb = ann.runbook_url!.slice(links.runbook_base_url.length + 1);
        if (!paths.has(rb)) dangling.push(`${r.alert} → ${ann.runbook_url}`);
        const uid = /\/d\/([^/]+)/.exec(ann.dashboard_url ?? "")?.[1];
        if (uid === undefined || !uids.has(uid)) dangling.push(`${r.alert} → ${ann.dashboard_url}`);
      }
    }
  }
  for (const a of artifacts.filter((x) => x.kind === "grafana-dashboard")) {
    const d = JSON.parse(a.content) as { links?: { url: string }[] };
    for (const l of d.links ?? []) {
      const uid = resolveLink(l.url, links).dashboardUid;
      if (uid === undefined || !uids.has(uid)) dangling.push(`${a.path} → ${l.url}`);
    }
  }
  return { alerts, dangling };
}

describe("workflow run lifecycle examples/lifecycle.yaml", () => {
  it("produces one bundle that passes every gate, runs its own promtool tests, and awaits approval for production", async () => {
    requireTool("promtool", "prometheus");
    requireTool("amtool", "prometheus-alertmanager");
    const dir = tempDir();
    const out = await runExample(dir);
    expect(out.steps.map((s) => s.id)).toEqual(["planning", "infrastructure", "cicd", "monitoring", "alerting", "incident"]);
    expect(out.steps.every((s) => s.status === "ran")).toBe(true);
    const byGate = new Map(out.gates.map((g) => [g.gate, g]));
    for (const kind of ["prometheus-config", "prometheus-rules", "prometheus-rule-test", "alertmanager-config", "grafana-dashboard", "kubernetes", "helm", "github-workflow"]) {
      const g = byGate.get(`gate.quality.${kind}`);
      expect(g?.status, `gate.quality.${kind}: ${g?.blocking.join("; ")}`).toBe("passed");
      expect(g!.checks.length).toBeGreaterThan(0);
    }
    expect(byGate.get("gate.security.infra")?.status).toBe("passed");
    expect(out.verdict).toBe("awaiting_approval");
    // One promtool test file per service with alerts, each run by the gate.
    const tests = out.plan.artifacts.filter((a) => a.kind === "prometheus-rule-test").map((a) => a.path).sort();
    expect(tests).toEqual(["monitoring/prometheus/tests/catalog-alerts.test.yml", "monitoring/prometheus/tests/checkout-alerts.test.yml", "monitoring/prometheus/tests/orders-db-alerts.test.yml"]);
    expect(byGate.get("gate.quality.prometheus-rule-test")!.checks.map((c) => c.name).sort()).toEqual(tests);
    // The shared SLO recording rules are in the bundle once, from both monitoring and alerting.
    expect(out.plan.artifacts.filter((a) => a.path === "monitoring/prometheus/rules/checkout-slo.rules.yml")).toHaveLength(1);
    // Two services with pipelines: their workflow files do not collide.
    expect(out.plan.artifacts.filter((a) => a.kind === "github-workflow").map((a) => a.path).sort()).toEqual([".github/workflows/catalog-ci.yml", ".github/workflows/checkout-ci.yml"]);
  }, 120_000);

  it("has no dangling reference: every runbook_url, dashboard link and scrape target resolves in the bundle", async () => {
    const dir = tempDir();
    const out = await runExample(dir);
    const { alerts, dangling } = walk(out.plan.artifacts);
    expect(alerts.length).toBeGreaterThanOrEqual(12);
    expect(dangling).toEqual([]);
    const report = checkReferences(out.plan.artifacts, links);
    expect(report.problems).toEqual([]);
    expect(report.checked.scrapeJobs).toBe(3);
    expect(report.external).toEqual(["scrape job orders-db uses fixed targets, outside the bundle"]);
    // Every alert has a runbook, and every runbook names its alert.
    for (const alert of alerts) {
      const rb = out.plan.artifacts.find((a) => a.path === `runbooks/alerts/${alert}.md`);
      expect(rb?.content, alert).toContain(alert);
    }
    // Taking one runbook away, or moving a deployment, is caught.
    const without = out.plan.artifacts.filter((a) => a.path !== `runbooks/alerts/${alerts[0]!}.md`);
    expect(checkReferences(without, links).problems.join("\n")).toContain(`alert ${alerts[0]!}`);
    const moved = out.plan.artifacts.map((a) => (a.path === "k8s/checkout/base/deployment.yaml" ? artifact(a.path, a.kind, a.content.replace(/namespace: shop\n/g, "namespace: elsewhere\n")) : a));
    expect(checkReferences(moved, links).problems.join("\n")).toMatch(/scrape job checkout looks for checkout in namespace\(s\) shop/);
  }, 120_000);

  it("records every step in the store, and a run that fails at alerting resumes from alerting", async () => {
    const dir = tempDir();
    const base = wired(dir);
    let alertingCalls = 0;
    const broken = base.specialists!.map((s) =>
      s.taskType !== "devops.alerting"
        ? s
        : {
            ...s,
            load: async () => {
              const real = await s.load();
              return { ...real, plan: () => {
                alertingCalls += 1;
                throw new Error("the pager is on fire");
              } };
            },
          },
    );
    const err = await runExample(dir, { specialists: broken }).then(() => new Error("did not fail"), (e: unknown) => e as Error);
    expect(err.message).toMatch(/failed at step 5\/6 \(alerting\): the pager is on fire/);
    expect(alertingCalls).toBe(1);

    const out = await runExample(dir);
    expect(out.resumedFrom).toBeDefined();
    expect(out.steps.map((s) => `${s.id}:${s.status}`)).toEqual(["planning:reused", "infrastructure:reused", "cicd:reused", "monitoring:reused", "alerting:ran", "incident:ran"]);
    const store = await openStore(defaultStoreConfig(dir));
    try {
      expect((await store.workflowSteps(out.resumedFrom!)).map((s) => `${s.step}:${s.status}`)).toEqual(["planning:succeeded", "infrastructure:succeeded", "cicd:succeeded", "monitoring:succeeded", "alerting:failed"]);
      expect((await store.workflowSteps(out.runId)).map((s) => s.status)).toEqual(["reused", "reused", "reused", "reused", "succeeded", "succeeded"]);
    } finally {
      await store.close();
    }
    // The same bundle as a clean run gives: resuming changes nothing in the output.
    const fresh = await runExample(dir, { fresh: true });
    expect(fresh.plan.digest).toBe(out.plan.digest);
  }, 180_000);

  it("approves and applies the bundle, and the applied promtool tests pass when run by hand", async () => {
    requireTool("promtool", "prometheus");
    const dir = tempDir();
    const out = await runExample(dir);
    await decide(out.plan.id, { decision: "approved", by: "alice" }, wired(dir));
    const target = tempDir();
    await applyStored(out.plan.id, { dir: target }, wired(dir));
    expect(existsSync(join(target, "monitoring/prometheus/prometheus.yml"))).toBe(true);
    const testsDir = join(target, "monitoring/prometheus/tests");
    const output = execFileSync("promtool", ["test", "rules", "checkout-alerts.test.yml", "catalog-alerts.test.yml", "orders-db-alerts.test.yml"], { cwd: testsDir, encoding: "utf8" });
    expect(output).toMatch(/SUCCESS/);
    expect(output).not.toMatch(/FAILED/);
  }, 180_000);

  it("folds post-mortem action items into the plan: the continuous-improvement loop", async () => {
    const dir = tempDir();
    const feedback = `
  feedback:
    - { id: AI-1, kind: set_min_replicas, title: Run three catalog replicas, service: catalog, replicas: 3 }
    - { id: AI-2, kind: set_tier, title: Catalog pages on symptoms, service: catalog, tier: critical }
    - id: AI-3
      kind: add_slo
      title: Catalog latency objective
      slo: { name: catalog-latency, service: catalog, objective: 99, sli: { latency: { histogram: grpc_server_handling_seconds, threshold_seconds: 0.25 } } }
    - { id: AI-4, kind: add_incident_type, title: Runbook for dependency outages, incident_type: dependency_outage }
`;
    const out = await runExample(dir, { input: text.trimEnd() + "\n" + feedback });
    const plan = out.plan.artifacts.find((a) => a.path === "docs/devops/lifecycle-plan.md")!.content;
    expect(plan).toContain("AI-1 (set_min_replicas): catalog: 3 replicas");
    expect(plan).toContain("AI-3 (add_slo): add SLO catalog-latency");
    const next = parse(out.plan.artifacts.find((a) => a.path === "docs/devops/lifecycle-input.next.yaml")!.content) as { input: { services: { name: string; tier: string; kubernetes?: { replicas?: number } }[]; slos: { name: string }[] } };
    const catalog = next.input.services.find((s) => s.name === "catalog")!;
    expect(catalog.tier).toBe("critical");
    expect(catalog.kubernetes?.replicas).toBe(3);
    expect(next.input.slos.map((s) => s.name)).toContain("catalog-latency");
    // The changes reach the generated files.
    expect(out.plan.artifacts.find((a) => a.path === "k8s/catalog/base/deployment.yaml")!.content).toMatch(/replicas: 3/);
    expect(out.plan.artifacts.some((a) => a.path === "runbooks/alerts/CatalogLatencyErrorBudgetFastBurn.md")).toBe(true);
    expect(out.plan.artifacts.some((a) => a.path === "runbooks/incidents/dependency_outage.md")).toBe(true);
    const rules = out.plan.artifacts.find((a) => a.path === "monitoring/prometheus/rules/catalog-alerts.rules.yml")!.content;
    expect(rules).toMatch(/alert: CatalogHighErrorRate[\s\S]*?severity: page/);
    expect(out.gates.filter((g) => g.status === "failed")).toEqual([]);
  }, 180_000);
});

describe("the other workflows", () => {
  for (const [id, file] of [
    ["zero-downtime-deployment", "examples/zero-downtime.yaml"],
    ["disaster-recovery", "examples/disaster-recovery.yaml"],
    ["monitoring-setup", "examples/monitoring-setup.yaml"],
  ] as const) {
    it(`${id} runs ${file} through every gate`, async () => {
      const dir = tempDir();
      const out = await runWorkflowText(id, readFileSync(file, "utf8"), file, wired(dir));
      const failed = out.gates.filter((g) => g.status === "failed");
      expect(failed.map((g) => `${g.gate}: ${g.blocking.join("; ")}`)).toEqual([]);
      expect(out.verdict).not.toBe("failed");
      expect(checkReferences(out.plan.artifacts, (parse(readFileSync(file, "utf8")) as { input: { links?: object } }).input.links ?? {}).problems).toEqual([]);
    }, 120_000);
  }

  it("zero-downtime-deployment refuses a rolling update", async () => {
    const dir = tempDir();
    const input = readFileSync("examples/zero-downtime.yaml", "utf8").replace(/strategy: canary/, "strategy: rolling");
    await expect(runWorkflowText("zero-downtime-deployment", input, "zd.yaml", wired(dir))).rejects.toThrow(/uses strategy canary or blue_green/);
  });

  it("an unknown workflow names the runnable ones and the nearest", async () => {
    await expect(runWorkflowText("lifecyle", text, EXAMPLE, wired(tempDir()))).rejects.toThrow(/Unknown workflow 'lifecyle'\. Runnable workflows: lifecycle, .*Did you mean lifecycle\?/);
  });
});

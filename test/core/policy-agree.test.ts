/**
 * Issue 13, defect 7: the scan verdict was written three times (CLI scan, MCP
 * devops_scan, the security gate) and MCP plan_apply restated the approval
 * rule without today's config. Now `core/policy.ts` holds them once. One table
 * of cases goes through each caller, which must agree with the policy and with
 * each other.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { evaluateGates } from "../../src/core/gates/engine.js";
import { artifact, sealPlan } from "../../src/core/plans/plan.js";
import { scanVerdict } from "../../src/core/policy.js";
import { createMcpContext, createMcpServer } from "../../src/interfaces/mcp/server.js";
import { scanPaths, securityGateEnv } from "../../src/scanner/index.js";
import { toTable } from "../../src/scanner/output/table.js";
import { REPO, cli } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const fixture = (id: string, which: "pass" | "fail"): string => readFileSync(join(REPO, `src/scanner/kubernetes/fixtures/${id}/${which}.yaml`), "utf8");
const privileged = fixture("DP-K8S-CONTAINER-001", "fail");

interface Case {
  name: string;
  file: string;
  content: string;
  threshold: number;
  ok: boolean;
}

const CASES: Case[] = [
  { name: "hardened workload", file: "app.yaml", content: fixture("DP-K8S-POD-001", "pass"), threshold: 95, ok: true },
  { name: "privileged pod: a critical finding", file: "pod.yaml", content: privileged, threshold: 95, ok: false },
  { name: "a critical finding blocks whatever the threshold", file: "pod.yaml", content: privileged, threshold: 0, ok: false },
  { name: "non-critical findings under a threshold of 0", file: "Dockerfile", content: "FROM node:latest\nRUN npm ci\n", threshold: 0, ok: true },
  { name: "non-critical findings under a threshold of 100", file: "Dockerfile", content: "FROM node:latest\nRUN npm ci\n", threshold: 100, ok: false },
];

async function viaGate(c: Case): Promise<boolean> {
  const body = { task: { type: "devops.test", input: {} }, agent: "test", environment: [], artifacts: [artifact(c.file, "yaml", c.content)] };
  const plan = sealPlan({ id: "p", createdAt: "2026-01-01T00:00:00Z", ...body, findings: [], notes: [], touchesSecrets: false });
  const gates = await evaluateGates(plan, [{ id: "gate.security.infra", type: "security", threshold: c.threshold, description: "" }], { validators: {}, decisions: [], ...securityGateEnv() });
  return gates[0]?.status === "passed";
}

function viaCli(dir: string, c: Case): boolean {
  const r = cli(["scan", c.file, "--json", "--threshold", String(c.threshold)], { cwd: dir });
  const json = JSON.parse(r.stdout) as { ok: boolean };
  expect(r.code).toBe(json.ok ? 0 : 1);
  return json.ok;
}

async function withMcp<T>(projectDir: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const ctx = await createMcpContext({ projectDir });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(ctx).connect(serverSide);
  const client = new Client({ name: "policy-test", version: "0" });
  await client.connect(clientSide);
  try {
    return await fn(client);
  } finally {
    await client.close();
    await ctx.close();
  }
}

describe("one policy: the scan verdict", () => {
  it("CLI scan, MCP devops_scan and the security gate agree with scanVerdict on every case", async () => {
    for (const c of CASES) {
      const dir = tempDir();
      writeTree(dir, { [c.file]: c.content });
      const policy = scanVerdict(await scanPaths([join(dir, c.file)]), c.threshold).ok;
      const mcp = await withMcp(dir, async (client) => {
        const r = (await client.callTool({ name: "devops_scan", arguments: { paths: [c.file], threshold: c.threshold } })) as CallToolResult;
        return (r.structuredContent as { ok: boolean }).ok;
      });
      const results = { policy, cli: viaCli(dir, c), mcp, gate: await viaGate(c) };
      expect(results, c.name).toEqual({ policy: c.ok, cli: c.ok, mcp: c.ok, gate: c.ok });
    }
  });

  it("the project's suppressions file counts the same for the CLI and MCP (MCP used to ignore it)", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "pod.yaml": privileged,
      ".devops-pack/suppressions.yaml": "suppressions:\n  - rule: DP-K8S-CONTAINER-001\n    path: pod.yaml\n    reason: lab cluster, isolated\n",
    });
    const cliFindings = (JSON.parse(cli(["scan", "pod.yaml", "--json", "--threshold", "0"], { cwd: dir }).stdout) as { findings: { ruleId: string; suppressed?: unknown }[] }).findings;
    const mcpFindings = await withMcp(dir, async (client) => {
      const r = (await client.callTool({ name: "devops_scan", arguments: { paths: ["pod.yaml"], threshold: 0 } })) as CallToolResult;
      return (r.structuredContent as { findings: { ruleId: string; suppressed?: unknown }[] }).findings;
    });
    const suppressed = (fs: { ruleId: string; suppressed?: unknown }[]): string[] => fs.filter((f) => f.suppressed !== undefined).map((f) => f.ruleId);
    expect(suppressed(cliFindings)).toContain("DP-K8S-CONTAINER-001");
    expect(suppressed(mcpFindings)).toEqual(suppressed(cliFindings));
  });
});

describe("one policy: the table report", () => {
  it("says FAIL when only a mandatory control failed, as the exit code does (it used to say PASS)", async () => {
    const dir = tempDir();
    writeTree(dir, { "app.yaml": fixture("DP-K8S-POD-001", "pass") });
    const clean = await scanPaths([join(dir, "app.yaml")]);
    const failedControl = { ...clean, controls: [{ framework: "cis-k8s" as const, control: "5.2.2", status: "failed" as const, failedRules: ["DP-K8S-CONTAINER-001"] }] };
    expect(scanVerdict(failedControl, 95).ok).toBe(false);
    expect(toTable(failedControl, { colour: false, threshold: 95 })).toMatch(/: FAIL/);
    expect(toTable(clean, { colour: false, threshold: 95 })).toMatch(/: PASS/);
  });
});

describe("one policy: the approval rule", () => {
  it("MCP plan_apply reads today's config as apply does: an environment made production since the plan was made needs a person", async () => {
    const dir = tempDir();
    writeTree(dir, { ".devops-pack/config.yaml": "environments:\n  non_production: [blue]\n" });
    const input = (parse(readFileSync(join(REPO, "examples/cicd.yaml"), "utf8")) as { task: { input: Record<string, unknown> } }).task.input;
    await withMcp(dir, async (client) => {
      const r = (await client.callTool({ name: "devops_cicd", arguments: { ...input, environments: ["blue"] } })) as CallToolResult;
      const s = r.structuredContent as { planId: string; gates: { gate: string; status: string }[] };
      expect(s.gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("skipped");
      writeFileSync(join(dir, ".devops-pack/config.yaml"), "environments:\n  production: [blue]\n");
      const apply = (await client.callTool({ name: "plan_apply", arguments: { id: s.planId, dir: "out" } })) as CallToolResult;
      expect(apply.isError).toBe(true);
      expect(apply.content.map((x) => (x.type === "text" ? x.text : "")).join("")).toMatch(/needs a person's approval \(targets blue \(production\)\)/);
    });
  });
});

import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cicdInput, connectStdio, toolText } from "../helpers/mcp.js";
import { parse } from "yaml";
import { BIN, REPO } from "../helpers/cli.js";

const TASK_TOOLS = ["devops_cicd", "devops_terraform", "devops_kubernetes", "devops_monitoring", "devops_alerting", "devops_incident_runbook", "devops_security"];

let project: string;
let client: Client;

type Message = { jsonrpc: "2.0"; id?: number; method?: string; params?: unknown; result?: unknown };

/** Run the server over stdio with a bare JSON-RPC client: initialize, send `requests`, and return every message up to the response `untilId`. */
function rawExchange(cwd: string, requests: object[], untilId: number): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "mcp", "-C", cwd], { cwd, stdio: ["pipe", "pipe", "ignore"] });
    const seen: Message[] = [];
    let buffer = "";
    const send = (m: object): void => void child.stdin.write(`${JSON.stringify(m)}\n`);
    child.on("error", reject);
    child.stdout.on("data", (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const m = JSON.parse(buffer.slice(0, nl)) as Message;
        buffer = buffer.slice(nl + 1);
        if (m.id === 1) {
          send({ jsonrpc: "2.0", method: "notifications/initialized" });
          for (const r of requests) send(r);
          continue;
        }
        seen.push(m);
        if (m.id === untilId) {
          child.stdin.end();
          resolve(seen);
        }
      }
    });
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
  });
}


beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "devops-pack-mcp-"));
  mkdirSync(join(project, "infra"), { recursive: true });
  mkdirSync(join(project, "docs", "stories"), { recursive: true });
  copyFileSync(join(REPO, "examples/stories/7.2.1-order-history-api.md"), join(project, "docs/stories/7.2.1-order-history-api.md"));
  writeFileSync(join(project, "infra", "main.tf"), 'resource "aws_s3_bucket" "b" {\n  bucket = "demo"\n}\n');
  client = await connectStdio(project);
});

afterAll(async () => {
  await client?.close();
  rmSync(project, { recursive: true, force: true });
});

describe("mcp over stdio", () => {
  it("lists every task tool with described input schemas and the read-only tools", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const t of [...TASK_TOOLS, "devops_scan", "plan_list", "plan_show", "rules_list", "story_preview", "plan_apply"]) expect(names).toContain(t);
    expect(names.some((n) => /approv/i.test(n))).toBe(false);
    for (const name of TASK_TOOLS) {
      const tool = tools.find((t) => t.name === name)!;
      expect(tool.annotations?.destructiveHint).toBe(false);
      expect(tool.annotations?.readOnlyHint).toBe(false);
      const props = tool.inputSchema.properties as Record<string, { description?: string }>;
      expect(Object.keys(props).length).toBeGreaterThan(0);
      expect(Object.values(props).some((p) => typeof p.description === "string" && p.description.length > 0), name).toBe(true);
    }
    const cicd = tools.find((t) => t.name === "devops_cicd")!;
    expect((cicd.inputSchema.properties as Record<string, { description?: string }>).project_type?.description).toBeTruthy();
    for (const name of ["devops_scan", "plan_list", "plan_show", "rules_list", "story_preview"]) expect(tools.find((t) => t.name === name)!.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === "plan_apply")!.annotations?.destructiveHint).toBe(true);
  });

  it("devops_cicd makes a plan whose gates pass, production approval awaiting, and the plan is a resource", async () => {
    const r = (await client.callTool({ name: "devops_cicd", arguments: cicdInput })) as CallToolResult;
    expect(r.isError, toolText(r)).toBeFalsy();
    const s = r.structuredContent as { planId: string; artifacts: { path: string; sha256: string; content: string }[]; gates: { gate: string; status: string }[] };
    expect(s.planId).toMatch(/^[0-9a-f]+$/);
    expect(s.artifacts.length).toBeGreaterThan(0);
    expect(s.artifacts[0]!.content.length).toBeGreaterThan(0);
    const status = Object.fromEntries(s.gates.map((g) => [g.gate, g.status]));
    expect(status["gate.approval.production"]).toBe("awaiting");
    expect(Object.entries(status).some(([g, st]) => g.startsWith("gate.quality") && st === "passed")).toBe(true);
    expect(status["gate.security.infra"]).toBe("passed");
    for (const g of s.gates) expect(["passed", "skipped", "awaiting"], g.gate).toContain(g.status);
    expect(toolText(r)).toContain(s.planId);

    const list = (await client.callTool({ name: "plan_list", arguments: {} })) as CallToolResult;
    expect(toolText(list)).toContain(s.planId);
    const show = (await client.callTool({ name: "plan_show", arguments: { id: s.planId.slice(0, 6) } })) as CallToolResult;
    expect(show.isError).toBeFalsy();

    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain("devops-pack://plans/{id}");
    const res = await client.readResource({ uri: `devops-pack://plans/${s.planId}` });
    const body = JSON.parse((res.contents[0] as { text: string }).text) as { plan: { id: string } };
    expect(body.plan.id).toBe(s.planId);

    const apply = (await client.callTool({ name: "plan_apply", arguments: { id: s.planId, dir: "out" } })) as CallToolResult;
    expect(apply.isError).toBe(true);
    expect(toolText(apply)).toMatch(/approv/);
  });

  it("calls every task tool with its example and gets a plan with no failed gate", async () => {
    const examples: Record<string, string> = {
      devops_terraform: "terraform.yaml",
      devops_kubernetes: "kubernetes.yaml",
      devops_monitoring: "monitoring.yaml",
      devops_alerting: "alerting.yaml",
      devops_incident_runbook: "incident.yaml",
      devops_security: "security-policies.yaml",
    };
    const results = await Promise.all(
      Object.entries(examples).map(async ([tool, file]) => {
        const input = (parse(readFileSync(join(REPO, "examples", file), "utf8")) as { task: { input: Record<string, unknown> } }).task.input;
        return [tool, (await client.callTool({ name: tool, arguments: input })) as CallToolResult] as const;
      }),
    );
    for (const [tool, r] of results) {
      expect(r.isError, `${tool}: ${toolText(r)}`).toBeFalsy();
      const s = r.structuredContent as { artifacts: unknown[]; gates: { gate: string; status: string }[] };
      expect(s.artifacts.length, tool).toBeGreaterThan(0);
      expect(s.gates.filter((g) => g.status === "failed"), tool).toEqual([]);
    }
  });

  it("plan_apply writes a plan that needs no approval inside the root; story_preview is a dry run", async () => {
    const r = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, environments: ["staging"] } })) as CallToolResult;
    const s = r.structuredContent as { planId: string; artifacts: { path: string }[]; gates: { gate: string; status: string }[] };
    expect(s.gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("skipped");
    const apply = (await client.callTool({ name: "plan_apply", arguments: { id: s.planId, dir: "out" } })) as CallToolResult;
    expect(apply.isError, toolText(apply)).toBeFalsy();
    expect(existsSync(join(project, "out", s.artifacts[0]!.path))).toBe(true);
    const story = (await client.callTool({ name: "story_preview", arguments: { id: "7.2.1" } })) as CallToolResult;
    expect(story.isError, toolText(story)).toBeFalsy();
    expect((story.structuredContent as { dryRun: boolean; created: boolean }).dryRun).toBe(true);
    expect((story.structuredContent as { created: boolean }).created).toBe(false);
    expect(existsSync(join(project, ".devops-pack", "stories"))).toBe(false);
    const unknown = (await client.callTool({ name: "story_preview", arguments: { id: "9.9.9" } })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(toolText(unknown)).toContain("9.9.9");
  });

  it("lists and gets the agents' prompts", async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain("devops_cicd");
    expect(prompts.length).toBeGreaterThanOrEqual(7);
    const p = await client.getPrompt({ name: "devops_cicd" });
    const t = (p.messages[0]!.content as { text: string }).text;
    expect(t).toContain("Role:");
    expect(t).toContain("Commands:");
    expect(t).toContain("When to use:");
  });

  it("lists knowledge resources and reads one on demand", async () => {
    const { resources } = await client.listResources();
    const knowledge = resources.filter((r) => r.uri.startsWith("devops-pack://knowledge/"));
    expect(knowledge.length).toBeGreaterThan(0);
    for (const cat of ["data", "workflows", "templates", "checklists"]) expect(knowledge.some((r) => r.uri.startsWith(`devops-pack://knowledge/${cat}/`)), cat).toBe(true);
    const res = await client.readResource({ uri: knowledge[0]!.uri });
    expect((res.contents[0] as { text: string }).text.length).toBeGreaterThan(0);
  });

  it("read-only tools: scan under the root, rules", async () => {
    const scan = (await client.callTool({ name: "devops_scan", arguments: { paths: ["infra"], threshold: 0 } })) as CallToolResult;
    expect(scan.isError, toolText(scan)).toBeFalsy();
    expect((scan.structuredContent as { score: number }).score).toBeTypeOf("number");
    const rules = (await client.callTool({ name: "rules_list", arguments: {} })) as CallToolResult;
    expect((rules.structuredContent as { rules: unknown[] }).rules.length).toBeGreaterThan(0);
  });

  it("error paths: bad input names the field; a path outside the root is refused; unknown tool", async () => {
    const bad = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, platform: "nope", extra_field: 1 } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(toolText(bad)).toMatch(/^BAD_INPUT: Invalid arguments for devops_cicd:\n/);
    expect(toolText(bad)).toContain('Invalid value "nope" for arguments.platform. Valid values: github_actions.');
    expect(toolText(bad)).toContain("Unknown field 'extra_field' in arguments. Valid fields: ");
    const huge = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, name: "x".repeat(3_000_000) } })) as CallToolResult;
    expect(huge.isError).toBe(true);
    expect(toolText(huge)).toMatch(/^BAD_INPUT: The arguments of devops_cicd are 3\d{6} bytes; the limit is 2097152 bytes/);
    const longValue = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, platform: "y".repeat(100_000) } })) as CallToolResult;
    expect(toolText(longValue)).toContain(`Invalid value "${"y".repeat(59)}… (100002 characters) for arguments.platform.`);
    expect(toolText(longValue).length).toBeLessThan(1000);
    const outside = (await client.callTool({ name: "devops_scan", arguments: { paths: ["../../etc"] } })) as CallToolResult;
    expect(outside.isError).toBe(true);
    expect(toolText(outside)).toMatch(/outside the server's root/);
    const outsideApply = (await client.callTool({ name: "plan_apply", arguments: { id: "abc", dir: "/tmp" } })) as CallToolResult;
    expect(outsideApply.isError).toBe(true);
    const missing = (await client.callTool({ name: "plan_show", arguments: { id: "ffffffffffff" } })) as CallToolResult;
    expect(missing.isError).toBe(true);
    // Naming a tool, prompt or resource that does not exist is protocol misuse: a JSON-RPC error (-32602, -32002).
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(/-32602.*Unknown tool: no_such_tool\. Tools: devops_cicd/);
    await expect(client.getPrompt({ name: "no_such_agent" })).rejects.toThrow(/-32602.*Unknown prompt: no_such_agent/);
    await expect(client.readResource({ uri: "devops-pack://knowledge/data/no-such.md" })).rejects.toThrow(/-32002.*Resource not found/);
    await expect(client.readResource({ uri: "devops-pack://plans/ffffffffffff" })).rejects.toThrow(/-32002.*Resource not found/);
    await expect(client.readResource({ uri: "file:///etc/passwd" })).rejects.toThrow(/-32002/);
  });

  it("read-only tools check their arguments and say which field is wrong and which are valid", async () => {
    const typed = (await client.callTool({ name: "plan_list", arguments: { limit: "ten" } })) as CallToolResult;
    expect(typed.isError).toBe(true);
    expect(toolText(typed)).toMatch(/^BAD_INPUT: Invalid arguments for plan_list:\n {2}arguments\.limit: /);
    const extra = (await client.callTool({ name: "devops_scan", arguments: { paths: ["infra"], treshold: 50 } })) as CallToolResult;
    expect(extra.isError).toBe(true);
    expect(toolText(extra)).toContain("Unknown field 'treshold' in arguments. Did you mean threshold?");
    const missing = (await client.callTool({ name: "plan_show", arguments: {} })) as CallToolResult;
    expect(toolText(missing)).toContain("Missing required field arguments.id");
  });

  // Checked on the wire: the SDK's Client runs notification handlers a microtask late but
  // takes a response at once, so progress arriving in the same read as the result is dropped
  // by the client. What the server owes is every notification, in order, before the result.
  it("a task tool sends progress before its result, to a client that asks: planning, each gate, done", async () => {
    const messages = await rawExchange(project, [{ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "devops_cicd", arguments: cicdInput, _meta: { progressToken: "p1" } } }], 2);
    const resultAt = messages.findIndex((m) => m.id === 2);
    expect(resultAt).toBeGreaterThan(0);
    expect((messages[resultAt]!.result as CallToolResult).isError).toBeFalsy();
    const progress = messages.filter((m) => m.method === "notifications/progress").map((m) => m.params as { progressToken: string; progress: number; total: number; message: string });
    expect(messages.slice(resultAt + 1).some((m) => m.method === "notifications/progress")).toBe(false);
    const total = progress[0]!.total;
    expect(progress.map((p) => p.progress)).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
    expect(progress.every((p) => p.progressToken === "p1" && p.total === total)).toBe(true);
    expect(progress[0]!.message).toBe("planning devops.cicd");
    expect(progress.some((p) => /files planned; running gate\.quality/.test(p.message))).toBe(true);
    expect(progress[total]!.message).toBe("gates done: awaiting_approval");
  });

  it("ten concurrent tool calls all succeed", async () => {
    const results = (await Promise.all(Array.from({ length: 10 }, () => client.callTool({ name: "devops_cicd", arguments: cicdInput })))) as CallToolResult[];
    const ids = new Set<string>();
    for (const r of results) {
      expect(r.isError, toolText(r)).toBeFalsy();
      ids.add((r.structuredContent as { planId: string }).planId);
    }
    expect(ids.size).toBe(10);
  });
});

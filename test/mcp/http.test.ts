import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { McpContext } from "../../src/interfaces/mcp/server.js";
import { createMcpContext } from "../../src/interfaces/mcp/server.js";
import type { RunningHttp } from "../../src/interfaces/mcp/http.js";
import { startHttp } from "../../src/interfaces/mcp/http.js";
import { BIN, REPO } from "../helpers/cli.js";

const cicdInput = (parse(readFileSync(join(REPO, "examples/cicd.yaml"), "utf8")) as { task: { input: Record<string, unknown> } }).task.input;

let project: string;
let ctx: McpContext;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "devops-pack-mcp-http-"));
  ctx = await createMcpContext({ projectDir: project });
});

afterAll(async () => {
  await ctx?.close();
  rmSync(project, { recursive: true, force: true });
});

async function connect(url: string, headers?: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "devops-pack-http-test", version: "0.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined));
  return client;
}

describe("mcp over Streamable HTTP", () => {
  let running: RunningHttp;
  beforeAll(async () => {
    running = await startHttp(ctx, { port: 0 });
  });
  afterAll(async () => {
    await running?.close();
  });

  it("binds to loopback, lists tools and calls devops_cicd", async () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connect(running.url);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("devops_cicd");
      const r = (await client.callTool({ name: "devops_cicd", arguments: cicdInput })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      const gates = (r.structuredContent as { gates: { gate: string; status: string }[] }).gates;
      expect(gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("awaiting");
      expect(gates.some((g) => g.status === "failed")).toBe(false);
      // Stateless JSON responses carry no notifications: asking for progress must still give the result.
      const withProgress = (await client.callTool({ name: "devops_cicd", arguments: cicdInput }, undefined, { onprogress: () => undefined })) as CallToolResult;
      expect(withProgress.isError).toBeFalsy();
      expect((withProgress.structuredContent as { planId: string }).planId).toMatch(/^[0-9a-f]+$/);
      const many = (await Promise.all(Array.from({ length: 10 }, () => client.callTool({ name: "plan_list", arguments: {} })))) as CallToolResult[];
      for (const m of many) expect(m.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it("answers protocol misuse with a JSON-RPC error", async () => {
    const res = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "no/such_method", params: {} }),
    });
    const body = (await res.json()) as { error?: { code: number } };
    expect(body.error?.code).toBe(-32601);
  });
});

describe("mcp HTTP with a token", () => {
  it("refuses a non-loopback host without a token", async () => {
    await expect(startHttp(ctx, { host: "0.0.0.0", port: 0 })).rejects.toThrow(/token/);
  });

  it("requires Authorization: Bearer <token> on every request", async () => {
    const running = await startHttp(ctx, { host: "127.0.0.1", port: 0, token: "s3cret" });
    try {
      const res = await fetch(running.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      expect(res.status).toBe(401);
      const wrong = await fetch(running.url, { method: "POST", headers: { authorization: "Bearer nope" }, body: "{}" });
      expect(wrong.status).toBe(401);
      const client = await connect(running.url, { authorization: "Bearer s3cret" });
      try {
        expect((await client.listTools()).tools.length).toBeGreaterThan(5);
      } finally {
        await client.close();
      }
    } finally {
      await running.close();
    }
  });

  it("the CLI refuses --host 0.0.0.0 without a token (exit 2)", async () => {
    const child = spawn(process.execPath, [BIN, "mcp", "--http", "--host", "0.0.0.0", "--port", "0", "-C", project], { env: { ...process.env, DEVOPS_PACK_MCP_TOKEN: "" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(2);
    expect(stderr).toMatch(/token/);
  });
});

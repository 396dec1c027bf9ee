import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { request } from "node:http";
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

const LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });

/** A POST with exactly the headers given (Host and Origin included), as a DNS-rebinding page's browser would send it. */
function rawPost(url: string, headers: Record<string, string>, body = LIST): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolvePost, reject) => {
    const req = request(
      { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port, path: u.pathname, method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolvePost({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("mcp HTTP: Host and Origin (DNS rebinding)", () => {
  let running: RunningHttp;
  let port: string;
  beforeAll(async () => {
    running = await startHttp(ctx, { port: 0 });
    port = new URL(running.url).port;
  });
  afterAll(async () => {
    await running?.close();
  });

  it("refuses a foreign Host with 403 and a JSON-RPC error, even on loopback", async () => {
    const r = await rawPost(running.url, { host: "evil.example.com", origin: "http://evil.example.com" });
    expect(r.status).toBe(403);
    const body = JSON.parse(r.body) as { jsonrpc: string; id: null; error: { code: number; message: string } };
    expect(body.jsonrpc).toBe("2.0");
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(-32000);
    expect(body.error.message).toContain("Host 'evil.example.com' is not allowed");
    expect(body.error.message).toContain("--allowed-host");
    const rebound = await rawPost(running.url, { host: `evil.example.com:${port}` });
    expect(rebound.status).toBe(403);
  });

  it("refuses a browser Origin that is not configured, even with a loopback Host", async () => {
    const r = await rawPost(running.url, { host: `127.0.0.1:${port}`, origin: "http://evil.example.com" });
    expect(r.status).toBe(403);
    expect((JSON.parse(r.body) as { error: { message: string } }).error.message).toContain("Origin 'http://evil.example.com' is not allowed");
    const nullOrigin = await rawPost(running.url, { host: `127.0.0.1:${port}`, origin: "null" });
    expect(nullOrigin.status).toBe(403);
  });

  it("answers the loopback names with the server's port, without an Origin", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const r = await rawPost(running.url, { host });
      expect(r.status, host).toBe(200);
      expect(r.body, host).toContain("devops_cicd");
    }
    const otherPort = await rawPost(running.url, { host: "127.0.0.1:1" });
    expect(otherPort.status).toBe(403);
  });

  it("answers configured hosts and origins", async () => {
    const configured = await startHttp(ctx, { port: 0, allowedHosts: ["mcp.internal", "proxy.example:8443"], allowedOrigins: ["https://app.example"] });
    try {
      const p = new URL(configured.url).port;
      expect((await rawPost(configured.url, { host: "mcp.internal" })).status).toBe(200);
      expect((await rawPost(configured.url, { host: `mcp.internal:${p}`, origin: "https://app.example" })).status).toBe(200);
      expect((await rawPost(configured.url, { host: "proxy.example:8443" })).status).toBe(200);
      expect((await rawPost(configured.url, { host: "proxy.example:9999" })).status).toBe(403);
      expect((await rawPost(configured.url, { host: `127.0.0.1:${p}`, origin: "https://evil.example" })).status).toBe(403);
    } finally {
      await configured.close();
    }
  });
});

const TOKEN = "4f1c2a9b7d3e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4";

/** Start the CLI's HTTP server; resolves with the child and its URL once it listens, or with its exit code. */
function startCli(args: string[], env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; url?: string; code?: number | null; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, "mcp", "--http", "--port", "0", "-C", project, ...args], { env: { ...process.env, DEVOPS_PACK_MCP_TOKEN: "", ...env } });
  let stderr = "";
  return new Promise((resolveStart) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (\S+)/.exec(stderr);
      if (m) resolveStart({ child, url: m[1]!, stderr: () => stderr });
    });
    child.on("close", (code) => resolveStart({ child, code, stderr: () => stderr }));
  });
}

describe("mcp HTTP with a token", () => {
  it("refuses a token shorter than 32 characters, saying how to make one", async () => {
    await expect(startHttp(ctx, { port: 0, token: "s3cret" })).rejects.toThrow(/at least 32 characters.*openssl rand -hex 32/);
    const r = await startCli([], { DEVOPS_PACK_MCP_TOKEN: "short-token" });
    expect(r.code).toBe(2);
    expect(r.stderr()).toMatch(/DEVOPS_PACK_MCP_TOKEN is 11 characters; a token needs at least 32 characters\. Generate one with: export DEVOPS_PACK_MCP_TOKEN=\$\(openssl rand -hex 32\)/);
    expect(r.stderr()).not.toContain("short-token");
  });

  it("takes the token from DEVOPS_PACK_MCP_TOKEN quietly, and warns when --token puts it on the command line", async () => {
    const fromEnv = await startCli([], { DEVOPS_PACK_MCP_TOKEN: TOKEN });
    try {
      expect(fromEnv.url, fromEnv.stderr()).toBeDefined();
      expect(fromEnv.stderr()).toContain("bearer token required");
      expect(fromEnv.stderr()).not.toMatch(/warning/i);
      expect((await rawPost(fromEnv.url!, { host: new URL(fromEnv.url!).host })).status).toBe(401);
      expect((await rawPost(fromEnv.url!, { host: new URL(fromEnv.url!).host, authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      fromEnv.child.kill("SIGTERM");
    }
    const fromFlag = await startCli(["--token", TOKEN], {});
    try {
      expect(fromFlag.url, fromFlag.stderr()).toBeDefined();
      expect(fromFlag.stderr()).toMatch(/warning: --token shows the token to every user of this machine \(ps\); set DEVOPS_PACK_MCP_TOKEN instead/);
      expect(fromFlag.stderr()).not.toContain(TOKEN);
    } finally {
      fromFlag.child.kill("SIGTERM");
    }
  });

  it("the CLI takes --allowed-host and --allowed-origin, repeatable", async () => {
    const r = await startCli(["--allowed-host", "mcp.internal", "--allowed-host", "mcp.lan", "--allowed-origin", "https://app.example"], {});
    try {
      expect(r.url, r.stderr()).toBeDefined();
      expect((await rawPost(r.url!, { host: "mcp.internal" })).status).toBe(200);
      expect((await rawPost(r.url!, { host: "mcp.lan", origin: "https://app.example" })).status).toBe(200);
      expect((await rawPost(r.url!, { host: "evil.example.com" })).status).toBe(403);
    } finally {
      r.child.kill("SIGTERM");
    }
  });

  it("refuses a non-loopback host without a token", async () => {
    await expect(startHttp(ctx, { host: "0.0.0.0", port: 0 })).rejects.toThrow(/token/);
  });

  it("requires Authorization: Bearer <token> on every request", async () => {
    const running = await startHttp(ctx, { host: "127.0.0.1", port: 0, token: TOKEN });
    try {
      const res = await fetch(running.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      expect(res.status).toBe(401);
      const wrong = await fetch(running.url, { method: "POST", headers: { authorization: "Bearer nope" }, body: "{}" });
      expect(wrong.status).toBe(401);
      const client = await connect(running.url, { authorization: `Bearer ${TOKEN}` });
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

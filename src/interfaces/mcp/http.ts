/**
 * Streamable HTTP transport on node:http, stateless: each POST gets a fresh
 * McpServer over the shared context. Loopback by default; any other host
 * needs a bearer token, checked on every request.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { badInput } from "../../core/errors.js";
import type { McpContext } from "./server.js";
import { createMcpServer } from "./server.js";

export interface HttpOptions {
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningHttp {
  url: string;
  server: Server;
  close: () => Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function tokenOk(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const m = /^Bearer (.+)$/i.exec(header);
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

export async function startHttp(ctx: McpContext, opts: HttpOptions): Promise<RunningHttp> {
  const host = opts.host ?? "127.0.0.1";
  const token = opts.token === "" ? undefined : opts.token;
  if (!isLoopback(host) && token === undefined) {
    throw badInput(`Refusing to listen on ${host} without a token: pass --token <secret> or set DEVOPS_PACK_MCP_TOKEN, or use the default 127.0.0.1.`);
  }
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, `Internal error: ${(e as Error).message}`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (token !== undefined && !tokenOk(req, token)) {
      jsonRpcError(res, 401, "Unauthorized: send Authorization: Bearer <token>.", { "www-authenticate": "Bearer" });
      return;
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/mcp") {
      jsonRpcError(res, 404, "Not found: the MCP endpoint is /mcp.");
      return;
    }
    if (req.method !== "POST") {
      jsonRpcError(res, 405, "Method not allowed: this server is stateless; POST JSON-RPC to /mcp.", { allow: "POST" });
      return;
    }
    const mcp = createMcpServer(ctx);
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true }) // no sessionIdGenerator: stateless;
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/mcp`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

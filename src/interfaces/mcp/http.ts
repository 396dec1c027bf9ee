/**
 * Streamable HTTP transport on node:http, stateless: each POST gets a fresh
 * McpServer over the shared context. Loopback by default; any other host
 * needs a bearer token (at least 32 characters), checked on every request.
 *
 * Before anything else, every request's Host must name this server
 * (127.0.0.1, localhost or [::1] with its port, the address it is bound to, or
 * an --allowed-host), and a request that carries an Origin (a browser's) must
 * come from an --allowed-origin: otherwise a web page whose name was
 * re-pointed at 127.0.0.1 (DNS rebinding) could call the tools. Both are
 * answered 403 with a JSON-RPC error. (The SDK's transport has an opt-in
 * check, but it lets any Origin through unless a list is configured, and it
 * runs after a server is built; this one runs first and fails closed.)
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
  /** Where the token came from, for the length message: "DEVOPS_PACK_MCP_TOKEN", "--token". */
  tokenSource?: string;
  /** Host header values answered besides loopback: "name" (any port) or "name:port". */
  allowedHosts?: readonly string[];
  /** Origin header values answered (e.g. https://app.example); a request with any other Origin is refused. */
  allowedOrigins?: readonly string[];
}

export interface RunningHttp {
  url: string;
  server: Server;
  close: () => Promise<void>;
}

/** The shortest bearer token accepted: 32 characters (openssl rand -hex 32 gives 64). */
export const MIN_TOKEN_LENGTH = 32;

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

/** A host as it appears in a Host header: IPv6 in brackets, lower case. */
function hostForm(host: string): string {
  const h = host.toLowerCase();
  return h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
}

/** The Host header values this server answers to, once its port is known. */
export function allowedHostSet(bound: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = ["127.0.0.1", "localhost", "[::1]"];
  const b = hostForm(bound);
  if (!["0.0.0.0", "[::]"].includes(b) && !names.includes(b)) names.push(b);
  const set = new Set(names.map((n) => `${n}:${port}`));
  for (const h of extra) {
    const v = h.trim().toLowerCase();
    if (v === "") continue;
    // "name" allows the name with or without this server's port; "name:port" exactly that.
    if (/:\d+$/.test(v) && !/^[^[]*:[^\]]*:/.test(v)) set.add(v);
    else {
      const n = hostForm(v);
      set.add(n);
      set.add(`${n}:${port}`);
    }
  }
  return set;
}

function normalOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, "");
}

/** Why a request's Host or Origin is refused, or undefined when both are fine. */
export function hostOriginProblem(headers: IncomingMessage["headers"], hosts: ReadonlySet<string>, origins: ReadonlySet<string>): string | undefined {
  const host = headers.host?.trim().toLowerCase();
  const shown = [...hosts].join(", ");
  if (!host) return `Forbidden: the request has no Host header. This server answers to ${shown}.`;
  if (!hosts.has(host)) return `Forbidden: Host '${host}' is not allowed. This server answers to ${shown}; to serve another name, start it with --allowed-host ${host}.`;
  const origin = headers.origin;
  if (origin !== undefined && !origins.has(normalOrigin(origin))) {
    const allowed = origins.size > 0 ? `Allowed origins: ${[...origins].join(", ")}.` : "No origin is allowed.";
    return `Forbidden: Origin '${origin}' is not allowed (requests from web pages are refused unless configured). ${allowed} To allow it, start the server with --allowed-origin ${origin}.`;
  }
  return undefined;
}

export async function startHttp(ctx: McpContext, opts: HttpOptions): Promise<RunningHttp> {
  const host = opts.host ?? "127.0.0.1";
  const token = opts.token === "" ? undefined : opts.token;
  if (!isLoopback(host) && token === undefined) {
    throw badInput(`Refusing to listen on ${host} without a token: set DEVOPS_PACK_MCP_TOKEN (e.g. to the output of openssl rand -hex 32), or use the default 127.0.0.1.`);
  }
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw badInput(
      `${opts.tokenSource ?? "The MCP token"} is ${token.length} characters; a token needs at least ${MIN_TOKEN_LENGTH} characters. Generate one with: export DEVOPS_PACK_MCP_TOKEN=$(openssl rand -hex 32)`,
    );
  }
  let hosts = new Set<string>();
  const origins = new Set((opts.allowedOrigins ?? []).map(normalOrigin).filter((o) => o !== ""));
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, `Internal error: ${(e as Error).message}`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const forbidden = hostOriginProblem(req.headers, hosts, origins);
    if (forbidden !== undefined) {
      jsonRpcError(res, 403, forbidden);
      return;
    }
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
  hosts = allowedHostSet(host, addr.port, opts.allowedHosts);
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

import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createServer as createNetServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DevopsPackError } from "../core/errors.js";
import { AmbiguousError, HttpClient, retryAfterMs } from "./http.js";

type Handler = (req: { method: string; url: string }, count: number) => { status: number; headers?: Record<string, string>; body?: unknown; hang?: boolean };

const servers: { close(): void }[] = [];
afterEach(() => {
  while (servers.length) servers.pop()!.close();
});

async function serve(handler: Handler): Promise<{ url: string; hits: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const r = handler({ method: req.method ?? "GET", url: req.url ?? "/" }, count);
    if (r.hang) return; // never answers: the client's timeout must fire
    res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
    res.end(r.body === undefined ? "" : JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => count };
}

function client(url: string, sleeps: number[], policy = {}) {
  return new HttpClient({
    baseUrl: url,
    headers: { authorization: "Bearer s3cr3t-token" },
    credentialVars: ["TEST_TOKEN"],
    service: "Test",
    policy: { retries: 3, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 300, ...policy },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });
}

describe("HttpClient", () => {
  it("waits the Retry-After of a 429, then succeeds", async () => {
    const s = await serve((_r, n) => (n === 1 ? { status: 429, headers: { "retry-after": "7" }, body: { message: "slow down" } } : { status: 200, body: { ok: true } }));
    const sleeps: number[] = [];
    const r = await client(s.url, sleeps).request<{ ok: boolean }>({ method: "GET", path: "/x" });
    expect(r.body.ok).toBe(true);
    expect(sleeps).toEqual([7000]);
  });

  it("retries 5xx with exponential backoff and jitter, and gives up after the limit with a TRACKER error", async () => {
    const s = await serve(() => ({ status: 503, body: { message: "down" } }));
    const sleeps: number[] = [];
    const err = await client(s.url, sleeps).request({ method: "GET", path: "/x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevopsPackError);
    expect((err as DevopsPackError).code).toBe("TRACKER");
    expect((err as Error).message).toMatch(/answered 503 .* after 4 attempts/);
    expect(s.hits()).toBe(4);
    // random() = 0.5: half of 100, 200, 400 ms
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it("turns 401 and 403 into an error naming the variables, never the token", async () => {
    const s = await serve(() => ({ status: 401, body: { message: "Bad credentials" } }));
    const err = (await client(s.url, []).request({ method: "GET", path: "/x" }).catch((e: unknown) => e)) as DevopsPackError;
    expect(err.code).toBe("BAD_INPUT");
    expect(err.message).toMatch(/Set TEST_TOKEN/);
    expect(JSON.stringify(err.toJSON())).not.toContain("s3cr3t-token");
  });

  it("does not repeat a POST that timed out or failed with 5xx: the caller must look first", async () => {
    const s = await serve(() => ({ status: 0, hang: true }));
    const err = await client(s.url, []).request({ method: "POST", path: "/create", body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousError);
    expect(s.hits()).toBe(1);
    const s5 = await serve(() => ({ status: 502 }));
    expect(await client(s5.url, []).request({ method: "POST", path: "/create", body: {} }).catch((e: unknown) => e)).toBeInstanceOf(AmbiguousError);
    expect(s5.hits()).toBe(1);
  });

  it("createOnce finds a create that landed despite the failure, and never sends it twice", async () => {
    let created = 0;
    const s = await serve((req) => {
      if (req.method === "POST") {
        created += 1;
        return { status: 0, hang: true }; // the create lands, the answer never comes
      }
      return { status: 200, body: { found: created > 0 ? "TASK-1" : null } };
    });
    const c = client(s.url, []);
    const ref = await c.createOnce(
      async () => (await c.request<{ key: string }>({ method: "POST", path: "/issue", body: {} })).body.key,
      async () => (await c.request<{ found: string | null }>({ method: "GET", path: "/search" })).body.found ?? undefined,
    );
    expect(ref).toBe("TASK-1");
    expect(created).toBe(1);
  });

  it("createOnce retries a create that did not land, and stops at the limit", async () => {
    const s = await serve((req) => (req.method === "POST" ? { status: 500 } : { status: 200, body: { found: null } }));
    const c = client(s.url, []);
    const err = await c
      .createOnce(
        async () => (await c.request({ method: "POST", path: "/issue", body: {} })).body,
        async () => ((await c.request<{ found: string | null }>({ method: "GET", path: "/search" })).body.found ?? undefined) as unknown,
      )
      .catch((e: unknown) => e);
    expect((err as DevopsPackError).code).toBe("TRACKER");
    expect((err as Error).message).toMatch(/nothing was created \(checked\), after 4 attempts/);
  });

  it("reads Retry-After as seconds or an HTTP date, and refuses waits beyond the limit", async () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs("soon")).toBeUndefined();
    const s = await serve(() => ({ status: 429, headers: { "retry-after": "3600" } }));
    const err = (await client(s.url, []).request({ method: "GET", path: "/x" }).catch((e: unknown) => e)) as DevopsPackError;
    expect(err.message).toMatch(/asks to wait 3600 s/);
  });
});

/** A raw TCP server, for answers node:http will not produce (a short body under a longer Content-Length, a trickle). */
async function rawServe(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createNetServer((socket) => {
    socket.on("error", () => undefined);
    socket.once("data", () => onConnection(socket));
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("HttpClient: one deadline for the whole exchange, and clean errors for broken bodies", () => {
  it("a server that sends headers and then trickles the body one byte per 200 ms fails with a TRACKER timeout", { timeout: 20_000 }, async () => {
    const timers: NodeJS.Timeout[] = [];
    const url = await rawServe((socket) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{");
      const t = setInterval(() => socket.write(" "), 200);
      timers.push(t);
      socket.on("close", () => clearInterval(t));
    });
    try {
      const err = await client(url, [], { retries: 1, timeoutMs: 700 })
        .request({ method: "GET", path: "/rest/api/3/issue/KAN-1" })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DevopsPackError);
      expect((err as DevopsPackError).code).toBe("TRACKER");
      expect((err as Error).message).toMatch(/^Test GET \/rest\/api\/3\/issue\/KAN-1 timed out after 700 ms \(2 attempts\)\.$/);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });

  it("a server that sends headers and half a body, then stalls with the connection open, fails with a TRACKER timeout", { timeout: 20_000 }, async () => {
    const url = await rawServe((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{"key":"KAN-1","fie');
      // …and nothing more: the socket stays open until the test closes the server.
    });
    const err = await client(url, [], { retries: 0, timeoutMs: 500 })
      .request({ method: "GET", path: "/rest/api/3/issue/KAN-1" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevopsPackError);
    expect((err as DevopsPackError).code).toBe("TRACKER");
    expect((err as Error).message).toMatch(/^Test GET \/rest\/api\/3\/issue\/KAN-1 timed out after 500 ms/);
  });

  it("a 200 whose body is shorter than its Content-Length is a TRACKER error naming the endpoint, not a crash", async () => {
    const url = await rawServe((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"key":"KAN');
      socket.end();
    });
    const err = await client(url, [], { retries: 1 })
      .request({ method: "GET", path: "/rest/api/3/issue/KAN-1" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevopsPackError);
    expect((err as DevopsPackError).code).toBe("TRACKER");
    expect((err as Error).message).toMatch(/^Test GET \/rest\/api\/3\/issue\/KAN-1 failed: the connection closed before the whole body arrived/);
  });

  it("a 200 whose body is not JSON is a TRACKER error naming the endpoint", async () => {
    const raw = await serveText("<html>captive portal</html>");
    const err = await client(raw, []).request({ method: "GET", path: "/rest/api/3/issue/KAN-1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevopsPackError);
    expect((err as DevopsPackError).code).toBe("TRACKER");
    expect((err as Error).message).toBe("Test GET /rest/api/3/issue/KAN-1 answered 200 with a body that is not JSON (27 bytes, starting '<html>captive portal</html>').");
  });
});

describe("HttpClient: secrets never reach an error", () => {
  it("redacts the configured secrets, their URL-encoded and base64 forms, from error bodies", async () => {
    const echo = "authorization: Bearer s3cr3t-token; form s3cr3t%2Dtoken; b64 " + Buffer.from("s3cr3t-token").toString("base64");
    const raw = await serveText(JSON.stringify({ message: echo }), 400);
    const c = new HttpClient({
      baseUrl: raw,
      headers: { authorization: "Bearer s3cr3t-token" },
      secrets: ["s3cr3t-token"],
      credentialVars: ["TEST_TOKEN"],
      service: "Test",
    });
    const err = (await c.request({ method: "GET", path: "/x" }).catch((e: unknown) => e)) as DevopsPackError;
    expect(err.code).toBe("TRACKER");
    const shown = `${err.message} ${JSON.stringify(err.toJSON())}`;
    expect(shown).not.toContain("s3cr3t");
    expect(shown).not.toContain(Buffer.from("s3cr3t-token").toString("base64"));
    expect(err.message).toContain("Bearer [redacted]");
  });
});

async function serveText(text: string, status = 200): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Issue 12, finding 10b: heavy tool calls run off the server's event loop, so
 * that `tools/list` and `ping` answer while a heavy call is still running.
 * Driven over stdio with a bare JSON-RPC client on the real, built server:
 * the order of the answers is the assertion, not their timing.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";

type Message = { jsonrpc: "2.0"; id?: number; method?: string; result?: unknown; error?: unknown };

let project: string;

/** Many Kubernetes manifests: a scan of them keeps one thread busy for seconds. */
function deployment(i: number, j: number): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    `metadata: {name: app-${i}-${j}, namespace: ns${i % 7}}`,
    "spec:",
    "  replicas: 2",
    `  selector: {matchLabels: {app: a${i}}}`,
    "  template:",
    `    metadata: {labels: {app: a${i}}}`,
    "    spec:",
    "      containers:",
    "        - {name: c, image: 'nginx:1.25', ports: [{containerPort: 80}]}",
    "",
  ].join("\n");
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "devops-pack-mcp-offload-"));
  mkdirSync(join(project, "small"));
  writeFileSync(join(project, "small", "main.tf"), 'resource "aws_s3_bucket" "b" {\n  bucket = "demo"\n}\n');
  mkdirSync(join(project, "heavy"));
  for (let i = 0; i < 150; i++) writeFileSync(join(project, "heavy", `app-${i}.yaml`), Array.from({ length: 5 }, (_, j) => deployment(i, j)).join("---\n"));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe("mcp: heavy calls do not stall the server", () => {
  it("tools/list and ping answer while a large devops_scan is in flight", { timeout: 240_000 }, async () => {
    // One thread per scan: the scanner's own worker split would hide a blocked event loop.
    const child = spawn(process.execPath, [BIN, "mcp", "-C", project], { cwd: project, stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, DEVOPS_PACK_SCAN_WORKERS: "0" } });
    const order: Message[] = [];
    const send = (m: object): void => void child.stdin.write(`${JSON.stringify(m)}\n`);
    const waiters = new Map<number, (m: Message) => void>();
    const answer = (id: number): Promise<Message> => new Promise((resolve) => waiters.set(id, resolve));
    let buffer = "";
    child.stdout.on("data", (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const m = JSON.parse(buffer.slice(0, nl)) as Message;
        buffer = buffer.slice(nl + 1);
        if (m.id === undefined) continue;
        order.push(m);
        waiters.get(m.id)?.(m);
      }
    });
    try {
      const init = answer(1);
      send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
      await init;
      send({ jsonrpc: "2.0", method: "notifications/initialized" });
      // Warm up: the scanner and the call machinery are loaded before the heavy call.
      const warm = answer(2);
      send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "devops_scan", arguments: { paths: ["small"], threshold: 0 } } });
      expect(((await warm).result as CallToolResult).isError).toBeFalsy();

      const heavy = answer(3);
      send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "devops_scan", arguments: { paths: ["heavy"], threshold: 0 } } });
      // Give the server the heavy call first; then ask it something light.
      await new Promise((r) => setTimeout(r, 300));
      const list = answer(4);
      const ping = answer(5);
      send({ jsonrpc: "2.0", id: 4, method: "tools/list", params: {} });
      send({ jsonrpc: "2.0", id: 5, method: "ping" });
      const [listed, heavyDone] = await Promise.all([list, heavy, ping]).then(([l, h]) => [l, h] as const);
      expect((listed.result as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain("devops_scan");
      const heavyResult = heavyDone.result as CallToolResult;
      expect(heavyResult.isError, JSON.stringify(heavyResult.content).slice(0, 500)).toBeFalsy();
      expect((heavyResult.structuredContent as { files: { scanned: number } }).files.scanned).toBe(150);
      const ids = order.map((m) => m.id);
      expect(ids.indexOf(4), `answers in order ${ids.join(", ")}`).toBeLessThan(ids.indexOf(3));
      expect(ids.indexOf(5), `answers in order ${ids.join(", ")}`).toBeLessThan(ids.indexOf(3));
    } finally {
      child.stdin.end();
      child.kill("SIGTERM");
    }
  });
});

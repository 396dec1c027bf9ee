/**
 * Issue 12, finding 5 over MCP: a deploy to `production-us` was written with no
 * person involved, because only the exact names prod and production needed approval.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN, REPO } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const cicdInput = (parse(readFileSync(join(REPO, "examples/cicd.yaml"), "utf8")) as { task: { input: Record<string, unknown> } }).task.input;

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

describe("mcp: production-like environments need a person", () => {
  it("a production-us deploy awaits approval and plan_apply refuses it", async () => {
    const project = tempDir();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp", "-C", project],
      cwd: project,
      env: { ...(process.env as Record<string, string>), DEVOPS_PACK_ACTOR: "test" },
      stderr: "pipe",
    });
    const client = new Client({ name: "devops-pack-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      const r = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, environments: ["staging", "production-us"] } })) as CallToolResult;
      expect(r.isError, text(r)).toBeFalsy();
      const s = r.structuredContent as { planId: string; gates: { gate: string; status: string }[] };
      expect(s.gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("awaiting");
      const apply = (await client.callTool({ name: "plan_apply", arguments: { id: s.planId, dir: "out" } })) as CallToolResult;
      expect(apply.isError).toBe(true);
      expect(text(apply)).toMatch(/needs a person's approval \(targets production-us \(production\)\)/);
      expect(existsSync(join(project, "out"))).toBe(false);
    } finally {
      await client.close();
    }
  });
});

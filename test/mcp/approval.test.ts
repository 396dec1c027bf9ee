/**
 * Issue 12, finding 5 over MCP: a deploy to `production-us` was written with no
 * person involved, because only the exact names prod and production needed approval.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { cicdInput, connectStdio, toolText } from "../helpers/mcp.js";
import { tempDir } from "../helpers/tmp.js";



describe("mcp: production-like environments need a person", () => {
  it("a production-us deploy awaits approval and plan_apply refuses it", async () => {
    const project = tempDir();
    const client = await connectStdio(project);
    try {
      const r = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, environments: ["staging", "production-us"] } })) as CallToolResult;
      expect(r.isError, toolText(r)).toBeFalsy();
      const s = r.structuredContent as { planId: string; gates: { gate: string; status: string }[] };
      expect(s.gates.find((g) => g.gate === "gate.approval.production")?.status).toBe("awaiting");
      const apply = (await client.callTool({ name: "plan_apply", arguments: { id: s.planId, dir: "out" } })) as CallToolResult;
      expect(apply.isError).toBe(true);
      expect(toolText(apply)).toMatch(/needs a person's approval \(targets production-us \(production\)\)/);
      expect(existsSync(join(project, "out"))).toBe(false);
    } finally {
      await client.close();
    }
  });
});

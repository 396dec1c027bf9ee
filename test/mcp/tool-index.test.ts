import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageVersion } from "../../src/core/package-root.js";
import { ALL_SPECIALISTS } from "../../src/interfaces/specialists.js";
import type { ToolIndex } from "../../src/interfaces/mcp/tools.js";
import { buildToolIndex, readToolIndex, TOOL_INDEX_PATH } from "../../src/interfaces/mcp/tools.js";
import { createMcpContext } from "../../src/interfaces/mcp/server.js";
import { REPO } from "../helpers/cli.js";

let fromCode: ToolIndex;
let dir: string;

beforeAll(async () => {
  fromCode = await buildToolIndex(ALL_SPECIALISTS);
  dir = mkdtempSync(join(tmpdir(), "devops-pack-tool-index-"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the MCP tool index", () => {
  it("the index npm run build wrote is exactly what the code makes (a stale dist fails here)", () => {
    const built = readToolIndex(join(REPO, ...TOOL_INDEX_PATH));
    expect(built, `${TOOL_INDEX_PATH.join("/")} is missing: run npm run build`).toBeDefined();
    expect(built).toEqual(JSON.parse(JSON.stringify(fromCode)));
  });

  it("has one task tool per specialist, with the specialist's task type, and the six fixed tools", () => {
    const task = fromCode.tools.filter((t) => t.taskType !== undefined);
    expect(task.map((t) => t.taskType).sort()).toEqual(ALL_SPECIALISTS.map((s) => s.taskType).sort());
    expect(fromCode.tools.filter((t) => t.taskType === undefined).map((t) => t.tool.name).sort()).toEqual(
      ["devops_scan", "plan_apply", "plan_list", "plan_show", "rules_list", "story_preview"],
    );
    for (const { tool } of fromCode.tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.description?.length, tool.name).toBeGreaterThan(20);
    }
  });

  it("ignores an index of another version, of another format, or that does not parse", () => {
    const write = (name: string, body: string): string => {
      const f = join(dir, name);
      writeFileSync(f, body);
      return f;
    };
    expect(readToolIndex(write("ok.json", JSON.stringify(fromCode)))).toEqual(JSON.parse(JSON.stringify(fromCode)));
    expect(readToolIndex(write("old.json", JSON.stringify({ ...fromCode, packageVersion: "0.0.0-other" })))).toBeUndefined();
    expect(readToolIndex(write("v2.json", JSON.stringify({ ...fromCode, version: 2 })))).toBeUndefined();
    expect(readToolIndex(write("bad.json", "{ not json"))).toBeUndefined();
    expect(readToolIndex(join(dir, "missing.json"))).toBeUndefined();
    expect(fromCode.packageVersion).toBe(packageVersion());
  });

  it("without an index the server makes the same tools from the code", async () => {
    const project = join(dir, "project");
    const before = process.env.DEVOPS_PACK_NO_TOOL_INDEX;
    process.env.DEVOPS_PACK_NO_TOOL_INDEX = "1";
    try {
      const ctx = await createMcpContext({ projectDir: project });
      expect(await ctx.tools()).toEqual(fromCode.tools);
      await ctx.close();
    } finally {
      if (before === undefined) delete process.env.DEVOPS_PACK_NO_TOOL_INDEX;
      else process.env.DEVOPS_PACK_NO_TOOL_INDEX = before;
    }
  });
});

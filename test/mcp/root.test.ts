/**
 * Issue 12, finding 3: every path an MCP tool takes must stay inside the
 * server's root, through symlinks that exist and through those that do not
 * exist yet, and through dangling ones. A real MCP client over an in-memory
 * transport drives the real tools.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cicdInput, toolText } from "../helpers/mcp.js";
import { DevopsPackError } from "../../src/core/errors.js";
import type { McpContext } from "../../src/interfaces/mcp/server.js";
import { createMcpContext, createMcpServer, insideRoot } from "../../src/interfaces/mcp/server.js";


let outer: string;
let root: string;
let ctx: McpContext;
let client: Client;


function refusal(fn: () => unknown): DevopsPackError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DevopsPackError);
    return e as DevopsPackError;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  // outer/ holds the root proj/ and a secret file next to it; links inside proj point out.
  outer = realpathSync(mkdtempSync(join(tmpdir(), "devops-pack-mcp-root-")));
  root = join(outer, "proj");
  mkdirSync(join(root, "infra"), { recursive: true });
  writeFileSync(join(root, "infra", "main.tf"), 'resource "aws_s3_bucket" "b" {\n  bucket = "demo"\n}\n');
  mkdirSync(join(outer, "elsewhere"));
  writeFileSync(join(outer, "elsewhere", "main.tf"), 'resource "aws_s3_bucket" "secret" {\n  bucket = "secret"\n}\n');
  symlinkSync("..", join(root, "newlink"));
  symlinkSync(join(outer, "elsewhere"), join(root, "outlink"));
  symlinkSync(join(outer, "not-yet", "deeper"), join(root, "dangling"));
  symlinkSync("infra", join(root, "inlink"));
  mkdirSync(join(root, "empty"));
  ctx = await createMcpContext({ projectDir: root });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(ctx).connect(serverSide);
  client = new Client({ name: "root-test", version: "0" });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
  await ctx?.close();
  rmSync(outer, { recursive: true, force: true });
});

describe("insideRoot", () => {
  it("takes paths inside the root, through links that stay inside, and paths that do not exist yet", () => {
    expect(insideRoot(root, "infra")).toBe(join(root, "infra"));
    expect(insideRoot(root, "inlink")).toBe(join(root, "infra"));
    expect(insideRoot(root, "inlink/new/dir")).toBe(join(root, "infra", "new", "dir"));
    expect(insideRoot(root, "out/a/b")).toBe(join(root, "out", "a", "b"));
    expect(insideRoot(root, join(root, "infra"))).toBe(join(root, "infra"));
    expect(insideRoot(root, ".")).toBe(root);
  });

  it("refuses a path below a symlink that leads out, although the rest does not exist yet", () => {
    const e = refusal(() => insideRoot(root, "newlink/escaped"));
    expect(e.code).toBe("REFUSED");
    expect(e.message).toContain("newlink/escaped is outside the server's root");
    expect(refusal(() => insideRoot(root, "newlink/a/b/c")).code).toBe("REFUSED");
    expect(refusal(() => insideRoot(root, "outlink/new")).code).toBe("REFUSED");
    expect(refusal(() => insideRoot(root, "outlink")).code).toBe("REFUSED");
  });

  it("refuses a path through a dangling symlink, whose target would be created outside", () => {
    const e = refusal(() => insideRoot(root, "dangling/x"));
    expect(e.code).toBe("REFUSED");
    expect(e.message).toMatch(/dangling/);
    expect(refusal(() => insideRoot(root, "dangling")).code).toBe("REFUSED");
  });

  it("refuses .. and absolute paths outside", () => {
    expect(refusal(() => insideRoot(root, "../elsewhere")).code).toBe("REFUSED");
    expect(refusal(() => insideRoot(root, "/etc")).code).toBe("REFUSED");
    expect(refusal(() => insideRoot(root, "infra/../../elsewhere/x")).code).toBe("REFUSED");
  });
});

describe("MCP tools keep to the root", () => {
  it("plan_apply into newlink/escaped (newlink -> ..) is refused and writes nothing outside the root", async () => {
    const made = (await client.callTool({ name: "devops_cicd", arguments: { ...cicdInput, environments: ["staging"] } })) as CallToolResult;
    expect(made.isError, toolText(made)).toBeFalsy();
    const planId = (made.structuredContent as { planId: string }).planId;
    const before = readdirSync(outer).sort();
    const apply = (await client.callTool({ name: "plan_apply", arguments: { id: planId, dir: "newlink/escaped" } })) as CallToolResult;
    expect(apply.isError).toBe(true);
    expect(toolText(apply)).toMatch(/^REFUSED: Refused: newlink\/escaped is outside the server's root/);
    expect(existsSync(join(outer, "escaped"))).toBe(false);
    expect(readdirSync(outer).sort()).toEqual(before);
    const dangling = (await client.callTool({ name: "plan_apply", arguments: { id: planId, dir: "dangling" } })) as CallToolResult;
    expect(dangling.isError).toBe(true);
    expect(existsSync(join(outer, "not-yet"))).toBe(false);
    // Inside the root it still works, into a directory that does not exist yet.
    const ok = (await client.callTool({ name: "plan_apply", arguments: { id: planId, dir: "out/new" } })) as CallToolResult;
    expect(ok.isError, toolText(ok)).toBeFalsy();
    expect(readdirSync(join(root, "out", "new")).length).toBeGreaterThan(0);
  });

  it("devops_scan through a link out of the root is refused", async () => {
    const r = (await client.callTool({ name: "devops_scan", arguments: { paths: ["outlink"], threshold: 0 } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(toolText(r)).toMatch(/^REFUSED: .*outlink is outside the server's root/);
    const through = (await client.callTool({ name: "devops_scan", arguments: { paths: ["newlink/elsewhere"], threshold: 0 } })) as CallToolResult;
    expect(through.isError).toBe(true);
    expect(toolText(through)).not.toContain("secret");
  });

  it("devops_scan that scans nothing is a BAD_INPUT error, not a pass (finding 14f)", async () => {
    const r = (await client.callTool({ name: "devops_scan", arguments: { paths: ["empty"], threshold: 0 } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(toolText(r)).toMatch(/^BAD_INPUT: Nothing was scanned in empty: 0 files could be scanned\./);
  });
});

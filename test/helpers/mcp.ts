import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { parse } from "yaml";
import { BIN, REPO } from "./cli.js";

/** The input of examples/cicd.yaml, as MCP tool arguments. */
export const cicdInput = (parse(readFileSync(join(REPO, "examples/cicd.yaml"), "utf8")) as { task: { input: Record<string, unknown> } }).task.input;

/** A tool result's text content, joined. */
export function toolText(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

/** A real MCP client connected over stdio to the built CLI's server for `project`. */
export async function connectStdio(project: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "-C", project],
    cwd: project,
    env: { ...(process.env as Record<string, string>), DEVOPS_PACK_ACTOR: "test" },
    stderr: "pipe",
  });
  const client = new Client({ name: "devops-pack-test", version: "0.0.0" });
  await client.connect(transport);
  return client;
}

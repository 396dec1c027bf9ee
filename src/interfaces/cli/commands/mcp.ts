import { badInput } from "../../../core/errors.js";
import { optionalString } from "../args.js";
import type { CliContext } from "../context.js";

/** `devops-pack mcp`: the MCP server over stdio, or `--http` over Streamable HTTP. Runs until the client goes away or a signal. */
export async function runMcp(ctx: CliContext, values: Record<string, unknown>): Promise<number> {
  const { createMcpContext, createMcpServer } = await import("../../mcp/server.js");
  const root = optionalString(values, "root");
  const mcpCtx = await createMcpContext({ projectDir: ctx.projectDir, ...(root !== undefined ? { root } : {}) });

  if (values.http === true) {
    const portRaw = optionalString(values, "port") ?? "3333";
    const port = Number(portRaw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw badInput(`--port must be a port number from 0 to 65535, got '${portRaw}'.`);
    const { startHttp } = await import("../../mcp/http.js");
    const host = optionalString(values, "host");
    // The environment keeps the token out of `ps`; the flag still works, with a warning.
    const flagToken = optionalString(values, "token");
    const envToken = process.env.DEVOPS_PACK_MCP_TOKEN === "" ? undefined : process.env.DEVOPS_PACK_MCP_TOKEN;
    if (flagToken !== undefined) ctx.err("warning: --token shows the token to every user of this machine (ps); set DEVOPS_PACK_MCP_TOKEN instead.");
    const token = flagToken ?? envToken;
    const tokenSource = flagToken !== undefined ? "--token" : "DEVOPS_PACK_MCP_TOKEN";
    const allowedHosts = (values["allowed-host"] as string[] | undefined) ?? [];
    const allowedOrigins = (values["allowed-origin"] as string[] | undefined) ?? [];
    const running = await startHttp(mcpCtx, {
      port,
      allowedHosts,
      allowedOrigins,
      ...(host !== undefined ? { host } : {}),
      ...(token !== undefined ? { token, tokenSource } : {}),
    });
    ctx.err(`devops-pack MCP server listening on ${running.url}${token ? " (bearer token required)" : ""}`);
    await new Promise<void>((done) => {
      const stop = (): void => done();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await running.close();
    await mcpCtx.close();
    return 0;
  }

  const httpOnly = ["port", "host", "token", "allowed-host", "allowed-origin"].filter((k) => values[k] !== undefined);
  if (httpOnly.length > 0) throw badInput(`${httpOnly.map((k) => `--${k}`).join(", ")} need${httpOnly.length === 1 ? "s" : ""} --http.`);
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  const server = createMcpServer(mcpCtx);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((done) => {
    server.onclose = () => done();
    process.stdin.once("end", () => done());
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
  await mcpCtx.close();
  return 0;
}

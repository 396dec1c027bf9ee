/**
 * A worker thread for heavy MCP tool calls (offload.ts): it builds its own
 * context over the project and root it is given, and runs each call it
 * receives with the same code as the main thread (calls.ts), posting progress
 * and the result, or the error with its code, back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DevopsPackError } from "../../core/errors.js";
import { callTool } from "./calls.js";
import type { CallReply, CallRequest, CallWorkerData } from "./offload.js";
import { createMcpContext } from "./server.js";

const port = parentPort;
if (!port) throw new Error("mcp-call-worker runs as a worker thread.");
const data = workerData as CallWorkerData;
const ctx = createMcpContext({ projectDir: data.projectDir, root: data.root, offload: false });

function reply(m: CallReply): void {
  port!.postMessage(m);
}

async function handle(req: CallRequest): Promise<void> {
  try {
    const c = await ctx;
    const indexed = (await c.tools()).find((t) => t.tool.name === req.tool);
    if (!indexed) throw new DevopsPackError("INTERNAL", `Tool ${req.tool} is not known to the worker.`);
    const onProgress = req.progress ? (done: number, total: number, message: string): void => reply({ id: req.id, kind: "progress", done, total, message }) : undefined;
    reply({ id: req.id, kind: "result", result: await callTool(c, indexed, req.args, onProgress) });
  } catch (e) {
    if (e instanceof DevopsPackError) reply({ id: req.id, kind: "error", code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) });
    else reply({ id: req.id, kind: "error", message: (e as Error)?.message ?? String(e) });
  }
}

port.on("message", (req: CallRequest) => void handle(req));

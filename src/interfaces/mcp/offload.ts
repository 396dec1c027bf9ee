/**
 * Heavy tool calls run off the server's event loop. A scan, a story's
 * derivation or a task's planning and gates can keep a thread busy for
 * seconds; on the thread that reads the protocol, `tools/list` and `ping`
 * would wait for them. Those calls go to worker threads (mcp-call-worker.ts),
 * each with its own context over the same project and root (its own store
 * connection: the store is WAL with a busy timeout); everything else, and
 * every protocol request, stays on the main thread.
 *
 * The worker script ships only with compiled builds; tests that run the
 * TypeScript sources in-process call the tools on the main thread, as the
 * server did before (test/mcp/offload.test.ts drives the built server).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ErrorCode } from "../../core/errors.js";
import { DevopsPackError } from "../../core/errors.js";

/** What a worker is started with: the context to rebuild. */
export interface CallWorkerData {
  projectDir: string;
  root: string;
}

export interface CallRequest {
  id: number;
  tool: string;
  args: Record<string, unknown>;
  progress: boolean;
}

export type CallReply =
  | { id: number; kind: "progress"; done: number; total: number; message: string }
  | { id: number; kind: "result"; result: CallToolResult }
  | { id: number; kind: "error"; code?: ErrorCode; message: string; data?: Record<string, unknown> };

type Progress = (done: number, total: number, message: string) => void;

interface Pending {
  resolve: (r: CallToolResult) => void;
  reject: (e: unknown) => void;
  onProgress: Progress | undefined;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** The tools whose work is heavy: every task tool, the scan and the story preview. */
export function isHeavy(tool: string, taskType: string | undefined): boolean {
  return taskType !== undefined || tool === "devops_scan" || tool === "story_preview";
}

export function callWorkerUrl(): URL | undefined {
  const url = new URL("./mcp-call-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** A few long-lived workers, started on first use; calls go to the least busy one. */
export class CallPool {
  readonly #slots: Slot[] = [];
  readonly #max: number;
  #next = 1;
  #closed = false;

  constructor(
    private readonly url: URL,
    private readonly data: CallWorkerData,
    max = Math.max(1, Math.min(4, availableParallelism())),
  ) {
    this.#max = max;
  }

  run(tool: string, args: Record<string, unknown>, onProgress?: Progress): Promise<CallToolResult> {
    if (this.#closed) return Promise.reject(new DevopsPackError("INTERNAL", "The MCP server is shutting down."));
    const slot = this.#pick();
    const id = this.#next++;
    return new Promise<CallToolResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, onProgress });
      const request: CallRequest = { id, tool, args, progress: onProgress !== undefined };
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #pick(): Slot {
    const idle = this.#slots.find((s) => s.pending.size === 0);
    if (idle) return idle;
    if (this.#slots.length < this.#max) return this.#start();
    return this.#slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  #start(): Slot {
    const worker = new Worker(this.url, { workerData: this.data });
    // Waiting calls keep the process alive through their own handles; an idle worker must not.
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    this.#slots.push(slot);
    worker.on("message", (reply: CallReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      if (reply.kind === "progress") {
        p.onProgress?.(reply.done, reply.total, reply.message);
        return;
      }
      slot.pending.delete(reply.id);
      if (reply.kind === "result") p.resolve(reply.result);
      else p.reject(reply.code !== undefined ? new DevopsPackError(reply.code, reply.message, reply.data) : new Error(reply.message));
    });
    const fail = (why: string): void => {
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
      for (const p of slot.pending.values()) p.reject(new DevopsPackError("INTERNAL", `The tool call's worker thread ${why}; the call did not finish. Try it again.`));
      slot.pending.clear();
    };
    worker.on("error", (e) => fail(`failed: ${e.message}`));
    worker.on("exit", (code) => fail(`exited with code ${code}`));
    return slot;
  }
}

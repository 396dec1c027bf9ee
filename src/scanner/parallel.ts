import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ScanOptions, ScanResult } from "./engine.js";
import { claimFiles, evaluateTargets, judge } from "./engine.js";
import type { Evaluation, ScanTarget, SourceFile, TargetScanner } from "./types.js";

/**
 * Targets handed to the worker thread; the rest run on the main thread at the
 * same time. Chosen from profiles of the benchmark corpus so both halves take
 * about as long: Terraform parsing and Dockerfiles against Kubernetes and
 * workflow YAML and the secret patterns.
 */
const WORKER_TARGETS: readonly ScanTarget[] = ["terraform", "dockerfile"];

/** Below this many bytes a worker's start-up costs more than it saves. */
const PARALLEL_MIN_BYTES = 512 * 1024;

export interface WorkerRequest {
  targets: ScanTarget[];
  files: SourceFile[];
}

export type WorkerReply = { ok: true; evaluations: Evaluation[] } | { ok: false; error: string };

function workerUrl(): URL | undefined {
  const url = new URL("./scan-worker.js", import.meta.url);
  // Only compiled builds ship the worker script (tests run the TypeScript sources in-process).
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

function wantParallel(files: readonly SourceFile[]): boolean {
  const setting = process.env.DEVOPS_PACK_SCAN_WORKERS;
  if (setting === "0") return false;
  if (setting === "1") return true;
  let bytes = 0;
  for (const f of files) bytes += f.content.length;
  return bytes >= PARALLEL_MIN_BYTES;
}

function runWorker(url: URL, request: WorkerRequest): Promise<Evaluation[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: request });
    worker.once("message", (reply: WorkerReply) => {
      void worker.terminate();
      if (reply.ok) resolve(reply.evaluations);
      else reject(new Error(reply.error));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`scan worker exited with code ${code}`));
    });
  });
}

/**
 * `scanSources`, with the targets split between one worker thread and the
 * main thread. Gives the same result; falls back to one thread for small
 * inputs, where no worker script exists, or when the worker fails.
 */
export async function scanSourcesParallel(files: readonly SourceFile[], opts: ScanOptions): Promise<ScanResult> {
  const { claimed, errors } = claimFiles(files, opts.targets);
  const url = workerUrl();
  if (!url || !wantParallel(files)) return judge(files, [...errors, ...evaluateTargets(claimed)], opts);

  const inWorker = new Map<TargetScanner<unknown>, SourceFile[]>();
  const here = new Map<TargetScanner<unknown>, SourceFile[]>();
  for (const [t, list] of claimed) (WORKER_TARGETS.includes(t.target) ? inWorker : here).set(t, list);
  const workerFiles = [...new Set([...inWorker.values()].flat())];
  const pending = runWorker(url, { targets: [...inWorker.keys()].map((t) => t.target), files: workerFiles }).catch(() => evaluateTargets(inWorker));
  const local = evaluateTargets(here);
  const remote = await pending;
  return judge(files, [...errors, ...local, ...remote], opts);
}

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ScanOptions, ScanResult, WorkerUse } from "./engine.js";
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

/** Whether to use a worker, and when not, why (a setting, or a small input). */
function wantParallel(files: readonly SourceFile[]): { want: boolean; reason?: string } {
  const setting = process.env.DEVOPS_PACK_SCAN_WORKERS;
  if (setting === "0") return { want: false, reason: "DEVOPS_PACK_SCAN_WORKERS=0" };
  if (setting === "1") return { want: true };
  let bytes = 0;
  for (const f of files) bytes += f.content.length;
  if (bytes >= PARALLEL_MIN_BYTES) return { want: true };
  return { want: false, reason: `${bytes} bytes, below the ${PARALLEL_MIN_BYTES} where a worker pays off` };
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
 * main thread. Gives the same result. Small inputs run on one thread; where no
 * worker script exists, or when the worker fails, the scan falls back to one
 * thread, and says so in `workers` (the CLI warns and shows it in --json).
 */
export async function scanSourcesParallel(files: readonly SourceFile[], opts: ScanOptions): Promise<ScanResult> {
  const { claimed, errors } = claimFiles(files, opts.targets);
  const wanted = wantParallel(files);
  if (!wanted.want) return { ...judge(files, [...errors, ...evaluateTargets(claimed)], opts), workers: { used: 0, fellBack: false, ...(wanted.reason !== undefined ? { reason: wanted.reason } : {}) } };
  const url = workerUrl();
  if (!url) {
    const workers: WorkerUse = { used: 0, fellBack: true, reason: "no worker script next to the scanner (running from the sources, not a build)" };
    return { ...judge(files, [...errors, ...evaluateTargets(claimed)], opts), workers };
  }

  const inWorker = new Map<TargetScanner<unknown>, SourceFile[]>();
  const here = new Map<TargetScanner<unknown>, SourceFile[]>();
  for (const [t, list] of claimed) (WORKER_TARGETS.includes(t.target) ? inWorker : here).set(t, list);
  const workerFiles = [...new Set([...inWorker.values()].flat())];
  let workers: WorkerUse = { used: 1, fellBack: false };
  const pending = runWorker(url, { targets: [...inWorker.keys()].map((t) => t.target), files: workerFiles }).catch((e: unknown) => {
    // The same evaluation on this thread; the fallback is reported, never silent.
    workers = { used: 0, fellBack: true, reason: `the scan worker failed: ${e instanceof Error ? e.message : String(e)}` };
    return evaluateTargets(inWorker);
  });
  const local = evaluateTargets(here);
  const remote = await pending;
  return { ...judge(files, [...errors, ...local, ...remote], opts), workers };
}

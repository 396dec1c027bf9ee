import { parentPort, workerData } from "node:worker_threads";
import { claimFiles, evaluateTargets } from "./engine.js";
import { loadTargets } from "./index.js";
import type { WorkerReply, WorkerRequest } from "./parallel.js";

/** The scanner's worker thread: parse and check the files of the targets it is given. */
async function main(): Promise<void> {
  const request = workerData as WorkerRequest;
  let reply: WorkerReply;
  try {
    const targets = (await loadTargets()).filter((t) => request.targets.includes(t.target));
    const { claimed } = claimFiles(request.files, targets);
    reply = { ok: true, evaluations: evaluateTargets(claimed) };
  } catch (e) {
    reply = { ok: false, error: (e as Error).message };
  }
  parentPort?.postMessage(reply);
}

void main();

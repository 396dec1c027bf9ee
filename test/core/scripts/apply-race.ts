// Child process for the lock race test: `rounds` applies of two plans that write the
// same files, alternating, into one directory; after each attempt it takes the lock
// itself and checks that the directory is fully one plan's (or untouched), with no
// journal and no staging left. Prints a JSON summary on stdout.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { acquireLock, applyPlan, releaseLock } from "../../../src/core/apply/apply.js";
import { storeLedger } from "../../../src/core/apply/ledger.js";
import { isDevopsPackError } from "../../../src/core/errors.js";
import { openStore } from "../../../src/core/store/index.js";
import { RACE_FILES, racePlans } from "./race-plans.js";

const [dir, storePath, roundsArg, workerArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const worker = Number(workerArg);
const plans = racePlans();
const store = await openStore({ kind: "sqlite", path: storePath! });
const ledger = storeLedger(store, `worker-${worker}`);
const summary = { applied: 0, refusedBusy: 0, otherErrors: [] as string[], inconsistent: [] as string[], checks: 0 };

function check(): void {
  let lock;
  for (let i = 0; i < 200 && lock === undefined; i++) {
    try {
      lock = acquireLock(join(dir!, ".devops-pack/apply.lock"));
    } catch (e) {
      if (!(isDevopsPackError(e) && /another apply/.test(e.message))) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
  if (lock === undefined) return; // never free long enough to look; the next round checks
  try {
    summary.checks++;
    const contents = RACE_FILES.map((f) => (existsSync(join(dir!, f)) ? readFileSync(join(dir!, f), "utf8") : undefined));
    const whole = plans.some((p) => p.artifacts.every((a, i) => contents[i] === a.content)) || contents.every((c) => c === undefined);
    if (!whole) summary.inconsistent.push(JSON.stringify(contents));
    if (existsSync(join(dir!, ".devops-pack/apply-journal.json"))) summary.inconsistent.push("journal left behind");
    if (existsSync(join(dir!, ".devops-pack/apply-staging"))) summary.inconsistent.push("staging left behind");
  } finally {
    releaseLock(lock);
  }
}

for (let i = 0; i < rounds; i++) {
  const plan = plans[(i + worker) % 2]!;
  try {
    await applyPlan(plan, dir!, ledger);
    summary.applied++;
  } catch (e) {
    if (isDevopsPackError(e) && e.code === "REFUSED" && /another apply \(pid \d+\) is writing into this directory/.test(e.message)) summary.refusedBusy++;
    else summary.otherErrors.push(isDevopsPackError(e) ? `${e.code}: ${e.message}` : String((e as Error).stack ?? e));
  }
  check();
}
await store.close();
process.stdout.write(JSON.stringify(summary));

import { join } from "node:path";
import { afterEach } from "vitest";
import type { ApplyLedger } from "../../src/core/apply/apply.js";
import { storeLedger } from "../../src/core/apply/ledger.js";
import type { Plan } from "../../src/core/plans/plan.js";
import type { Store } from "../../src/core/store/index.js";
import { openStore } from "../../src/core/store/index.js";
import { tempDir } from "./tmp.js";

const open: Store[] = [];

/** Saves plans in a real SQLite store (a run each) so that apply can record its journal there. */
export async function savePlans(store: Store, plans: Plan[]): Promise<void> {
  for (const plan of plans) {
    const runId = `run-${plan.id}`;
    await store.startRun({ id: runId, taskType: plan.task.type, agent: plan.agent, source: "test", actor: "test" });
    await store.savePlan(runId, plan, [], "test");
    await store.finishRun(runId, "succeeded");
  }
}

/** A real store (in its own temporary directory) holding `plans`, and the apply ledger over it. */
export async function ledgerWith(...plans: Plan[]): Promise<{ store: Store; ledger: ApplyLedger; path: string }> {
  const path = join(tempDir("devops-pack-store-"), "state.db");
  const store = await openStore({ kind: "sqlite", path });
  open.push(store);
  await savePlans(store, plans);
  return { store, ledger: storeLedger(store, "test"), path };
}

afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

// Child process for the crash tests: applies a plan and is killed (SIGKILL) after N files of
// one phase: `stage` (files staged, before any rename) or `rename` (files renamed into place).
import { applyPlan } from "../../../src/core/apply/apply.js";
import { storeLedger } from "../../../src/core/apply/ledger.js";
import { openStore } from "../../../src/core/store/index.js";
import { fakePlan } from "../../helpers/plans.js";

const [phase, dir, after, storePath] = process.argv.slice(2);
if (phase !== "stage" && phase !== "rename") throw new Error(`crash.ts: phase must be stage or rename, got ${String(phase)}`);
const plan = fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" }, { id: phase === "stage" ? "c0ffee000002" : "c0ffee000001" });
const store = await openStore({ kind: "sqlite", path: storePath! });
const kill = (n: number) => {
  if (n >= Number(after)) process.kill(process.pid, "SIGKILL");
};
await applyPlan(plan, dir!, storeLedger(store, "test"), phase === "stage" ? { afterStage: kill } : { afterRename: kill });

// Child process: applies a plan and is killed (SIGKILL) after staging N files, before the commit rename phase.
import { applyPlan } from "../../../src/core/apply/apply.js";
import { storeLedger } from "../../../src/core/apply/ledger.js";
import { openStore } from "../../../src/core/store/index.js";
import { fakePlan } from "../../helpers/plans.js";

const [dir, after, storePath] = process.argv.slice(2);
const plan = fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" }, { id: "c0ffee000002" });
const store = await openStore({ kind: "sqlite", path: storePath! });
await applyPlan(plan, dir!, storeLedger(store, "test"), {
  afterStage: (n) => {
    if (n >= Number(after)) process.kill(process.pid, "SIGKILL");
  },
});

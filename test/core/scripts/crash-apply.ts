// Child process for the crash test: applies a plan and is killed (SIGKILL) after N renames.
import { applyPlan } from "../../../src/core/apply/apply.js";
import { fakePlan } from "../../helpers/plans.js";

const [dir, after] = process.argv.slice(2);
const plan = fakePlan({ "a.yml": "a: new\n", "b.yml": "b: new\n", "sub/c.yml": "c: new\n" });
applyPlan(plan, dir!, {
  afterRename: (n) => {
    if (n >= Number(after)) process.kill(process.pid, "SIGKILL");
  },
});

import type { Plan } from "../../../src/core/plans/plan.js";
import { fakePlan } from "../../helpers/plans.js";

/** The files both race plans write, in artifact order. */
export const RACE_FILES = ["c.yml", "x/a.yml", "x/y/b.yml"];

/** Two plans writing the same files with different content. */
export function racePlans(): Plan[] {
  return ["A", "B"].map((v, i) => fakePlan(Object.fromEntries(RACE_FILES.map((f) => [f, `${f}: ${v}\n`])), { id: `race0000000${i}` }));
}

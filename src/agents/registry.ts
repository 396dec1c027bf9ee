import type { Specialist } from "../core/specialist.js";
import { cicdSpecialist } from "./cicd/index.js";

/**
 * Every built specialist, registered explicitly. A task type declared by an
 * agent's `handles` but missing here is reported as "not built yet".
 */
export const SPECIALISTS: readonly Specialist<unknown>[] = [cicdSpecialist as Specialist<unknown>];

export function specialistMap(): Map<string, Specialist<unknown>> {
  return new Map(SPECIALISTS.map((s) => [s.taskType, s]));
}

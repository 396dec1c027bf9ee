import type { SpecialistEntry } from "../agents/registry.js";

/**
 * devops_security's registry entry, on its own so that listing agents does not
 * load the scanner: the entry only names the task type, and loads the
 * specialist (and the scanner's targets) when a task needs it.
 */
export const SECURITY_SPECIALIST: SpecialistEntry = {
  taskType: "devops.security",
  agent: "devops_security",
  load: async () => {
    const [{ createSecuritySpecialist }, { loadTargets }] = await Promise.all([import("./agent/index.js"), import("./index.js")]);
    return createSecuritySpecialist(await loadTargets());
  },
};

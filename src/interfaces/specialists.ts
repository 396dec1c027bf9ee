import type { SpecialistEntry } from "../agents/registry.js";
import { SPECIALISTS } from "../agents/registry.js";
import { SECURITY_SPECIALIST } from "../scanner/entry.js";

/** Every built specialist: the agents layer's and devops_security's (which lives with the scanner). Entries only; modules load on use. */
export const ALL_SPECIALISTS: readonly SpecialistEntry[] = [...SPECIALISTS, SECURITY_SPECIALIST];

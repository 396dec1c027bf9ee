/** The task input, resolved: services as full objects, types as a list, severity as a level. */
import type { Links, Service } from "../observability/index.js";
import { serviceSchema } from "../observability/index.js";
import type { SevLevel } from "./catalog.js";
import type { Ref } from "./queries.js";
import { ref } from "./queries.js";
import type { AlertInput, ChaosInput, IncidentInput, IncidentSeverity, PostmortemInput, RecoveryInput } from "./schema.js";

export const SEV_OF: Record<IncidentSeverity, SevLevel> = { critical: 1, high: 2, medium: 3, low: 4 };

export interface ResolvedConfig {
  services: Service[];
  refs: Ref[];
  byName: ReadonlyMap<string, Ref>;
  /** Services given by name only (defaults filled in). */
  namedOnly: string[];
  types: string[];
  severity: IncidentSeverity;
  sev: SevLevel;
  alerts: AlertInput[];
  links: Links;
  postmortem?: PostmortemInput;
  recovery?: RecoveryInput;
  chaos?: ChaosInput;
  environments: string[];
}

export function resolveConfig(input: IncidentInput): ResolvedConfig {
  const namedOnly: string[] = [];
  const services = input.services.map((s) => {
    if (typeof s !== "string") return s;
    namedOnly.push(s);
    return serviceSchema.parse({ name: s, kind: "http" });
  });
  const refs = services.map(ref);
  return {
    services,
    refs,
    byName: new Map(refs.map((r) => [r.name, r])),
    namedOnly,
    types: input.incident_types ?? (input.incident_type !== undefined ? [input.incident_type] : []),
    severity: input.severity,
    sev: SEV_OF[input.severity],
    alerts: input.alerts,
    links: input.links,
    ...(input.postmortem ? { postmortem: input.postmortem } : {}),
    ...(input.recovery ? { recovery: input.recovery } : {}),
    ...(input.chaos ? { chaos: input.chaos } : {}),
    environments: input.environments,
  };
}

export const sevName = (s: SevLevel) => `SEV${s}`;

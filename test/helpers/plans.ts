import type { Artifact, Plan } from "../../src/core/plans/plan.js";
import { artifact, markerLine, sealPlan } from "../../src/core/plans/plan.js";

/** A plan with the given files (each gets the generated marker unless `raw`). */
export function fakePlan(files: Record<string, string>, opts: { environment?: string[]; raw?: boolean; id?: string } = {}): Plan {
  const artifacts: Artifact[] = Object.entries(files).map(([path, body]) => artifact(path, "yaml", opts.raw ? body : `${markerLine("test")}\n${body}`));
  const body = { task: { type: "devops.test", input: {} }, agent: "test", environment: opts.environment ?? [], artifacts };
  return sealPlan({ id: opts.id ?? "abc123def456", createdAt: "2026-01-01T00:00:00.000Z", ...body, findings: [], notes: [], touchesSecrets: false });
}

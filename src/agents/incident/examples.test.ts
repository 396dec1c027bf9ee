/**
 * Every incident example task in the repository's examples/ runs through the
 * real task parser, the schema, the planner, the Kubernetes validator and the
 * security scanner. The tasks live only there (no copy in this folder).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planDigest, sealPlan } from "../../core/plans/plan.js";
import { parseTaskDocument } from "../../core/tasks/parse.js";
import { validateKubernetes } from "../../core/validators/kubernetes.js";
import { incidentSpecialist } from "./index.js";
import { EXAMPLES, exampleFiles, loadExample, planExample } from "./testing/support.js";
import { scanFiles } from "../testing/scan.js";

describe("examples", () => {
  it("are the incident*.yaml tasks in examples/", () => {
    expect(exampleFiles()).toEqual(["incident-postmortem.yaml", "incident.yaml"]);
  });

  it("incident.yaml is exactly the documented example task", () => {
    const envelope = parseTaskDocument(readFileSync(join(EXAMPLES, "incident.yaml"), "utf8"), "incident.yaml");
    expect(envelope).toEqual({ type: "devops.incident_runbook", input: { incident_type: "database_connection_failure", services: ["api", "worker"], severity: "high" } });
  });

  for (const file of exampleFiles()) {
    describe(file, () => {
      it("plans, with every Kubernetes artifact valid and the scanner clean", async () => {
        const plan = planExample(file);
        expect(plan.artifacts.length).toBeGreaterThan(0);
        expect(plan.findings).toEqual([]);
        for (const a of plan.artifacts.filter((x) => x.kind === "kubernetes")) {
          const r = await validateKubernetes(a.content, a.path);
          expect(r.errors, a.path).toEqual([]);
        }
        const scan = await scanFiles(plan.artifacts);
        expect(scan.findings.filter((f) => !f.suppressed), file).toEqual([]);
        expect(scan.score).toBe(100);
      });

      it("gives the same bytes every time", () => {
        const a = planExample(file);
        const b = planExample(file);
        const envelope = { type: incidentSpecialist.taskType, input: {} };
        const digest = (p: typeof a) => planDigest(sealPlan({ id: "p", createdAt: "", task: envelope, agent: incidentSpecialist.agent, environment: [], artifacts: p.artifacts, findings: [], notes: [], touchesSecrets: false }));
        expect(digest(a)).toBe(digest(b));
      });
    });
  }

  it("environments() drives the production approval gate", () => {
    expect(incidentSpecialist.environments(loadExample("incident.yaml"))).toEqual([]);
    expect(incidentSpecialist.environments(loadExample("incident-postmortem.yaml"))).toEqual(["staging", "production"]);
  });
});

/**
 * Issue 13, defect 6: every example task lives once, in the repository's
 * examples/. Agent folders used to hold byte-for-byte copies, and the tests
 * that compared the two skipped (or compared a file with itself) when a copy
 * was missing, so they passed on nothing.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleFiles as incidentExamples } from "../src/agents/incident/testing/support.js";
import { exampleFiles as monitoringExamples, exampleText } from "../src/agents/monitoring/testing/support.js";
import { REPO } from "./helpers/cli.js";

const AGENTS = join(REPO, "src", "agents");

describe("examples live once, in examples/", () => {
  it("no agent folder keeps its own examples/ directory", () => {
    const copies = readdirSync(AGENTS).filter((a) => existsSync(join(AGENTS, a, "examples")));
    expect(copies.map((a) => `src/agents/${a}/examples`)).toEqual([]);
  });

  it("the incident and monitoring tests read the tasks in examples/, and each one is there", () => {
    expect(incidentExamples()).toEqual(["incident-postmortem.yaml", "incident.yaml"]);
    for (const f of [...incidentExamples(), ...monitoringExamples()]) expect(existsSync(join(REPO, "examples", f)), f).toBe(true);
  });

  it("a monitoring example missing from examples/ fails loudly instead of falling back to another copy", () => {
    expect(() => exampleText("monitoring-missing.yaml")).toThrow(/ENOENT.*examples\/monitoring-missing\.yaml/);
  });
});

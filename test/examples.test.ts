import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runTask } from "../src/agents/manager/runtime.js";
import { openStore } from "../src/core/store/index.js";
import { wired } from "../src/interfaces/wiring.js";
import { REPO } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const FILES = readdirSync(join(REPO, "examples"))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const isWorkflow = (f: string) => /^workflow:/m.test(readFileSync(join(REPO, "examples", f), "utf8"));
const EXAMPLES = FILES.filter((f) => !isWorkflow(f));

describe("examples", () => {
  it("are tasks, or workflow inputs that test/workflows/lifecycle.test.ts runs through every gate", () => {
    expect(FILES.filter(isWorkflow)).toEqual(["disaster-recovery.yaml", "lifecycle.yaml", "monitoring-setup.yaml", "zero-downtime.yaml"]);
    for (const f of EXAMPLES) expect(readFileSync(join(REPO, "examples", f), "utf8"), f).toMatch(/^task:/m);
  });
});

describe("every example task, through every gate", () => {
  it.each(EXAMPLES)("%s: quality passes and its artifacts scan clean", async (file) => {
    const store = await openStore({ kind: "sqlite", path: join(tempDir(), "state.db") });
    try {
      // The project is the repository itself, so analyze/scan examples find their paths.
      const outcome = await runTask(readFileSync(join(REPO, "examples", file), "utf8"), `examples/${file}`, { ...wired(REPO), store, actor: "test" });
      const gates = new Map(outcome.gates.map((g) => [g.gate, g]));
      for (const g of outcome.gates.filter((x) => x.gate.startsWith("gate.quality."))) expect([g.gate, g.status]).not.toEqual([g.gate, "failed"]);
      const security = gates.get("gate.security.infra");
      expect(security?.status, JSON.stringify(security?.blocking)).toBe("passed");
      // Generated artifacts carry no finding at all, not merely a passing score.
      expect(security?.checks.filter((c) => !c.ok)).toEqual([]);
      expect(outcome.verdict).not.toBe("failed");
    } finally {
      await store.close();
    }
  });
});

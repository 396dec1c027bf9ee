import { describe, expect, it } from "vitest";
import { loadPacks } from "../core/packs/loader.js";
import { SPECIALISTS } from "./registry.js";

describe("specialist registry", () => {
  it("each entry's module agrees with its routing keys and a pack agent declares the type", async () => {
    const handlers = loadPacks().handlers();
    expect(SPECIALISTS.length).toBeGreaterThan(0);
    for (const entry of SPECIALISTS) {
      const s = await entry.load();
      expect(s.taskType).toBe(entry.taskType);
      expect(s.agent).toBe(entry.agent);
      expect(handlers.get(entry.taskType)).toBe(entry.agent);
    }
  });
});

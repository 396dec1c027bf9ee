/**
 * A tiny reader for the story markdown format of `examples/stories/`, for tests only (the files
 * tracker has its own loader; these tests must not depend on it).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Story } from "../../../core/stories/types.js";

/** A story in the story markdown format of `examples/stories/` (mojibake emoji included), written for the tests: src/trackers/fixtures. */
export function seedStoryPath(): string {
  return fileURLToPath(new URL("../../../trackers/fixtures/story-6.1.14.3-format.md", import.meta.url));
}

/** `**Field:** value` from the header. */
function field(text: string, name: string): string | undefined {
  const m = new RegExp(`^\\*\\*${name}:\\*\\*\\s*(.+?)\\s*$`, "m").exec(text);
  return m?.[1];
}

export function parseSeedStory(text: string, source: string): Story {
  const title = /^# Story [^:]+:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? "";
  const criteria = [...text.matchAll(/^\s*- \[( |x)\] (.+)$/gim)].map((m) => ({ text: m[2]!.trim(), done: m[1] !== " " }));
  const epic = field(text, "Epic");
  const priority = field(text, "Priority");
  return {
    id: field(text, "Story ID") ?? "",
    title,
    description: text,
    acceptanceCriteria: criteria,
    labels: [],
    components: [],
    ...(priority !== undefined ? { priority } : {}),
    ...(epic !== undefined ? { epic } : {}),
    source,
  };
}

export function loadSeedStory(): Story {
  const path = seedStoryPath();
  return parseSeedStory(readFileSync(path, "utf8"), path);
}

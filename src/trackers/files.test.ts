import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DevopsPackError } from "../core/errors.js";
import type { Story, TaskDraft } from "../core/stories/types.js";
import { idempotencyKey } from "../core/stories/types.js";
import { FilesTracker } from "./files.js";
import { readTaskFrontMatter } from "./story-markdown.js";

// A story in the story markdown format of `examples/stories/`, written for these tests (mojibake emoji, metadata block,
// Must/Should/Nice checkboxes, a quality-gate checklist after the criteria).
const SEED = readFileSync(join(import.meta.dirname, "fixtures/story-6.1.14.3-format.md"), "utf8");
const STORY_REL = "docs/stories/story-6.1.14.3.md";

let project: string;
let stories: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "files-tracker-"));
  stories = join(project, "docs/stories");
  mkdirSync(stories, { recursive: true });
  writeFileSync(join(project, STORY_REL), SEED);
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

function draft(story: Story): TaskDraft {
  return {
    title: `${story.title} - DevOps`,
    body: "## Story context\n\nExtract the DevOps patterns.\n",
    labels: ["devops", "infrastructure"],
    priority: "highest",
    storyPoints: 5,
    idempotencyKey: idempotencyKey("files", story.id),
  };
}

async function seedStory(tracker = new FilesTracker({ projectDir: project })): Promise<Story> {
  const s = await tracker.getStory("6.1.14.3");
  if (!s) throw new Error("seed story did not load");
  return s;
}

async function rejection(p: Promise<unknown>): Promise<DevopsPackError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DevopsPackError);
  return e as DevopsPackError;
}

const linkLines = (text: string): string[] => text.split("\n").filter((l) => l.startsWith("**DevOps Task:**"));
const taskFiles = (): string[] => readdirSync(stories).filter((f) => f.endsWith("-devops.md"));

describe("FilesTracker: loading stories", () => {
  it("loads the seed story from docs/stories", async () => {
    const s = await seedStory();
    expect(s.source).toBe(STORY_REL);
    expect(s.epic).toBe("Epic-6.1 - Agent Identity System");
    expect(s.priority).toBe("BLOCKED");
    expect(s.acceptanceCriteria).toHaveLength(16);
  });

  it("lists story ids from nested folders and .markdown/.txt files, skipping non-stories", async () => {
    mkdirSync(join(stories, "epic-2"), { recursive: true });
    writeFileSync(join(stories, "epic-2", "b.markdown"), "# Story 2.1: B\n");
    writeFileSync(join(stories, "c.txt"), "**Story ID:** 10.3\n# C\n");
    writeFileSync(join(stories, "README.md"), "# Stories\n");
    writeFileSync(join(stories, "notes.json"), '{"Story ID": "9"}');
    const tracker = new FilesTracker({ projectDir: project });
    expect(await tracker.listStoryIds()).toEqual(["10.3", "2.1", "6.1.14.3"]);
    expect((await tracker.getStory("2.1"))?.source).toBe("docs/stories/epic-2/b.markdown");
  });

  it("returns undefined for an unknown id", async () => {
    expect(await new FilesTracker({ projectDir: project }).getStory("6.1.14.4")).toBeUndefined();
  });

  it("honours another stories directory and names a missing one", async () => {
    mkdirSync(join(project, "stories"));
    writeFileSync(join(project, "stories", "x.md"), "# Story X-1: X\n");
    expect(await new FilesTracker({ projectDir: project, storiesDir: "stories" }).listStoryIds()).toEqual(["X-1"]);
    const e = await rejection(new FilesTracker({ projectDir: project, storiesDir: "nope" }).listStoryIds());
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toContain("No stories directory: nope does not exist");
  });

  it("refuses a symlinked story file and a stories directory outside the project", async () => {
    const outside = mkdtempSync(join(tmpdir(), "files-tracker-outside-"));
    try {
      writeFileSync(join(outside, "evil.md"), "# Story 6.6: Evil\n");
      symlinkSync(join(outside, "evil.md"), join(stories, "evil.md"));
      const e = await rejection(new FilesTracker({ projectDir: project }).getStory("6.6"));
      expect(e.code).toBe("REFUSED");
      expect(e.message).toContain("docs/stories/evil.md is a symlink");
      const out = await rejection(new FilesTracker({ projectDir: project, storiesDir: "../" }).listStoryIds());
      expect(out.code).toBe("REFUSED");
      expect(out.message).toContain("outside the project directory");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("refuses a symlinked docs folder above the stories directory", async () => {
    const outside = mkdtempSync(join(tmpdir(), "files-tracker-outside-"));
    try {
      mkdirSync(join(outside, "stories"));
      symlinkSync(outside, join(project, "elsewhere"));
      const e = await rejection(new FilesTracker({ projectDir: project, storiesDir: "elsewhere/stories" }).listStoryIds());
      expect(e.code).toBe("REFUSED");
      expect(e.message).toContain("elsewhere is a symlink");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("gives clear errors for huge, malformed and duplicate story files", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    writeFileSync(join(stories, "huge.md"), "x".repeat(2 * 1024 * 1024 + 1));
    let e = await rejection(tracker.listStoryIds());
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toBe("docs/stories/huge.md is 2097153 bytes; the limit is 2097152.");
    rmSync(join(stories, "huge.md"));

    writeFileSync(join(stories, "bad.md"), "# Story 7.1: A\n**Story ID:** 7.2\n");
    e = await rejection(tracker.listStoryIds());
    expect(e.message).toBe("docs/stories/bad.md: **Story ID:** 7.2 disagrees with the heading's 'Story 7.1'");
    rmSync(join(stories, "bad.md"));

    writeFileSync(join(stories, "bin.md"), Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x00]));
    e = await rejection(tracker.listStoryIds());
    expect(e.message).toContain("docs/stories/bin.md: binary content");
    rmSync(join(stories, "bin.md"));

    writeFileSync(join(stories, "copy.md"), SEED);
    e = await rejection(tracker.getStory("6.1.14.3"));
    expect(e.message).toBe(`Story 6.1.14.3 is defined twice: in docs/stories/copy.md and in ${STORY_REL}. Give each story its own id.`);
  });
});

describe("FilesTracker: tasks", () => {
  it("creates the task beside the story, links both ways, and finds it afterwards", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    const key = idempotencyKey("files", story.id);
    expect(await tracker.findTask(story, key)).toBeUndefined();

    const ref = await tracker.createTask(story, draft(story));
    const taskRel = "docs/stories/6.1.14.3-devops.md";
    expect(ref).toEqual({ id: taskRel, title: "DevOps Expansion Pack Extraction (DRAFT) - DevOps", location: taskRel });

    const task = readFileSync(join(project, taskRel), "utf8");
    expect(task).toContain("<!-- Generated by devops-pack story — review before applying -->");
    expect(task).toContain("**Story:** [Story 6.1.14.3: DevOps Expansion Pack Extraction (DRAFT)](story-6.1.14.3.md)");
    expect(task).toContain("Extract the DevOps patterns.");
    expect(readTaskFrontMatter(task, taskRel).value).toEqual({ id: taskRel, story: "6.1.14.3", title: ref.title, idempotency_key: key });
    expect(task).toMatch(/^story_points: 5$/m);
    expect(task).toMatch(/^priority: highest$/m);

    const storyText = readFileSync(join(project, STORY_REL), "utf8");
    expect(linkLines(storyText)).toEqual(["**DevOps Task:** [DevOps Expansion Pack Extraction (DRAFT) - DevOps](6.1.14.3-devops.md)"]);
    // Only the link was added: the story is otherwise byte for byte the same.
    expect(storyText.replace("\n**DevOps Task:** [DevOps Expansion Pack Extraction (DRAFT) - DevOps](6.1.14.3-devops.md)\n", "")).toBe(SEED);

    // A fresh tracker sees the link; the task file is not a story.
    const again = new FilesTracker({ projectDir: project });
    expect(await again.findTask(await seedStory(again), key)).toEqual(ref);
    expect(await again.listStoryIds()).toEqual(["6.1.14.3"]);
  });

  it("finds an unlinked task through its idempotency key", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    await tracker.createTask(story, draft(story));
    writeFileSync(join(project, STORY_REL), SEED); // the link line is gone
    mkdirSync(join(stories, "moved"));
    const text = readFileSync(join(stories, "6.1.14.3-devops.md"), "utf8");
    rmSync(join(stories, "6.1.14.3-devops.md"));
    writeFileSync(join(stories, "moved", "task.md"), text);
    expect(await tracker.findTask(story, idempotencyKey("files", story.id))).toEqual({
      id: "docs/stories/moved/task.md",
      title: "DevOps Expansion Pack Extraction (DRAFT) - DevOps",
      location: "docs/stories/moved/task.md",
    });
    expect(await tracker.findTask(story, "devops-pack-files-other-devops")).toBeUndefined();
  });

  it("two concurrent runs create one file, one link, and return the same TaskRef", async () => {
    const a = new FilesTracker({ projectDir: project });
    const b = new FilesTracker({ projectDir: project });
    const story = await seedStory(a);
    const [ra, rb] = await Promise.all([a.createTask(story, draft(story)), b.createTask(story, draft(story))]);
    // Same task; exactly one of the two runs created it, the other found it.
    const { existed: ea, ...refA } = ra;
    const { existed: eb, ...refB } = rb;
    expect(refA).toEqual(refB);
    expect([ea, eb].filter((e) => e === true)).toHaveLength(1);
    expect(taskFiles()).toEqual(["6.1.14.3-devops.md"]);
    expect(readdirSync(stories).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(linkLines(readFileSync(join(project, STORY_REL), "utf8"))).toHaveLength(1);
  });

  it("a second create returns the existing task and adds no second link", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    const first = await tracker.createTask(story, draft(story));
    const before = readFileSync(join(project, first.location), "utf8");
    const second = await tracker.createTask(story, { ...draft(story), body: "different" });
    expect(second).toEqual({ ...first, existed: true });
    expect(first.existed).toBeUndefined();
    expect(readFileSync(join(project, first.location), "utf8")).toBe(before);
    expect(linkLines(readFileSync(join(project, STORY_REL), "utf8"))).toHaveLength(1);
  });

  it("refuses to take over a file at the task path that is not this story's task", async () => {
    writeFileSync(join(stories, "6.1.14.3-devops.md"), "# My own notes\n");
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    const e = await rejection(tracker.createTask(story, draft(story)));
    expect(e.code).toBe("REFUSED");
    expect(e.message).toContain("docs/stories/6.1.14.3-devops.md already exists and is not the DevOps task");
    expect(readFileSync(join(stories, "6.1.14.3-devops.md"), "utf8")).toBe("# My own notes\n");
    expect(readFileSync(join(project, STORY_REL), "utf8")).toBe(SEED);
  });

  it("when linking fails, the task file is removed and the error thrown", async () => {
    const failing = new FilesTracker({
      projectDir: project,
      replaceFile: async () => {
        throw new Error("disk full");
      },
    });
    const story = await seedStory(failing);
    const e = await rejection(failing.createTask(story, draft(story)));
    expect(e.code).toBe("TRACKER");
    expect(e.message).toBe(
      `Could not link docs/stories/6.1.14.3-devops.md from ${STORY_REL}: disk full. The task file was removed; nothing was created.`,
    );
    expect(taskFiles()).toEqual([]);
    expect(readFileSync(join(project, STORY_REL), "utf8")).toBe(SEED);
    expect(await failing.findTask(story, idempotencyKey("files", story.id))).toBeUndefined();
  });

  it("replaces a dangling link instead of adding a second one", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    await tracker.createTask(story, draft(story));
    rmSync(join(stories, "6.1.14.3-devops.md"));
    expect(await tracker.findTask(story, idempotencyKey("files", story.id))).toBeUndefined();
    await tracker.createTask(story, draft(story));
    expect(existsSync(join(stories, "6.1.14.3-devops.md"))).toBe(true);
    expect(linkLines(readFileSync(join(project, STORY_REL), "utf8"))).toHaveLength(1);
  });

  it("refuses a task link that leaves the project or points at a symlink", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    const key = idempotencyKey("files", story.id);
    writeFileSync(join(project, STORY_REL), SEED.replace("**Created:** 2026-11-01  \n", "**Created:** 2026-11-01  \n\n**DevOps Task:** [x](../../../etc/passwd)\n"));
    expect((await rejection(tracker.findTask(story, key))).code).toBe("REFUSED");
    writeFileSync(join(project, "outside.md"), "x");
    symlinkSync(join(project, "outside.md"), join(stories, "link.md"));
    writeFileSync(join(project, STORY_REL), SEED.replace("**Created:** 2026-11-01  \n", "**Created:** 2026-11-01  \n\n**DevOps Task:** [x](link.md)\n"));
    const e = await rejection(tracker.findTask(story, key));
    expect(e.code).toBe("REFUSED");
    expect(e.message).toContain("docs/stories/link.md is a symlink");
  });

  it("reports a generated task file with broken front matter", async () => {
    const tracker = new FilesTracker({ projectDir: project });
    const story = await seedStory(tracker);
    writeFileSync(join(stories, "6.1.14.3-devops.md"), "---\n# Generated by devops-pack story\nid: [oops\n---\n");
    const e = await rejection(tracker.findTask(story, idempotencyKey("files", story.id)));
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toMatch(/^docs\/stories\/6\.1\.14\.3-devops\.md: front matter: /);
  });
});

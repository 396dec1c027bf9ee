/**
 * Stories and the DevOps tasks derived from them (the `/doe` command): the shapes the
 * derivation (src/agents/story, pure) and the tracker adapters
 * (src/trackers, the only code that uses the network) share.
 */

export type TrackerName = "files" | "jira" | "github";
export const TRACKERS: readonly TrackerName[] = ["files", "jira", "github"];

/** Priorities as the task carries them; each tracker maps them to its own scheme. */
export type Priority = "highest" | "high" | "medium" | "low" | "lowest";

export interface AcceptanceCriterion {
  text: string;
  done: boolean;
}

/** A product story, as loaded from a tracker. */
export interface Story {
  /** The tracker's id: `6.1.14.3` (files), `KAN-15` (Jira), `12` (GitHub issue number). */
  id: string;
  title: string;
  /** The story's body as markdown (Jira ADF is converted to text). */
  description: string;
  acceptanceCriteria: AcceptanceCriterion[];
  labels: string[];
  components: string[];
  /** The tracker's own priority text, e.g. "High", "🔴 BLOCKED", "P1". */
  priority?: string;
  epic?: string;
  /** Where the story lives: a file path or a URL. */
  source: string;
}

/** What the story command asks a tracker to create. */
export interface TaskDraft {
  /** `<story title> - DevOps` */
  title: string;
  /** The task description as markdown (the `/doe` task template, filled for this story). */
  body: string;
  labels: string[];
  priority: Priority;
  storyPoints: number;
  /**
   * A stable key derived from the tracker, the story id and the task kind. Stored
   * with the task (a label, a body marker or front matter) so that a retry or a
   * concurrent run finds the task instead of creating a second one.
   */
  idempotencyKey: string;
}

/** A DevOps task that exists in the tracker. */
export interface TaskRef {
  id: string;
  title: string;
  /** A file path or a URL. */
  location: string;
  /**
   * Set by createTask when the task turned out to exist already (a concurrent
   * run created it first): the caller then reports `created: false`.
   */
  existed?: boolean;
}

export interface Tracker {
  readonly name: TrackerName;
  /** The story, or undefined when no story has that id. */
  getStory(id: string): Promise<Story | undefined>;
  /** Every story id the tracker can see, for "did you mean" suggestions. */
  listStoryIds(): Promise<string[]>;
  /**
   * The DevOps task already linked to the story, or carrying the idempotency key.
   * Checked before creating and again, through the key, after any failure.
   */
  findTask(story: Story, idempotencyKey: string): Promise<TaskRef | undefined>;
  /**
   * Creates the task and links it to the story, all or nothing: when the link
   * cannot be made, the task is removed (or closed where removal is impossible)
   * and the error is thrown. A retried request never creates a second task.
   */
  createTask(story: Story, draft: TaskDraft): Promise<TaskRef>;
}

/** The idempotency key of a story's DevOps task. */
export function idempotencyKey(tracker: TrackerName, storyId: string): string {
  const safe = storyId.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `devops-pack-${tracker}-${safe}-devops`;
}

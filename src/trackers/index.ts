/**
 * The tracker adapters behind one interface, each loaded only when chosen.
 * Only code under src/trackers reaches the network.
 */
import { badInput } from "../core/errors.js";
import type { Tracker, TrackerName } from "../core/stories/types.js";
import { TRACKERS } from "../core/stories/types.js";
import { didYouMean } from "../core/suggest.js";

export interface TrackerOptions {
  projectDir: string;
  env: Record<string, string | undefined>;
  /** files tracker: where stories live, relative to the project. */
  storiesDir?: string;
}

export function trackerName(value: string | undefined, env: Record<string, string | undefined>): TrackerName {
  const v = value ?? env.DEVOPS_PACK_TRACKER ?? "files";
  if ((TRACKERS as readonly string[]).includes(v)) return v as TrackerName;
  throw badInput(`Unknown tracker '${v}'. Valid trackers: ${TRACKERS.join(", ")}.${didYouMean(v, TRACKERS)}`);
}

export async function makeTracker(name: TrackerName, opts: TrackerOptions): Promise<Tracker> {
  switch (name) {
    case "files": {
      const { FilesTracker } = await import("./files.js");
      return new FilesTracker({ projectDir: opts.projectDir, ...(opts.storiesDir !== undefined ? { storiesDir: opts.storiesDir } : {}) });
    }
    case "jira": {
      const { JiraTracker } = await import("./jira.js");
      return JiraTracker.fromEnv(opts.env);
    }
    case "github": {
      const { GitHubTracker } = await import("./github.js");
      return GitHubTracker.fromEnv(opts.env);
    }
  }
}

/**
 * The `files` tracker (the default): markdown stories under `docs/stories/`
 * in the story markdown format of `examples/stories/`, and DevOps tasks written as markdown beside them,
 * linked both ways with relative paths.
 *
 * Creation is all or nothing and safe under concurrency:
 * - the task file is published with an exclusive create (written to a private
 *   temp file, then hard-linked into place, which fails with EEXIST when the
 *   file exists), so two runs create one file and neither sees it half written;
 * - the story gets its `**DevOps Task:**` line through write-temp-and-rename;
 *   when that fails the task file is removed and the error thrown.
 * Symlinks and paths outside the project are refused; files are capped at
 * MAX_INPUT_BYTES.
 */
import { randomBytes } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { DevopsPackError, badInput, isDevopsPackError, refused } from "../core/errors.js";
import { readProjectFiles } from "../core/project-files.js";
import type { Story, TaskDraft, TaskRef, Tracker } from "../core/stories/types.js";
import { MAX_INPUT_BYTES } from "../core/yaml.js";
import { findTaskLink, readStoryMarkdown, readTaskFrontMatter, renderTaskFile, withTaskLink } from "./story-markdown.js";

const STORY_FILE = /\.(md|markdown|txt)$/i;

export interface FilesTrackerOptions {
  projectDir: string;
  /** Where stories live, relative to the project. */
  storiesDir?: string;
  /**
   * Replaces a file's content atomically (temp file + rename by default).
   * Injectable so that a test can make linking fail.
   */
  replaceFile?: (absPath: string, text: string) => Promise<void>;
}

/** Write `text` to a temp file beside `abs`, keeping the file's mode, then rename it over `abs`. */
export async function replaceFileAtomic(abs: string, text: string): Promise<void> {
  const tmp = join(dirname(abs), `.${basename(abs)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const mode = (await fsp.lstat(abs)).mode & 0o777;
  try {
    await fsp.writeFile(tmp, text, { flag: "wx", mode });
    await fsp.rename(tmp, abs);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

function errno(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

function toPosix(p: string): string {
  return p.split(sep).join("/");
}

export class FilesTracker implements Tracker {
  readonly name = "files" as const;
  private readonly root: string;
  private readonly storiesDir: string;
  private readonly replaceFile: (absPath: string, text: string) => Promise<void>;

  constructor(opts: FilesTrackerOptions) {
    this.root = resolve(opts.projectDir);
    this.storiesDir = opts.storiesDir ?? "docs/stories";
    this.replaceFile = opts.replaceFile ?? replaceFileAtomic;
  }

  async getStory(id: string): Promise<Story | undefined> {
    return (await this.loadStories()).get(id);
  }

  async listStoryIds(): Promise<string[]> {
    return [...(await this.loadStories()).keys()].sort();
  }

  async findTask(story: Story, idempotencyKey: string): Promise<TaskRef | undefined> {
    const storyAbs = await this.storyFile(story);
    const link = findTaskLink(await this.readText(storyAbs));
    if (link) {
      const abs = resolve(dirname(storyAbs), link.target);
      const rel = this.relInside(abs, `The DevOps Task link in ${this.rel(storyAbs)}`);
      if (await this.existsAsFile(abs, rel)) {
        const fm = readTaskFrontMatter(await this.readText(abs), rel);
        const title = (fm.ok ? fm.value?.title : undefined) ?? link.title;
        return { id: rel, title, location: rel };
      }
      // A dangling link: look for the task by its key; createTask replaces the line.
    }
    const expected = this.taskFile(storyAbs, story.id);
    if (await this.existsAsFile(expected, this.rel(expected))) {
      const ref = await this.taskWithKey(expected, idempotencyKey);
      if (ref) return ref;
    }
    for (const [rel, text] of await this.readStoryDir()) {
      const fm = this.frontMatter(text, rel);
      if (fm?.idempotency_key === idempotencyKey) return { id: rel, title: fm.title ?? rel, location: rel };
    }
    return undefined;
  }

  async createTask(story: Story, draft: TaskDraft): Promise<TaskRef> {
    const storyAbs = await this.storyFile(story);
    const taskAbs = this.taskFile(storyAbs, story.id);
    const taskRel = this.rel(taskAbs);
    const ref: TaskRef = { id: taskRel, title: draft.title, location: taskRel };
    const content = renderTaskFile({
      id: taskRel,
      story: { id: story.id, title: story.title },
      storyLink: toPosix(relative(dirname(taskAbs), storyAbs)),
      title: draft.title,
      labels: draft.labels,
      priority: draft.priority,
      storyPoints: draft.storyPoints,
      idempotencyKey: draft.idempotencyKey,
      body: draft.body,
    });

    if (!(await this.publish(taskAbs, content))) {
      // Another run (or an earlier one) created it. Ours only if it carries our key.
      const existing = await this.taskWithKey(taskAbs, draft.idempotencyKey);
      if (!existing) {
        throw refused(
          `Refused: ${taskRel} already exists and is not the DevOps task devops-pack writes for story ${story.id} (its idempotency_key differs); move it away or link it from the story with a **DevOps Task:** line.`,
          { path: taskRel },
        );
      }
      // The run that created it links it; linking again is idempotent and covers a run that died in between.
      await this.ensureLink(storyAbs, taskAbs, existing.title);
      return { ...existing, existed: true };
    }

    try {
      await this.ensureLink(storyAbs, taskAbs, draft.title);
    } catch (e) {
      await fsp.rm(taskAbs, { force: true });
      const why = e instanceof Error ? e.message : String(e);
      const message = `Could not link ${taskRel} from ${this.rel(storyAbs)}: ${why}. The task file was removed; nothing was created.`;
      throw new DevopsPackError(isDevopsPackError(e) ? e.code : "TRACKER", message, { path: this.rel(storyAbs), task: taskRel });
    }
    return ref;
  }

  // -------------------------------------------------------------------------

  /** Every story under the stories directory, by id. Malformed and duplicate stories are errors. */
  private async loadStories(): Promise<Map<string, Story>> {
    const stories = new Map<string, Story>();
    for (const [rel, text] of await this.readStoryDir()) {
      const r = readStoryMarkdown(text, rel);
      if (!r.ok) throw badInput(r.errors.map((e) => e.message).join("; "), { path: rel });
      const s = r.value;
      if (!s) continue;
      const other = stories.get(s.id);
      if (other) throw badInput(`Story ${s.id} is defined twice: in ${other.source} and in ${rel}. Give each story its own id.`, { path: rel });
      stories.set(s.id, s);
    }
    return stories;
  }

  /** The markdown and text files under the stories directory, through the project's safe reader. */
  private async readStoryDir(): Promise<Map<string, string>> {
    const abs = resolve(this.root, this.storiesDir);
    const rel = this.relInside(abs, `The stories directory ${this.storiesDir}`);
    if (!(await this.existsAsFile(abs, rel, "directory"))) {
      throw badInput(`No stories directory: ${this.storiesDir} does not exist in ${this.root}. Put story files there, or point the files tracker at another directory.`, { path: this.storiesDir });
    }
    try {
      return readProjectFiles(this.root, { roots: [this.storiesDir], include: (rel) => STORY_FILE.test(rel) });
    } catch (e) {
      throw isDevopsPackError(e) ? e : this.unreadable(e);
    }
  }

  private unreadable(e: unknown): DevopsPackError {
    const p = typeof e === "object" && e !== null && "path" in e && typeof e.path === "string" ? this.relLoose(e.path) : this.storiesDir;
    const code = errno(e);
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code ?? (e instanceof Error ? e.message : String(e));
    return badInput(`Cannot read ${p}: ${why}.`, { path: p });
  }

  /** The story's file, checked: inside the project, no symlink on the way, a regular file. */
  private async storyFile(story: Story): Promise<string> {
    const abs = resolve(this.root, story.source);
    const rel = this.relInside(abs, `Story ${story.id}'s file ${story.source}`);
    if (!(await this.existsAsFile(abs, rel))) throw badInput(`Story ${story.id}'s file ${rel} does not exist.`, { path: rel });
    return abs;
  }

  private taskFile(storyAbs: string, storyId: string): string {
    const safe = storyId.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "story";
    return join(dirname(storyAbs), `${safe}-devops.md`);
  }

  /** Exclusive create of a complete file: true when this call created it, false when it existed. */
  private async publish(abs: string, content: string): Promise<boolean> {
    const tmp = join(dirname(abs), `.${basename(abs)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await fsp.writeFile(tmp, content, { flag: "wx", mode: 0o644 });
      try {
        await fsp.link(tmp, abs);
        return true;
      } catch (e) {
        if (errno(e) === "EEXIST") return false;
        if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"].includes(errno(e) ?? "")) throw e;
      }
      // No hard links on this file system: a plain exclusive create.
      try {
        await fsp.writeFile(abs, content, { flag: "wx", mode: 0o644 });
        return true;
      } catch (e) {
        if (errno(e) === "EEXIST") return false;
        throw e;
      }
    } catch (e) {
      if (isDevopsPackError(e)) throw e;
      throw new DevopsPackError("TRACKER", `Could not write ${this.rel(abs)}: ${e instanceof Error ? e.message : String(e)}`, { path: this.rel(abs) });
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /** Add (or repair) the story's `**DevOps Task:**` line, unless it already points at the task. */
  private async ensureLink(storyAbs: string, taskAbs: string, title: string): Promise<void> {
    const text = await this.readText(storyAbs);
    const link = findTaskLink(text);
    if (link && resolve(dirname(storyAbs), link.target) === taskAbs) return;
    const storyRel = this.rel(storyAbs);
    try {
      await fsp.access(storyAbs, constants.W_OK);
    } catch {
      throw refused(`Refused: ${storyRel} is read-only; devops-pack will not change it.`, { path: storyRel });
    }
    await this.replaceFile(storyAbs, withTaskLink(text, title, toPosix(relative(dirname(storyAbs), taskAbs))));
  }

  private async taskWithKey(abs: string, key: string): Promise<TaskRef | undefined> {
    const rel = this.rel(abs);
    const fm = this.frontMatter(await this.readText(abs), rel);
    return fm?.idempotency_key === key ? { id: rel, title: fm.title ?? rel, location: rel } : undefined;
  }

  private frontMatter(text: string, rel: string): ReturnType<typeof readTaskFrontMatter>["value"] {
    const r = readTaskFrontMatter(text, rel);
    if (!r.ok) throw badInput(r.errors.map((e) => e.message).join("; "), { path: rel });
    return r.value;
  }

  /** One file's text: no symlinks, capped, with clear errors. */
  private async readText(abs: string): Promise<string> {
    const rel = this.relInside(abs, abs);
    if (!(await this.existsAsFile(abs, rel))) throw badInput(`${rel} does not exist.`, { path: rel });
    const st = await fsp.lstat(abs);
    if (st.size > MAX_INPUT_BYTES) throw badInput(`${rel} is ${st.size} bytes; the limit is ${MAX_INPUT_BYTES}.`, { path: rel });
    try {
      return await fsp.readFile(abs, "utf8");
    } catch (e) {
      throw this.unreadable(e);
    }
  }

  /**
   * Whether a regular file is at `abs`. Every path component below the
   * project root is checked: a symlink anywhere is refused, as is anything
   * that is not a regular file or directory.
   */
  private async existsAsFile(abs: string, rel: string, kind: "file" | "directory" = "file"): Promise<boolean> {
    const parts = relative(this.root, abs).split(sep);
    let cur = this.root;
    for (const [i, part] of parts.entries()) {
      cur = join(cur, part);
      let st;
      try {
        st = await fsp.lstat(cur);
      } catch (e) {
        if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return false;
        throw this.unreadable(e);
      }
      if (st.isSymbolicLink()) throw refused(`Refused: ${toPosix(relative(this.root, cur))} is a symlink; devops-pack does not follow symlinks.`, { path: rel });
      const last = i === parts.length - 1;
      if (last && !(kind === "file" ? st.isFile() : st.isDirectory())) throw badInput(`${rel} is not a ${kind === "file" ? "regular file" : "directory"}.`, { path: rel });
      if (!last && !st.isDirectory()) return false;
    }
    return true;
  }

  /** The project-relative POSIX path of `abs`, refusing paths outside the project. */
  private relInside(abs: string, what: string): string {
    if (abs !== this.root && !abs.startsWith(this.root + sep)) {
      throw refused(`Refused: ${what} is outside the project directory ${this.root}.`, { path: abs });
    }
    return this.rel(abs);
  }

  private rel(abs: string): string {
    return toPosix(relative(this.root, abs));
  }

  private relLoose(p: string): string {
    const abs = resolve(p);
    return abs.startsWith(this.root + sep) ? this.rel(abs) : p;
  }
}

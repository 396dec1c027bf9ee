import { createInterface } from "node:readline/promises";
import { badInput } from "../../../core/errors.js";
import { escapeBlock, escapeLabel } from "../../../core/text.js";
import { runStory } from "../../story.js";
import type { StoryOutcome } from "../../story.js";
import { optionalString } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";

const USAGE = "story <story-id> [--tracker files|jira|github] [--dry-run] [--tasks-out <dir>] [--json]";

async function askForId(ctx: CliContext): Promise<string> {
  const rl = createInterface({ input: ctx.stdin, output: process.stderr });
  try {
    const answer = (await rl.question("Story id: ")).trim();
    if (answer === "") throw badInput(`A story id is required. Usage: devops-pack ${USAGE}`);
    return answer;
  } finally {
    rl.close();
  }
}

function render(ctx: CliContext, o: StoryOutcome): void {
  const s = o.story;
  // Titles come from files and trackers: printed with control, bidi and zero-width characters escaped.
  const id = escapeLabel(s.id, 100);
  ctx.out(`story ${id}: ${escapeLabel(s.title)}${s.epic ? `  (epic: ${escapeLabel(s.epic)})` : ""}  [${o.tracker}: ${escapeLabel(s.source)}]`);
  if (o.task && !o.created) ctx.out(`DevOps task already exists, not created again: ${escapeLabel(o.task.title)} → ${escapeLabel(o.task.location)}`);
  else if (o.task) ctx.out(`created: ${escapeLabel(o.task.title)} → ${escapeLabel(o.task.location)} (linked to story ${id})`);
  else ctx.out(`dry run: would create "${escapeLabel(o.draft.title)}"`);
  ctx.out(`  labels: ${o.draft.labels.join(", ")}`);
  ctx.out(`  priority: ${o.draft.priority}${s.priority ? ` (story: ${s.priority})` : ""}   story points: ${o.draft.storyPoints} (complexity ${o.complexity.score}: ${o.complexity.factors.map((f) => `${f.name} ${f.points}`).join(", ")})`);
  ctx.out(`  needs: ${o.needs.map((n) => `${n.id} (${n.reason})`).join("; ") || "none derived"}`);
  if (o.requires.length) ctx.out(`  requires: ${o.requires.map((r) => `${r.team}: ${r.what}`).join("; ")}`);
  if (o.provides.length) ctx.out(`  provides: ${o.provides.map((r) => `${r.team}: ${r.what}`).join("; ")}`);
  ctx.out(`  targets: p95 < ${o.targets.p95Ms} ms, availability ${o.targets.availability}%, RTO ${o.targets.rto}, RPO ${o.targets.rpo}`);
  for (const f of o.tasksWritten) ctx.out(`  task file: ${f}`);
  if (o.dryRun) {
    ctx.out("");
    ctx.out(escapeBlock(o.draft.body));
  }
  for (const w of o.warnings) ctx.err(`warning: ${escapeLabel(w, 1000)}`);
}

export async function runStoryCommand(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw badInput(`One story id at a time. Usage: devops-pack ${USAGE}`);
  let id = positionals[0];
  if (id === undefined) {
    if (!ctx.stdin.isTTY) throw badInput(`A story id is required. Usage: devops-pack ${USAGE}`);
    id = await askForId(ctx);
  }
  const tasksOut = optionalString(values, "tasks-out");
  const tracker = optionalString(values, "tracker");
  const storiesDir = optionalString(values, "stories-dir");
  const outcome = await runStory(id, {
    projectDir: ctx.projectDir,
    dryRun: values["dry-run"] === true,
    ...(tracker !== undefined ? { tracker } : {}),
    ...(tasksOut !== undefined ? { tasksOut } : {}),
    ...(storiesDir !== undefined ? { storiesDir } : {}),
  });
  if (ctx.json) printJson(ctx, { ok: true, ...outcome });
  else render(ctx, outcome);
  return 0;
}

import { badInput } from "../../../core/errors.js";
import { MAX_INPUT_BYTES } from "../../../core/yaml.js";
import { runTask } from "../../../agents/manager/runtime.js";
import { wired } from "../../wiring.js";
import { onePositional, optionalString, readInputFile } from "../args.js";
import type { CliContext } from "../context.js";
import { printJson } from "../context.js";
import { planJson, renderPlan } from "../render.js";

async function readStdin(ctx: CliContext): Promise<string> {
  if (ctx.stdin.isTTY) throw badInput("run - reads the task from standard input, but standard input is a terminal. Pipe a task in, or give a file.");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk);
    size += b.length;
    if (size > MAX_INPUT_BYTES) throw badInput(`The task on standard input is larger than ${MAX_INPUT_BYTES} bytes.`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function runRun(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const source = onePositional(positionals, "task file (or - for standard input)", "run <task-file|->");
  const text = source === "-" ? await readStdin(ctx) : readInputFile(source, "Task file");
  const env = optionalString(values, "env");
  const outcome = await runTask(text, source === "-" ? "<stdin>" : source, { ...wired(ctx.projectDir), ...(env !== undefined ? { env } : {}) });
  const { plan, gates, verdict } = outcome;
  if (ctx.json) {
    printJson(ctx, { ok: verdict !== "failed", verdict, runId: outcome.runId, plan: planJson(plan), gates });
  } else {
    for (const line of renderPlan(plan, gates)) ctx.out(line);
    ctx.out("");
    if (verdict === "failed") ctx.out(`verdict: FAILED — plan ${plan.id} cannot be approved or applied.`);
    else if (verdict === "awaiting_approval") ctx.out(`verdict: gates passed, awaiting approval.\nnext: devops-pack plan show ${plan.id} --files, then devops-pack approve ${plan.id} --by <name>, then devops-pack apply ${plan.id} --dir <dir>`);
    else ctx.out(`verdict: gates passed.\nnext: devops-pack apply ${plan.id} --dir <dir>`);
  }
  return verdict === "failed" ? 1 : 0;
}

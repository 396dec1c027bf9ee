import type { CliContext } from "./context.js";

/**
 * The one error boundary: typed errors become their exit code and a clear
 * message (or a JSON error object); anything else is a bug, reported as such.
 */
export async function handleError(e: unknown, ctx: CliContext): Promise<number> {
  const { isDevopsPackError } = await import("../../core/errors.js");
  if (isDevopsPackError(e)) {
    if (ctx.json) ctx.out(JSON.stringify({ ok: false, error: e.toJSON() }, null, 2));
    else ctx.err(`error: ${e.message}`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (ctx.json) ctx.out(JSON.stringify({ ok: false, error: { code: "INTERNAL", message: err.message } }, null, 2));
  ctx.err(`internal error (a bug in devops-pack; please report it): ${err.stack ?? err.message}`);
  return 1;
}

import { resolve } from "node:path";

/** What every command receives. Output goes through these so tests can capture it. */
export interface CliContext {
  argv: string[];
  json: boolean;
  projectDir: string;
  out: (text: string) => void;
  err: (text: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Option definitions for node:util parseArgs (besides the global ones). */
  options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;
  examples: string[];
  allowPositionals: boolean;
  load: () => Promise<{ run: (ctx: CliContext, values: Record<string, unknown>, positionals: string[]) => Promise<number> }>;
}

export function projectDirFrom(values: Record<string, unknown>): string {
  const p = values.project;
  return resolve(typeof p === "string" ? p : (process.env.DEVOPS_PACK_PROJECT ?? process.cwd()));
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}

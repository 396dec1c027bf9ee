import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

export const REPO = join(import.meta.dirname, "../..");
export const BIN = join(REPO, "bin/devops-pack.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real, built CLI (npm test builds first) in `cwd`. */
export function cli(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, DEVOPS_PACK_ACTOR: "test", ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cliJson<T = Record<string, unknown>>(args: string[], opts: { cwd: string; input?: string }): { code: number; json: T; stderr: string } {
  const r = cli([...args, "--json"], opts);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

/** The same, asynchronously, for running many processes at once. */
export function cliAsync(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, DEVOPS_PACK_ACTOR: "test", ...opts.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

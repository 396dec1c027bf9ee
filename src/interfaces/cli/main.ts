import { parseArgs } from "node:util";
import { packageVersion as version } from "../../core/package-root.js";
import type { CliContext, CommandSpec } from "./context.js";
import { projectDirFrom } from "./context.js";
import { COMMANDS } from "./commands.js";
import { handleError } from "./boundary.js";

const GLOBAL_OPTIONS = {
  json: { type: "boolean" },
  project: { type: "string", short: "C" },
  help: { type: "boolean", short: "h" },
} as const;


function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    "devops-pack — typed DevOps tasks become reviewed, gated plans of real infrastructure files.",
    "",
    "Usage: devops-pack <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    "  --json             machine-readable output",
    "  -C, --project DIR  the project directory (default: the current directory)",
    "  -h, --help         help for a command",
    "  --version          print the version",
    "",
    "Examples:",
    "  devops-pack run examples/cicd.yaml",
    "  devops-pack approve 3f2a --by alice --reason 'reviewed the deploy job'",
    "  devops-pack apply 3f2a --dir .",
    "",
    "Exit codes: 0 ok; 1 gate or lint failure; 2 bad input; 3 refused (approval missing or stale, unsafe path).",
  ].join("\n");
}

function commandHelp(c: CommandSpec): string {
  const opts = Object.entries(c.options).map(([k, v]) => `  --${k}${v.type === "string" ? " <value>" : ""}${v.short ? ` (-${v.short})` : ""}`);
  return [
    `Usage: devops-pack ${c.usage}`,
    "",
    c.summary,
    ...(opts.length > 0 ? ["", "Options:", ...opts] : []),
    "  --json",
    "  -C, --project <dir>",
    "",
    "Examples:",
    ...c.examples.map((e) => `  ${e}`),
  ].join("\n");
}

function findCommand(args: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  // Two-word commands first ("plan list", "pack lint").
  const two = `${args[0]} ${args[1]}`;
  const spec2 = COMMANDS.find((c) => c.name === two);
  if (spec2) return { spec: spec2, rest: args.slice(2) };
  const spec1 = COMMANDS.find((c) => c.name === args[0]);
  if (spec1) return { spec: spec1, rest: args.slice(1) };
  return undefined;
}

export async function main(argv: string[], io: Partial<Pick<CliContext, "out" | "err" | "stdin">> = {}): Promise<number> {
  const out = io.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = io.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const stdin = io.stdin ?? process.stdin;
  const json = argv.includes("--json");
  if (argv[0] === "--version" || argv[0] === "-v") {
    out(json ? JSON.stringify({ version: version() }) : version());
    return 0;
  }
  const first = argv[0];
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const target = first === "help" && argv[1] ? findCommand(argv.slice(1)) : undefined;
    out(target ? commandHelp(target.spec) : topHelp());
    return 0;
  }
  const ctxBase = { argv, json, out, err, stdin };
  try {
    const found = findCommand(argv);
    if (!found) {
      const { badInput } = await import("../../core/errors.js");
      const { nearest } = await import("../../core/suggest.js");
      const names = [...new Set(COMMANDS.map((c) => c.name))];
      const close = nearest(argv.slice(0, 2).join(" "), names, 1)[0] ?? nearest(first, names, 1)[0];
      throw badInput(`Unknown command '${first}'.${close ? ` Did you mean ${close}?` : ""} Run devops-pack --help for the list.`);
    }
    const { spec, rest } = found;
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: spec.allowPositionals, strict: true });
    } catch (e) {
      const { badInput } = await import("../../core/errors.js");
      throw badInput(`${(e as Error).message}\nUsage: devops-pack ${spec.usage}`);
    }
    if (parsed.values.help) {
      out(commandHelp(spec));
      return 0;
    }
    const ctx: CliContext = { ...ctxBase, projectDir: projectDirFrom(parsed.values) };
    const mod = await spec.load();
    return await mod.run(ctx, parsed.values, parsed.positionals);
  } catch (e) {
    return handleError(e, { ...ctxBase, projectDir: process.cwd() });
  }
}

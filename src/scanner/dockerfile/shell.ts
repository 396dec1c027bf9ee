/**
 * A small POSIX-shell tokenizer for RUN instructions: enough to split a script
 * into simple commands and pipelines and to see each command's words (quotes
 * removed, with file positions), which is what the package, sudo and
 * `curl | sh` rules need. It does not evaluate anything.
 */
import type { Instruction, SourceText } from "./model.js";
import { positionIn } from "./text.js";

export interface ShellWord {
  /** Quotes removed; `$(…)`, `${…}` and backticks kept as written. */
  text: string;
  line: number;
  column: number;
}

export interface ShellCommand {
  /** Words after leading `VAR=value` assignments and shell keywords (`then`, `do`, `!`…). */
  words: ShellWord[];
  /** Commands of one pipeline share an id; `position` is 0 for the first. */
  pipeline: number;
  position: number;
  /** The pipeline has more commands after this one. */
  pipedInto: boolean;
}

const KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "case", "esac", "!", "{", "}", "time", "exec", "nohup", "command", "builtin"]);
const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"]);

interface RawWord {
  text: string;
  offset: number;
}

type Token = { kind: "word"; word: RawWord } | { kind: "op"; op: string };

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
}

function readWord(t: string, i: number): { text: string; end: number } {
  let out = "";
  let depth = 0;
  while (i < t.length) {
    const c = t[i]!;
    if (depth === 0 && (isSpace(c) || c === ";" || c === "&" || c === "|" || c === "<" || c === ">" || c === "(" || c === ")")) break;
    if (c === "\\" && i + 1 < t.length) {
      if (t[i + 1] !== "\n") out += t[i + 1]!;
      i += 2;
      continue;
    }
    if (c === "'") {
      const j = t.indexOf("'", i + 1);
      const end = j < 0 ? t.length : j;
      out += t.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < t.length && t[i] !== '"') {
        if (t[i] === "\\" && i + 1 < t.length && /[$`"\\\n]/.test(t[i + 1]!)) {
          if (t[i + 1] !== "\n") out += t[i + 1]!;
          i += 2;
          continue;
        }
        out += t[i]!;
        i++;
      }
      i++;
      continue;
    }
    if (c === "`") {
      const j = t.indexOf("`", i + 1);
      const end = j < 0 ? t.length : j + 1;
      out += t.slice(i, end);
      i = end;
      continue;
    }
    if (c === "$" && (t[i + 1] === "(" || t[i + 1] === "{")) {
      depth++;
      out += t.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (depth > 0 && (c === ")" || c === "}")) depth--;
    else if (depth > 0 && c === "(") depth++;
    out += c;
    i++;
  }
  return { text: out, end: i };
}

function tokenize(t: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let wordStart = true;
  while (i < t.length) {
    const c = t[i]!;
    if (c === "\n") {
      tokens.push({ kind: "op", op: "\n" });
      i++;
      wordStart = true;
      continue;
    }
    if (isSpace(c)) {
      i++;
      wordStart = true;
      continue;
    }
    if (c === "#" && wordStart) {
      while (i < t.length && t[i] !== "\n") i++;
      continue;
    }
    const op = /^(&&|\|\||;;|\|&|[;&|()])/.exec(t.slice(i, i + 2));
    if (op) {
      tokens.push({ kind: "op", op: op[1]! });
      i += op[1]!.length;
      wordStart = true;
      continue;
    }
    const redirect = /^[0-9]*(>>|>&|&>|>\||<<<|<<-?|<&|<>|>|<)/.exec(t.slice(i, i + 5));
    if (redirect) {
      tokens.push({ kind: "op", op: "redirect" });
      i += redirect[0].length;
      while (i < t.length && (t[i] === " " || t[i] === "\t")) i++;
      if (!/^[&0-9-]$/.test(t[i] ?? "") || redirect[1]!.endsWith("&")) {
        i = readWord(t, i).end; // the redirection target is not an argument
      }
      wordStart = true;
      continue;
    }
    const w = readWord(t, i);
    if (w.end === i) {
      i++;
      continue;
    }
    tokens.push({ kind: "word", word: { text: w.text, offset: i } });
    i = w.end;
    wordStart = false;
  }
  return tokens;
}

function stripPrefix(words: ShellWord[]): ShellWord[] {
  let k = 0;
  while (k < words.length) {
    const w = words[k]!.text;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || KEYWORDS.has(w)) k++;
    else if (w === "env" && k + 1 < words.length) k++;
    else break;
  }
  return words.slice(k);
}

/** Commands of one shell script, in order. */
export function parseScript(src: SourceText, firstPipeline = 0): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let current: ShellWord[] = [];
  let pipeline = firstPipeline;
  let position = 0;
  const flush = (piped: boolean) => {
    const words = stripPrefix(current);
    if (words.length > 0) {
      commands.push({ words, pipeline, position, pipedInto: piped });
      position++;
    }
    current = [];
    if (!piped) {
      pipeline++;
      position = 0;
    }
  };
  for (const tok of tokenize(src.text)) {
    if (tok.kind === "word") {
      const pos = positionIn(src, tok.word.offset);
      current.push({ text: tok.word.text, line: pos.line, column: pos.column });
    } else if (tok.op === "|" || tok.op === "|&") flush(true);
    else if (tok.op !== "redirect") flush(false);
  }
  flush(false);
  return commands;
}

/** The shell scripts a RUN instruction executes: its command line, and heredoc bodies fed to a shell. */
export function runScripts(ins: Instruction): SourceText[] {
  if (ins.keyword !== "RUN") return [];
  const at = { offset: 0, line: ins.line, column: ins.column };
  if (ins.exec !== undefined) {
    const [cmd, flag, script] = ins.exec;
    if (cmd !== undefined && SHELLS.has(cmd.replace(/^.*\//, "")) && flag?.startsWith("-") && flag.includes("c") && script !== undefined) {
      return [{ text: script, spans: [at] }];
    }
    return [{ text: ins.exec.map((w) => (/[\s"'\\$]/.test(w) ? `'${w.replace(/'/g, "'\\''")}'` : w)).join(" "), spans: [at] }];
  }
  const scripts: SourceText[] = [ins.args];
  if (ins.heredocs.length > 0) {
    const first = parseScript(ins.args)[0];
    const cmd = first?.words[0]?.text.replace(/^.*\//, "");
    if (first === undefined || (cmd !== undefined && SHELLS.has(cmd))) for (const h of ins.heredocs) scripts.push(h.body);
  }
  return scripts;
}

const commandCache = new WeakMap<Instruction, ShellCommand[]>();

/** Every simple command a RUN instruction executes (tokenised once per instruction). */
export function runCommands(ins: Instruction): ShellCommand[] {
  let commands = commandCache.get(ins);
  if (commands === undefined) {
    commands = [];
    for (const script of runScripts(ins)) {
      const next = commands.length === 0 ? 0 : commands[commands.length - 1]!.pipeline + 1;
      commands.push(...parseScript(script, next));
    }
    commandCache.set(ins, commands);
  }
  return commands;
}

/** Words of a command with a leading `sudo` (and its options) removed. */
export function withoutSudo(words: readonly ShellWord[]): ShellWord[] {
  if (words[0]?.text !== "sudo") return [...words];
  let k = 1;
  while (k < words.length && words[k]!.text.startsWith("-")) {
    const opt = words[k]!.text;
    k += /^-[ugCDhpRrTt]$/.test(opt) ? 2 : 1;
  }
  return words.slice(k);
}

/** The program a command runs (basename, after sudo). */
export function program(cmd: ShellCommand): string {
  return (withoutSudo(cmd.words)[0]?.text ?? "").replace(/^.*\//, "");
}

export function isShellProgram(name: string): boolean {
  return SHELLS.has(name);
}

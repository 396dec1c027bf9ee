import { isShellProgram, parseScript, program } from "../../dockerfile/shell.js";
import type { SourceText, Span } from "../../dockerfile/model.js";
import type { Evaluation } from "../../types.js";
import type { Located, Workflow } from "../model.js";
import { positionAt } from "../parse.js";
import { allSteps, fail, ghaRule, pass, soc2, stepResource, stepScope } from "./common.js";

/** The run: script as source text whose positions are the file's (block scalars keep their lines verbatim). */
function scriptSource(wf: Workflow, run: Located<string>): SourceText {
  const spans: Span[] = [];
  const raw = wf.text.slice(run.offset, run.end);
  let cursor = 0;
  let offset = 0;
  for (const line of run.value.split("\n")) {
    const trimmed = line.trimStart();
    const at = trimmed === "" ? -1 : raw.indexOf(trimmed, cursor);
    if (at >= 0) {
      const p = positionAt(wf, run.offset + at);
      spans.push({ offset: offset + (line.length - trimmed.length), line: p.line, column: p.column });
      cursor = at + trimmed.length;
    } else if (spans.length === 0) spans.push({ offset, line: run.line, column: run.column });
    offset += line.length + 1;
  }
  return { text: run.value, spans };
}

const DOWNLOADERS = new Set(["curl", "wget"]);
const SUBSTITUTED = /(?:\b(?:ba|z|k|da|a)?sh\b[^\n|;&]*?(?:<\(|-c\s+["']?\$\()|\bsource\s+<\(|\beval\s+["']?\$\()\s*(curl|wget)\b/;

export const remoteScriptRule = ghaRule(
  {
    id: "DP-GHA-014",
    severity: "medium",
    title: "Run steps do not pipe downloads into a shell",
    message: "A run: step executes a script fetched with curl or wget (curl … | bash), unpinned and unverified, with the job's token and secrets in reach.",
    recommendation: "Use a pinned action or a versioned release artifact and verify its SHA-256 before running it.",
    fix: 'run: |\n  curl -fsSLo install.sh https://example.com/install.sh\n  echo "${INSTALLER_SHA256}  install.sh" | sha256sum -c -\n  bash install.sh',
    aliases: [],
    compliance: [soc2("CC6.8", false), soc2("CC8.1", false)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    for (const { job, step } of allSteps(wf)) {
      if (!step.run) continue;
      const resource = stepResource(job, step);
      const src = scriptSource(wf, step.run);
      const commands = parseScript(src);
      let hit: { line: number; column: number; what: string } | undefined;
      for (const cmd of commands) {
        if (!cmd.pipedInto || !DOWNLOADERS.has(program(cmd))) continue;
        const sink = commands.find((c) => c.pipeline === cmd.pipeline && c.position > cmd.position && isShellProgram(program(c)));
        if (sink) {
          hit = { line: cmd.words[0]!.line, column: cmd.words[0]!.column, what: `${program(cmd)} | ${program(sink)}` };
          break;
        }
      }
      const m = hit ? null : SUBSTITUTED.exec(step.run.value);
      if (m) hit = { ...positionAt(wf, step.run.offset + Math.max(0, wf.text.slice(step.run.offset, step.run.end).indexOf(m[0].trim()))), what: m[0].trim() };
      if (hit) out.push(fail("DP-GHA-014", wf, resource, hit, `${resource} runs a downloaded script without verifying it (${hit.what}).`, stepScope(step)));
      else out.push(pass("DP-GHA-014", wf, resource, step.run, stepScope(step)));
    }
    return out;
  },
);

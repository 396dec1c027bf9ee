import type { Offence } from "./common.js";
import { dockerRule, perStage, soc2 } from "./common.js";
import { isShellProgram, program, runCommands, runScripts } from "../shell.js";
import { positionIn } from "../text.js";

const DOWNLOADERS = new Set(["curl", "wget"]);
/** `bash <(curl …)`, `sh -c "$(curl …)"`, `source <(wget -O- …)`, `eval "$(curl …)"`. */
const SUBSTITUTED = /(?:\b(?:ba|z|k|da|a)?sh\b[^\n|;&]*?(?:<\(|-c\s+["']?\$\()|\bsource\s+<\(|(?:^|[\s;&|])\.\s+<\(|\beval\s+["']?\$\()\s*(curl|wget)\b/g;

export const remoteScriptRule = dockerRule(
  {
    id: "DP-DOCKER-006",
    severity: "high",
    title: "No downloaded script is piped into a shell",
    message: "A script downloaded with curl or wget is executed directly (curl … | sh).",
    recommendation:
      "Download the script to a file, verify a pinned SHA-256 (or a signature), then run it — or install the tool from a package manager or a versioned release artifact.",
    fix: 'ARG INSTALLER_SHA256=<sha256>\nRUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\\n && echo "${INSTALLER_SHA256}  /tmp/install.sh" | sha256sum -c - \\\n && sh /tmp/install.sh && rm /tmp/install.sh',
    aliases: [],
    compliance: [soc2("CC6.8", true), soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-006", doc, (stage) => {
      const out: Offence[] = [];
      for (const ins of stage.instructions) {
        const commands = runCommands(ins);
        for (const cmd of commands) {
          if (!cmd.pipedInto || !DOWNLOADERS.has(program(cmd))) continue;
          const sink = commands.find((c) => c.pipeline === cmd.pipeline && c.position > cmd.position && isShellProgram(program(c)));
          if (sink === undefined) continue;
          const w = cmd.words[0]!;
          out.push({ line: w.line, column: w.column, instruction: ins, message: `"${ins.summary}" pipes ${program(cmd)} output straight into ${program(sink)}: a compromised or changed download runs as root during the build.` });
        }
        for (const script of runScripts(ins)) {
          if (!script.text.includes("curl") && !script.text.includes("wget")) continue;
          const re = new RegExp(SUBSTITUTED.source, "g");
          for (let m = re.exec(script.text); m !== null; m = re.exec(script.text)) {
            const pos = positionIn(script, m.index + m[0].lastIndexOf(m[1]!));
            out.push({ line: pos.line, column: pos.column, instruction: ins, message: `"${ins.summary}" runs the output of ${m[1]!} in a shell: a compromised or changed download runs as root during the build.` });
          }
        }
      }
      return out;
    }),
);

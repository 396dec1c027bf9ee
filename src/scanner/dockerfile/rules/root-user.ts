import type { Instruction } from "../model.js";
import { expandVars, splitWords } from "../text.js";
import { dockerRule, failed, finalStage, lineage, passed, soc2, stageLabel, varsAt } from "./common.js";

const ROOT = /^(root|0)(:.*)?$/;
/** Entry points that drop privileges before running the command (`gosu app node server.js`). */
const DROPPERS = new Set(["gosu", "su-exec", "setpriv", "chroot"]);

function dropsPrivileges(ins: Instruction | undefined): boolean {
  if (ins === undefined) return false;
  const words = ins.exec ?? splitWords(ins.args.text, "\\").map((w) => w.text);
  const prog = (words[0] ?? "").replace(/^.*\//, "");
  if (!DROPPERS.has(prog)) return false;
  if (prog === "setpriv") return words.some((w) => /^--reuid=(?!0$|root$)/.test(w));
  if (prog === "chroot") return words.some((w) => /^--userspec=(?!0[:$]|root[:$])/.test(w));
  const user = words[1];
  return user !== undefined && !user.startsWith("-") && !ROOT.test(user);
}

export const rootUserRule = dockerRule(
  {
    id: "DP-DOCKER-001",
    severity: "high",
    title: "The final stage runs as a non-root user",
    message: "The image's final stage runs as root.",
    recommendation:
      "Create an unprivileged user and switch to it with USER in the final stage (after the steps that need root). A container that runs as root turns any code-execution bug into root in the container and makes escapes far easier.",
    fix: "RUN groupadd --system app && useradd --system --gid app --uid 10001 app\nUSER 10001:10001",
    aliases: ["CKV_DOCKER_3", "CKV_DOCKER_8", "AVD-DS-0002", "DL3002"],
    compliance: [soc2("CC6.1", true), soc2("CC6.3", true)],
  },
  (doc) => {
    const stage = finalStage(doc);
    const label = stageLabel(stage);
    const scope = { startLine: stage.line, endLine: stage.endLine };
    let user: Instruction | undefined;
    let entry: Instruction | undefined;
    for (const s of lineage(doc, stage)) {
      const users = s.instructions.filter((i) => i.keyword === "USER");
      entry ??= s.instructions.filter((i) => i.keyword === "ENTRYPOINT" || i.keyword === "CMD").at(-1);
      if (users.length > 0) {
        user = users[users.length - 1];
        break;
      }
    }
    const id = "DP-DOCKER-001";
    if (user !== undefined) {
      const word = splitWords(user.args.text, doc.escape)[0]?.text ?? "";
      const value = expandVars(word, varsAt(doc, stage, user));
      if (value === "") {
        return [failed(id, doc, { line: user.line, column: user.column, instruction: user, resource: label, message: `${label} has an empty USER, so the container runs as root.` }, label)];
      }
      if (value !== undefined && ROOT.test(value)) {
        return [
          failed(id, doc, { line: user.line, column: user.column, instruction: user, resource: label, message: `${label} switches to ${value} with "${user.summary}" and never back, so the container runs as root.` }, label),
        ];
      }
      return [passed(id, doc, label, user.line, scope)];
    }
    if (dropsPrivileges(entry) || /nonroot/i.test(stage.image.tag ?? "")) return [passed(id, doc, label, stage.line, scope)];
    return [
      failed(
        id,
        doc,
        { line: stage.from.line, column: stage.from.column, instruction: stage.from, resource: label, message: `${label} (${stage.from.summary}) never sets USER, so the container runs as root unless the base image chose otherwise.` },
        label,
      ),
    ];
  },
);

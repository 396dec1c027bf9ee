import type { Instruction, Stage } from "../model.js";
import { positionIn, splitWords } from "../text.js";
import type { Offence } from "./common.js";
import { dockerRule, perStage, soc2 } from "./common.js";

interface Source {
  text: string;
  line: number;
  column: number;
}

const REMOTE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;
/** Local archives ADD unpacks: the one job COPY cannot do. */
const ARCHIVE = /\.(tar|tar\.(gz|bz2|xz|zst|lz|lzma|lzo|z)|tgz|tbz2?|tb2|txz|tlz|tzst|taz|gz|bz2|xz|zst)$/i;

function sources(ins: Instruction, escape: string): Source[] {
  if (ins.exec !== undefined) return ins.exec.slice(0, -1).map((text) => ({ text, line: ins.line, column: ins.column }));
  const words = splitWords(ins.args.text, escape);
  return words.slice(0, -1).map((w) => ({ text: w.text, ...positionIn(ins.args, w.offset) }));
}

function adds(stage: Stage): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === "ADD");
}

export const addRemoteRule = dockerRule(
  {
    id: "DP-DOCKER-004",
    severity: "medium",
    title: "ADD does not fetch remote URLs without a checksum",
    message: "ADD downloads a remote URL at build time without verifying what it got.",
    recommendation:
      "Download with curl and check a pinned SHA-256 in the same RUN, or use `ADD --checksum=sha256:<digest>` so a changed or tampered download fails the build.",
    fix: 'ARG TOOL_SHA256=<sha256>\nRUN curl -fsSLo /tmp/tool.tgz https://example.com/tool-1.2.3.tgz \\\n && echo "${TOOL_SHA256}  /tmp/tool.tgz" | sha256sum -c - \\\n && tar -xzf /tmp/tool.tgz -C /usr/local/bin && rm /tmp/tool.tgz',
    aliases: ["CKV_DOCKER_4"],
    compliance: [soc2("CC6.8", false), soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-004", doc, (stage) => {
      const out: Offence[] = [];
      for (const ins of adds(stage)) {
        if (ins.flags.some((f) => f.name === "checksum")) continue;
        const remote = sources(ins, doc.escape).find((s) => REMOTE.test(s.text));
        if (remote) {
          out.push({ line: remote.line, column: remote.column, instruction: ins, message: `"${ins.summary}" downloads ${remote.text.replace(/[?#].*$/, "")} without a checksum: whatever the server returns goes into the image.` });
        }
      }
      return out;
    }),
);

export const addLocalRule = dockerRule(
  {
    id: "DP-DOCKER-005",
    severity: "low",
    title: "COPY, not ADD, copies local files",
    message: "ADD is used to copy local files; ADD also unpacks archives and fetches URLs, which COPY never does.",
    recommendation: "Use COPY for files and directories; keep ADD only for local tar archives that should be unpacked.",
    fix: "COPY --chown=app:app ./dist /app/dist",
    aliases: ["CKV_DOCKER_4", "AVD-DS-0005", "DL3020"],
    compliance: [soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-005", doc, (stage) => {
      const out: Offence[] = [];
      for (const ins of adds(stage)) {
        const srcs = sources(ins, doc.escape);
        if (srcs.some((s) => REMOTE.test(s.text))) continue; // DP-DOCKER-004
        // `ADD file:<sha256> in /` is how `docker history` records a layer, not a build instruction to change.
        if (/^(file|multi|dir):[0-9a-f]{64}$/.test(srcs[0]?.text ?? "") && srcs[1]?.text === "in") continue;
        const local = ins.heredocs.length > 0 ? srcs[0] : srcs.find((s) => !ARCHIVE.test(s.text));
        if (local) out.push({ line: local.line, column: local.column, instruction: ins, message: `"${ins.summary}" copies ${local.text} with ADD; COPY does the same without ADD's implicit unpacking and downloading.`, fix: ins.summary.replace(/^ADD\b/i, "COPY") });
      }
      return out;
    }),
);

import { expandVars, positionIn, splitWords } from "../text.js";
import type { Offence } from "./common.js";
import { dockerRule, failed, finalStage, lineage, passed, perStage, soc2, stageLabel, varsAt } from "./common.js";
import { stageCommands } from "./packages.js";

export const healthcheckRule = dockerRule(
  {
    id: "DP-DOCKER-011",
    severity: "low",
    title: "The image defines a HEALTHCHECK",
    message: "The final stage has no HEALTHCHECK, so Docker cannot tell a hung container from a healthy one.",
    recommendation:
      "Add a HEALTHCHECK that probes the service cheaply (orchestrators with their own probes, such as Kubernetes, can still override it). `HEALTHCHECK NONE` counts as a deliberate choice.",
    fix: "HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \\\n  CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1",
    aliases: ["CKV_DOCKER_2", "AVD-DS-0026"],
    compliance: [soc2("CC7.2", false)],
  },
  (doc) => {
    const stage = finalStage(doc);
    const label = stageLabel(stage);
    const hc = lineage(doc, stage)
      .flatMap((s) => s.instructions)
      .find((i) => i.keyword === "HEALTHCHECK");
    if (hc) return [passed("DP-DOCKER-011", doc, label, hc.line, { startLine: stage.line, endLine: stage.endLine })];
    return [failed("DP-DOCKER-011", doc, { line: stage.from.line, column: stage.from.column, instruction: stage.from, resource: label, message: `${label} (${stage.from.summary}) has no HEALTHCHECK.` }, label)];
  },
);

export const sudoRule = dockerRule(
  {
    id: "DP-DOCKER-012",
    severity: "medium",
    title: "RUN does not use sudo",
    message: "A RUN instruction uses sudo.",
    recommendation: "Build steps already run as the current USER; switch with USER root … USER app around the steps that need root instead of installing and calling sudo, which also leaves a privilege-escalation path in the image.",
    fix: "USER root\nRUN apt-get update && apt-get install -y --no-install-recommends <pkg> && rm -rf /var/lib/apt/lists/*\nUSER app",
    aliases: ["CKV2_DOCKER_1", "AVD-DS-0010", "DL3004"],
    compliance: [soc2("CC6.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-012", doc, (stage) => {
      const out: Offence[] = [];
      for (const { ins, cmd } of stageCommands(stage)) {
        const w = cmd.words[0];
        if (w?.text === "sudo") out.push({ line: w.line, column: w.column, instruction: ins, message: `"${ins.summary}" calls sudo.` });
      }
      return out;
    }),
);

function coversPort22(spec: string): boolean {
  const port = spec.replace(/\/(tcp|udp|sctp)$/i, "");
  const range = /^(\d+)-(\d+)$/.exec(port);
  if (range) return Number(range[1]) <= 22 && 22 <= Number(range[2]);
  return port === "22";
}

export const sshPortRule = dockerRule(
  {
    id: "DP-DOCKER-013",
    severity: "medium",
    title: "The image does not expose SSH (port 22)",
    message: "EXPOSE 22 advertises an SSH server in the container.",
    recommendation: "Do not run sshd in containers; use `docker exec` / `kubectl exec` (audited, authenticated by the platform) for interactive access.",
    fix: "EXPOSE 8080   # the application port only",
    aliases: ["CKV_DOCKER_1", "AVD-DS-0004"],
    compliance: [soc2("CC6.6", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-013", doc, (stage) => {
      const out: Offence[] = [];
      for (const ins of stage.instructions) {
        if (ins.keyword !== "EXPOSE") continue;
        const vars = varsAt(doc, stage, ins);
        for (const w of splitWords(ins.args.text, doc.escape)) {
          const spec = expandVars(w.text, vars);
          if (spec !== undefined && spec.split(/\s+/).some(coversPort22)) {
            const pos = positionIn(ins.args, w.offset);
            out.push({ line: pos.line, column: pos.column, instruction: ins, message: `"${ins.summary}" exposes port 22 (SSH).` });
          }
        }
      }
      return out;
    }),
);

export const workdirRule = dockerRule(
  {
    id: "DP-DOCKER-014",
    severity: "low",
    title: "WORKDIR is an absolute path",
    message: "WORKDIR is a relative path, which depends on every earlier WORKDIR (and the base image's).",
    recommendation: "Use absolute paths for WORKDIR so the working directory is clear and does not change when the base image does.",
    fix: "WORKDIR /app",
    aliases: ["CKV_DOCKER_10", "AVD-DS-0009", "DL3000"],
    compliance: [soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-014", doc, (stage) => {
      const out: Offence[] = [];
      for (const ins of stage.instructions) {
        if (ins.keyword !== "WORKDIR") continue;
        const path = splitWords(ins.args.text, doc.escape)[0]?.text ?? "";
        if (path === "" || /^(\/|\\|[A-Za-z]:[\\/]|\$)/.test(path)) continue;
        out.push({ line: ins.line, column: ins.column, instruction: ins, message: `"${ins.summary}" is relative.`, fix: `WORKDIR /${path.replace(/^\.\//, "")}` });
      }
      return out;
    }),
);

const TLS_ENV: readonly { name: RegExp; value: RegExp }[] = [
  { name: /^NODE_TLS_REJECT_UNAUTHORIZED$/, value: /^0$/ },
  { name: /^GIT_SSL_NO_VERIFY$/, value: /^(1|true|yes)$/i },
  { name: /^PYTHONHTTPSVERIFY$/, value: /^0$/ },
  { name: /^NPM_CONFIG_STRICT_SSL$/i, value: /^false$/i },
  { name: /^PIP_TRUSTED_HOST$/, value: /./ },
  { name: /^GOINSECURE$/, value: /./ },
];

export const tlsVerificationRule = dockerRule(
  {
    id: "DP-DOCKER-016",
    severity: "high",
    title: "Downloads verify TLS certificates",
    message: "Certificate verification is turned off for a download (curl -k, wget --no-check-certificate, pip --trusted-host, git/npm/node settings).",
    recommendation: "Keep TLS verification on; if a private CA is involved, add its certificate to the image's trust store (update-ca-certificates) instead of disabling verification.",
    fix: "COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt\nRUN update-ca-certificates\nRUN curl -fsSLo /tmp/x.tgz https://artifacts.corp/x.tgz",
    aliases: ["CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4"],
    compliance: [soc2("CC6.7", true), soc2("CC6.8", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-016", doc, (stage) => {
      const out: Offence[] = [];
      for (const { ins, words, prog } of stageCommands(stage)) {
        let bad: { text: string; line: number; column: number } | undefined;
        if (prog === "curl") bad = words.find((w) => w.text === "--insecure" || /^-[a-zA-Z]*k[a-zA-Z]*$/.test(w.text));
        else if (prog === "wget") bad = words.find((w) => w.text === "--no-check-certificate");
        else if (/^pip[0-9.]*$|^python[0-9.]*$/.test(prog)) bad = words.find((w) => w.text === "--trusted-host" || w.text.startsWith("--trusted-host="));
        else if (prog === "git") bad = words.find((w, k) => /^http\.sslVerify(=false)?$/i.test(w.text) && (w.text.includes("=false") || /^(false|0)$/i.test(words[k + 1]?.text ?? "")));
        else if (prog === "npm" || prog === "yarn") bad = words.find((w, k) => /^(strict-ssl|strictSsl)$/.test(w.text) && /^false$/.test(words[k + 1]?.text ?? ""));
        if (bad) out.push({ line: bad.line, column: bad.column, instruction: ins, message: `${prog} ${bad.text} disables certificate verification: a network attacker can substitute what is downloaded.` });
      }
      for (const ins of stage.instructions) {
        if (ins.keyword !== "ENV") continue;
        for (const p of ins.pairs) {
          if (p.value !== undefined && TLS_ENV.some((t) => t.name.test(p.key) && t.value.test(p.value!))) {
            out.push({ line: p.line, column: p.column, instruction: ins, resource: `ENV ${p.key}`, message: `ENV ${p.key}=${p.value} disables certificate verification for every later step and at run time.` });
          }
        }
      }
      return out;
    }),
);


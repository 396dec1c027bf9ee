import { findKnownSecrets, isLiteralSecretValue, isSecretName } from "../../secrets/patterns.js";
import type { Instruction, Stage } from "../model.js";
import { splitWords } from "../text.js";
import type { Offence } from "./common.js";
import { dockerRule, finalStage, perStage, soc2 } from "./common.js";

/** Variables that hold a credential whatever their value: passing them as ARG or ENV bakes them into the image history or config. */
const CREDENTIAL_VARS = new Set([
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITLAB_TOKEN",
  "NPM_TOKEN",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "HF_TOKEN",
]);
/** Bundler prefixes that expose a variable to client code. */
const PUBLIC_PREFIXES = ["VITE_", "REACT_APP_", "NEXT_PUBLIC_"];
/** Variables that point at a credentials file. */
const CREDENTIAL_FILE_VARS = new Set(["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "GOOGLE_APPLICATION_CREDENTIALS", "HF_TOKEN_PATH"]);
const SETUP_COMMANDS = /\b(aws\s+configure\s+set\s+aws_(access_key_id|secret_access_key|session_token)|gcloud\s+auth\s+activate-service-account|az\s+login)\b/;

function credentialVar(name: string): boolean {
  const bare = PUBLIC_PREFIXES.reduce((n, p) => (n.startsWith(p) ? n.slice(p.length) : n), name);
  return CREDENTIAL_VARS.has(bare);
}

function copyDestinations(stage: Stage, escape: string): string[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY" || i.keyword === "ADD")
    .map((i) => (i.exec ?? splitWords(i.args.text, escape).map((w) => w.text)).at(-1) ?? "")
    .filter((d) => d !== "");
}

function normalise(p: string): string {
  return p.replace(/^(\.\/|\/)+/, "").replace(/^\.$/, "").replace(/\/+$/, "");
}

/** Is `value` (a path) inside one of the COPY destinations? `.` covers every relative path. */
function underCopy(value: string, dests: string[]): boolean {
  const v = normalise(value);
  return dests.some((d) => {
    const n = normalise(d);
    if (n === "") return d.startsWith("/") || !value.startsWith("/");
    return v === n || v.startsWith(`${n}/`);
  });
}

function pairOffences(ins: Instruction, final: boolean, dests: string[]): Offence[] {
  const out: Offence[] = [];
  for (const p of ins.pairs) {
    const resource = `${ins.keyword} ${p.key}`;
    const base = { line: p.line, column: p.column, instruction: ins, resource };
    if (final && credentialVar(p.key)) {
      out.push({ ...base, message: `${resource} passes a credential through ${ins.keyword}: its value ends up in the image ${ins.keyword === "ENV" ? "configuration" : "build history"} where anyone who can pull the image can read it.` });
      continue;
    }
    if (p.value === undefined) continue;
    if (isSecretName(p.key) && isLiteralSecretValue(p.value)) {
      out.push({ ...base, line: p.valueLine, column: p.valueColumn, message: `${resource} sets a literal secret value in the Dockerfile; it is readable in the repository and in every image built from it.` });
      continue;
    }
    const known = findKnownSecrets(p.value)[0];
    if (known) {
      out.push({ ...base, line: p.valueLine, column: p.valueColumn, message: `${resource} contains a ${known.name} (${known.redacted}).` });
      continue;
    }
    if (final && CREDENTIAL_FILE_VARS.has(p.key)) {
      if (underCopy(p.value, dests)) {
        out.push({ ...base, line: p.valueLine, column: p.valueColumn, message: `${resource} points at a credentials file copied into the image (${p.value}).` });
      }
    }
  }
  return out;
}

export const envSecretsRule = dockerRule(
  {
    id: "DP-DOCKER-007",
    severity: "high",
    title: "No secrets in ENV, ARG or image layers",
    message: "A secret is set in ENV or ARG, passed as a credential variable, or written into an image layer.",
    recommendation:
      "Use BuildKit secret mounts for build-time secrets (RUN --mount=type=secret) and inject runtime secrets from the orchestrator (Kubernetes Secret, ECS secrets); never bake them into ENV, ARG or a COPY.",
    fix: "# docker build --secret id=npm_token,env=NPM_TOKEN .\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci",
    aliases: ["CKV_DOCKER_1005", "AVD-DS-0031"],
    compliance: [soc2("CC6.1", true)],
  },
  (doc) => {
    const last = finalStage(doc);
    const dests = copyDestinations(last, doc.escape);
    return perStage("DP-DOCKER-007", doc, (stage) => {
      const final = stage === last;
      const out: Offence[] = [];
      for (const ins of stage.instructions) {
        if (ins.keyword === "ENV" || ins.keyword === "ARG") out.push(...pairOffences(ins, final, final ? dests : []));
        if (!final) continue;
        if ((ins.keyword === "COPY" || ins.keyword === "ADD") && ins.exec === undefined) {
          const dest = splitWords(ins.args.text, doc.escape).at(-1)?.text.replace(/^\$\{?|\}$/g, "");
          if (dest !== undefined && CREDENTIAL_FILE_VARS.has(dest)) out.push({ line: ins.line, column: ins.column, instruction: ins, message: `"${ins.summary}" copies a credentials file into the image.` });
        }
        if (ins.keyword === "RUN" && !ins.flags.some((f) => f.name === "mount" && /type=secret/.test(f.value ?? ""))) {
          const m = SETUP_COMMANDS.exec(ins.args.text);
          if (m) out.push({ line: ins.line, column: ins.column, instruction: ins, message: `"${ins.summary}" stores cloud credentials in an image layer (${m[0].replace(/\s+/g, " ")}) without a secret mount.` });
        }
      }
      return out;
    });
  },
);

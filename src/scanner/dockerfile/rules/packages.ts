import type { Instruction, Stage } from "../model.js";
import type { ShellCommand, ShellWord } from "../shell.js";
import { program, runCommands, withoutSudo } from "../shell.js";
import type { Offence } from "./common.js";
import { dockerRule, finalStage, perStage, soc2 } from "./common.js";

/** Each RUN of the stage with its commands. */
export function* stageCommands(stage: Stage): Generator<{ ins: Instruction; cmd: ShellCommand; words: ShellWord[]; prog: string }> {
  for (const ins of stage.instructions) {
    if (ins.keyword !== "RUN") continue;
    for (const cmd of runCommands(ins)) {
      const words = withoutSudo(cmd.words);
      yield { ins, cmd, words, prog: program(cmd) };
    }
  }
}

/** Index of the first non-option word equal to one of `subs` (the subcommand), or -1. */
function subcommand(words: readonly ShellWord[], subs: readonly string[], optionsWithValue: ReadonlySet<string>): number {
  for (let k = 1; k < words.length; k++) {
    const w = words[k]!.text;
    if (optionsWithValue.has(w)) {
      k++;
      continue;
    }
    if (w.startsWith("-")) continue;
    return subs.includes(w) ? k : -1;
  }
  return -1;
}

/** Non-option arguments after index `from`, skipping options that take a value. */
function operands(words: readonly ShellWord[], from: number, optionsWithValue: ReadonlySet<string>): ShellWord[] {
  const out: ShellWord[] = [];
  for (let k = from + 1; k < words.length; k++) {
    const w = words[k]!.text;
    if (optionsWithValue.has(w)) {
      k++;
      continue;
    }
    if (w.startsWith("-")) continue;
    out.push(words[k]!);
  }
  return out;
}

/** Dry runs install nothing: `apt-get install -s pkg` only asks whether it could. */
const SIMULATE = new Set(["-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon"]);
const APT_OPTS = new Set(["-o", "-c", "-t", "--target-release", "--default-release", "--option", "--config-file"]);
const APK_OPTS = new Set(["-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--cache-max-age"]);
const PIP_OPTS = new Set([
  "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
  "--prefix", "--root", "--src", "--upgrade-strategy", "--platform", "--python-version", "--implementation", "--abi", "--trusted-host", "--cache-dir",
  "--progress-bar", "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--global-option", "--install-option", "-C", "--config-settings",
  "--no-binary", "--only-binary", "--report", "--group", "--cert", "--client-cert",
]);
const NPM_OPTS = new Set(["--prefix", "--registry", "--cache", "--tag", "-w", "--workspace"]);

function isPip(words: readonly ShellWord[], prog: string): number {
  if (/^pip[0-9.]*$/.test(prog)) return 0;
  if (/^python[0-9.]*$/.test(prog)) {
    const m = words.findIndex((w) => w.text === "-m");
    if (m >= 0 && /^pip[0-9.]*$/.test(words[m + 1]?.text ?? "")) return m + 1;
  }
  return -1;
}

interface Unpinned {
  manager: string;
  packages: ShellWord[];
  fix: string;
}

function unpinnedIn(words: ShellWord[], prog: string): Unpinned | undefined {
  const unknown = (w: string) => /[$*`]/.test(w);
  if (words.some((w) => SIMULATE.has(w.text))) return undefined;
  if (prog === "apt-get" || prog === "apt") {
    const k = subcommand(words, ["install"], APT_OPTS);
    if (k < 0) return undefined;
    const pkgs = operands(words, k, APT_OPTS).filter((w) => !unknown(w.text) && !w.text.includes("=") && !w.text.includes("/") && !w.text.endsWith(".deb"));
    return { manager: prog, packages: pkgs, fix: `${prog} install -y --no-install-recommends ${pkgs.map((p) => `${p.text}=<version>`).join(" ")}` };
  }
  if (prog === "apk") {
    const k = subcommand(words, ["add"], APK_OPTS);
    if (k < 0) return undefined;
    const pkgs = operands(words, k, APK_OPTS).filter((w) => !unknown(w.text) && !/[=~<>]/.test(w.text) && !w.text.endsWith(".apk") && !w.text.startsWith("."));
    return { manager: "apk", packages: pkgs, fix: `apk add --no-cache ${pkgs.map((p) => `${p.text}=<version>`).join(" ")}` };
  }
  const pipAt = isPip(words, prog);
  if (pipAt >= 0) {
    const sub = words.slice(pipAt);
    const k = subcommand(sub, ["install"], PIP_OPTS);
    if (k < 0) return undefined;
    if (sub.some((w) => w.text === "-c" || w.text === "--constraint" || w.text.startsWith("--constraint="))) return { manager: "pip", packages: [], fix: "" };
    const pkgs = operands(sub, k, PIP_OPTS).filter(
      (w) => !unknown(w.text) && !/(==|~=|!=|<|>|@)/.test(w.text) && !/[/\\]/.test(w.text) && !w.text.startsWith(".") && !/\.(whl|tar\.gz|zip|tgz)$/i.test(w.text),
    );
    return { manager: "pip", packages: pkgs, fix: `pip install --no-cache-dir ${pkgs.map((p) => `${p.text.replace(/[<>~!].*$/, "")}==<version>`).join(" ")}` };
  }
  if (prog === "npm" || prog === "yarn" || prog === "pnpm") {
    const k = subcommand(words, prog === "npm" ? ["install", "i", "add", "isntall"] : ["add"], NPM_OPTS);
    const globalYarn = prog === "yarn" && words[1]?.text === "global" && words[2]?.text === "add" ? 2 : -1;
    const at = k >= 0 ? k : globalYarn;
    if (at < 0) return undefined;
    const pkgs = operands(words, at, NPM_OPTS).filter((w) => {
      const t = w.text;
      if (unknown(t) || /^(\.|\/|~|file:|git(\+|:)|https?:|github:)/.test(t) || /\.(tgz|tar\.gz)$/.test(t)) return false;
      const name = t.startsWith("@") ? t.slice(1) : t;
      return !/@./.test(name);
    });
    return { manager: prog, packages: pkgs, fix: `${prog} ${prog === "npm" ? "install" : "add"} ${pkgs.map((p) => `${p.text}@<version>`).join(" ")}` };
  }
  return undefined;
}

export const unpinnedPackagesRule = dockerRule(
  {
    id: "DP-DOCKER-008",
    severity: "low",
    title: "Installed packages are pinned to versions",
    message: "Packages are installed without a version (apt-get install pkg, apk add pkg, pip install pkg, npm install pkg).",
    recommendation:
      "Pin each package (apt-get install pkg=1.2-3, apk add pkg=1.2-r0, pip install pkg==1.2, npm install pkg@1.2) or install from a lockfile/requirements file, so rebuilds are reproducible and upgrades are reviewed.",
    fix: "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\\n && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir -r requirements.txt   # versions pinned (==) in the file",
    aliases: ["DL3008", "DL3013", "DL3016", "DL3018"],
    compliance: [soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-008", doc, (stage) => {
      const out: Offence[] = [];
      for (const { ins, words, prog } of stageCommands(stage)) {
        const u = unpinnedIn(words, prog);
        if (u === undefined || u.packages.length === 0) continue;
        const first = u.packages[0]!;
        const names = u.packages.slice(0, 5).map((p) => p.text).join(", ") + (u.packages.length > 5 ? `, … (${u.packages.length} in all)` : "");
        out.push({ line: first.line, column: first.column, instruction: ins, message: `${u.manager} installs ${names} without a version, so each rebuild can get different code.`, fix: u.fix });
      }
      return out;
    }),
);

function aptInstall(words: ShellWord[], prog: string): boolean {
  return prog === "apt-get" && subcommand(words, ["install"], APT_OPTS) >= 0 && !words.some((w) => SIMULATE.has(w.text));
}

export const noInstallRecommendsRule = dockerRule(
  {
    id: "DP-DOCKER-009",
    severity: "low",
    title: "apt-get install uses --no-install-recommends",
    message: "apt-get install pulls in recommended packages the image does not need.",
    recommendation: "Add --no-install-recommends: fewer packages means a smaller image and less attack surface.",
    fix: "RUN apt-get update && apt-get install -y --no-install-recommends <packages> && rm -rf /var/lib/apt/lists/*",
    aliases: ["AVD-DS-0029", "DL3015"],
    compliance: [soc2("CC7.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-009", doc, (stage) => {
      const out: Offence[] = [];
      for (const { ins, words, prog } of stageCommands(stage)) {
        if (!aptInstall(words, prog)) continue;
        const text = words.map((w) => w.text).join(" ");
        if (/--no-install-recommends|APT::Install-Recommends=(false|0|no)/i.test(text)) continue;
        const w = words[0]!;
        out.push({ line: w.line, column: w.column, instruction: ins, message: `"${ins.summary}" runs apt-get install without --no-install-recommends.` });
      }
      return out;
    }),
);

export const aptListsRule = dockerRule(
  {
    id: "DP-DOCKER-010",
    severity: "low",
    title: "apt lists are removed in the layer that downloads them",
    message: "apt-get update leaves /var/lib/apt/lists in the final image.",
    recommendation: "Remove the package lists in the same RUN as apt-get update (or use a BuildKit cache mount for /var/lib/apt), so stale indexes do not ship in the image.",
    fix: "RUN apt-get update \\\n && apt-get install -y --no-install-recommends <packages> \\\n && rm -rf /var/lib/apt/lists/*",
    aliases: ["DL3009"],
    compliance: [soc2("CC7.1", false)],
  },
  (doc) =>
    perStage(
      "DP-DOCKER-010",
      doc,
      (stage) => {
        const out: Offence[] = [];
        const seen = new Set<Instruction>();
        for (const { ins, words, prog } of stageCommands(stage)) {
          if (seen.has(ins) || !(prog === "apt-get" || prog === "apt") || words[1]?.text !== "update") continue;
          seen.add(ins);
          const script = ins.args.text + ins.heredocs.map((h) => h.body.text).join("\n");
          const cleaned = /\brm\s+(-[a-zA-Z]*\s+)*[^;&|]*\/var\/lib\/apt\/lists/.test(script) || /\bapt(-get)?\s+(-\S+\s+)*dist-clean\b/.test(script);
          const cached = ins.flags.some((f) => f.name === "mount" && /type=cache/.test(f.value ?? "") && /target=\/var\/lib\/apt/.test(f.value ?? ""));
          if (!cleaned && !cached) out.push({ line: words[0]!.line, column: words[0]!.column, instruction: ins, message: `"${ins.summary}" runs apt-get update without removing /var/lib/apt/lists in the same layer.` });
        }
        return out;
      },
      [finalStage(doc)],
    ),
);

export const aptUpgradeRule = dockerRule(
  {
    id: "DP-DOCKER-015",
    severity: "low",
    title: "No apt-get upgrade or dist-upgrade in the build",
    message: "The build runs apt-get upgrade/dist-upgrade, which makes the image depend on the day it was built.",
    recommendation: "Rebuild from an updated base image (pinned by digest) instead of upgrading packages inside the build; install specific package versions if you need a fix.",
    fix: "FROM debian:bookworm-20250113-slim   # newer base image instead of RUN apt-get upgrade",
    aliases: ["DL3005"],
    compliance: [soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-015", doc, (stage) => {
      const out: Offence[] = [];
      for (const { ins, words, prog } of stageCommands(stage)) {
        if (!["apt-get", "apt", "aptitude"].includes(prog)) continue;
        const k = subcommand(words, ["upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade"], APT_OPTS);
        if (k < 0) continue;
        out.push({ line: words[k]!.line, column: words[k]!.column, instruction: ins, message: `"${ins.summary}" runs ${prog} ${words[k]!.text}.` });
      }
      return out;
    }),
);

const UNSIGNED: readonly { prog: RegExp; flag: RegExp; what: string }[] = [
  { prog: /^(apt-get|apt|aptitude)$/, flag: /^(--allow-unauthenticated|--force-yes|--allow-insecure-repositories)$|AllowUnauthenticated=(true|1|yes)|AllowInsecureRepositories=(true|1|yes)/i, what: "package signature checks" },
  { prog: /^apk$/, flag: /^--allow-untrusted$/, what: "package signature checks" },
  { prog: /^(yum|dnf|microdnf|tdnf|zypper)$/, flag: /^(--nogpgcheck|--no-gpg-checks|--setopt=\*?\.?gpgcheck=0)$/, what: "GPG signature checks" },
  { prog: /^rpm$/, flag: /^--no(signature|digest|verify|filedigest)$/, what: "RPM signature and digest checks" },
];

export const unsignedPackagesRule = dockerRule(
  {
    id: "DP-DOCKER-017",
    severity: "high",
    title: "Package managers verify signatures",
    message: "A package manager is told to skip signature or digest verification.",
    recommendation: "Remove the option and import the repository's signing key instead; unsigned packages can be swapped in transit or on a mirror.",
    fix: "RUN curl -fsSL https://repo.example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/example.gpg \\\n && echo 'deb [signed-by=/usr/share/keyrings/example.gpg] https://repo.example.com stable main' > /etc/apt/sources.list.d/example.list",
    aliases: ["CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11"],
    compliance: [soc2("CC6.8", true), soc2("CC8.1", false)],
  },
  (doc) =>
    perStage("DP-DOCKER-017", doc, (stage) => {
      const out: Offence[] = [];
      for (const { ins, words, prog } of stageCommands(stage)) {
        const kind = UNSIGNED.find((u) => u.prog.test(prog));
        if (kind === undefined) continue;
        const bad = words.find((w) => kind.flag.test(w.text));
        if (bad) out.push({ line: bad.line, column: bad.column, instruction: ins, message: `${prog} ${bad.text} turns off ${kind.what}.` });
      }
      return out;
    }),
);

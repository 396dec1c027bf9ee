/**
 * The Dockerfile target: Dockerfiles and Containerfiles (multi-stage builds,
 * heredocs, exec and shell forms, `# escape=`), checked for root users,
 * unpinned base images and packages, remote downloads, secrets in ENV/ARG,
 * sudo, SSH, disabled TLS and signature checks, and missing health checks.
 */
import type { TargetScanner } from "../types.js";
import type { Dockerfile } from "./model.js";
import { claimsDockerfile, parseDockerfiles } from "./parse.js";
import { DOCKERFILE_RULES } from "./rules/index.js";

export type { Dockerfile, Instruction, Stage } from "./model.js";
export { parseDockerfile } from "./parse.js";

export const dockerfileTarget: TargetScanner<Dockerfile> = {
  target: "dockerfile",
  claims: (path) => claimsDockerfile(path),
  parse: parseDockerfiles,
  rules: DOCKERFILE_RULES,
};

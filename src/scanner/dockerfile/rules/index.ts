import type { Rule } from "../../types.js";
import type { Dockerfile } from "../model.js";
import { addLocalRule, addRemoteRule } from "./add.js";
import { envSecretsRule } from "./env-secrets.js";
import { digestPinRule, latestTagRule } from "./images.js";
import { healthcheckRule, sshPortRule, sudoRule, tlsVerificationRule, workdirRule } from "./misc.js";
import { aptListsRule, aptUpgradeRule, noInstallRecommendsRule, unpinnedPackagesRule, unsignedPackagesRule } from "./packages.js";
import { remoteScriptRule } from "./remote-script.js";
import { rootUserRule } from "./root-user.js";

/** The Dockerfile rules, in id order. */
export const DOCKERFILE_RULES: readonly Rule<Dockerfile>[] = [
  rootUserRule,
  latestTagRule,
  digestPinRule,
  addRemoteRule,
  addLocalRule,
  remoteScriptRule,
  envSecretsRule,
  unpinnedPackagesRule,
  noInstallRecommendsRule,
  aptListsRule,
  healthcheckRule,
  sudoRule,
  sshPortRule,
  workdirRule,
  aptUpgradeRule,
  tlsVerificationRule,
  unsignedPackagesRule,
];

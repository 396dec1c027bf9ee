import type { Rule } from "../../types.js";
import type { Workflow } from "../model.js";
import { cachePoisoningRule } from "./cache.js";
import { persistCredentialsRule } from "./checkout.js";
import { containerCredentialsRule, literalSecretsRule } from "./credentials.js";
import { templateInjectionRule } from "./injection.js";
import { insecureCommandsRule } from "./insecure-commands.js";
import { broadPermissionsRule, missingPermissionsRule } from "./permissions.js";
import { tokenToUnpinnedRule, unpinnedActionRule } from "./pinning.js";
import { remoteScriptRule } from "./remote-script.js";
import { secretsInheritRule } from "./reusable.js";
import { selfHostedRunnerRule } from "./runners.js";
import { dangerousTriggerRule, untrustedCheckoutRule } from "./triggers.js";

/** The GitHub Actions rules, in id order. */
export const GITHUB_ACTIONS_RULES: readonly Rule<Workflow>[] = [
  templateInjectionRule,
  unpinnedActionRule,
  broadPermissionsRule,
  missingPermissionsRule,
  untrustedCheckoutRule,
  dangerousTriggerRule,
  persistCredentialsRule,
  cachePoisoningRule,
  containerCredentialsRule,
  literalSecretsRule,
  selfHostedRunnerRule,
  secretsInheritRule,
  insecureCommandsRule,
  remoteScriptRule,
  tokenToUnpinnedRule,
];

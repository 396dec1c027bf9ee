import type { Rule } from "../../types.js";
import type { K8sDocument } from "../model.js";
import { containerRules } from "./container.js";
import { namespaceRules } from "./namespace.js";
import { networkRules } from "./network.js";
import { podRules } from "./pod.js";
import { rbacRules } from "./rbac.js";
import { secretRules } from "./secrets.js";

/** Every Kubernetes rule, in id order within each area. */
export const kubernetesRules: readonly Rule<K8sDocument>[] = [...podRules, ...containerRules, ...secretRules, ...namespaceRules, ...rbacRules, ...networkRules];

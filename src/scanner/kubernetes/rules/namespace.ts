import type { Rule } from "../../types.js";
import type { K8sDocument } from "../model.js";
import { cis, fail, objectRule, PASS, soc2 } from "./helpers.js";

/** The namespaced kinds Checkov's CKV_K8S_21 looks at. */
const NAMESPACED_KINDS = [
  "Pod",
  "Deployment",
  "DaemonSet",
  "StatefulSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
  "CronJob",
  "Service",
  "Secret",
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Ingress",
];

export const noDefaultNamespace = objectRule({
  meta: {
    id: "DP-K8S-NS-001",
    severity: "low",
    title: "Object is not in the default namespace",
    message: "The object is in the `default` namespace, or names no namespace and lands in whatever namespace it is applied to (usually `default`): RBAC, quotas and NetworkPolicies are hard to scope there.",
    recommendation: "Set `metadata.namespace` to a namespace dedicated to the application. The `default` ServiceAccount and the `kubernetes` Service are exempt.",
    fix: "metadata:\n  namespace: shop",
    aliases: ["CKV_K8S_21", "AVD-KSV-0110", "use-namespace"],
    compliance: [cis("5.7.4"), cis("5.7.1"), soc2("CC6.1")],
  },
  kinds: NAMESPACED_KINDS,
  appliesTo: (o) => !(o.kind === "ServiceAccount" && o.name === "default") && !(o.kind === "Service" && o.name === "kubernetes"),
  check(o) {
    if (o.namespace === undefined) return fail(["metadata"], `${o.kind} ${o.name ?? ""} names no namespace.`.replace("  ", " "));
    return o.namespace === "default" ? fail(["metadata", "namespace"], `${o.kind} ${o.name ?? ""} is in the default namespace.`.replace("  ", " ")) : PASS;
  },
});

export const namespaceRules: readonly Rule<K8sDocument>[] = [noDefaultNamespace];

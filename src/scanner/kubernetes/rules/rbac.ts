import type { Rule } from "../../types.js";
import type { K8sDocument, K8sObject, PathSegment } from "../model.js";
import { isMap, listAt, mapAt, stringAt, stringsAt } from "../workload.js";
import { cis, fail, objectRule, PASS, show, soc2 } from "./helpers.js";
import type { Verdict } from "./helpers.js";

const ROLE_KINDS = ["Role", "ClusterRole"];
const BINDING_KINDS = ["RoleBinding", "ClusterRoleBinding"];

interface PolicyRule {
  index: number;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

function policyRules(role: K8sObject): PolicyRule[] {
  const out: PolicyRule[] = [];
  listAt(role.raw, "rules").forEach((r, index) => {
    if (!isMap(r)) return;
    out.push({
      index,
      apiGroups: stringsAt(r, "apiGroups"),
      resources: stringsAt(r, "resources").map((s) => s.toLowerCase()),
      verbs: stringsAt(r, "verbs").map((s) => s.toLowerCase()),
      resourceNames: stringsAt(r, "resourceNames"),
    });
  });
  return out;
}

function rulePath(rule: PolicyRule, field?: string): PathSegment[] {
  return field === undefined ? ["rules", rule.index] : ["rules", rule.index, field];
}

/** The first policy rule matching `test`, as a failure; PASS when none does. */
function firstRule(role: K8sObject, test: (r: PolicyRule) => string | undefined, field?: string): Verdict {
  for (const r of policyRules(role)) {
    const message = test(r);
    if (message !== undefined) return fail(rulePath(r, field), message);
  }
  return PASS;
}

function anyOf(list: readonly string[], wanted: readonly string[]): string | undefined {
  return list.find((x) => wanted.includes(x));
}

/** Whether `list` has one of `wanted` (`anyOf` cannot say so for the core group, ""). */
function hasAny(list: readonly string[], wanted: readonly string[]): boolean {
  return list.some((x) => wanted.includes(x));
}

const RBAC_GROUPS = ["rbac.authorization.k8s.io", "*"];
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection", "impersonate", "*"];

export const noWildcardRbac = objectRule({
  meta: {
    id: "DP-K8S-RBAC-001",
    severity: "high",
    title: "Role grants no wildcard",
    message: "The Role or ClusterRole uses `*` in apiGroups, resources or verbs: it grants everything that exists now and every resource or verb added later (CRDs included).",
    recommendation: "List the exact apiGroups, resources and verbs the subject needs.",
    fix: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"configmaps\"]\n    verbs: [\"get\", \"list\", \"watch\"]",
    aliases: ["CKV_K8S_49", "wildcard-in-rules"],
    compliance: [cis("5.1.3"), soc2("CC6.1"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check(role) {
    for (const r of policyRules(role)) {
      for (const field of ["apiGroups", "resources", "verbs"] as const) {
        const values = field === "apiGroups" ? r.apiGroups : field === "resources" ? r.resources : r.verbs;
        const i = values.findIndex((v) => v.includes("*"));
        if (i >= 0) return fail([...rulePath(r, field), i], `Rule ${r.index} uses the wildcard "${values[i] ?? "*"}" in ${field}.`);
      }
    }
    return PASS;
  },
});

const SECRET_VERBS = ["get", "list", "watch", ...WRITE_VERBS];

export const secretsAccess = objectRule({
  meta: {
    id: "DP-K8S-RBAC-002",
    severity: "high",
    title: "Role grants no access to Secrets",
    message: "The Role or ClusterRole grants access to `secrets`: reading them yields every credential in scope, including tokens of more privileged service accounts.",
    recommendation: "Remove `secrets` from the rule, or restrict it with `resourceNames` to the one Secret the subject must read.",
    fix: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    resourceNames: [\"api-tls\"]\n    verbs: [\"get\"]",
    aliases: ["AVD-KSV-0041", "AVD-KSV-0113"],
    compliance: [cis("5.1.2"), soc2("CC6.1"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check(role) {
    return firstRule(role, (r) => {
      if (!r.resources.includes("secrets") || r.resourceNames.length > 0) return undefined;
      const verb = anyOf(r.verbs, SECRET_VERBS);
      return verb ? `Rule ${r.index} grants "${verb}" on secrets.` : undefined;
    });
  },
});

export const podExecAccess = objectRule({
  meta: {
    id: "DP-K8S-RBAC-003",
    severity: "high",
    title: "Role grants no exec or attach into pods",
    message: "The Role or ClusterRole grants `create` (or another write verb) on `pods/exec` or `pods/attach`: its holder gets a shell in any pod in scope, with that pod's service account and mounts.",
    recommendation: "Remove `pods/exec` and `pods/attach`; use a break-glass role bound only when needed.",
    fix: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"pods\", \"pods/log\"]\n    verbs: [\"get\", \"list\"]",
    aliases: ["AVD-KSV-0053", "AVD-KSV-0054"],
    compliance: [cis("5.1.4"), soc2("CC6.1"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check(role) {
    return firstRule(role, (r) => {
      const resource = anyOf(r.resources, ["pods/exec", "pods/attach"]);
      const verb = anyOf(r.verbs, WRITE_VERBS);
      return resource && verb ? `Rule ${r.index} grants "${verb}" on ${resource}.` : undefined;
    });
  },
});

/** `verbName` (or `*`) on RBAC roles; a rule scoped with `resourceNames` to named roles is the documented safe form. */
function rbacVerbRule(verbName: "escalate" | "bind", resources: readonly string[]) {
  return (role: K8sObject): Verdict =>
    firstRule(role, (r) => {
      if (!hasAny(r.apiGroups, RBAC_GROUPS)) return undefined;
      if (r.resourceNames.length > 0) return undefined;
      const resource = anyOf(r.resources, [...resources, "*"]);
      const verb = anyOf(r.verbs, [verbName, "*"]);
      return resource && verb ? `Rule ${r.index} grants "${verb}" on ${resource}.` : undefined;
    });
}

export const escalateVerb = objectRule({
  meta: {
    id: "DP-K8S-RBAC-004",
    severity: "high",
    title: "Role does not grant escalate on roles",
    message: "The Role or ClusterRole grants `escalate` on roles or clusterroles: its holder can write roles with more permissions than it has, bypassing RBAC's escalation check.",
    recommendation: "Remove `escalate`; only RBAC management controllers need it, scoped with `resourceNames`.",
    fix: "rules:\n  - apiGroups: [\"rbac.authorization.k8s.io\"]\n    resources: [\"roles\"]\n    verbs: [\"get\", \"list\"]",
    aliases: ["CKV_K8S_158", "escalate-verb-in-role"],
    compliance: [cis("5.1.8"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check: rbacVerbRule("escalate", ["roles", "clusterroles"]),
});

export const bindVerb = objectRule({
  meta: {
    id: "DP-K8S-RBAC-005",
    severity: "high",
    title: "Role does not grant bind on roles",
    message: "The Role or ClusterRole grants `bind` on roles or clusterroles (or their bindings): its holder can bind any role, including ones more powerful than its own, to any subject.",
    recommendation: "Remove `bind`, or restrict it with `resourceNames` to the roles the controller manages.",
    fix: "rules:\n  - apiGroups: [\"rbac.authorization.k8s.io\"]\n    resources: [\"clusterroles\"]\n    resourceNames: [\"app-reader\"]\n    verbs: [\"bind\"]",
    aliases: ["CKV_K8S_157", "bind-verb-in-role"],
    compliance: [cis("5.1.8"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check: rbacVerbRule("bind", ["roles", "clusterroles", "rolebindings", "clusterrolebindings"]),
});

const IMPERSONATION_RESOURCES = ["users", "groups", "serviceaccounts", "uids", "userextras/*", "*"];

export const impersonateVerb = objectRule({
  meta: {
    id: "DP-K8S-RBAC-006",
    severity: "high",
    title: "Role does not grant unrestricted impersonation",
    message: "The Role or ClusterRole grants `impersonate` on users, groups or service accounts without `resourceNames`: its holder can act as system:masters, i.e. cluster-admin.",
    recommendation: "Remove `impersonate`, or restrict it with `resourceNames` to the identities that may be impersonated.",
    fix: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"serviceaccounts\"]\n    resourceNames: [\"ci-deployer\"]\n    verbs: [\"impersonate\"]",
    aliases: ["impersonate-without-resource-names"],
    compliance: [cis("5.1.8"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check(role) {
    return firstRule(role, (r) => {
      if (r.resourceNames.length > 0 || !hasAny(r.apiGroups, ["", "*", "authentication.k8s.io"])) return undefined;
      const verb = anyOf(r.verbs, ["impersonate", "*"]);
      const resource = anyOf(r.resources, IMPERSONATION_RESOURCES);
      return verb && resource ? `Rule ${r.index} grants "${verb}" on ${resource} without resourceNames.` : undefined;
    });
  },
});

export const clusterAdminBinding = objectRule({
  meta: {
    id: "DP-K8S-RBAC-007",
    severity: "high",
    title: "No binding to cluster-admin",
    message: "A RoleBinding or ClusterRoleBinding grants the `cluster-admin` ClusterRole: its subjects can do anything (in the namespace for a RoleBinding, everywhere for a ClusterRoleBinding).",
    recommendation: "Bind a role that lists only the permissions the subject needs. Bindings named `system:*` (managed by Kubernetes) are exempt.",
    fix: "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: app-operator   # a least-privilege role",
    aliases: ["AVD-KSV-0111", "cluster-admin-role-binding"],
    compliance: [cis("5.1.1", true), soc2("CC6.3")],
  },
  kinds: BINDING_KINDS,
  appliesTo: (o) => !(o.name ?? "").startsWith("system:"),
  check(binding) {
    const roleRef = mapAt(binding.raw, "roleRef");
    return stringAt(roleRef, "name") === "cluster-admin" ? fail(["roleRef", "name"], `${binding.kind} ${binding.name ?? "-"} grants cluster-admin.`) : PASS;
  },
});

const WORKLOAD_GROUPS = ["", "apps", "batch", "extensions", "apps.openshift.io", "*"];
const WORKLOAD_RESOURCES = ["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "replicationcontrollers", "jobs", "cronjobs", "*"];

export const createPods = objectRule({
  meta: {
    id: "DP-K8S-RBAC-008",
    severity: "medium",
    title: "Role does not grant creating pods",
    message: "The Role or ClusterRole grants `create` on pods or pod controllers: its holder can start a pod with any service account, Secret or hostPath the admission policies allow, a common path to privilege escalation.",
    recommendation: "Grant create on workloads only to the deployment pipeline's service account, scoped to its namespace, and enforce pod security admission there.",
    fix: "rules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    verbs: [\"get\", \"list\", \"watch\"]",
    aliases: [],
    compliance: [cis("5.1.4"), soc2("CC6.3")],
  },
  kinds: ROLE_KINDS,
  check(role) {
    return firstRule(role, (r) => {
      if (!hasAny(r.apiGroups, WORKLOAD_GROUPS)) return undefined;
      const resource = anyOf(r.resources, WORKLOAD_RESOURCES);
      const verb = anyOf(r.verbs, ["create", "*"]);
      return resource && verb ? `Rule ${r.index} grants "${verb}" on ${resource}.` : undefined;
    });
  },
});

export const defaultServiceAccountBinding = objectRule({
  meta: {
    id: "DP-K8S-RBAC-009",
    severity: "medium",
    title: "No role is bound to a default service account",
    message: "A RoleBinding or ClusterRoleBinding grants permissions to a namespace's `default` ServiceAccount: every pod in that namespace without its own account inherits them.",
    recommendation: "Create a dedicated ServiceAccount for the workload and bind the role to it.",
    fix: "subjects:\n  - kind: ServiceAccount\n    name: api\n    namespace: shop",
    aliases: ["CKV_K8S_42"],
    compliance: [cis("5.1.5"), soc2("CC6.3")],
  },
  kinds: BINDING_KINDS,
  check(binding) {
    const subjects = listAt(binding.raw, "subjects");
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[i];
      if (isMap(s) && s["kind"] === "ServiceAccount" && s["name"] === "default") {
        return fail(["subjects", i, "name"], `${binding.kind} ${binding.name ?? "-"} binds the default service account.`);
      }
    }
    return PASS;
  },
});

export const defaultServiceAccountAutomount = objectRule({
  meta: {
    id: "DP-K8S-RBAC-010",
    severity: "medium",
    title: "Default service account does not mount its token",
    message: "The namespace's `default` ServiceAccount does not set `automountServiceAccountToken: false`: every pod that does not name an account gets an API token.",
    recommendation: "Set `automountServiceAccountToken: false` on each namespace's default ServiceAccount.",
    fix: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: shop\nautomountServiceAccountToken: false",
    aliases: ["CKV_K8S_41"],
    compliance: [cis("5.1.5"), cis("5.1.6"), soc2("CC6.1")],
  },
  kinds: ["ServiceAccount"],
  appliesTo: (o) => o.name === "default",
  check(sa) {
    const v = sa.raw["automountServiceAccountToken"];
    if (v === false) return PASS;
    return v === undefined ? fail(["metadata"], "The default ServiceAccount does not set automountServiceAccountToken: false.") : fail(["automountServiceAccountToken"], `The default ServiceAccount sets automountServiceAccountToken to ${show(v)}.`);
  },
});

export const rbacRules: readonly Rule<K8sDocument>[] = [
  noWildcardRbac,
  secretsAccess,
  podExecAccess,
  escalateVerb,
  bindVerb,
  impersonateVerb,
  clusterAdminBinding,
  createPods,
  defaultServiceAccountBinding,
  defaultServiceAccountAutomount,
];

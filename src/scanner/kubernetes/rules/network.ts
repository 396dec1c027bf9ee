import type { Evaluation, Rule } from "../../types.js";
import type { K8sDocument, K8sMap, K8sObject } from "../model.js";
import { isMap, listAt, mapAt, podLabels, stringAt, stringsAt, workloadOf } from "../workload.js";
import { cis, evaluation, fail, meta, objectRule, PASS, podRule, soc2 } from "./helpers.js";

/** Does a label selector (matchLabels + matchExpressions) select these labels? An empty selector selects everything. */
export function selects(selector: K8sMap, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(mapAt(selector, "matchLabels"))) {
    if (labels[k] !== String(v)) return false;
  }
  for (const expr of listAt(selector, "matchExpressions")) {
    if (!isMap(expr)) return false;
    const key = stringAt(expr, "key") ?? "";
    const values = listAt(expr, "values").map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (stringAt(expr, "operator")) {
      case "In":
        if (!has || !values.includes(labels[key] ?? "")) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key] ?? "")) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function podSelector(policy: K8sObject): K8sMap {
  return mapAt(policy.raw["spec"], "podSelector");
}

function isEmptySelector(selector: K8sMap): boolean {
  return Object.keys(mapAt(selector, "matchLabels")).length === 0 && listAt(selector, "matchExpressions").length === 0;
}

/** An ingress default-deny: selects every pod, is of type Ingress and allows nothing. */
export function isDefaultDenyIngress(policy: K8sObject): boolean {
  const spec = mapAt(policy.raw, "spec");
  if (!isEmptySelector(podSelector(policy))) return false;
  const types = stringsAt(spec, "policyTypes");
  const ingressType = types.length === 0 || types.includes("Ingress");
  return ingressType && listAt(spec, "ingress").length === 0;
}

export const podIsolated = podRule({
  meta: {
    id: "DP-K8S-NET-001",
    severity: "medium",
    title: "Pods are selected by a NetworkPolicy",
    message: "No NetworkPolicy in the scanned manifests selects this workload's pods in its namespace: they accept traffic from any pod in the cluster.",
    recommendation: "Add a NetworkPolicy whose podSelector matches the pods and allows only the expected peers (and a default-deny policy for the namespace).",
    fix: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: frontend\n      ports:\n        - port: 8080",
    aliases: ["CKV2_K8S_6", "non-isolated-pod"],
    compliance: [cis("5.3.2"), soc2("CC6.6")],
  },
  check(w, doc) {
    const labels = podLabels(w);
    const covered = doc.set.networkPoliciesIn(w.object).some((np) => selects(podSelector(np), labels));
    return covered ? PASS : fail(["kind"], `No NetworkPolicy in namespace ${w.object.namespace ?? "(unspecified)"} selects the pods of ${w.object.kind} ${w.object.name ?? "-"}.`);
  },
});

const defaultDenyMeta = meta({
  id: "DP-K8S-NET-002",
  severity: "medium",
  title: "Namespace has a default-deny NetworkPolicy",
  message: "The namespace runs workloads but the scanned manifests have no default-deny ingress NetworkPolicy for it: any pod not selected by another policy is open to the whole cluster.",
  recommendation: "Add a NetworkPolicy with an empty podSelector, policyTypes [Ingress, Egress] and no rules, then allow the needed flows with narrower policies. Evaluated once per namespace, at its first workload.",
  fix: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]",
  aliases: [],
  compliance: [cis("5.3.2"), soc2("CC6.6")],
});

/**
 * A namespace-level rule over the whole scan: evaluated once per namespace
 * that runs workloads, reported at the namespace's first workload (so each
 * namespace is evaluated in exactly one file).
 */
export const namespaceDefaultDeny: Rule<K8sDocument> = {
  meta: defaultDenyMeta,
  check(doc) {
    const out: Evaluation[] = [];
    for (const object of doc.objects) {
      if (!workloadOf(object) || doc.set.firstWorkloadIn(object) !== object) continue;
      const ns = object.namespace;
      const denied = doc.set.networkPoliciesIn(object).some(isDefaultDenyIngress);
      const e = evaluation(
        defaultDenyMeta,
        object,
        ["kind"],
        denied ? PASS : fail(["kind"], `Namespace ${ns ?? "(unspecified)"} has no default-deny ingress NetworkPolicy in the scanned manifests.`),
      );
      out.push({ ...e, resource: `Namespace/-/${ns ?? "-"}` });
    }
    return out;
  },
};

export const serviceNotExposed = objectRule({
  meta: {
    id: "DP-K8S-NET-003",
    severity: "low",
    title: "Service is not exposed on node ports or a cloud load balancer",
    message: "The Service is of type LoadBalancer or NodePort: it is reachable from outside the cluster (every node's port, or a cloud load balancer) without an Ingress or gateway in front.",
    recommendation: "Use a ClusterIP Service behind an Ingress or Gateway with TLS; if a load balancer is intended, restrict `loadBalancerSourceRanges` and suppress with a reason.",
    fix: "spec:\n  type: ClusterIP",
    aliases: ["exposed-services"],
    compliance: [soc2("CC6.6")],
  },
  kinds: ["Service"],
  check(svc) {
    const type = stringAt(svc.raw["spec"], "type");
    return type === "LoadBalancer" || type === "NodePort" ? fail(["spec", "type"], `Service ${svc.name ?? "-"} is of type ${type}.`) : PASS;
  },
});

export const ingressTls = objectRule({
  meta: {
    id: "DP-K8S-NET-004",
    severity: "medium",
    title: "Ingress terminates TLS",
    message: "The Ingress has no `tls` section: it serves plain HTTP, so credentials and session cookies cross the network in clear.",
    recommendation: "Add a `tls` entry with the hosts and a certificate Secret (e.g. issued by cert-manager).",
    fix: "spec:\n  tls:\n    - hosts: [shop.example.com]\n      secretName: shop-tls",
    aliases: [],
    compliance: [soc2("CC6.7")],
  },
  kinds: ["Ingress"],
  check(ing) {
    return listAt(ing.raw["spec"], "tls").length > 0 ? PASS : fail(["spec"], `Ingress ${ing.name ?? "-"} has no tls section.`);
  },
});

export const networkRules: readonly Rule<K8sDocument>[] = [podIsolated, namespaceDefaultDeny, serviceNotExposed, ingressTls];

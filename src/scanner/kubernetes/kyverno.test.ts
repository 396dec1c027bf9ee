import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubernetesTarget } from "./index.js";
import { KYVERNO_HEADER, KYVERNO_RULE_IDS, kyvernoPolicies, RULE_ID_ANNOTATION } from "./kyverno.js";

const ruleIds = new Set(kubernetesTarget.rules.map((r) => r.meta.id));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

describe("kyvernoPolicies", () => {
  const policies = kyvernoPolicies();

  it("covers the pod and container rules Kyverno can express", () => {
    for (const id of [
      "DP-K8S-CONTAINER-001", // privileged
      "DP-K8S-CONTAINER-002", // privilege escalation
      "DP-K8S-CONTAINER-003", // run as non-root
      "DP-K8S-CONTAINER-005", // read-only root fs
      "DP-K8S-CONTAINER-006", // drop ALL
      "DP-K8S-POD-001",
      "DP-K8S-POD-002",
      "DP-K8S-POD-003", // host namespaces
      "DP-K8S-POD-004", // hostPath
      "DP-K8S-CONTAINER-018", // latest tag
      "DP-K8S-CONTAINER-012",
      "DP-K8S-CONTAINER-013",
      "DP-K8S-CONTAINER-014",
      "DP-K8S-CONTAINER-015", // requests/limits
      "DP-K8S-CONTAINER-021", // seccomp
      "DP-K8S-POD-007", // automount
    ]) {
      expect(KYVERNO_RULE_IDS).toContain(id);
    }
    expect(policies).toHaveLength(KYVERNO_RULE_IDS.length);
  });

  it.each(policies.map((p) => [p.name, p.yaml] as const))("%s parses and is a well-formed enforcing ClusterPolicy", (name, text) => {
    expect(text.split("\n")[0]).toBe(`# ${KYVERNO_HEADER}`);
    expect(text).not.toMatch(/[&*]a\d+\b/); // no YAML anchors or aliases: reviewers read every pattern in full
    const docs = parseAllDocuments(text);
    expect(Array.isArray(docs) && docs.length).toBe(1);
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    expect(doc?.errors).toEqual([]);
    const policy: unknown = doc?.toJS();
    if (!isRecord(policy)) throw new Error("not a mapping");
    expect(policy["apiVersion"]).toBe("kyverno.io/v1");
    expect(policy["kind"]).toBe("ClusterPolicy");
    const metadata = policy["metadata"];
    if (!isRecord(metadata) || !isRecord(metadata["annotations"])) throw new Error("no metadata.annotations");
    expect(metadata["name"]).toBe(name);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(ruleIds.has(String(metadata["annotations"][RULE_ID_ANNOTATION]))).toBe(true);
    const spec = policy["spec"];
    if (!isRecord(spec) || !Array.isArray(spec["rules"])) throw new Error("no spec.rules");
    expect(spec["validationFailureAction"]).toBe("Enforce");
    expect(spec["background"]).toBe(true);
    expect(spec["rules"].length).toBeGreaterThan(0);
    for (const rule of spec["rules"] as unknown[]) {
      if (!isRecord(rule)) throw new Error("rule is not a mapping");
      expect(typeof rule["name"]).toBe("string");
      expect(rule["match"]).toEqual({ any: [{ resources: { kinds: ["Pod"] } }] });
      const validate = rule["validate"];
      if (!isRecord(validate)) throw new Error("no validate");
      expect(typeof validate["message"]).toBe("string");
      expect(["pattern", "anyPattern", "foreach"].filter((k) => k in validate)).toHaveLength(1);
    }
  });

  it("filters by rule id and skips ids without a Kyverno form", () => {
    const some = kyvernoPolicies(["DP-K8S-CONTAINER-001", "DP-K8S-RBAC-001"]);
    expect(some.map((p) => p.name)).toEqual(["dp-k8s-container-001-disallow-privileged"]);
  });

  it("renders the privileged pattern with Kyverno anchors", () => {
    const text = kyvernoPolicies(["DP-K8S-CONTAINER-001"])[0]?.yaml ?? "";
    expect(text).toContain("=(ephemeralContainers):");
    expect(text).toContain("=(privileged): \"false\"");
  });
});

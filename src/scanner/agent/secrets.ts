import { stringify } from "yaml";
import type { Artifact, Note } from "../../core/plans/plan.js";
import { artifact, markerLine } from "../../core/plans/plan.js";
import type { SecurityInput } from "./schema.js";

type Secrets = NonNullable<SecurityInput["secrets"]>;
type Store = NonNullable<Secrets["store"]>;

const AGENT = "devops_security";

function yamlDocs(docs: object[]): string {
  return `${markerLine(AGENT)}\n` + docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}

function provider(store: Store, serviceAccount: string): object {
  switch (store.kind) {
    case "aws-secrets-manager":
    case "aws-parameter-store":
      return {
        aws: {
          service: store.kind === "aws-secrets-manager" ? "SecretsManager" : "ParameterStore",
          region: store.region!,
          auth: { jwt: { serviceAccountRef: { name: serviceAccount } } },
        },
      };
    case "gcp-secret-manager":
      return { gcpsm: { projectID: store.project!, auth: { workloadIdentity: { serviceAccountRef: { name: serviceAccount } } } } };
    case "vault":
      return {
        vault: {
          server: store.server!,
          path: store.path ?? "secret",
          version: "v2",
          auth: { kubernetes: { mountPath: "kubernetes", role: serviceAccount, serviceAccountRef: { name: serviceAccount } } },
        },
      };
  }
}

/** External Secrets Operator: a namespaced SecretStore with its own identity, and one ExternalSecret per secret. */
function externalSecrets(s: Secrets): { artifacts: Artifact[]; notes: Note[] } {
  const ns = s.namespace!;
  const store = s.store!;
  const sa = `external-secrets-${ns}`.slice(0, 63);
  const storeName = `${ns}-${store.kind}`.slice(0, 63);
  const serviceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: sa, namespace: ns, ...(store.role_arn ? { annotations: { "eks.amazonaws.com/role-arn": store.role_arn } } : {}) },
    automountServiceAccountToken: false,
  };
  const secretStore = { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: storeName, namespace: ns }, spec: { provider: provider(store, sa) } };
  const externals = s.items.map((item) => ({
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: item.name, namespace: ns },
    spec: {
      refreshInterval: item.refresh_interval,
      secretStoreRef: { name: storeName, kind: "SecretStore" },
      target: { name: item.name, creationPolicy: "Owner", deletionPolicy: "Retain" },
      data: item.keys.map((key) => ({ secretKey: key, remoteRef: { key: item.remote_key, property: key } })),
    },
  }));
  const notes: Note[] = [
    { kind: "info", text: "Requires External Secrets Operator 0.17 or later (the external-secrets.io/v1 API) installed in the cluster." },
    { kind: "recommendation", text: `Mount the synced Secrets as files (volumes) rather than environment variables (CIS Kubernetes 5.4.1), and grant the ${sa} identity read access to only ${s.items.map((i) => i.remote_key).join(", ")}.` },
  ];
  if (store.kind.startsWith("aws") && !store.role_arn) notes.push({ kind: "warning", text: "No role_arn given: annotate the ServiceAccount with eks.amazonaws.com/role-arn (IRSA) or the store cannot authenticate." });
  return {
    artifacts: [
      artifact(`k8s/${ns}/external-secrets/secret-store.yaml`, "kubernetes", yamlDocs([serviceAccount, secretStore])),
      artifact(`k8s/${ns}/external-secrets/external-secrets.yaml`, "kubernetes", yamlDocs(externals)),
    ],
    notes,
  };
}

/** SOPS: one creation rule that encrypts only the data of Secret manifests under the given path. */
function sops(s: Secrets): { artifacts: Artifact[]; notes: Note[] } {
  const rule: Record<string, unknown> = { path_regex: s.path_regex, encrypted_regex: "^(data|stringData)$" };
  if (s.kms_arn) rule.kms = s.kms_arn;
  if (s.age_recipients.length > 0) rule.age = s.age_recipients.join(",");
  return {
    artifacts: [artifact(".sops.yaml", "yaml", `${markerLine(AGENT)}\n${stringify({ creation_rules: [rule] }, { lineWidth: 0 })}`)],
    notes: [
      { kind: "info", text: `Encrypt with \`sops --encrypt --in-place <file>\` for files matching ${s.path_regex}; only data/stringData are encrypted, so diffs of metadata stay readable.` },
      { kind: "recommendation", text: "Keep the private age keys or KMS decrypt permission out of CI jobs that do not deploy; never commit a decrypted file (add a pre-commit check that every file under the path has a sops: block)." },
    ],
  };
}

export function secretManagement(s: Secrets): { artifacts: Artifact[]; notes: Note[] } {
  return s.provider === "sops" ? sops(s) : externalSecrets(s);
}

import type { Rule } from "../../types.js";
import type { K8sDocument } from "../model.js";
import { isMap, listAt } from "../workload.js";
import { cis, containerLabel, containerRule, fail, PASS, soc2 } from "./helpers.js";

/** Names that say the value is a credential. */
const SECRET_NAME = /(secret|passw(or)?d|passwd|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth[_-]?key|client[_-]?key|signing[_-]?key|encryption[_-]?key|connection[_-]?string|dsn)/i;
/** …unless the name says the value is only where or what the credential is. */
const NOT_A_SECRET_NAME = /(_|-|\b)(file|path|dir|directory|name|names|ref|id|url_path|ttl|expiry|expires|expiration|timeout|length|len|enabled|enable|disabled|header|type|algorithm|algo|namespace|mount|key_name|secret_name|location|endpoint|size|count|mode|policy|version)$/i;
/** Values that are references, switches or placeholders, not credentials. */
const NOT_A_SECRET_VALUE =
  /^(\s*|\/.*|\.\.?\/.*|\$\(.*\)|\$\{.*\}|%\(.*\)s?|<[^>]*>|\{\{.*\}\}|true|false|yes|no|on|off|enabled|disabled|none|null|x+|\*+|your[-_ ]?\w*|replace[-_ ]?me|change[-_ ]?me|todo|tbd|dummy|example|placeholder)$/i;
/** An upper-case identifier such as `GOOGLE_API_KEY_VAL` is a placeholder substituted at deploy time. */
const PLACEHOLDER = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

export const noLiteralSecretInEnv = containerRule({
  meta: {
    id: "DP-K8S-SECRET-001",
    severity: "high",
    title: "No credential is hard-coded in a container environment variable",
    message: "An environment variable whose name denotes a credential (password, token, secret, API key…) has a literal value in the manifest: it is in Git, in `kubectl describe` and in every copy of the manifest.",
    recommendation: "Store the value in a Secret (managed by External Secrets Operator or SOPS) and mount it as a file; at minimum reference it with `valueFrom.secretKeyRef`.",
    fix: "volumeMounts:\n  - name: db-credentials\n    mountPath: /var/run/secrets/db\n    readOnly: true\n# volumes:\n#   - name: db-credentials\n#     secret:\n#       secretName: db-credentials",
    aliases: ["env-var-secret"],
    compliance: [cis("5.4.1"), soc2("CC6.1"), soc2("CC6.7")],
  },
  lists: ["initContainers", "containers", "ephemeralContainers"],
  check(c) {
    const env = listAt(c.container, "env");
    for (let i = 0; i < env.length; i++) {
      const e = env[i];
      if (!isMap(e)) continue;
      const name = e["name"];
      const value = e["value"];
      if (typeof name !== "string" || (typeof value !== "string" && typeof value !== "number")) continue;
      const text = String(value);
      if (SECRET_NAME.test(name) && !NOT_A_SECRET_NAME.test(name) && !NOT_A_SECRET_VALUE.test(text) && !PLACEHOLDER.test(text)) {
        return fail([...c.path, "env", i, "value"], `${containerLabel(c)} sets ${name} to a literal value.`);
      }
    }
    return PASS;
  },
});

export const secretsAsFiles = containerRule({
  meta: {
    id: "DP-K8S-SECRET-002",
    severity: "low",
    title: "Secrets are mounted as files, not environment variables",
    message: "The container reads a Secret through an environment variable (`secretKeyRef` or `envFrom.secretRef`): environment variables leak into crash dumps, child processes and logs, and do not follow Secret rotation.",
    recommendation: "Mount the Secret as a read-only volume and have the application read the file.",
    fix: "volumeMounts:\n  - name: api-credentials\n    mountPath: /var/run/secrets/api\n    readOnly: true\n# volumes:\n#   - name: api-credentials\n#     secret:\n#       secretName: api-credentials",
    aliases: ["CKV_K8S_35", "read-secret-from-env-var"],
    compliance: [cis("5.4.1"), soc2("CC6.1")],
  },
  lists: ["initContainers", "containers", "ephemeralContainers"],
  check(c) {
    const env = listAt(c.container, "env");
    for (let i = 0; i < env.length; i++) {
      const e = env[i];
      if (isMap(e) && isMap(e["valueFrom"]) && isMap(e["valueFrom"]["secretKeyRef"])) {
        return fail([...c.path, "env", i, "valueFrom", "secretKeyRef"], `${containerLabel(c)} reads Secret key into ${String(e["name"])} through an environment variable.`);
      }
    }
    const envFrom = listAt(c.container, "envFrom");
    for (let i = 0; i < envFrom.length; i++) {
      const e = envFrom[i];
      if (isMap(e) && isMap(e["secretRef"])) {
        return fail([...c.path, "envFrom", i, "secretRef"], `${containerLabel(c)} loads a whole Secret into its environment (envFrom.secretRef).`);
      }
    }
    return PASS;
  },
});

export const secretRules: readonly Rule<K8sDocument>[] = [noLiteralSecretInEnv, secretsAsFiles];

import type { TextFile } from "../model.js";
import { lineText, positionAt } from "../parse.js";
import { findAwsSecretKeys, findKnownSecrets, isLiteralSecretValue, isSecretName, redact, shannonEntropy } from "../patterns.js";
import type { SecretHit } from "./common.js";
import { secretCompliance, secretRule } from "./common.js";

/**
 * Calibration. A value is reported when it is at least {@link MIN_LENGTH}
 * characters long, passes the placeholder, reference and identifier filters,
 * and carries at least {@link MIN_ENTROPY} bits of Shannon entropy per
 * character. Measured on the 2,110-file public corpus, the project's src and
 * packs (577 files) and, as a stress set, its node_modules (6,426 text files):
 * after the filters, no value outside the test fixtures reached 3.0 bits;
 * generated credentials measure 3.9–5.0 (an 18-character random password
 * 3.95, a 40-character AWS secret 4.8), human-made passwords 3.2–4.0
 * (`Pr0d-db-p4ss!` 3.24, `hunter2-registry` 3.45, `S3cure!Registry#2024` 4.02),
 * while filler such as `hunter2hunter2` (2.81) and base64 `demo` stay below.
 * Values that spell out "password", "secret", "example", "test"… are treated
 * as stand-ins whatever their entropy.
 */
export const MIN_LENGTH = 8;
export const MIN_ENTROPY = 3.0;

const KEY_HINT = /pass|pwd|secret|token|key|credential/i;
/** `name = value`, `name: value`, `"name": "value"`, `name := "value"`, `name => 'value'`, `export NAME=value`. */
const ASSIGN =
  /(?<![A-Za-z0-9_.$-])(["']?)([A-Za-z_][A-Za-z0-9_.-]{1,80})\1[ \t]*(:=|=>|=|:)(?![=>:])[ \t]*(?:(["'`])((?:\\.|(?!\4)[^\\\r\n]){1,400})\4|([^\s"'`,;#(){}[\]<>]{1,400}))/g;

/** Words that, inside a value, mark it as a description or a stand-in rather than a credential. */
const VALUE_STOPWORDS = /(password|passwd|secret|token|credential|api[_-]?key|example|sample|test|dummy|default)/i;
const IDENTIFIER = [
  /^[a-z]+([._-][a-z0-9]+)*$/, // lower-case words: my-secret-name, github.token
  /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/, // ENV_VAR_NAME
  /^[a-z]+([A-Z][a-z0-9]*)+$/, // camelCase identifier
  /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/, // property path: config.auth.token
  /^[a-z]+$/i, // a single word
];

/** Would `value`, assigned to a secret-looking name, be reported? (Exported for calibration and tests.) */
export function isGenericSecretValue(value: string, minEntropy = MIN_ENTROPY): boolean {
  if (value.length < MIN_LENGTH) return false;
  // Credentials are ASCII; localised messages are not.
  if (!/^[\x21-\x7e]+$/.test(value)) return false;
  if (!isLiteralSecretValue(value)) return false;
  if (/^[!&*|>@%]/.test(value)) return false;
  if (VALUE_STOPWORDS.test(value)) return false;
  // Identifiers, also with a sigil at either end ("?NoLineTerminatorHere", ":memory:").
  const core = value.replace(/^[^A-Za-z0-9]|[^A-Za-z0-9]$/g, "");
  if (IDENTIFIER.some((re) => re.test(value) || re.test(core))) return false;
  if (/^[\w.-]+\.(json|pem|key|crt|cer|p12|pfx|jks|txt|ya?ml|env|conf|cfg|ini|asc|gpg|pub)$/i.test(value)) return false;
  if (/^(arn|projects|sha256|sha512|md5):/i.test(value)) return false;
  return shannonEntropy(value) >= minEntropy;
}

/**
 * Kubernetes Secret `data:` values and similar are base64: judge the decoded
 * text when it is printable, so `cGFzc3dvcmQ=` ("password") is a stand-in and
 * a real password is still found.
 */
function decoded(value: string): string {
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return value;
  const text = Buffer.from(value, "base64").toString("latin1");
  return /^[\x20-\x7e]+$/.test(text) ? text : value;
}

/** Spans already reported by a known-format rule: the generic rule does not report them twice. */
function knownSpans(doc: TextFile): [number, number][] {
  const known = [...findKnownSecrets(doc.content), ...findAwsSecretKeys(doc.content, (i) => positionAt(doc, i).line)];
  return known.map((h) => [h.index, h.index + h.secret.length]);
}

function find(doc: TextFile): SecretHit[] {
  const hits: SecretHit[] = [];
  let known: [number, number][] | undefined;
  if (!KEY_HINT.test(doc.content)) return hits;
  for (let line = 1; line <= doc.lineStarts.length; line++) {
    const text = lineText(doc, line);
    if (text.length > 4000 || !KEY_HINT.test(text)) continue;
    ASSIGN.lastIndex = 0;
    for (let m = ASSIGN.exec(text); m !== null; m = ASSIGN.exec(text)) {
      const name = m[2]!;
      const quoted = m[5];
      const bare = m[6];
      const value = quoted ?? bare;
      if (value === undefined) continue;
      if (bare !== undefined && doc.kind !== "config") continue;
      if (!isSecretName(name)) continue;
      if (!isGenericSecretValue(decoded(value))) continue;
      const index = doc.lineStarts[line - 1]! + m.index + m[0].lastIndexOf(value);
      known ??= knownSpans(doc);
      if (known.some(([a, b]) => a < index + value.length && index < b)) continue;
      hits.push({ index, label: `Value of ${name}`, redacted: redact(value, 3) });
    }
  }
  return hits;
}

export const genericSecretRule = secretRule(
  {
    id: "DP-SECRET-011",
    severity: "medium",
    title: "No hard-coded password, secret, token or API key assignment",
    message: "A password, secret, token or API key is assigned a literal, high-entropy value.",
    recommendation: `Move the value to a secret store (or an environment variable injected at run time), rotate it, and remove it from the history. Reported when a name such as password, secret, token or api_key gets a literal of at least ${MIN_LENGTH} characters with at least ${MIN_ENTROPY} bits of entropy per character; placeholders (changeme, <…>, \${…}, {{…}}, var.x, process.env, os.environ, REPLACE_ME, example, repeated characters) are not reported.`,
    fix: "password = os.environ[\"DB_PASSWORD\"]   # or: password = var.db_password (sensitive = true) fed from a secret store",
    aliases: ["CKV_SECRET_10"],
    compliance: secretCompliance(false),
  },
  find,
);

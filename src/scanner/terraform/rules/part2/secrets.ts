/**
 * Hard-coded secret detection for Terraform values: EC2 user data, Lambda
 * environment variables and ECS container environments.
 *
 * Two kinds of evidence:
 * - known credential formats (AWS access keys, private keys, GitHub, GitLab,
 *   Slack, Stripe, Google, npm and SendGrid tokens, URLs with a password);
 * - a sensitive name (password, secret, token, api key…) bound to a literal
 *   value. References (`var.x`, `${…}`, `$VAR`, ARNs, SSM or Secrets Manager
 *   paths) are not literals and never count.
 */

export interface SecretHit {
  /** What was found, e.g. "AWS access key ID" or "literal value for DB_PASSWORD". */
  kind: string;
}

interface Format {
  kind: string;
  re: RegExp;
}

const FORMATS: readonly Format[] = [
  { kind: "AWS access key ID", re: /(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])/ },
  {
    kind: "AWS secret access key",
    re: /(?:aws)?_?secret_?(?:access)?_?key["']?\s*(?:=>|[:=])\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i,
  },
  { kind: "private key", re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: "GitHub token", re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/ },
  { kind: "GitLab token", re: /(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,}/ },
  { kind: "Slack token", re: /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "Slack webhook URL", re: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+/ },
  { kind: "Stripe live key", re: /(?<![A-Za-z0-9])(?:sk|rk)_live_[A-Za-z0-9]{16,}/ },
  { kind: "Google API key", re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
  { kind: "npm token", re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
  { kind: "SendGrid API key", re: /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/ },
];

/** scheme://user:password@host with a literal password. */
const URL_WITH_PASSWORD = /(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/"'${}]+:([^\s@/"']+)@[^\s"']+/gi;

/** Name fragments that make a variable sensitive (matched on the lower-cased, `_`-normalised name). */
const SENSITIVE_NAME = /(?:^|_)(?:password|passwd|pass|secret|secret_key|token|api_?key|private_?key|access_?key|client_?secret|auth_?token|credentials?|signing_?key|encryption_?key|master_?key)(?:_|$)|password|passwd|secret|token|apikey/;

/** Suffixes and prefixes naming something about a secret rather than the secret itself. */
const NOT_A_SECRET_NAME =
  /(?:_(?:arn|arns|id|ids|name|names|file|path|paths|dir|url|uri|type|length|len|ttl|expiry|expiration|expires|timeout|version|endpoint|enabled|enable|policy|rotation|header|field|ref|param|parameter|key_id|kms_key|location|prefix|suffix|count|size|mode|format|secret_name|secret_arn|source|provider|store|manager|min|max|required|age|days|hash|hashed|salt|algorithm|env|var|duration|lifetime|regex|pattern|placeholder))$|^(?:token_type|no_|skip_|use_|enable_|disable_|is_|has_|allow_)/;

export function isSensitiveName(name: string): boolean {
  const n = name.trim().toLowerCase().replace(/[-.\s]+/g, "_");
  if (n === "" || NOT_A_SECRET_NAME.test(n)) return false;
  if (n.includes("secretsmanager") || n.includes("ssm_") || n.includes("vault")) return false;
  return SENSITIVE_NAME.test(n);
}

const REFERENCE_VALUE: readonly RegExp[] = [
  /\$\{/, // Terraform or shell interpolation
  /\$\(/, // command substitution
  /^\$[A-Za-z_{]/, // shell variable
  /\{\{/, // templates (Helm, Jinja, SSM documents)
  /^%[A-Za-z({]/, // printf/format placeholders
  /^(?:var|local|data|module|each|count|path|self|terraform)\./,
  /^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\./, // resource reference: aws_x.name.attr
  /^arn:/i,
  /^(?:ssm|secretsmanager|secrets-manager|vault|ref\+|resolve|aws-sm|aws-ssm|sm):/i,
  /^(?:~|\.{1,2})?\/[\w.@/-]*$/, // a file path
  /^(?:https?|file|s3|gs):\/\/[^:@/\s]+(?:[/?#]|$)/i, // a URL without credentials
];

const PLACEHOLDER_VALUE: readonly RegExp[] = [
  /^<[^>]*>$/,
  /^\[[^\]]*\]$/,
  /^(?:x+|\*+|\.+|-+|_+|#+|0+)$/i,
  /^(?:your|my)[-_ ]/i,
  /replace[-_ ]?me/i,
  /^(?:true|false|null|nil|none|yes|no|on|off|empty|undefined|required|optional|enabled|disabled)$/i,
];

/** Is `value` a literal that looks like it could be a secret (not a reference, flag or placeholder)? */
export function isLiteralSecretValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return false;
  if (/^-?\d+(?:\.\d+)?$/.test(v)) return false;
  if (REFERENCE_VALUE.some((re) => re.test(v))) return false;
  if (PLACEHOLDER_VALUE.some((re) => re.test(v))) return false;
  return true;
}

/** A whole value that has the shape of an AWS secret access key. */
export function looksLikeAwsSecretKey(value: string): boolean {
  const v = value.trim();
  return /^[A-Za-z0-9/+]{40}$/.test(v) && /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v);
}

function formatHits(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const f of FORMATS) if (f.re.test(text)) hits.push({ kind: f.kind });
  for (const m of text.matchAll(URL_WITH_PASSWORD)) {
    const password = m[1] ?? "";
    if (isLiteralSecretValue(password) || (password.length >= 3 && !/^[$%{<*]/.test(password))) {
      hits.push({ kind: "URL with an embedded password" });
      break;
    }
  }
  return hits;
}

/** `NAME=value`, `NAME: value`, `"NAME": "value"`, `NAME => value`, `export NAME="value"`. */
const ASSIGNMENT =
  /(?<![A-Za-z0-9_$.-])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?:=>|:|=)[ \t]*(?:\\?"([^"\n]*?)\\?"|\\?'([^'\n]*?)\\?'|([^\s"'#;,}\])\\]+))/g;

/**
 * Longest text searched. EC2 user data is at most 16 KB (64 KB for launch
 * templates); anything much longer is not a script, and a bound keeps hostile
 * input cheap.
 */
export const MAX_SCANNED_CHARS = 256 * 1024;

/** Secrets in free text: scripts, cloud-init, JSON or HCL source. */
export function findSecretsInText(input: string): SecretHit[] {
  const text = input.length > MAX_SCANNED_CHARS ? input.slice(0, MAX_SCANNED_CHARS) : input;
  const hits = formatHits(text);
  for (const m of text.matchAll(ASSIGNMENT)) {
    const name = m[1] ?? "";
    const value = m[2] ?? m[3] ?? m[4] ?? "";
    if (value.startsWith("=")) continue; // `==` comparison
    if (isSensitiveName(name) && isLiteralSecretValue(value)) {
      hits.push({ kind: `literal value assigned to ${name}` });
    }
  }
  for (const decoded of decodedBase64Blobs(text)) hits.push(...findSecretsInText(decoded));
  return dedupe(hits);
}

/** Secrets in one `name = value` pair, e.g. an environment variable. */
export function findSecretsInPair(name: string, input: string): SecretHit[] {
  const value = input.length > MAX_SCANNED_CHARS ? input.slice(0, MAX_SCANNED_CHARS) : input;
  const hits = formatHits(value);
  if (looksLikeAwsSecretKey(value)) hits.push({ kind: `AWS secret access key in ${name}` });
  if (isSensitiveName(name) && isLiteralSecretValue(value)) hits.push({ kind: `literal value for ${name}` });
  return dedupe(hits);
}

function dedupe(hits: SecretHit[]): SecretHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => (seen.has(h.kind) ? false : (seen.add(h.kind), true)));
}

const BASE64_BLOB = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])/g;

/** Printable text hidden in base64 blobs (user data is often base64-encoded). */
export function decodedBase64Blobs(text: string): string[] {
  const out: string[] = [];
  const whole = text.replace(/\s+/g, "");
  const candidates = new Set<string>();
  if (whole.length >= 24 && /^[A-Za-z0-9+/]+={0,2}$/.test(whole)) candidates.add(whole);
  for (const m of text.matchAll(BASE64_BLOB)) candidates.add(m[0]);
  for (const c of candidates) {
    if (c.length % 4 === 1) continue;
    // Long runs of letters only are identifiers, not base64.
    if (!/[0-9+/=]/.test(c) && !/[a-z][A-Z]|[A-Z][a-z]{0,2}[A-Z]/.test(c)) continue;
    const decoded = Buffer.from(c, "base64").toString("utf8");
    if (decoded.length >= 8 && isMostlyPrintable(decoded)) out.push(decoded);
    if (out.length >= 16) break;
  }
  return out;
}

function isMostlyPrintable(s: string): boolean {
  let printable = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0xfffd) return false;
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  }
  return printable / s.length > 0.95;
}

/**
 * The literal parts of an expression's source text: `${…}` interpolations
 * and `%{…}` directives are cut out, so only what was typed literally is
 * searched.
 */
export function literalText(expr: string): string {
  let out = "";
  let i = 0;
  while (i < expr.length) {
    const two = expr.slice(i, i + 2);
    if ((two === "${" || two === "%{") && expr[i - 1] !== "$" && expr[i - 1] !== "%") {
      let depth = 1;
      let j = i + 2;
      while (j < expr.length && depth > 0) {
        const ch = expr[j];
        if (ch === "{") depth++;
        else if (ch === "}") depth--;
        j++;
      }
      out += " ";
      i = j;
      continue;
    }
    out += expr[i] ?? "";
    i++;
  }
  return out;
}

/**
 * Secret recognition shared by the secrets target and by the Dockerfile and
 * GitHub Actions rules that look at ENV/ARG and `env:` values: known key
 * formats, placeholder detection, Shannon entropy and secret-looking names.
 *
 * Everything here is pure and works on strings; nothing here returns or logs
 * a secret other than through `redact`.
 */

/** Shannon entropy of `s` in bits per character (0 for the empty string). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A value shown in a message: a short prefix and asterisks, never the secret itself. */
export function redact(value: string, keep = 4): string {
  const n = Math.max(0, Math.min(keep, Math.floor(value.length / 4)));
  return `${value.slice(0, n)}****`;
}

const PLACEHOLDER_WORDS =
  /(example|sample|placeholder|changeme|change[_-]me|replace[_-]?me|replace[_-]with|redacted|dummy|fake|your[_-]?(own|key|token|secret|password|api)|insert[_-]|todo|tbd|fixme|xxxx|\*\*\*|\.\.\.|<[^>]*>)/i;

/**
 * Is `value` an obvious stand-in rather than a credential? Placeholders are
 * words such as `changeme`, `example`, `<your-token>`, `REPLACE_ME`, `xxx`,
 * template and variable references (`${…}`, `{{…}}`, `$VAR`, `var.x`,
 * `process.env.X`, `os.environ[…]`), a single repeated character, and long
 * ascending filler runs (`0123456789`, `abcdefghij`). AWS's documented example
 * keys (`AKIAIOSFODNN7EXAMPLE`, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`)
 * contain `EXAMPLE` and are therefore placeholders too: AWS publishes them as
 * non-working values for documentation.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === "") return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  if (/\$\{|\{\{|\$\(|#\{|%\(|%[sdv]\b/.test(v)) return true;
  if (/^\$[A-Za-z_]/.test(v)) return true;
  if (/(^|[^A-Za-z0-9])(process\.env|os\.environ|os\.getenv|getenv|System\.getenv|ENV\[|env\.|var\.|local\.|secrets\.|vars\.|inputs\.)/.test(v)) return true;
  if (/^(.)\1*$/.test(v)) return true;
  if (hasSequentialRun(v, 8)) return true;
  return false;
}

/** Does `s` contain a run of `n` characters each one code point above the previous (e.g. `12345678`, `abcdefgh`)? */
function hasSequentialRun(s: string, n: number): boolean {
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    if (s.charCodeAt(i) === s.charCodeAt(i - 1) + 1 && /[A-Za-z0-9]/.test(s[i]!)) {
      run++;
      if (run >= n) return true;
    } else run = 1;
  }
  return false;
}

/** Split an identifier into lower-case words: `dbPassword` → [db, password], `API_KEY` → [api, key]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

const SECRET_WORDS = new Set(["password", "passwd", "pwd", "secret", "token", "apikey", "passphrase", "credential", "credentials"]);
const SECRET_PAIRS: readonly (readonly [string, string])[] = [
  ["api", "key"],
  ["access", "key"],
  ["secret", "key"],
  ["private", "key"],
  ["auth", "key"],
  ["client", "secret"],
  ["signing", "key"],
  ["encryption", "key"],
  ["master", "key"],
];
/** Last words that make a secret-sounding name describe something else: `SECRET_NAME`, `TOKEN_URL`, `PASSWORD_FILE`. */
const NOT_A_VALUE = new Set([
  "name", "names", "id", "ids", "arn", "path", "file", "files", "dir", "url", "uri", "endpoint", "host", "port", "type", "kind", "length",
  "len", "ttl", "version", "header", "policy", "ref", "mode", "enabled", "enable", "disabled", "count", "prefix", "suffix", "format", "field",
  "env", "var", "param", "parameter", "store", "manager", "rotation", "expiry", "expiration", "expires", "timeout", "regex", "pattern",
  "label", "size", "min", "max", "hash", "method", "provider", "class", "location", "user", "username", "required", "algorithm", "alg",
  "lifetime", "duration", "scope", "scopes", "audience", "issuer", "key", "keys", "source", "template", "generator", "strength", "hint",
  "reset", "change", "changed", "policy", "rules", "validation", "validator", "input", "output", "field", "selector", "namespace",
]);

/**
 * Does an environment variable, argument or key name say it holds a secret?
 * `DB_PASSWORD`, `apiKey`, `GITHUB_TOKEN`, `client_secret` do; `SECRET_NAME`,
 * `TOKEN_URL`, `PASSWORD_FILE`, `GPG_KEY`, `max_tokens` do not.
 */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  let hit = -1;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SECRET_WORDS.has(w)) hit = i;
    const next = words[i + 1];
    if (next !== undefined && SECRET_PAIRS.some(([a, b]) => a === w && b === next)) hit = i + 1;
  }
  if (hit < 0) return false;
  // "SECRET_KEY_ID"-style names end in a word that is not the secret itself.
  const last = words[words.length - 1]!;
  if (hit < words.length - 1 && NOT_A_VALUE.has(last)) return false;
  return true;
}

/** A literal that a name-based rule should treat as a hard-coded value (not a reference, path, flag or placeholder). */
export function isLiteralSecretValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return false;
  if (isPlaceholder(v)) return false;
  if (/^(true|false|yes|no|on|off|null|none|nil|undefined|required|optional)$/i.test(v)) return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return false;
  if (/^(\/|\.\.?\/|~\/|[A-Za-z]:[\\/])/.test(v)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return false;
  if (/\s/.test(v)) return false;
  return true;
}

/** One known credential format. */
export interface KnownFormat {
  /** The rule that reports it, e.g. DP-SECRET-001. */
  ruleId: string;
  /** Human name, e.g. "AWS access key ID". */
  name: string;
  /** Characters shown before `****` in messages. */
  show: number;
  /** Global regular expression; group 1 (or the whole match) is the secret. */
  regex: RegExp;
  /** Extra check on the candidate: false rejects it (placeholders, invalid structure). */
  accept?(secret: string, text: string, index: number): boolean;
  /** A cheap substring test run before the regex. */
  hint: readonly string[];
}

function notFiller(secret: string, prefixLength: number): boolean {
  const body = secret.slice(prefixLength);
  return !/^(.)\1*$/.test(body) && !/EXAMPLE/i.test(secret) && !/X{6,}|x{6,}|0{8,}/.test(body) && !hasSequentialRun(body, 10);
}

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const json = Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Private-key blocks must carry key material: at least 32 base64 characters
 * after the header (newlines and JSON `\n` escapes ignored), so code that
 * merely names the header (`"-----BEGIN RSA PRIVATE KEY-----"`) is not a hit.
 */
function hasKeyBody(text: string, index: number, header: string): boolean {
  const after = text.slice(index + header.length, index + header.length + 600).replace(/\\r|\\n|\\t/g, "\n");
  const lines = after.split(/\r?\n/);
  let body = "";
  for (const raw of lines) {
    const line = raw.trim().replace(/^["'`]|["'`,;]+$/g, "").replace(/["'`]\s*\+?$/, "");
    if (line === "" || /^[A-Za-z-]+:\s/.test(line)) continue;
    if (line.startsWith("-----END")) break;
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) {
      // Material on the header line itself (`...KEY-----MIIE...`) counts only when it is base64.
      break;
    }
    body += line;
    if (body.length >= 32) break;
  }
  return body.length >= 32 && !/^(.)\1*$/.test(body) && !hasSequentialRun(body, 10);
}

/** Known credential formats, each reported by its own rule. */
export const KNOWN_FORMATS: readonly KnownFormat[] = [
  {
    ruleId: "DP-SECRET-001",
    name: "AWS access key ID",
    show: 4,
    regex: /(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])/g,
    hint: ["AKIA", "ASIA"],
    accept: (s) => notFiller(s, 4),
  },
  {
    ruleId: "DP-SECRET-003",
    name: "GitHub token",
    show: 4,
    regex: /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{80,})(?![A-Za-z0-9_])/g,
    hint: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    accept: (s) => notFiller(s, s.startsWith("github_pat_") ? 11 : 4) && /[0-9]/.test(s) && /[A-Za-z]/.test(s.slice(4)),
  },
  {
    ruleId: "DP-SECRET-004",
    name: "GitLab token",
    show: 6,
    regex: /(?<![A-Za-z0-9_-])((?:glpat|gldt|glrt|glptt|glcbt|gloas)-[A-Za-z0-9_.-]{20,})(?![A-Za-z0-9_-])/g,
    hint: ["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-"],
    accept: (s) => notFiller(s, s.indexOf("-") + 1) && /[0-9]/.test(s) && /[A-Za-z]/.test(s.slice(s.indexOf("-") + 1)),
  },
  {
    ruleId: "DP-SECRET-005",
    name: "Slack token",
    show: 5,
    regex: /(?<![A-Za-z0-9])(xox[baprs]-(?:[0-9]{6,}-)+[A-Za-z0-9-]{8,}|xox[ar]-2-[A-Za-z0-9-]{20,}|xoxe\.xox[bp]-1-[A-Za-z0-9-]{20,})/g,
    hint: ["xox"],
    accept: (s) => notFiller(s, 5),
  },
  {
    ruleId: "DP-SECRET-005",
    name: "Slack webhook URL",
    show: 34,
    regex: /(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]{6,}\/[A-Za-z0-9]{6,}\/[A-Za-z0-9]{16,})/g,
    hint: ["hooks.slack.com"],
    accept: (s) => {
      const tail = s.slice(s.lastIndexOf("/") + 1);
      return notFiller(tail, 0) && !/0{6,}/.test(s);
    },
  },
  {
    ruleId: "DP-SECRET-006",
    name: "Stripe live secret key",
    show: 8,
    regex: /(?<![A-Za-z0-9])((?:sk|rk)_live_[0-9a-zA-Z]{24,247})(?![A-Za-z0-9])/g,
    hint: ["sk_live_", "rk_live_"],
    accept: (s) => notFiller(s, 8),
  },
  {
    ruleId: "DP-SECRET-007",
    name: "Google API key",
    show: 4,
    regex: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
    hint: ["AIza"],
    accept: (s) => notFiller(s, 4),
  },
  {
    ruleId: "DP-SECRET-008",
    name: "private key",
    show: 40,
    regex: /(-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----)/g,
    hint: ["PRIVATE KEY"],
    accept: (s, text, index) => hasKeyBody(text, index, s),
  },
  {
    ruleId: "DP-SECRET-009",
    name: "JSON Web Token",
    show: 6,
    regex: /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)(?![A-Za-z0-9_-])/g,
    hint: ["eyJ"],
    accept: (s) => {
      const [h, p] = s.split(".");
      const header = base64UrlJson(h ?? "");
      const payload = base64UrlJson(p ?? "");
      // jwt.io's sample token (sub 1234567890, John Doe) and similar filler are documentation, not credentials.
      return header !== undefined && ("alg" in header || "typ" in header) && payload !== undefined && !hasSequentialRun(JSON.stringify(payload), 8);
    },
  },
  {
    ruleId: "DP-SECRET-010",
    name: "npm access token",
    show: 4,
    regex: /(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    hint: ["npm_"],
    accept: (s) => notFiller(s, 4) && /[0-9]/.test(s.slice(4)),
  },
  {
    ruleId: "DP-SECRET-010",
    name: "npm registry auth token",
    show: 0,
    regex: /_authToken\s*=\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f-])/gi,
    hint: ["_authToken"],
    accept: (s) => notFiller(s, 0),
  },
];

/** A known-format credential found in a text. */
export interface KnownSecretHit {
  ruleId: string;
  name: string;
  /** Offset of the secret in the text. */
  index: number;
  /** The secret (for the caller's position arithmetic; never put it in a message). */
  secret: string;
  /** `AKIA****` */
  redacted: string;
}

/** Every known-format credential in `text`, in order of position. */
export function findKnownSecrets(text: string, formats: readonly KnownFormat[] = KNOWN_FORMATS): KnownSecretHit[] {
  const hits: KnownSecretHit[] = [];
  for (const f of formats) {
    if (!f.hint.some((h) => text.includes(h))) continue;
    const re = new RegExp(f.regex.source, f.regex.flags);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const secret = m[1] ?? m[0];
      const index = m.index + m[0].indexOf(secret);
      if (f.accept && !f.accept(secret, text, index)) continue;
      hits.push({ ruleId: f.ruleId, name: f.name, index, secret, redacted: redact(secret, f.show) });
    }
  }
  return hits.sort((a, b) => a.index - b.index);
}

/**
 * AWS secret access keys have no prefix: a 40-character base64 string counts
 * only next to an access key ID (within `window` lines) or after a name such as
 * `aws_secret_access_key` / `SecretAccessKey` on the same line, and only with
 * mixed case, a digit and high entropy (so a git SHA or a path never counts).
 */
export function findAwsSecretKeys(text: string, lineOf: (index: number) => number, window = 5): KnownSecretHit[] {
  if (!/AKIA|ASIA|secret_?(access_?)?key|secretaccesskey/i.test(text)) return [];
  const idLines = new Set<number>();
  const idRe = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
  for (let m = idRe.exec(text); m !== null; m = idRe.exec(text)) idLines.add(lineOf(m.index));
  const hits: KnownSecretHit[] = [];
  const re = /(?<![A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m[1]!;
    if (!/[a-z]/.test(s) || !/[A-Z]/.test(s) || !/[0-9]/.test(s)) continue;
    if ((s.match(/\//g) ?? []).length > 4) continue;
    if (shannonEntropy(s) < 4.2 || /EXAMPLE/i.test(s) || hasSequentialRun(s, 8)) continue;
    const line = lineOf(m.index);
    const lineStart = text.lastIndexOf("\n", m.index - 1) + 1;
    const before = text.slice(lineStart, m.index);
    const named = /(aws_?)?secret_?(access_?)?key|secretaccesskey/i.test(before);
    let near = named;
    for (let d = -window; d <= window && !near; d++) near = idLines.has(line + d);
    if (!near) continue;
    hits.push({ ruleId: "DP-SECRET-002", name: "AWS secret access key", index: m.index, secret: s, redacted: redact(s, 4) });
  }
  return hits;
}

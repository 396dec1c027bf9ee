import type { TextFile } from "../model.js";
import { isPlaceholder, redact } from "../patterns.js";
import type { SecretHit } from "./common.js";
import { secretCompliance, secretRule } from "./common.js";

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{1,19}):\/\/([^\s:@/?#"'`<>{}$%]{1,64}):([^\s@/?#"'`<>]{1,128})@([A-Za-z0-9_.-]+)/gi;
const WEAK_STAND_INS = /^(pass(word|wd)?|pwd|secret|admin|root|user(name)?|guest|test|demo|mypassword|changeme|\*+|x+)$/i;
const LOCAL_HOSTS = /^(localhost|127\.0\.0\.1|0\.0\.0\.0|host\.docker\.internal|([a-z0-9-]+\.)*example(\.(com|org|net))?|[a-z0-9-]+\.(test|invalid|local|localhost))$/i;

function find(doc: TextFile): SecretHit[] {
  if (!doc.content.includes("://")) return [];
  const hits: SecretHit[] = [];
  const re = new RegExp(URL_CREDENTIALS.source, URL_CREDENTIALS.flags);
  for (let m = re.exec(doc.content); m !== null; m = re.exec(doc.content)) {
    const user = m[2]!;
    const password = m[3]!;
    const host = m[4]!;
    if (password.length < 4 || password === user || user.toLowerCase() === "anonymous") continue;
    if (WEAK_STAND_INS.test(password) || isPlaceholder(password) || /^[$%{*]/.test(password)) continue;
    if (LOCAL_HOSTS.test(host)) continue;
    const index = m.index + m[0].indexOf(`:${password}@`) + 1;
    hits.push({ index, label: `Password in a ${m[1]!.toLowerCase()}:// URL for ${user}@${host}`, redacted: redact(password, 2) });
  }
  return hits;
}

export const urlCredentialsRule = secretRule(
  {
    id: "DP-SECRET-012",
    severity: "high",
    title: "No password embedded in a URL",
    message: "A URL carries a literal user:password@ pair (basic-auth or connection-string credentials).",
    recommendation:
      "Rotate the password, remove it from the URL and the history, and build the URL at run time from a secret (or use the client's separate password setting). Local development hosts (localhost, *.example, *.test) and stand-ins (password = user, changeme, ${VAR}) are not reported.",
    fix: "DATABASE_URL=postgres://app@db.internal:5432/app   # password supplied separately: PGPASSWORD from the secret store",
    aliases: ["CKV_SECRET_4"],
    compliance: secretCompliance(true),
  },
  find,
);

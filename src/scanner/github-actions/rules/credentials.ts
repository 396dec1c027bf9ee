import { findKnownSecrets, isLiteralSecretValue, isSecretName, redact } from "../../secrets/patterns.js";
import type { Evaluation } from "../../types.js";
import type { Container, EnvVar, Job, Located } from "../model.js";
import { scalarText } from "../parse.js";
import { fail, ghaRule, isExpression, jobResource, jobScope, pass, soc2 } from "./common.js";

function containers(job: Job): Container[] {
  return [...(job.container ? [job.container] : []), ...job.services];
}

function where(job: Job, c: Container): string {
  return c.name === "container" && c === job.container ? `jobs.${job.id}.container` : `jobs.${job.id}.services.${c.name}`;
}

export const containerCredentialsRule = ghaRule(
  {
    id: "DP-GHA-009",
    severity: "high",
    title: "Container registry credentials come from secrets",
    message: "A job's container or service has a hard-coded registry password in credentials:.",
    recommendation: "Reference an encrypted secret (`password: ${{ secrets.REGISTRY_PASSWORD }}`) or use the GITHUB_TOKEN for GHCR; rotate the exposed password.",
    fix: "container:\n  image: ghcr.io/acme/build:1.4\n  credentials:\n    username: ${{ github.actor }}\n    password: ${{ secrets.GITHUB_TOKEN }}",
    aliases: ["hardcoded-container-credentials"],
    compliance: [soc2("CC6.1", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    for (const job of wf.jobs) {
      for (const c of containers(job)) {
        if (!c.credentials) continue;
        const resource = where(job, c);
        const pw = c.credentials.password;
        if (pw === undefined || pw.value === null || isExpression(pw)) out.push(pass("DP-GHA-009", wf, resource, pw ?? c, jobScope(job)));
        else out.push(fail("DP-GHA-009", wf, resource, pw, `${resource} has a hard-coded registry password (${redact(scalarText(pw.value) ?? "", 2)}).`, jobScope(job)));
      }
    }
    return out;
  },
);

interface Offence {
  at: Located<unknown>;
  message: string;
}

function literalSecret(name: string, v: Located<unknown>, place: string): Offence | undefined {
  if (typeof v.value !== "string" && typeof v.value !== "number") return undefined;
  const value = String(v.value);
  if (value.includes("${{")) {
    // An expression can still embed a literal token around it.
    const known = findKnownSecrets(value)[0];
    return known ? { at: v, message: `${place} ${name} contains a ${known.name} (${known.redacted}).` } : undefined;
  }
  const known = findKnownSecrets(value)[0];
  if (known) return { at: v, message: `${place} ${name} contains a ${known.name} (${known.redacted}).` };
  if (isSecretName(name) && isLiteralSecretValue(value)) return { at: v, message: `${place} ${name} is set to a literal value (${redact(value, 2)}) instead of a secret.` };
  return undefined;
}

function envOffences(env: EnvVar[], place: string): Offence[] {
  return env.flatMap((e) => {
    const o = literalSecret(e.name, e.value, place);
    return o ? [o] : [];
  });
}

export const literalSecretsRule = ghaRule(
  {
    id: "DP-GHA-010",
    severity: "high",
    title: "No credentials written into env or action inputs",
    message: "A password, token or API key is written as a literal in env: or with:, where everyone with read access to the repository can see it.",
    recommendation: "Store the value as an encrypted secret (or use OIDC to the cloud) and reference it: `${{ secrets.NAME }}`; rotate the exposed credential.",
    fix: "env:\n  API_TOKEN: ${{ secrets.API_TOKEN }}",
    aliases: [],
    compliance: [soc2("CC6.1", true)],
  },
  (wf) => {
    const out: Evaluation[] = [];
    const top = envOffences(wf.env, "Workflow env");
    if (wf.env.length > 0) {
      if (top.length === 0) out.push(pass("DP-GHA-010", wf, "workflow", wf.env[0]!));
      for (const o of top) out.push(fail("DP-GHA-010", wf, "workflow", o.at, o.message));
    }
    for (const job of wf.jobs) {
      const resource = jobResource(job);
      const offences = [
        ...envOffences(job.env, `${resource} env`),
        ...containers(job).flatMap((c) => envOffences(c.env, `${where(job, c)} env`)),
        ...Object.entries(job.with).flatMap(([k, v]) => literalSecret(k, v, `${resource} input`) ?? []),
        ...job.steps.flatMap((s) => [
          ...envOffences(s.env, `${resource}.steps[${s.index}] env`),
          ...Object.entries(s.with).flatMap(([k, v]) => literalSecret(k, v, `${resource}.steps[${s.index}] input`) ?? []),
        ]),
      ];
      if (offences.length === 0) out.push(pass("DP-GHA-010", wf, resource, job, jobScope(job)));
      for (const o of offences) out.push(fail("DP-GHA-010", wf, resource, o.at, o.message, jobScope(job)));
    }
    return out;
  },
);

/**
 * Which environments are production. A plan that targets a production
 * environment, or one we cannot place, needs a person's approval.
 *
 * An environment name is split into words at `-`, `_`, `.`, `/`, `:` and
 * spaces, lower-cased; a word may end in digits (`prod2`, `qa01`). Then, in
 * this order, the first rule that matches decides:
 * 1. a word is a default production word (`prod`, `production`, `prd`, `live`):
 *    production, e.g. `prod`, `prod-eu`, `eu-prd`, `live_us`, `Production.US`;
 * 2. the whole name matches a production pattern of `.devops-pack/config.yaml`: production;
 * 3. the whole name matches a non-production pattern of the config: non-production;
 * 4. a word is a default non-production word (`dev`, `staging`, `qa`, …): non-production,
 *    e.g. `staging`, `dev-eu`, `qa_2`;
 * 5. anything else is unknown, and unknown needs approval (when in doubt, ask a person).
 * The config can add production patterns and name non-production environments;
 * it cannot take a name out of production (rule 1 comes first).
 */

export const DEFAULT_PRODUCTION_WORDS = ["prod", "production", "prd", "live"] as const;
export const DEFAULT_NON_PRODUCTION_WORDS = ["dev", "development", "test", "testing", "qa", "staging", "stage", "sandbox", "preview", "local", "ci"] as const;

export type EnvironmentClassName = "production" | "non-production" | "unknown";

/** How one environment was classified, and why. Recorded in the plan and covered by its digest. */
export interface EnvironmentClass {
  environment: string;
  class: EnvironmentClassName;
  /** True for production and unknown environments. */
  approval: boolean;
  /** Where the deciding rule comes from: the built-in defaults or the project's config.yaml. */
  source: "default" | "config";
  /** The word or pattern that decided, e.g. `prod`, `perf-*`; `*` for unknown. */
  pattern: string;
  /** One sentence a person can read. */
  reason: string;
}

/** The project's additions to the defaults (from `.devops-pack/config.yaml`). */
export interface EnvironmentPolicy {
  /** Extra production patterns: names, `*` matches any run of characters. */
  production: readonly string[];
  /** Environments (names or patterns) that are not production. */
  nonProduction: readonly string[];
}

export const DEFAULT_ENVIRONMENT_POLICY: EnvironmentPolicy = { production: [], nonProduction: [] };

const SEPARATORS = /[-_./:\s]+/;

function words(name: string): string[] {
  return name.toLowerCase().split(SEPARATORS).filter((w) => w !== "");
}

/** The known word a name's word is, ignoring trailing digits (`prod2` is `prod`). */
function matchWord(word: string, known: readonly string[]): string | undefined {
  const stem = word.replace(/\d+$/, "");
  return known.find((k) => k === word || k === stem);
}

/** A pattern as a whole-name, case-insensitive matcher: `*` is any run of characters, the rest is literal. */
export function patternMatcher(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

function firstPattern(name: string, patterns: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return patterns.find((p) => patternMatcher(p).test(lower));
}

/** Classify one environment under a policy. */
export function classifyEnvironment(environment: string, policy: EnvironmentPolicy = DEFAULT_ENVIRONMENT_POLICY): EnvironmentClass {
  const ws = words(environment);
  for (const w of ws) {
    const hit = matchWord(w, DEFAULT_PRODUCTION_WORDS);
    if (hit) return { environment, class: "production", approval: true, source: "default", pattern: hit, reason: `the word '${w}' matches the default production word '${hit}'` };
  }
  const prod = firstPattern(environment, policy.production);
  if (prod !== undefined) return { environment, class: "production", approval: true, source: "config", pattern: prod, reason: `matches the production pattern '${prod}' in .devops-pack/config.yaml` };
  const nonProd = firstPattern(environment, policy.nonProduction);
  if (nonProd !== undefined) return { environment, class: "non-production", approval: false, source: "config", pattern: nonProd, reason: `matches the non-production pattern '${nonProd}' in .devops-pack/config.yaml` };
  for (const w of ws) {
    const hit = matchWord(w, DEFAULT_NON_PRODUCTION_WORDS);
    if (hit) return { environment, class: "non-production", approval: false, source: "default", pattern: hit, reason: `the word '${w}' matches the default non-production word '${hit}'` };
  }
  return {
    environment,
    class: "unknown",
    approval: true,
    source: "default",
    pattern: "*",
    reason: "matches no production or non-production word or pattern; approval is required when in doubt (name it under environments.non_production in .devops-pack/config.yaml if it is not production)",
  };
}

/** Classify every environment of a plan, in the plan's order. */
export function classifyEnvironments(environments: readonly string[], policy: EnvironmentPolicy = DEFAULT_ENVIRONMENT_POLICY): EnvironmentClass[] {
  return environments.map((e) => classifyEnvironment(e, policy));
}

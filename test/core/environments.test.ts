import { describe, expect, it } from "vitest";
import { loadProjectConfig, parseProjectConfig } from "../../src/core/config.js";
import { isDevopsPackError } from "../../src/core/errors.js";
import { approvalGate, approvalRequired, verifyIntegrity } from "../../src/core/gates/engine.js";
import { classifyEnvironment } from "../../src/core/plans/environments.js";
import { PLAN_FORMAT, planDigest, sealPlan } from "../../src/core/plans/plan.js";
import type { Plan } from "../../src/core/plans/plan.js";
import { fakePlan } from "../helpers/plans.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const approval = { id: "gate.approval.production", threshold: 100 };

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isDevopsPackError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected an error");
}

describe("environment classification (issue 12, finding 5)", () => {
  it.each(["prod", "production", "PROD", "Production", "prd", "live", "prod-eu", "production-us", "eu-prd", "live_us", "us.prod", "eu-west-1-prod", "prod2", "payments/prod", "non-prod"])(
    "%s is production",
    (env) => {
      const c = classifyEnvironment(env);
      expect(c).toMatchObject({ class: "production", approval: true, source: "default" });
      expect(c.reason).toMatch(/default production word/);
    },
  );

  it.each(["dev", "development", "test", "qa", "staging", "stage", "sandbox", "preview", "local", "ci", "staging-eu", "dev_us", "qa2", "Staging"])("%s is non-production", (env) => {
    expect(classifyEnvironment(env)).toMatchObject({ class: "non-production", approval: false, source: "default" });
  });

  it.each(["demo", "uat", "preprod", "perf", "customer-a", "prodeu", "blue"])("%s is unknown and needs approval (when in doubt)", (env) => {
    const c = classifyEnvironment(env);
    expect(c).toMatchObject({ class: "unknown", approval: true, pattern: "*" });
    expect(c.reason).toMatch(/approval is required when in doubt/);
  });

  it("the config adds production patterns and names non-production ones, but cannot take a production word out", () => {
    const policy = { production: ["blue", "*-main"], nonProduction: ["demo", "perf-*", "prod-mirror", "live"] };
    expect(classifyEnvironment("blue", policy)).toMatchObject({ class: "production", source: "config", pattern: "blue" });
    expect(classifyEnvironment("EU-MAIN", policy)).toMatchObject({ class: "production", source: "config", pattern: "*-main" });
    expect(classifyEnvironment("demo", policy)).toMatchObject({ class: "non-production", source: "config", pattern: "demo" });
    expect(classifyEnvironment("perf-eu", policy)).toMatchObject({ class: "non-production", source: "config", pattern: "perf-*" });
    // Default production words win over the config's non-production list.
    expect(classifyEnvironment("prod-mirror", policy)).toMatchObject({ class: "production", source: "default" });
    expect(classifyEnvironment("live", policy)).toMatchObject({ class: "production", source: "default" });
    // A config production pattern wins over a default non-production word.
    expect(classifyEnvironment("staging-main", policy)).toMatchObject({ class: "production", source: "config" });
  });

  it("production-us, prd and live need approval; before the fix only prod and production did", () => {
    for (const env of ["prod-eu", "production-us", "prd", "live"]) {
      const plan = fakePlan({ "a.yml": "a: 1\n" }, { environment: [env] });
      const gate = approvalGate(plan, approval, []);
      expect(gate.status, env).toBe("awaiting");
      expect(gate.blocking[0]).toContain(`targets ${env} (production)`);
    }
    const unknown = approvalGate(fakePlan({ "a.yml": "a: 1\n" }, { environment: ["demo"] }), approval, []);
    expect(unknown.status).toBe("awaiting");
    expect(unknown.blocking[0]).toContain("targets demo (not known to be non-production)");
    expect(approvalGate(fakePlan({ "a.yml": "a: 1\n" }, { environment: ["staging"] }), approval, []).status).toBe("skipped");
  });

  it("today's config can add to the approval of an older plan, never remove it", () => {
    const plan = fakePlan({ "a.yml": "a: 1\n" }, { environment: ["blue"] });
    expect(approvalRequired(plan).required).toBe(true); // unknown when made
    expect(approvalRequired(plan, { production: [], nonProduction: ["blue"] }).required).toBe(true);
    const staging = fakePlan({ "a.yml": "a: 1\n" }, { environment: ["staging-blue"] });
    expect(approvalRequired(staging).required).toBe(false);
    expect(approvalRequired(staging, { production: ["*-blue"], nonProduction: [] })).toMatchObject({ required: true, reasons: ["targets staging-blue (production)"] });
  });
});

describe("the digest covers what decides approval (issue 12, finding 6)", () => {
  const prod = fakePlan({ "a.yml": "a: 1\n" }, { environment: ["production"] });

  it("records the classification in the plan", () => {
    expect(prod.format).toBe(PLAN_FORMAT);
    expect(prod.environmentClasses).toEqual([expect.objectContaining({ environment: "production", class: "production", approval: true, pattern: "production" })]);
  });

  it("touchesSecrets set to false in a stored plan no longer keeps the digest", () => {
    const secret = sealPlan({ ...fakePlan({ "a.yml": "a: 1\n" }), touchesSecrets: true });
    const flipped: Plan = { ...secret, touchesSecrets: false };
    expect(planDigest(flipped)).not.toBe(secret.digest);
    expect(verifyIntegrity(flipped).join()).toMatch(/plan digest .* does not match its content/);
  });

  it("a classification edited to non-production no longer keeps the digest", () => {
    const edited: Plan = { ...prod, environmentClasses: [{ ...prod.environmentClasses[0]!, class: "non-production", approval: false }] };
    expect(verifyIntegrity(edited).join()).toMatch(/does not match its content/);
  });

  it("a plan of an older version is refused as such, not crashed on", () => {
    const old: Partial<Plan> = { ...prod };
    delete old.format;
    delete old.environmentClasses;
    const problems = verifyIntegrity(old as Plan);
    expect(problems).toEqual([expect.stringMatching(/made by an older version of devops-pack .* run the task again/)]);
  });
});

describe(".devops-pack/config.yaml", () => {
  it("is optional", () => {
    expect(loadProjectConfig(tempDir()).environments).toEqual({ production: [], nonProduction: [] });
  });

  it("reads production and non-production patterns", () => {
    const dir = tempDir();
    writeTree(dir, { ".devops-pack/config.yaml": "environments:\n  production: [blue]\n  non_production: [demo, 'perf-*']\n" });
    expect(loadProjectConfig(dir).environments).toEqual({ production: ["blue"], nonProduction: ["demo", "perf-*"] });
  });

  it("refuses unknown fields with a suggestion", () => {
    const e = thrown(() => parseProjectConfig("environments:\n  non_prodution: [demo]\n", "config.yaml"));
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toMatch(/Unknown field 'non_prodution' in config\.environments\. Did you mean non_production\? Valid fields: non_production, production/);
    expect(thrown(() => parseProjectConfig("enviroments: {}\n", "config.yaml")).message).toMatch(/Did you mean environments\?/);
  });

  it("refuses a non-production pattern that would cover everything", () => {
    expect(thrown(() => parseProjectConfig("environments:\n  non_production: ['*']\n", "config.yaml")).message).toMatch(/name the environments/);
    expect(thrown(() => parseProjectConfig("environments:\n  production: ['a b']\n", "config.yaml")).message).toMatch(/environment name or pattern/);
  });
});

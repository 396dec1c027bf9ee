import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DevopsPackError } from "../../core/errors.js";
import { compareDrift, parseState } from "./drift.js";
import { expectedInstances, terraformSpecialist } from "./index.js";
import { environmentRoot, resolve } from "./root.js";
import { REPO_ROOT, loadExample, planExample } from "./testing/examples.js";

const SHOW_JSON = "examples/fixtures/terraform-staging-state.json";
const TFSTATE = join(import.meta.dirname, "fixtures", "staging.tfstate");

function expected() {
  const r = resolve(loadExample("terraform-drift.yaml"));
  return expectedInstances(environmentRoot(r, "staging"));
}

describe("parseState", () => {
  it("reads terraform show -json (nested child modules) and a v4 .tfstate into the same resources", () => {
    const show = parseState(readFileSync(join(REPO_ROOT, SHOW_JSON), "utf8"), SHOW_JSON);
    const raw = parseState(readFileSync(TFSTATE, "utf8"), "staging.tfstate");
    expect(show.format).toBe("terraform show -json");
    expect(raw.format).toBe("tfstate v4");
    expect(show.terraformVersion).toBe("1.11.4");
    const addresses = (s: typeof show) => s.resources.map((r) => r.address).sort();
    expect(addresses(raw)).toEqual(addresses(show));
    expect(addresses(show)).toContain('module.rds_ledger.aws_cloudwatch_log_group.this["postgresql"]');
    expect(addresses(show)).toContain("module.iam_invoice_reader.aws_iam_role_policy.this[0]");
    // Data sources are not managed resources and never count as drift.
    expect(addresses(show).some((a) => a.includes("data."))).toBe(false);
  });

  it("reads the prior state of a saved plan's JSON", () => {
    const plan = { format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, prior_state: { format_version: "1.0", values: { root_module: { resources: [{ address: "aws_s3_bucket.x", mode: "managed", type: "aws_s3_bucket", name: "x", values: { bucket: "x" } }] } } } };
    expect(parseState(JSON.stringify(plan), "plan.json")).toEqual({
      format: "terraform show -json (plan, prior state)",
      terraformVersion: "1.11.4",
      resources: [{ address: "aws_s3_bucket.x", type: "aws_s3_bucket", values: { bucket: "x" } }],
    });
  });

  it("refuses what is not a state, naming drift.state", () => {
    expect(() => parseState("{", "bad.json")).toThrow(/drift\.state: bad\.json is not JSON/);
    try {
      parseState('{"version": 3, "modules": []}', "old.tfstate");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DevopsPackError);
      expect((e as DevopsPackError).code).toBe("BAD_INPUT");
      expect((e as Error).message).toMatch(/drift\.state: old\.tfstate is neither `terraform show -json` output .* nor a version 4 \.tfstate/);
    }
  });
});

describe("compareDrift", () => {
  it("lists resources added and removed and attributes changed, the same from both formats", () => {
    const fromShow = compareDrift(expected(), parseState(readFileSync(join(REPO_ROOT, SHOW_JSON), "utf8"), SHOW_JSON), SHOW_JSON);
    const fromRaw = compareDrift(expected(), parseState(readFileSync(TFSTATE, "utf8"), "staging.tfstate"), "staging.tfstate");
    expect({ added: fromShow.added, removed: fromShow.removed, changed: fromShow.changed }).toEqual({ added: 2, removed: 2, changed: 5 });
    expect(fromRaw.findings.map((f) => f.message)).toEqual(fromShow.findings.map((f) => f.message));
    const by = (id: string) => fromShow.findings.filter((f) => f.ruleId === id).map((f) => f.resource);
    expect(by("DP-TF-DRIFT-001")).toEqual(["module.s3_invoices.aws_s3_bucket_lifecycle_configuration.access_logs", "module.s3_invoices.aws_s3_bucket_logging.this"]);
    expect(by("DP-TF-DRIFT-002")).toEqual(["aws_instance.bastion", "module.s3_invoices.aws_s3_bucket_acl.this"]);
    const changed = fromShow.findings.filter((f) => f.ruleId === "DP-TF-DRIFT-003");
    expect(changed.find((f) => f.message.includes("multi_az"))).toMatchObject({
      severity: "high",
      resource: "module.rds_ledger.aws_db_instance.this",
      file: SHOW_JSON,
      message: "module.rds_ledger.aws_db_instance.this: multi_az is false in the state, true in the configuration.",
    });
    expect(changed.find((f) => f.message.includes("instance_class"))?.severity).toBe("medium");
    expect(changed.some((f) => f.message.includes("block_public_policy is false in the state"))).toBe(true);
    for (const f of fromShow.findings) {
      expect(f.fix.length).toBeGreaterThan(0);
      expect(f.recommendation.length).toBeGreaterThan(0);
    }
    expect(by("DP-TF-DRIFT-002").length).toBe(2);
    expect(fromShow.findings.find((f) => f.resource === "aws_instance.bastion")?.fix).toBe("removed {\n  from = aws_instance.bastion\n\n  lifecycle {\n    destroy = false\n  }\n}");
  });

  it("finds no drift when the state matches", () => {
    const inst = expected();
    const state = { format: "tfstate v4" as const, terraformVersion: undefined, resources: inst.map((i) => ({ address: i.address, type: i.address.split(".").slice(-2)[0]!, values: {} })) };
    expect(compareDrift(inst, state, "s").findings).toEqual([]);
  });
});

describe("the drift example", () => {
  it("reads the state through diskInputs, reports findings and a summary note", () => {
    const input = loadExample("terraform-drift.yaml");
    expect(terraformSpecialist.diskInputs?.(input)?.roots).toEqual([SHOW_JSON]);
    const plan = planExample("terraform-drift.yaml");
    expect(plan.findings).toHaveLength(9);
    expect(plan.notes.at(-1)).toEqual({
      kind: "warning",
      text: `Drift of staging against ${SHOW_JSON} (terraform show -json, Terraform 1.11.4, 30 managed resource instance(s)): 2 to add (in the configuration, not in the state), 2 to remove (in the state, not in the configuration), 5 attribute(s) changed. Each is a finding with its fix.`,
    });
    // The configuration is still generated: drift compares, it does not replace the plan.
    expect(plan.artifacts.some((a) => a.path === "envs/staging/main.tf")).toBe(true);
  });

  it("fails clearly when the runtime did not read the state file", () => {
    const input = loadExample("terraform-drift.yaml");
    expect(() => terraformSpecialist.plan(input, { files: new Map() })).toThrow(/did not provide/);
  });
});

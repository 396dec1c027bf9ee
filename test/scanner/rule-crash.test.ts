import { describe, expect, it } from "vitest";
import { scanSources } from "../../src/scanner/engine.js";
import type { TfProject } from "../../src/scanner/terraform/index.js";
import { terraformTarget } from "../../src/scanner/terraform/index.js";
import { defineRule } from "../../src/scanner/terraform/rules/helpers.js";
import { resourceRule } from "../../src/scanner/terraform/rules/part2/util.js";
import type { RuleMeta, TargetScanner } from "../../src/scanner/types.js";

/**
 * Issue 13, defect 1: a Terraform rule that throws used to be a silent pass
 * (both rule helpers caught and dropped the exception), so a mandatory control
 * read not_applicable. A rule bug must be DP-SCAN-002, count as a failed
 * evaluation, and fail the controls the rule is mapped to.
 */
const meta = (id: string): RuleMeta => ({
  id,
  target: "terraform",
  severity: "high",
  title: "A rule with a bug",
  message: "never reported",
  recommendation: "none",
  fix: "none",
  aliases: [],
  compliance: [{ framework: "cis-aws", control: "9.9", mandatory: true }],
});

const TF = `resource "aws_s3_bucket" "a" {
  bucket = "a"
}

resource "aws_s3_bucket" "b" {
  bucket = "b"
}
`;

function targetWith(rule: TargetScanner<TfProject>["rules"][number]): TargetScanner<TfProject> {
  return { ...terraformTarget, rules: [rule] };
}

describe("a throwing Terraform rule", () => {
  it("defineRule: the crash is DP-SCAN-002, counts as failed, and its mandatory control reads failed", () => {
    const rule = defineRule(meta("DP-TEST-TF-001"), function* (p) {
      for (const r of p.resources) {
        if (r.name === "b") throw new TypeError("cannot read properties of undefined");
        yield { resource: r, passed: true };
      }
    });
    const r = scanSources([{ path: "main.tf", content: TF }], { targets: [targetWith(rule)], frameworks: ["cis-aws"] });
    const crash = r.findings.filter((f) => f.ruleId === "DP-SCAN-002");
    expect(crash).toHaveLength(1);
    expect(crash[0]?.file).toBe("main.tf");
    expect(crash[0]?.message).toMatch(/DP-TEST-TF-001.*cannot read properties of undefined/);
    expect(r.evaluated - r.passed).toBe(1);
    expect(r.score).toBeLessThan(100);
    expect(r.controls).toEqual([{ framework: "cis-aws", control: "9.9", status: "failed", failedRules: ["DP-TEST-TF-001"] }]);
  });

  it("resourceRule: the crash names the rule and the resource it threw on; the other resources are still judged", () => {
    const rule = resourceRule({ ...meta("DP-TEST-TF-002"), target: undefined } as unknown as Omit<RuleMeta, "target">, ["aws_s3_bucket"], (res) => {
      if (res.name === "b") throw new RangeError("rule bug on b");
      return { passed: true };
    });
    const r = scanSources([{ path: "main.tf", content: TF }], { targets: [targetWith(rule)], frameworks: ["cis-aws"] });
    const crash = r.findings.filter((f) => f.ruleId === "DP-SCAN-002");
    expect(crash).toHaveLength(1);
    expect(crash[0]).toMatchObject({ file: "main.tf", line: 5, resource: "DP-TEST-TF-002 aws_s3_bucket.b" });
    expect(crash[0]?.message).toMatch(/rule bug on b/);
    // Bucket a passed, bucket b's crash failed.
    expect(r.evaluated).toBe(2);
    expect(r.passed).toBe(1);
    expect(r.controls[0]?.status).toBe("failed");
  });
});

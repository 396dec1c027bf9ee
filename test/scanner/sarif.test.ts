import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { scanPaths } from "../../src/scanner/index.js";
import { toSarif } from "../../src/scanner/output/sarif.js";
import { REPO } from "../helpers/cli.js";
import { join } from "node:path";

/**
 * The parts of SARIF 2.1.0 (OASIS standard, §3) that devops-pack emits, with the
 * constraints GitHub code scanning documents for uploads: version "2.1.0", a
 * tool driver with a name and rule descriptors, and results that name a rule,
 * carry a message text, and locate a relative artifact URI with a 1-based
 * start line and column. Written from those documents, not copied.
 */
const message = { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1 } } };
const sarifSubset = {
  type: "object",
  required: ["version", "runs"],
  properties: {
    $schema: { type: "string" },
    version: { const: "2.1.0" },
    runs: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["tool", "results"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name", "rules"],
                properties: {
                  name: { type: "string", minLength: 1 },
                  version: { type: "string" },
                  semanticVersion: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+" },
                  informationUri: { type: "string", format: "uri" },
                  rules: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["id", "shortDescription", "defaultConfiguration"],
                      properties: {
                        id: { type: "string", minLength: 1 },
                        name: { type: "string" },
                        shortDescription: message,
                        fullDescription: message,
                        help: { type: "object", required: ["text"], properties: { text: { type: "string" }, markdown: { type: "string" } } },
                        defaultConfiguration: { type: "object", properties: { level: { enum: ["none", "note", "warning", "error"] } } },
                        properties: {
                          type: "object",
                          properties: { tags: { type: "array", items: { type: "string" } }, "security-severity": { type: "string", pattern: "^(10(\\.0)?|\\d(\\.\\d)?)$" } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          results: {
            type: "array",
            maxItems: 25000,
            items: {
              type: "object",
              required: ["ruleId", "message", "locations"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: 0 },
                level: { enum: ["none", "note", "warning", "error"] },
                message,
                locations: {
                  type: "array",
                  minItems: 1,
                  items: {
                    type: "object",
                    required: ["physicalLocation"],
                    properties: {
                      physicalLocation: {
                        type: "object",
                        required: ["artifactLocation", "region"],
                        properties: {
                          artifactLocation: { type: "object", required: ["uri"], properties: { uri: { type: "string", not: { pattern: "^(/|[A-Za-z]:)" } }, uriBaseId: { type: "string" } } },
                          region: { type: "object", required: ["startLine"], properties: { startLine: { type: "integer", minimum: 1 }, startColumn: { type: "integer", minimum: 1 } } },
                        },
                      },
                    },
                  },
                },
                partialFingerprints: { type: "object", additionalProperties: { type: "string" } },
                suppressions: {
                  type: "array",
                  items: { type: "object", required: ["kind"], properties: { kind: { enum: ["inSource", "external"] }, status: { enum: ["accepted", "underReview", "rejected"] }, justification: { type: "string" } } },
                },
              },
            },
          },
        },
      },
    },
  },
};

describe("SARIF output", () => {
  it("the scan of real code is valid against the SARIF 2.1.0 subset GitHub accepts, and rule indexes point at the right rules", async () => {
    // Relative paths, as a user in the repository would pass them.
    const cwd = process.cwd();
    process.chdir(join(REPO, "src/scanner"));
    let result;
    try {
      result = await scanPaths(["kubernetes/fixtures", "terraform/fixtures/DP-AWS-S3-001", "dockerfile/fixtures/DP-DOCKER-001"]);
    } finally {
      process.chdir(cwd);
    }
    const sarif = toSarif(result, { version: "0.1.0" }) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number }[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(sarifSubset);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const run = sarif.runs[0]!;
    expect(run.results.length).toBeGreaterThan(10);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
  });
});

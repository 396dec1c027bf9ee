import { createHash } from "node:crypto";
import type { Severity } from "../../core/findings.js";
import type { ScanFinding, ScanResult } from "../engine.js";
import type { RuleMeta } from "../types.js";

/** GitHub code scanning reads `security-severity` (0–10) to rank security alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "0.0" };
const LEVEL: Record<Severity, "error" | "warning" | "note"> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };

function ruleDescriptor(r: RuleMeta) {
  const tags = ["security", r.target, ...r.compliance.map((c) => `${c.framework}:${c.control}`), ...r.aliases];
  return {
    id: r.id,
    name: r.id.replace(/[^A-Za-z0-9]/g, ""),
    shortDescription: { text: r.title },
    fullDescription: { text: r.message },
    help: {
      text: `${r.recommendation}\n\nFix:\n${r.fix}`,
      markdown: `${r.recommendation}\n\n**Fix**\n\n\`\`\`\n${r.fix}\n\`\`\`${r.aliases.length > 0 ? `\n\nSame check as: ${r.aliases.join(", ")}` : ""}`,
    },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags, "security-severity": SECURITY_SEVERITY[r.severity], precision: "high", "problem.severity": r.severity === "critical" || r.severity === "high" ? "error" : r.severity === "medium" ? "warning" : "recommendation" },
  };
}

/** A fingerprint stable across line moves: the rule, the file and the resource. */
export function fingerprint(f: Pick<ScanFinding, "ruleId" | "file" | "resource">): string {
  return createHash("sha256").update(`${f.ruleId}\u0000${f.file}\u0000${f.resource}`).digest("hex").slice(0, 32);
}

/** SARIF 2.1.0, as GitHub code scanning accepts it. Paths are relative URIs under %SRCROOT%. */
export function toSarif(result: ScanResult, tool: { version: string }): object {
  const rules = result.rules;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "devops-pack",
            semanticVersion: tool.version,
            version: tool.version,
            informationUri: "https://www.npmjs.com/package/devops-pack",
            rules: rules.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The directory the scan ran in." } } },
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? 0,
          level: LEVEL[f.severity],
          message: { text: `${f.message} (${f.resource})` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file.replace(/^\.\//, "")), uriBaseId: "%SRCROOT%" },
                region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) },
              },
              logicalLocations: [{ fullyQualifiedName: f.resource }],
            },
          ],
          partialFingerprints: { "devopsPackFinding/v1": fingerprint(f) },
          ...(f.suppressed
            ? { suppressions: [{ kind: f.suppressed.by === "inline" ? "inSource" : "external", status: "accepted", justification: f.suppressed.reason }] }
            : {}),
          properties: { severity: f.severity, aliases: f.aliases },
        })),
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}

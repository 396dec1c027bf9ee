import type { Finding } from "../../core/findings.js";
import type { Note, PlanDraft } from "../../core/plans/plan.js";
import { artifact, markerLine } from "../../core/plans/plan.js";
import { scanVerdict } from "../../core/policy.js";
import type { Specialist } from "../../core/specialist.js";
import { defineSpecialist } from "../../core/specialist.js";
import type { ScanResult } from "../engine.js";
import { scanSources } from "../engine.js";
import { kyvernoPolicies } from "../kubernetes/index.js";
import type { TargetScanner } from "../types.js";
import type { SecurityInput } from "./schema.js";
import { securityInputSchema } from "./schema.js";
import { secretManagement } from "./secrets.js";

function scanNotes(r: ScanResult, input: SecurityInput): Note[] {
  const active = r.findings.filter((f) => !f.suppressed);
  const critical = active.filter((f) => f.severity === "critical").length;
  const pass = scanVerdict(r, input.threshold).ok;
  const notes: Note[] = [
    {
      kind: pass ? "info" : "warning",
      text: `Scanned ${r.files.scanned} file(s) under ${input.path}: ${r.evaluated} checks, score ${r.score}% (threshold ${input.threshold}%), ${active.length} finding(s)${critical > 0 ? `, ${critical} critical` : ""}: ${pass ? "PASS" : "FAIL"}.`,
    },
  ];
  for (const c of r.controls.filter((x) => x.status === "failed")) notes.push({ kind: "warning", text: `Control ${c.framework} ${c.control} fails: ${c.failedRules.join(", ")}.` });
  return notes;
}

/** The hardening report: every active finding with where it is and the change that fixes it. */
function hardeningReport(r: ScanResult, input: SecurityInput): string {
  const lines = [`<!-- ${markerLine("devops_security", "").trim()} -->`, `# Hardening: ${input.path}`, "", `Score ${r.score}% over ${r.evaluated} checks. One section per finding, worst first; apply each fix, then run \`devops-pack scan ${input.path}\` again.`, ""];
  const order = ["critical", "high", "medium", "low", "info"];
  const active = r.findings.filter((f) => !f.suppressed).sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  for (const f of active) {
    lines.push(`## ${f.severity.toUpperCase()} ${f.ruleId}: ${f.title}`, "", `- Where: \`${f.file}:${f.line}\`, \`${f.resource}\``, `- Why: ${f.message}`, `- What to do: ${f.recommendation}`);
    if (f.aliases.length > 0) lines.push(`- Same check as: ${f.aliases.join(", ")}`);
    lines.push("", "```", f.fix.trimEnd(), "```", "");
  }
  if (active.length === 0) lines.push("No findings: nothing to harden.", "");
  return lines.join("\n");
}

/**
 * devops_security: scan a path, harden it, generate Kyverno policies, or set
 * up secret management. Pure: the runtime reads the files to scan.
 */
export function createSecuritySpecialist(targets: readonly TargetScanner<unknown>[]): Specialist<SecurityInput> {
  return defineSpecialist<SecurityInput>({
    agent: "devops_security",
    taskType: "devops.security",
    description: "Scan infrastructure code, produce hardening fixes, Kyverno admission policies, or a secret-management setup.",
    schema: securityInputSchema,
    environments: (input) => (input.environment ? [input.environment] : []),
    diskInputs: (input) => (input.action === "scan" || input.action === "harden" ? { roots: [input.path], include: () => true } : undefined),
    plan(input, ctx): PlanDraft {
      if (input.action === "policies") {
        const policies = kyvernoPolicies(input.rules);
        return {
          artifacts: policies.map((p) => artifact(`policies/kyverno/${p.name}.yaml`, "kubernetes", p.yaml)),
          findings: [],
          notes: [
            { kind: "info", text: `${policies.length} Kyverno ClusterPolicies in Enforce mode; install Kyverno 1.10 or later first.` },
            { kind: "recommendation", text: "Roll out with validationFailureAction: Audit for a week, read the PolicyReports, then switch to Enforce." },
          ],
        };
      }
      if (input.action === "secrets") {
        const s = secretManagement(input.secrets!);
        return { artifacts: s.artifacts, findings: [], notes: s.notes, touchesSecrets: true };
      }
      const files = [...ctx.files.entries()].map(([path, content]) => ({ path, content }));
      const result = scanSources(files, { targets, frameworks: input.frameworks });
      const findings: Finding[] = result.findings;
      const notes = scanNotes(result, input);
      if (input.action === "harden") {
        const slug = input.path === "." ? "project" : input.path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
        return { artifacts: [artifact(`security/hardening-${slug}.md`, "markdown", hardeningReport(result, input))], findings, notes };
      }
      return { artifacts: [], findings, notes };
    },
  });
}

import type { Severity } from "../core/findings.js";

/** What a rule looks at. One parser per target. */
export type ScanTarget = "terraform" | "kubernetes" | "dockerfile" | "github-actions" | "secrets" | "scan";

/** The frameworks are the gate policy's (`core/policy.ts`). */
export type { Framework } from "../core/policy.js";
import type { Framework } from "../core/policy.js";

export interface ComplianceRef {
  framework: Framework;
  /** e.g. "2.1.1" for CIS AWS Foundations v3.0, "5.2.2" for CIS Kubernetes v1.9, "CC6.1" for SOC 2. */
  control: string;
  /** Mandatory controls gate `gate.compliance.audit` when the framework is selected. */
  mandatory: boolean;
}

export interface RuleMeta {
  /** Stable id: DP-<AREA>-<SERVICE>-NNN, e.g. DP-AWS-S3-001, DP-K8S-POD-001, DP-DOCKER-001, DP-GHA-001, DP-SECRET-001. */
  id: string;
  target: ScanTarget;
  severity: Severity;
  /** Short imperative title, e.g. "S3 bucket has server-side encryption". */
  title: string;
  /** Default message for a failure; checks can give a more specific one. */
  message: string;
  recommendation: string;
  /** A concrete change that makes the check pass (snippet in the target's language). */
  fix: string;
  /** Same check in other tools: Checkov `CKV_…`, Trivy `AVD-…`, kube-linter check names, zizmor audit names. */
  aliases: string[];
  compliance: ComplianceRef[];
}

/**
 * One evaluation of a rule on one subject (a resource, a container, a job…).
 * Rules report passes as well as failures: the security score is the
 * severity-weighted pass rate over every evaluation.
 */
export interface Evaluation {
  ruleId: string;
  passed: boolean;
  /** Terraform: address with module path (module.data.aws_s3_bucket.logs); Kubernetes: Kind/namespace/name; Dockerfile: stage or instruction; GHA: jobs.<id>.steps[n]. */
  resource: string;
  file: string;
  line: number;
  column: number;
  /** Failure message (defaults to the rule's message). */
  message?: string;
  /** A fix specific to this subject (defaults to the rule's fix). */
  fix?: string;
  /**
   * Lines of the subject (e.g. the whole resource block). An inline
   * `devops-pack:ignore <rule-id> <reason>` comment anywhere from the line
   * before `startLine` to `endLine` suppresses the finding; without a scope,
   * only the finding's line and the line before it count.
   */
  scope?: { startLine: number; endLine: number };
  /**
   * Set on a DP-SCAN-002 evaluation: the rule that threw. Its compliance
   * controls read failed, as if the rule had failed on the subject.
   */
  crashedRule?: string;
}

/** A rule over one parsed document type. `check` must not throw for any input its parser accepts. */
export interface Rule<Doc> {
  meta: RuleMeta;
  check(doc: Doc): Evaluation[];
}

/** A file handed to a parser: `path` is how findings name it (the user's path joined with the path inside it). */
export interface SourceFile {
  path: string;
  content: string;
}

/** A file that could not be parsed: reported as a finding of rule DP-SCAN-001, and the scan goes on. */
export interface ParseError {
  file: string;
  line?: number;
  message: string;
}

/**
 * One scan target: which files it claims, how it parses them, and its rules.
 * `parse` must never throw for any input: it returns per-file errors.
 */
export interface TargetScanner<Doc> {
  target: ScanTarget;
  /** Does this target read the file? `path` is relative and POSIX; `head` is its first 4 KiB. */
  claims(path: string, head: string): boolean;
  /** Parse every claimed file at once (Terraform needs a directory's files together). */
  parse(files: SourceFile[]): { docs: Doc[]; errors: ParseError[] };
  rules: readonly Rule<Doc>[];
}

/** One finding shape for the scanner, the analyzers and the gates. */
export type Severity = "critical" | "high" | "medium" | "low" | "info";

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

export interface Finding {
  /** Stable namespaced id, e.g. `DP-GHA-001` or `DP-CICD-CACHE-001`. */
  ruleId: string;
  severity: Severity;
  /** The rule's title, e.g. "S3 bucket has server-side encryption". */
  title?: string;
  message: string;
  recommendation: string;
  /** A concrete change that resolves the finding (a snippet or an instruction). */
  fix: string;
  /** What the finding is about, e.g. `jobs.build` or `aws_s3_bucket.logs`. */
  resource: string;
  file: string;
  line?: number;
  column?: number;
  /** Ids of the same check in other tools (Checkov, Trivy, kube-linter, zizmor). */
  aliases: string[];
  suppressed?: { reason: string; by: "inline" | "config" };
}

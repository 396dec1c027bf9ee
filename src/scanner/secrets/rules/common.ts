import type { ComplianceRef, Evaluation, Rule, RuleMeta } from "../../types.js";
import type { TextFile } from "../model.js";
import { positionAt } from "../parse.js";
import type { KnownFormat } from "../patterns.js";
import { findKnownSecrets, KNOWN_FORMATS } from "../patterns.js";

/** One credential found in a file. */
export interface SecretHit {
  /** Offset of the secret in the file. */
  index: number;
  /** Offset where the reported region ends (defaults to the hit's line). */
  endIndex?: number;
  /** What was found, e.g. "AWS access key ID". */
  label: string;
  /** The redacted form shown in messages, e.g. `AKIA****`. */
  redacted: string;
}

/** Hard-coded credentials break logical access control (SOC 2 CC6.1); the mandatory flag follows severity. */
export function secretCompliance(mandatory: boolean): ComplianceRef[] {
  return [{ framework: "soc2", control: "CC6.1", mandatory }];
}

/**
 * A secrets rule is an absence check: one passed evaluation per file when
 * nothing is found, one failed evaluation per hit otherwise. Messages carry
 * only the redacted prefix, never the secret.
 */
export function secretRule(meta: Omit<RuleMeta, "target">, find: (doc: TextFile) => SecretHit[]): Rule<TextFile> {
  const full: RuleMeta = { ...meta, target: "secrets" };
  return {
    meta: full,
    check(doc: TextFile): Evaluation[] {
      const hits = find(doc);
      if (hits.length === 0) return [{ ruleId: full.id, passed: true, resource: doc.file, file: doc.file, line: 1, column: 1 }];
      return hits.map((h) => {
        const pos = positionAt(doc, h.index);
        const end = h.endIndex === undefined ? pos.line : positionAt(doc, h.endIndex).line;
        return {
          ruleId: full.id,
          passed: false,
          resource: doc.file,
          file: doc.file,
          line: pos.line,
          column: pos.column,
          message: `${h.label} ${h.redacted} is hard-coded at line ${pos.line}, column ${pos.column}: anyone who can read this file (or its history) can use it.`,
          scope: { startLine: pos.line, endLine: Math.max(pos.line, end) },
        };
      });
    },
  };
}

/** Hits of the known formats that belong to rule `ruleId`. */
export function knownFormatHits(ruleId: string): (doc: TextFile) => SecretHit[] {
  const formats: readonly KnownFormat[] = KNOWN_FORMATS.filter((f) => f.ruleId === ruleId);
  return (doc) => findKnownSecrets(doc.content, formats).map((h) => ({ index: h.index, label: h.name, redacted: h.redacted }));
}

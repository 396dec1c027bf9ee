import { findKnownSecrets } from "../../secrets/patterns.js";
import type { ComplianceRef, Evaluation, Rule, RuleMeta } from "../../types.js";
import type { Dockerfile, Instruction, Stage } from "../model.js";
import { expandVars } from "../text.js";

/** `stage build` or `stage 2`: how findings name a stage. */
export function stageLabel(stage: Stage): string {
  return `stage ${stage.name ?? stage.index}`;
}

export function soc2(control: string, mandatory: boolean): ComplianceRef {
  return { framework: "soc2", control, mandatory };
}

export function dockerRule(meta: Omit<RuleMeta, "target">, check: (doc: Dockerfile) => Evaluation[]): Rule<Dockerfile> {
  return { meta: { ...meta, target: "dockerfile" }, check };
}

/** Something a rule objects to inside a stage. */
export interface Offence {
  line: number;
  column: number;
  message: string;
  /** Defaults to the instruction's first line. */
  resource?: string;
  fix?: string;
  /** The instruction it is about (for the suppression scope). */
  instruction?: Instruction;
}

export function passed(ruleId: string, doc: Dockerfile, resource: string, line: number, scope?: { startLine: number; endLine: number }): Evaluation {
  return { ruleId, passed: true, resource, file: doc.file, line, column: 1, ...(scope ? { scope } : {}) };
}

/** Instruction text quoted in findings never carries a known-format credential in clear. */
export function redactKnown(text: string): string {
  let out = text;
  for (const h of findKnownSecrets(text).reverse()) out = out.slice(0, h.index) + h.redacted + out.slice(h.index + h.secret.length);
  return out;
}

export function failed(ruleId: string, doc: Dockerfile, o: Offence, fallbackResource: string): Evaluation {
  const ins = o.instruction;
  return {
    ruleId,
    passed: false,
    resource: redactKnown(o.resource ?? ins?.summary ?? fallbackResource),
    file: doc.file,
    line: o.line,
    column: o.column,
    message: redactKnown(o.message),
    ...(o.fix !== undefined ? { fix: o.fix } : {}),
    scope: ins ? { startLine: ins.line, endLine: ins.endLine } : { startLine: o.line, endLine: o.line },
  };
}

/**
 * A stage-level absence check: one failed evaluation per offence, or one
 * passed evaluation for a stage without any.
 */
export function perStage(ruleId: string, doc: Dockerfile, find: (stage: Stage) => Offence[], stages: readonly Stage[] = doc.stages): Evaluation[] {
  const out: Evaluation[] = [];
  for (const stage of stages) {
    const offences = find(stage);
    const label = stageLabel(stage);
    if (offences.length === 0) out.push(passed(ruleId, doc, label, stage.line, { startLine: stage.line, endLine: stage.endLine }));
    else for (const o of offences) out.push(failed(ruleId, doc, o, label));
  }
  return out;
}

export function finalStage(doc: Dockerfile): Stage {
  return doc.stages[doc.stages.length - 1]!;
}

/** The stage and the earlier stages it builds on (`FROM build AS run` inherits build's USER, HEALTHCHECK, ENV…), nearest first. */
export function lineage(doc: Dockerfile, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  const seen = new Set<number>();
  for (let s: Stage | undefined = stage; s !== undefined && !seen.has(s.index); s = s.parent === undefined ? undefined : doc.stages[s.parent]) {
    seen.add(s.index);
    chain.push(s);
  }
  return chain;
}

/** Build variables visible in `stage` before instruction `before`: global ARG defaults, then the stage's ARG and ENV. */
export function varsAt(doc: Dockerfile, stage: Stage, before?: Instruction): Map<string, string | undefined> {
  const vars = new Map<string, string | undefined>();
  for (const a of doc.globalArgs) for (const p of a.pairs) vars.set(p.key, p.value);
  for (const s of lineage(doc, stage).reverse()) {
    for (const ins of s.instructions) {
      if (ins === before) break;
      if (ins.keyword === "ARG" || ins.keyword === "ENV") {
        for (const p of ins.pairs) {
          const v = p.value === undefined ? vars.get(p.key) : expandVars(p.value, vars);
          vars.set(p.key, v);
        }
      }
    }
  }
  return vars;
}

/** Test support: load the examples, plan inputs, pick Markdown apart, run promtool. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { PlanDraft } from "../../../core/plans/plan.js";
import { parseTaskDocument, validateTaskInput } from "../../../core/tasks/parse.js";
import { describeZodError } from "../../../core/zod-errors.js";
import type { IncidentInput } from "../index.js";
import { incidentInputSchema, incidentSpecialist } from "../index.js";

export const ROOT = resolve(import.meta.dirname, "../../../..");
/** The repository's examples/; this agent's tasks are the incident*.yaml files there. */
export const EXAMPLES = join(ROOT, "examples");

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => /^incident.*\.ya?ml$/.test(f))
    .sort();
}

export function loadExample(file: string): IncidentInput {
  const envelope = parseTaskDocument(readFileSync(join(EXAMPLES, file), "utf8"), file);
  return validateTaskInput(envelope, incidentSpecialist, file);
}

export function planExample(file: string): PlanDraft {
  return incidentSpecialist.plan(loadExample(file), { files: new Map() });
}

export function planInput(raw: unknown): { input: IncidentInput; plan: PlanDraft } {
  const input = incidentInputSchema.parse(raw);
  return { input, plan: incidentSpecialist.plan(input, { files: new Map() }) };
}

/** Whether a plan has a note of this kind whose text matches. */
export function hasNote(plan: Pick<PlanDraft, "notes">, kind: string, re: RegExp): boolean {
  return plan.notes.some((n) => n.kind === kind && re.test(n.text));
}

/** The messages a raw input's validation produces, as the CLI prints them; [] when it is valid. */
export function errorsOf(raw: unknown): string[] {
  const r = incidentInputSchema.safeParse(raw, { reportInput: true });
  return r.success ? [] : describeZodError(r.error, incidentInputSchema, "task.input").map((i) => i.message);
}

/** The bodies of the fenced code blocks of one language. */
export function codeBlocks(md: string, lang: string): string[] {
  const out: string[] = [];
  const re = /^(`{3,})([a-z]*)\n([\s\S]*?)\n\1$/gm;
  for (const m of md.matchAll(re)) if (m[2] === lang) out.push(m[3]!);
  return out;
}

/**
 * The PromQL queries of a generated file: one per line of each promql block,
 * except an alert's quoted expression (after "Expression:"), which is one
 * query however many lines it spans.
 */
export function promqlQueries(md: string): string[] {
  return codeBlocks(md, "promql").flatMap((b) => (md.includes(`Expression:\n\n\`\`\`promql\n${b}\n\`\`\``) ? [b] : b.split("\n")));
}

/** Markdown with its fenced code blocks removed (prose and tables only). */
export function prose(md: string): string {
  return md.replace(/^(`{3,})[a-z]*\n[\s\S]*?\n\1$/gm, "");
}

export function headings(md: string, level: number): string[] {
  const prefix = `${"#".repeat(level)} `;
  return prose(md)
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length));
}

/** Relative Markdown link targets (not URLs, not anchors). */
export function relativeLinks(md: string): string[] {
  return [...prose(md).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:\/\//.test(t) && !t.startsWith("/") && !t.startsWith("#"));
}

export function resolveRelative(from: string, target: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/**
 * `promtool check rules` on the given PromQL expressions, each wrapped in a
 * recording rule: the real Prometheus parser. A missing promtool fails the
 * test with the Debian package to install.
 */
export function promtoolCheck(exprs: readonly string[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "dp-incident-"));
  try {
    const file = join(dir, "queries.rules.yml");
    const rules = exprs.map((expr, i) => ({ record: `runbook:query_${i}:check`, expr }));
    writeFileSync(file, stringify({ groups: [{ name: "runbook-queries", rules }] }, { lineWidth: 0 }));
    const r = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    if (r.error) throw new Error(`promtool could not run (${r.error.message}): install the Debian package prometheus (apt-get install prometheus)`);
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { z } from "zod";
import { badInput } from "../core/errors.js";
import { parseYamlSafe } from "../core/yaml.js";
import { describeZodError } from "../core/zod-errors.js";
import type { Evaluation } from "./types.js";

export interface Suppression {
  reason: string;
  by: "inline" | "config";
}

/** `devops-pack:ignore <rule-id> <reason>` in any comment syntax. */
const INLINE = /devops-pack:ignore[ \t]+([A-Z][A-Z0-9-]*[0-9])(?:[ \t]+([^\r\n]*?))?[ \t]*(?:-->|\*\/)?[ \t]*$/;

export interface InlineIgnore {
  ruleId: string;
  line: number;
  reason: string;
}

/** Inline ignores in a file, by line. An ignore without a reason is returned with reason "". */
export function inlineIgnores(content: string): InlineIgnore[] {
  if (!content.includes("devops-pack:ignore")) return [];
  const out: InlineIgnore[] = [];
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = INLINE.exec(lines[i]!);
    if (m) out.push({ ruleId: m[1]!, line: i + 1, reason: (m[2] ?? "").trim() });
  }
  return out;
}

const configSchema = z
  .object({
    suppressions: z
      .array(
        z
          .object({
            rule: z.string().regex(/^[A-Z][A-Z0-9-]*[0-9]$/, "a rule id such as DP-AWS-S3-001"),
            reason: z.string().trim().min(3, "every suppression needs a reason"),
            path: z.string().min(1).optional(),
            resource: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type SuppressionConfig = z.infer<typeof configSchema>;

/** Parse a suppressions file (`.devops-pack/suppressions.yaml`). Throws BAD_INPUT naming the problem. */
export function parseSuppressionConfig(text: string, source: string, knownRules: ReadonlySet<string>): SuppressionConfig {
  const parsed = parseYamlSafe(text, source);
  if (!parsed.ok) throw badInput(`${source}: ${parsed.errors.map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.message}`).join("; ")}`);
  const r = configSchema.safeParse(parsed.value ?? {}, { reportInput: true });
  if (!r.success) throw badInput(`${source}:\n` + describeZodError(r.error, configSchema, "").map((i) => `  ${i.message}`).join("\n"));
  for (const s of r.data.suppressions) {
    if (!knownRules.has(s.rule)) throw badInput(`${source}: unknown rule ${s.rule} in suppressions. Run devops-pack rules for the list.`);
  }
  return r.data;
}

/** A glob (`*`, `**`, `?`) as a regular expression over POSIX paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
        i += glob[i + 2] === "/" ? 2 : 1;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The suppression that applies to an evaluation, if any: an inline ignore on
 * the finding's line, the line before it, or anywhere in its scope (from the
 * line before the subject to its end), or a matching config entry.
 */
export function findSuppression(e: Evaluation, ignores: readonly InlineIgnore[], config: SuppressionConfig | undefined): Suppression | undefined {
  const from = e.scope ? e.scope.startLine - 1 : e.line - 1;
  const to = e.scope ? Math.max(e.scope.endLine, e.line) : e.line;
  const inline = ignores.find((i) => i.ruleId === e.ruleId && i.reason !== "" && i.line >= from && i.line <= to);
  if (inline) return { reason: inline.reason, by: "inline" };
  for (const s of config?.suppressions ?? []) {
    if (s.rule !== e.ruleId) continue;
    if (s.path !== undefined && !globToRegExp(s.path).test(e.file)) continue;
    if (s.resource !== undefined && !globToRegExp(s.resource).test(e.resource)) continue;
    return { reason: s.reason, by: "config" };
  }
  return undefined;
}

/**
 * Helm templates from typed objects. The chart's bindings put placeholder
 * tokens where a value comes from `.Values` (or a helper); the objects are
 * serialized with `yaml` like any manifest; then each token is replaced by
 * its template action. Four forms:
 *
 * - scalar: `replicas: TOKEN` → `replicas: {{ .Values.replicaCount }}`,
 *   optionally guarded by `{{- if … }}` around the line;
 * - block: `resources: TOKEN` → `resources:` plus
 *   `{{- toYaml .Values.resources | nindent N }}`, optionally inside
 *   `{{- with … }}` so an empty value leaves the key out;
 * - map splice: a key `TOKEN: ""` → `{{- include "x.labels" . | nindent N }}`;
 * - list splice: an item `- TOKEN` → the items of a list value.
 *
 * Tokens are plain YAML scalars (`__dph7__`), so serialization never quotes
 * or folds them; any token left after substitution is a programmer error.
 */

type Entry =
  | { kind: "scalar"; expr: string; guard?: string }
  | { kind: "block"; expr: string; withValue?: string }
  | { kind: "map"; expr: string }
  | { kind: "list"; withValue: string };

const TOKEN = /__dph(\d+)__/g;

export class Placeholders {
  private readonly entries: Entry[] = [];

  private add(e: Entry): string {
    this.entries.push(e);
    return `__dph${this.entries.length - 1}__`;
  }

  /** An inline value: `{{ expr }}`. With `guard`, the whole line is kept only when the guard holds. */
  scalar(expr: string, guard?: string): string {
    return this.add(guard === undefined ? { kind: "scalar", expr } : { kind: "scalar", expr, guard });
  }

  /** A block value rendered by `expr` (e.g. `toYaml .Values.resources`); with `withValue`, the key appears only when that value is non-empty and `expr` reads `.`. */
  block(expr: string, withValue?: string): string {
    return this.add(withValue === undefined ? { kind: "block", expr } : { kind: "block", expr, withValue });
  }

  /** A map key whose line becomes the entries `expr` renders (e.g. `include "x.labels" .`). */
  mapSplice(expr: string): string {
    return this.add({ kind: "map", expr });
  }

  /** A list item that becomes the items of the list `withValue` (left out when empty). */
  listSplice(withValue: string): string {
    return this.add({ kind: "list", withValue });
  }

  private entry(id: string): Entry {
    const e = this.entries[Number(id)];
    if (!e) throw new Error(`placeholder __dph${id}__ is unknown`);
    return e;
  }

  /** Replace every token of a serialized YAML text by its template action. */
  apply(text: string): string {
    const out: string[] = [];
    for (const line of text.split("\n")) {
      const map = /^(\s*)__dph(\d+)__: ""$/.exec(line);
      if (map) {
        const e = this.entry(map[2] ?? "");
        if (e.kind !== "map") throw new Error(`placeholder ${line.trim()} is used as a map key but is a ${e.kind}`);
        const indent = map[1] ?? "";
        out.push(`${indent}{{- ${e.expr} | nindent ${indent.length} }}`);
        continue;
      }
      const list = /^(\s*)- __dph(\d+)__$/.exec(line);
      const listEntry = list ? this.entry(list[2] ?? "") : undefined;
      if (list && listEntry?.kind === "list") {
        const indent = list[1] ?? "";
        out.push(`${indent}{{- with ${listEntry.withValue} }}`, `${indent}{{- toYaml . | nindent ${indent.length} }}`, `${indent}{{- end }}`);
        continue;
      }
      const keyed = /^(\s*)([^\s-][^:]*): __dph(\d+)__$/.exec(line);
      if (keyed) {
        const e = this.entry(keyed[3] ?? "");
        const indent = keyed[1] ?? "";
        const key = keyed[2] ?? "";
        if (e.kind === "block") {
          const inner = `${indent}  {{- ${e.expr} | nindent ${indent.length + 2} }}`;
          if (e.withValue === undefined) out.push(`${indent}${key}:`, inner);
          else out.push(`${indent}{{- with ${e.withValue} }}`, `${indent}${key}:`, inner, `${indent}{{- end }}`);
          continue;
        }
        if (e.kind === "scalar" && e.guard !== undefined) {
          out.push(`${indent}{{- if ${e.guard} }}`, `${indent}${key}: {{ ${e.expr} }}`, `${indent}{{- end }}`);
          continue;
        }
      }
      out.push(
        line.replace(TOKEN, (_, id: string) => {
          const e = this.entry(id);
          if (e.kind !== "scalar" || e.guard !== undefined) throw new Error(`placeholder __dph${id}__ (${e.kind}) cannot be inlined in: ${line.trim()}`);
          return `{{ ${e.expr} }}`;
        }),
      );
    }
    const result = out.join("\n");
    const left = /__dph\d+__/.exec(result);
    if (left) throw new Error(`placeholder ${left[0]} was not substituted`);
    return result;
  }
}

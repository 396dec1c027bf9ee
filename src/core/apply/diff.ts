/** A unified diff of two texts (line based, 3 lines of context). */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return "";
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = diffLines(a, b);
  const header = `--- ${oldName}\n+++ ${newName}\n`;
  const hunks: string[] = [];
  let i = 0;
  while (i < ops.length) {
    // find next change
    while (i < ops.length && ops[i]!.op === " ") i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - context);
    let end = i;
    // extend while changes are within 2*context of each other
    let lastChange = i;
    while (end < ops.length) {
      if (ops[end]!.op !== " ") lastChange = end;
      if (end - lastChange > 2 * context) break;
      end++;
    }
    const stop = Math.min(ops.length, lastChange + context + 1);
    const slice = ops.slice(start, stop);
    const aStart = (ops[start]?.a ?? 0) + 1;
    const bStart = (ops[start]?.b ?? 0) + 1;
    const aLen = slice.filter((o) => o.op !== "+").length;
    const bLen = slice.filter((o) => o.op !== "-").length;
    hunks.push(`@@ -${aLen === 0 ? aStart - 1 : aStart},${aLen} +${bLen === 0 ? bStart - 1 : bStart},${bLen} @@\n` + slice.map((o) => `${o.op}${o.text}\n`).join(""));
    i = stop;
  }
  return header + hunks.join("");
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

interface Op {
  op: " " | "-" | "+";
  text: string;
  /** Index in a / b where this op sits. */
  a: number;
  b: number;
}

/** LCS line diff. Above ~4M cells it falls back to replace-all, which is still a correct diff. */
function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    return [...a.map((t, k) => ({ op: "-" as const, text: t, a: k, b: 0 })), ...b.map((t, k) => ({ op: "+" as const, text: t, a: n, b: k }))];
  }
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const next = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: " ", text: a[i]!, a: i, b: j });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      ops.push({ op: "-", text: a[i]!, a: i, b: j });
      i++;
    } else {
      ops.push({ op: "+", text: b[j]!, a: i, b: j });
      j++;
    }
  }
  while (i < n) ops.push({ op: "-", text: a[i]!, a: i++, b: j });
  while (j < m) ops.push({ op: "+", text: b[j]!, a: i, b: j++ });
  return ops;
}

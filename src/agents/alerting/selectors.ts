/**
 * A small PromQL selector parser and label-matcher solver. The generated
 * promtool tests need input series that an SLI's selectors classify the way a
 * test wants: "good and total", "bad and total", "total but not good". The
 * solver picks label values that satisfy a set of matchers (=, !=, =~, !~),
 * and the negation of one matcher when a series must fall outside a selector.
 */

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** `{label → value}`; an empty value means the label is absent. */
export type LabelSet = Record<string, string>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function readString(s: string, i: number): { value: string; end: number } | undefined {
  const q = s[i];
  if (q !== '"' && q !== "'" && q !== "`") return undefined;
  let out = "";
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === q) return { value: out, end: j + 1 };
    if (c === "\\" && q !== "`") {
      const n = s[++j];
      if (n === undefined) return undefined;
      out += n === "n" ? "\n" : n === "t" ? "\t" : n;
      continue;
    }
    out += c;
  }
  return undefined;
}

/** Parse `metric{a="x",b!~"y"}` (or `{__name__="m",…}`); undefined when it is not a plain selector. */
export function parseSelector(text: string): Selector | undefined {
  const s = text.trim();
  const name = NAME.exec(s)?.[0] ?? "";
  let i = name.length;
  const matchers: Matcher[] = [];
  if (i < s.length) {
    if (s[i] !== "{") return undefined;
    i++;
    for (;;) {
      while (/\s/.test(s[i] ?? "")) i++;
      if (s[i] === "}") {
        i++;
        break;
      }
      const label = LABEL.exec(s.slice(i))?.[0];
      if (label === undefined) return undefined;
      i += label.length;
      while (/\s/.test(s[i] ?? "")) i++;
      const op = (["=~", "!~", "!=", "="] as const).find((o) => s.startsWith(o, i));
      if (op === undefined) return undefined;
      i += op.length;
      while (/\s/.test(s[i] ?? "")) i++;
      const str = readString(s, i);
      if (str === undefined) return undefined;
      i = str.end;
      matchers.push({ label, op, value: str.value });
      while (/\s/.test(s[i] ?? "")) i++;
      if (s[i] === ",") i++;
      else if (s[i] !== "}") return undefined;
    }
    if (i !== s.length) return undefined;
  }
  const nameMatchers = matchers.filter((m) => m.label === "__name__");
  let metric = name;
  if (metric === "") {
    const eq = nameMatchers.find((m) => m.op === "=");
    if (eq === undefined) return undefined;
    metric = eq.value;
  }
  if (nameMatchers.some((m) => !matches(m, metric))) return undefined;
  return { metric, matchers: matchers.filter((m) => m.label !== "__name__") };
}

const regexCache = new Map<string, RegExp | null>();

/** Prometheus anchors label regexes; a leading (?i) is the only inline flag understood here. */
export function labelRegex(source: string): RegExp | undefined {
  if (!regexCache.has(source)) {
    let body = source;
    let flags = "s";
    if (body.startsWith("(?i)")) {
      body = body.slice(4);
      flags += "i";
    }
    try {
      regexCache.set(source, new RegExp(`^(?:${body})$`, flags));
    } catch {
      regexCache.set(source, null);
    }
  }
  return regexCache.get(source) ?? undefined;
}

/** Does a label value (empty = absent) satisfy a matcher? Unparseable regexes never match. */
export function matches(m: Pick<Matcher, "op" | "value">, value: string): boolean {
  switch (m.op) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
      return labelRegex(m.value)?.test(value) ?? false;
    case "!~": {
      const re = labelRegex(m.value);
      return re === undefined ? false : !re.test(value);
    }
  }
}

export function selectorMatches(sel: Selector, metric: string, labels: LabelSet): boolean {
  return sel.metric === metric && sel.matchers.every((m) => matches(m, labels[m.label] ?? ""));
}

export function negate(m: Matcher): Matcher {
  const op: MatchOp = m.op === "=" ? "!=" : m.op === "!=" ? "=" : m.op === "=~" ? "!~" : "=~";
  return { ...m, op };
}

// ---------------------------------------------------------------------------
// Example strings for a regex: enough for label values such as 5.., 2..|3..,
// Unknown|Internal, [45]xx, (GET|POST), .+

interface Cursor {
  s: string;
  i: number;
}

/** One example per top-level alternative of the pattern (groups take their first alternative). */
export function regexExamples(pattern: string): string[] {
  const body = pattern.startsWith("(?i)") ? pattern.slice(4) : pattern;
  const out: string[] = [];
  for (const alt of splitTopLevel(body)) {
    const c: Cursor = { s: alt, i: 0 };
    const ex = sequence(c);
    if (ex !== undefined) out.push(ex);
  }
  return out;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cls = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (cls) {
      if (c === "]") cls = false;
      continue;
    }
    if (c === "[") cls = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function sequence(c: Cursor): string | undefined {
  let out = "";
  while (c.i < c.s.length && c.s[c.i] !== ")") {
    const atom = readAtom(c);
    if (atom === undefined) return undefined;
    const q = c.s[c.i];
    if (q === "*" || q === "?") {
      c.i++;
      if (c.s[c.i] === "?") c.i++;
      continue; // zero repetitions
    }
    if (q === "+") {
      c.i++;
      if (c.s[c.i] === "?") c.i++;
      out += atom;
      continue;
    }
    if (q === "{") {
      const m = /^\{(\d+)(,\d*)?\}/.exec(c.s.slice(c.i));
      if (m) {
        c.i += m[0].length;
        out += atom.repeat(Number(m[1]));
        continue;
      }
    }
    out += atom;
  }
  return out;
}

function readAtom(c: Cursor): string | undefined {
  const ch = c.s[c.i++];
  switch (ch) {
    case undefined:
      return undefined;
    case "^":
    case "$":
      return "";
    case ".":
      return "0";
    case "\\": {
      const e = c.s[c.i++];
      if (e === undefined) return undefined;
      if (e === "d") return "0";
      if (e === "w") return "a";
      if (e === "s") return " ";
      if (/[DWS]/.test(e)) return "-";
      return e;
    }
    case "[": {
      const end = c.s.indexOf("]", c.i + 1);
      if (end < 0) return undefined;
      const body = c.s.slice(c.i, end);
      c.i = end + 1;
      if (body.startsWith("^")) {
        const re = labelRegex(`[${body}]`);
        return ["x", "0", "a", "-", "_"].find((x) => re?.test(x));
      }
      return body.startsWith("\\") ? body[1] : body[0];
    }
    case "(": {
      if (c.s.startsWith("?:", c.i)) c.i += 2;
      // Find the matching parenthesis and take the group's first alternative.
      let depth = 1;
      let j = c.i;
      for (; j < c.s.length && depth > 0; j++) {
        if (c.s[j] === "\\") j++;
        else if (c.s[j] === "(") depth++;
        else if (c.s[j] === ")") depth--;
      }
      const inner = c.s.slice(c.i, j - 1);
      c.i = j;
      const first = splitTopLevel(inner)[0] ?? "";
      return sequence({ s: first, i: 0 });
    }
    default:
      return ch;
  }
}

// ---------------------------------------------------------------------------
// The solver

/** Values tried for a label with only negative matchers, by label name. */
function preferred(label: string): string[] {
  if (/^(code|status|status_code|http_status|response_code)$/i.test(label)) return ["200", "500"];
  if (/grpc_code/i.test(label)) return ["OK", "Unavailable"];
  if (/^(le)$/.test(label)) return ["+Inf"];
  if (/method/i.test(label)) return ["GET"];
  if (/result|outcome|status/i.test(label)) return ["success", "failure"];
  return ["x"];
}

/** A value for one label that satisfies every matcher on it, or undefined. */
export function solveLabel(label: string, ms: readonly Matcher[]): string | undefined {
  const candidates: string[] = [];
  for (const m of ms) if (m.op === "=") candidates.push(m.value);
  for (const m of ms) if (m.op === "=~") candidates.push(...regexExamples(m.value));
  candidates.push(...preferred(label), "x", "0", "a", "");
  for (const m of ms) if (m.op === "!=" || m.op === "!~") candidates.push(`${m.value}x`, `x${m.value}`);
  return candidates.find((v) => ms.every((m) => matches(m, v)));
}

/** Label values satisfying every matcher (absent labels omitted), or undefined. */
export function solve(ms: readonly Matcher[]): LabelSet | undefined {
  const byLabel = new Map<string, Matcher[]>();
  for (const m of ms) {
    const same = byLabel.get(m.label);
    if (same) same.push(m);
    else byLabel.set(m.label, [m]);
  }
  const out: LabelSet = {};
  for (const [label, list] of [...byLabel.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = solveLabel(label, list);
    if (v === undefined) return undefined;
    if (v !== "") out[label] = v;
  }
  return out;
}

/**
 * Labels satisfying `inside` but not `outside` (same metric): some matcher of
 * `outside` is negated. Undefined when no such labels exist.
 */
export function solveOutside(inside: readonly Matcher[], outside: readonly Matcher[]): LabelSet | undefined {
  for (const m of outside) {
    const labels = solve([...inside, negate(m)]);
    if (labels !== undefined) return labels;
  }
  return undefined;
}

/** `metric{a="x",b="y"}` as promtool's input_series expects it. */
export function seriesText(metric: string, labels: LabelSet): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",");
  return inner === "" ? metric : `${metric}{${inner}}`;
}

/**
 * Time arithmetic from the task's own values, never from the clock:
 * ISO 8601 timestamps, durations such as 15m, and cron schedules (the
 * longest gap between two runs, which bounds the recovery point).
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of a strict ISO 8601 timestamp with a zone (Z or ±hh:mm); undefined when invalid. */
export function parseTimestamp(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = "0", frac = "0", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.slice(0, 3).padEnd(3, "0")));
  // Day 31 in a 30-day month rolls over; refuse it instead.
  if (new Date(local).getUTCDate() !== day) return undefined;
  let offset = 0;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number);
    if ((zh ?? 0) > 23 || (zm ?? 0) > 59) return undefined;
    offset = sign * ((zh ?? 0) * 60 + (zm ?? 0)) * 60_000;
  }
  return local - offset;
}

export const TIMESTAMP_HINT = "an ISO 8601 timestamp with a time zone, such as 2024-05-02T14:07:00Z or 2024-05-02T16:07:00+02:00";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `2024-05-02` of an epoch, in UTC. */
export function utcDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `14:07` or `14:07:30` of an epoch, in UTC. */
export function utcTime(ms: number, seconds: boolean): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? `:${pad(d.getUTCSeconds())}` : ""}`;
}

/** Offset from the start: `T+00:07`, `T-00:05`, `T+26:10`, with seconds when asked. */
export function offsetFrom(start: number, at: number, seconds: boolean): string {
  const delta = at - start;
  const sign = delta < 0 ? "-" : "+";
  const total = Math.floor(Math.abs(delta) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `T${sign}${pad(h)}:${pad(m)}${seconds ? `:${pad(s)}` : ""}`;
}

/** A duration for people: `45 s`, `7 min`, `7 min 30 s`, `1 h 23 min`, `2 d 3 h`. */
export function humanDuration(ms: number): string {
  const total = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (d > 0) parts.push(`${d} d`, ...(h > 0 ? [`${h} h`] : []));
  else if (h > 0) parts.push(`${h} h`, ...(m > 0 ? [`${m} min`] : []));
  else if (m > 0) parts.push(`${m} min`, ...(s > 0 ? [`${s} s`] : []));
  else parts.push(`${s} s`);
  return `${ms < 0 ? "-" : ""}${parts.join(" ")}`;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `15m` → 900000. The schema has checked the form (a Prometheus duration with one unit). */
export function durationMs(text: string): number {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Velero's ttl format: `720h0m0s`. */
export function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 3600)}h${Math.floor((total % 3600) / 60)}m${total % 60}s`;
}

// ---------------------------------------------------------------------------
// cron

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

interface CronSpec {
  sets: Set<number>[];
  /** Whether day of month and day of week were restricted (cron ORs them when both are). */
  domStar: boolean;
  dowStar: boolean;
}

function parseField(text: string, min: number, max: number, name: string): Set<number> | string {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `${name} '${part}' is not a number, a range a-b, * or a step */n`;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (step < 1) return `${name} step must be at least 1`;
    let lo = min;
    let hi = max;
    if (m[1] !== "*") {
      lo = Number(m[2]);
      hi = m[3] === undefined ? (m[4] === undefined ? lo : max) : Number(m[3]);
    }
    if (lo < min || hi > max || lo > hi) return `${name} '${part}' is outside ${min}-${max}`;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parse a 5-field cron (or @hourly, @daily, …, @every 6h); a string is the error. */
export function parseCron(text: string): CronSpec | { every: number } | string {
  const t = text.trim();
  const every = /^@every\s+(\d+)(m|h)$/.exec(t);
  if (every) return { every: Number(every[1]) * (every[2] === "h" ? 3_600_000 : 60_000) };
  const expanded = MACROS[t] ?? t;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) return `'${text}' is not a cron schedule: give 5 fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *", or @hourly/@daily`;
  const sets: Set<number>[] = [];
  for (const [i, f] of FIELDS.entries()) {
    const r = parseField(parts[i] ?? "", f.min, f.max, f.name);
    if (typeof r === "string") return `cron '${text}': ${r}`;
    sets.push(r);
  }
  const dow = sets[4]!;
  if (dow.has(7)) dow.add(0);
  return { sets, domStar: parts[2] === "*", dowStar: parts[4] === "*" };
}

/**
 * The longest interval between two consecutive runs of a cron schedule,
 * over one non-leap year (2025, starting on a Wednesday) including the wrap
 * into the next year. Undefined when the schedule never runs in that year.
 */
export function maxCronInterval(text: string): number | undefined {
  const spec = parseCron(text);
  if (typeof spec === "string") return undefined;
  if ("every" in spec) return spec.every;
  const [minutes, hours, dom, months, dow] = spec.sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const times: number[] = [];
  for (const hh of [...hours].sort((a, b) => a - b)) for (const mm of [...minutes].sort((a, b) => a - b)) times.push((hh * 60 + mm) * 60_000);
  const start = Date.UTC(2025, 0, 1);
  const fires: number[] = [];
  for (let day = 0; day < 365; day++) {
    const at = start + day * UNIT_MS.d;
    const date = new Date(at);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const domOk = dom.has(date.getUTCDate());
    const dowOk = dow.has(date.getUTCDay());
    const dayOk = spec.domStar || spec.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) continue;
    for (const t of times) fires.push(at + t);
  }
  if (fires.length === 0) return undefined;
  let max = fires[0]! + 365 * UNIT_MS.d - fires[fires.length - 1]!;
  for (let i = 1; i < fires.length; i++) max = Math.max(max, fires[i]! - fires[i - 1]!);
  return max;
}

/**
 * Performance and recovery targets read from the story's own words
 * ("p95 < 300ms", "99.95% availability", "RTO 1h", "RPO 5 minutes"), or
 * the `/doe` template's defaults, each default reported as a named warning.
 */

export interface Targets {
  p95Ms: number;
  /** Percent, e.g. 99.9. */
  availability: number;
  /** A duration such as "15m" or "1h". */
  rto: string;
  rpo: string;
}

/** The defaults of the `/doe` task template (`.claude/commands/doe.md`): p95 < 500 ms, 99.9% uptime, RTO < 15 minutes, RPO < 5 minutes. */
export const DEFAULT_TARGETS: Targets = { p95Ms: 500, availability: 99.9, rto: "15m", rpo: "5m" };

export interface ReadTargets {
  targets: Targets;
  /** Which targets the story states (the others are defaults). */
  stated: { p95: boolean; availability: boolean; rto: boolean; rpo: boolean };
}

const COMPARE = String.raw`(?:\s*(?:<=|<|≤|=|:|under|below|of|within|at most|less than|max(?:imum)?)\s*)*`;

const P95 = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:p95|95th[\s-]+percentile)(?:\s+(?:latency|response[\s-]+time))?${COMPARE}(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec(?:ond)?s?)(?![\p{L}])`, "iu");

/** A percentage with an availability word on the same line, either side. */
const PERCENT = /(?<![\d.])(\d{2}(?:\.\d+)?)\s*%/g;
const AVAILABILITY_WORD = /(?<![\p{L}])(?:availability|available|uptime|sla|slo)(?![\p{L}])/iu;

function recovery(name: "RTO" | "RPO"): RegExp {
  return new RegExp(String.raw`(?<![\p{L}\p{N}])${name}(?![\p{L}])[^\n\d]{0,25}?(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)(?![\p{L}])`, "iu");
}
const RTO = recovery("RTO");
const RPO = recovery("RPO");

/** "1 hour" → "1h", "15 minutes" → "15m", "30s" → "30s". */
export function normaliseDuration(value: string, unit: string): string {
  const u = unit.toLowerCase();
  const suffix = u.startsWith("d") ? "d" : u.startsWith("h") ? "h" : u.startsWith("m") ? "m" : "s";
  return `${Number(value)}${suffix}`;
}

/** The targets the text states; unstated ones fall back to DEFAULT_TARGETS. */
export function readTargets(text: string): ReadTargets {
  const p95 = P95.exec(text);
  const p95Ms = p95 ? Math.round(Number(p95[1]) * (/^m/i.test(p95[2] ?? "") ? 1 : 1000)) : undefined;

  let availability: number | undefined;
  for (const line of text.split("\n")) {
    if (!AVAILABILITY_WORD.test(line)) continue;
    for (const m of line.matchAll(PERCENT)) {
      const v = Number(m[1]);
      if (v >= 90 && v < 100) {
        availability = v;
        break;
      }
    }
    if (availability !== undefined) break;
  }

  const rto = RTO.exec(text);
  const rpo = RPO.exec(text);
  return {
    targets: {
      p95Ms: p95Ms ?? DEFAULT_TARGETS.p95Ms,
      availability: availability ?? DEFAULT_TARGETS.availability,
      rto: rto ? normaliseDuration(rto[1] ?? "", rto[2] ?? "") : DEFAULT_TARGETS.rto,
      rpo: rpo ? normaliseDuration(rpo[1] ?? "", rpo[2] ?? "") : DEFAULT_TARGETS.rpo,
    },
    stated: { p95: p95Ms !== undefined, availability: availability !== undefined, rto: rto !== null, rpo: rpo !== null },
  };
}

/** "15m" → "15 minutes", for prose. */
export function humanDuration(d: string): string {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(d);
  if (!m) return d;
  const n = Number(m[1]);
  const unit = { s: "second", m: "minute", h: "hour", d: "day" }[m[2] as "s" | "m" | "h" | "d"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

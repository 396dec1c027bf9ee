/**
 * Prometheus' template functions, reproduced so that generated promtool tests
 * can state the exact annotation text an alert renders (`exp_annotations`).
 * Go formats with `%.4g`; these give the same strings for finite values.
 */

/** Go's `fmt.Sprintf("%.<p>g", v)` for finite numbers. */
export function formatG(v: number, precision = 4): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  if (v === 0) return "0";
  const exp = Number(v.toExponential(precision - 1).split("e")[1]);
  if (exp < -4 || exp >= precision) {
    const [mantissa = "", e = "0"] = v.toExponential(precision - 1).split("e");
    const m = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const fixed = v.toFixed(Math.max(0, precision - 1 - exp));
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** `{{ $value | humanizePercentage }}`: 0.0144 → "1.44%". */
export function humanizePercentage(v: number): string {
  return `${formatG(v * 100)}%`;
}

/** `{{ $value | humanizeDuration }}`: 0.597 → "597ms", 90 → "1m 30s". */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return formatG(v);
  if (v === 0) return "0s";
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? "-" : "";
    const abs = Math.abs(v);
    const total = Math.trunc(abs);
    const seconds = total % 60;
    const minutes = Math.trunc(total / 60) % 60;
    const hours = Math.trunc(total / 3600) % 24;
    const days = Math.trunc(total / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${formatG(abs)}s`;
  }
  let prefix = "";
  let x = v;
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(x) >= 1) break;
    prefix = p;
    x *= 1000;
  }
  return `${formatG(x)}${prefix}s`;
}

/** A number as PromQL and promtool write it: at most 12 significant digits, no float noise. */
export function num(v: number): string {
  return String(Number(v.toPrecision(12)));
}

/**
 * Kubernetes resource quantities, restricted to the forms people write for
 * CPU and memory: CPU in cores ("0.5", 2) or millicores ("250m"); memory in
 * bytes with a binary (Ki, Mi, Gi, Ti) or decimal (k, M, G, T) suffix.
 * Values are normalised to integers (millicores, bytes) so arithmetic is
 * exact, and formatted back in the canonical short form.
 */

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

const MEMORY_FACTOR: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export const MI = 1024 ** 2;
export const GI = 1024 ** 3;

/** Millicores from "250m", "0.5", "2" or 0.5; undefined when it is not a CPU quantity or is below 1m. */
export function parseCpu(value: string | number): number | undefined {
  const text = typeof value === "number" ? String(value) : value.trim();
  const m = CPU.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  // 1.1 × 1000 is 1100.0000000000002 in floating point: round away the noise before checking for whole millicores.
  const milli = Math.round((m[2] === "m" ? n : n * 1000) * 1e6) / 1e6;
  if (!Number.isFinite(milli) || milli < 1 || !Number.isInteger(milli)) return undefined;
  return milli;
}

/** Bytes from "256Mi", "1Gi", "500M" or a plain number of bytes; undefined when invalid or below 1 MiB. */
export function parseMemory(value: string | number): number | undefined {
  const text = typeof value === "number" ? String(value) : value.trim();
  const m = MEMORY.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * (MEMORY_FACTOR[m[2] ?? ""] ?? 1);
  if (!Number.isFinite(bytes) || bytes < MI) return undefined;
  return Math.round(bytes);
}

/** "1" for 1000 millicores, "250m" otherwise. */
export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** The largest binary unit that divides the value exactly: "1Gi", "384Mi", "1536Ki" or bytes. */
export function formatMemory(bytes: number): string {
  for (const [unit, factor] of [
    ["Ti", 1024 ** 4],
    ["Gi", GI],
    ["Mi", MI],
    ["Ki", 1024],
  ] as const) {
    if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** Cores with up to three decimals, for reports ("1.25 cores"). */
export function cores(milli: number): string {
  return (milli / 1000).toFixed(3).replace(/\.?0+$/, "");
}

/** GiB with up to two decimals, for reports. */
export function gib(bytes: number): string {
  return (bytes / GI).toFixed(2).replace(/\.?0+$/, "");
}

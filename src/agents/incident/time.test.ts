import { describe, expect, it } from "vitest";
import { durationMs, goDuration, humanDuration, maxCronInterval, offsetFrom, parseCron, parseTimestamp } from "./time.js";

const H = 3_600_000;
const M = 60_000;

describe("timestamps", () => {
  it("parses ISO 8601 with Z or an offset, to the same instant", () => {
    expect(parseTimestamp("2024-05-02T14:07:00Z")).toBe(Date.UTC(2024, 4, 2, 14, 7));
    expect(parseTimestamp("2024-05-02T16:07:00+02:00")).toBe(Date.UTC(2024, 4, 2, 14, 7));
    expect(parseTimestamp("2024-05-02T14:07Z")).toBe(Date.UTC(2024, 4, 2, 14, 7));
    expect(parseTimestamp("2024-05-02T14:07:00.250Z")).toBe(Date.UTC(2024, 4, 2, 14, 7, 0, 250));
    expect(parseTimestamp("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
  });

  it("refuses dates that do not exist and missing zones", () => {
    for (const bad of ["2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-02T14:60:00Z", "2024-05-02T14:07:00", "2024-05-02", "2024-05-02T14:07:00+25:00"]) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it("formats offsets and durations for people", () => {
    const t0 = Date.UTC(2024, 4, 2, 14, 0);
    expect(offsetFrom(t0, t0 + 7 * M, false)).toBe("T+00:07");
    expect(offsetFrom(t0, t0 - 5 * M, false)).toBe("T-00:05");
    expect(offsetFrom(t0, t0 + 26 * H + 10 * M + 30_000, true)).toBe("T+26:10:30");
    expect(humanDuration(45_000)).toBe("45 s");
    expect(humanDuration(7 * M + 30_000)).toBe("7 min 30 s");
    expect(humanDuration(H + 23 * M)).toBe("1 h 23 min");
    expect(humanDuration(2 * 24 * H + 3 * H + 5 * M)).toBe("2 d 3 h");
    expect(durationMs("15m")).toBe(15 * M);
    expect(goDuration(durationMs("30d"))).toBe("720h0m0s");
  });
});

describe("cron intervals", () => {
  it("gives the longest gap between two runs", () => {
    expect(maxCronInterval("0 * * * *")).toBe(H);
    expect(maxCronInterval("@hourly")).toBe(H);
    expect(maxCronInterval("*/15 * * * *")).toBe(15 * M);
    expect(maxCronInterval("0 3 * * *")).toBe(24 * H);
    expect(maxCronInterval("0 */6 * * *")).toBe(6 * H);
    // Uneven lists: the longest gap counts, not the average.
    expect(maxCronInterval("0 2,6 * * *")).toBe(20 * H);
    // Weekdays only: Friday 03:00 to Monday 03:00.
    expect(maxCronInterval("0 3 * * 1-5")).toBe(72 * H);
    // Monthly: the longest month.
    expect(maxCronInterval("0 0 1 * *")).toBe(31 * 24 * H);
    expect(maxCronInterval("@every 6h")).toBe(6 * H);
  });

  it("reports schedules that are malformed or never run", () => {
    expect(parseCron("0 3 * *")).toMatch(/give 5 fields/);
    expect(parseCron("0 3 * * 9")).toMatch(/day of week '9' is outside 0-7/);
    expect(maxCronInterval("0 0 30 2 *")).toBeUndefined();
  });
});

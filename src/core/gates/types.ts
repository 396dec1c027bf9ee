import type { GateSwitch } from "../policy.js";

export type GateStatus = "passed" | "failed" | "skipped" | "awaiting";

export interface GateCheck {
  /** What was checked, e.g. an artifact path or a control id. */
  name: string;
  ok: boolean;
  message?: string;
  line?: number;
  column?: number;
}

export interface GateResult {
  gate: string;
  status: GateStatus;
  /** Percentage 0–100 of checks that passed. */
  score: number;
  /** Percentage required to pass. */
  threshold: number;
  checks: GateCheck[];
  /** Human-readable reasons the gate blocks (empty when it does not). */
  blocking: string[];
  duration_ms: number;
  /** Set when the gate was turned off on purpose (the security gate, by the project's config): why and where. */
  disabled?: GateSwitch;
}

/**
 * Typed errors. Every error a user can cause carries a code; the CLI error
 * boundary maps codes to exit codes and to `--json` output.
 *
 * Exit codes (README): 0 ok; 1 gate or lint failure; 2 bad input; 3 refused.
 */
export type ErrorCode =
  | "BAD_INPUT" // malformed file, unknown field, unknown type, bad flag
  | "NOT_FOUND" // unknown agent, plan, pack reference
  | "AMBIGUOUS" // a plan-id prefix that matches several plans
  | "PACK_INVALID" // a pack that does not load (schema or broken reference)
  | "REFUSED" // approval missing or stale, path outside target, symlink, overwrite of a user file
  | "STORE" // database failure
  | "TRACKER" // a tracker (Jira, GitHub) failed after retries, or timed out
  | "IO" // a file-system write failed: disk full, read-only, permission, name too long
  | "INTERNAL";

export const EXIT_CODES: Record<ErrorCode, number> = {
  BAD_INPUT: 2,
  NOT_FOUND: 2,
  AMBIGUOUS: 2,
  PACK_INVALID: 2,
  REFUSED: 3,
  STORE: 1,
  TRACKER: 1,
  IO: 1,
  INTERNAL: 1,
};

export class DevopsPackError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = "DevopsPackError";
    this.code = code;
    this.data = data;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; data?: Record<string, unknown> } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export function badInput(message: string, data?: Record<string, unknown>): DevopsPackError {
  return new DevopsPackError("BAD_INPUT", message, data);
}

export function refused(message: string, data?: Record<string, unknown>): DevopsPackError {
  return new DevopsPackError("REFUSED", message, data);
}

export function isDevopsPackError(e: unknown): e is DevopsPackError {
  return e instanceof DevopsPackError;
}

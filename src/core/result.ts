/**
 * Validators and gates return data; they do not throw. Throwing is reserved
 * for programmer errors.
 */
export interface Issue {
  message: string;
  /** Where the issue is: a file, a JSON path, or both. */
  path?: string;
  line?: number;
  column?: number;
  /** A short machine-readable tag, e.g. the validator's rule kind. */
  kind?: string;
}

export type Result<T> =
  | { ok: true; value: T; warnings: Issue[]; errors: [] }
  | { ok: false; value?: undefined; warnings: Issue[]; errors: Issue[] };

export function ok<T>(value: T, warnings: Issue[] = []): Result<T> {
  return { ok: true, value, warnings, errors: [] };
}

export function fail<T = never>(errors: Issue[], warnings: Issue[] = []): Result<T> {
  return { ok: false, warnings, errors };
}

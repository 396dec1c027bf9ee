/**
 * The one HTTP client the tracker adapters use: JSON over fetch with a
 * timeout, retries for 429 (after its Retry-After) and 5xx (exponential
 * backoff with full jitter, up to a limit), and clear errors for 401/403
 * naming the variables to set. Requests that create something are not
 * retried blindly: `send` reports an ambiguous failure (timeout, 5xx, reset)
 * as `ambiguous`, and the adapter first checks whether the create landed.
 * One deadline covers each attempt's whole exchange, body included: a server
 * that sends its headers and then trickles the body times out like one that
 * never answers. A body cut short, or a success whose body is not JSON, is a
 * TRACKER error naming the endpoint.
 * Secrets never appear in errors: every message and error body is redacted of
 * the configured secrets (plain, URL-encoded, base64) before it is shown.
 */
import { DevopsPackError, badInput } from "../core/errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** The longest Retry-After honoured; longer ones fail with a clear message. */
  maxRetryAfterMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 8_000, timeoutMs: 15_000, maxRetryAfterMs: 60_000 };

export interface HttpOptions {
  baseUrl: string;
  /** Headers sent with every request (authorization among them). */
  headers: Record<string, string>;
  /** The environment variables that configure credentials, named in 401/403 errors. */
  credentialVars: string[];
  /** Tracker name for messages: "Jira", "GitHub". */
  service: string;
  /**
   * Values that must never reach an error (the token; Jira's email:token pair).
   * They are replaced by [redacted] in every error message, in their plain,
   * URL-encoded and base64 forms, since an error body may echo the request.
   */
  secrets?: string[];
  policy?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Statuses that are answers, not errors (e.g. 404 for "not found"). */
  accept?: number[];
  /**
   * Whether a failed attempt may simply be repeated. GET, PUT and DELETE are;
   * a POST that creates something is not: on a timeout or a 5xx the request may
   * have landed, so `request` throws an AmbiguousError instead.
   */
  idempotent?: boolean;
}

/** A create whose outcome is unknown: the adapter must look before trying again. */
export class AmbiguousError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A secret as a pattern that also matches it URL-encoded, wholly or in part (each character as itself or as %XX). */
function encodedPattern(secret: string): string {
  return [...secret]
    .map((c) => {
      const hex = [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
      return `(?:${escapeRegExp(c)}|${hex}${c === " " ? "|\\+" : ""})`;
    })
    .join("");
}

/**
 * A function that replaces every secret by [redacted]: plain or URL-encoded,
 * and in base64 (a Basic authorization header) with or without padding, and base64url.
 * Longest first, so that a pair goes before its parts.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((x) => x.length > 0))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  const encoded = list.flatMap((x) => {
    const b64 = Buffer.from(x, "utf8").toString("base64");
    return [b64, b64.replace(/=+$/, ""), Buffer.from(x, "utf8").toString("base64url")];
  });
  const alternatives = [...new Set(encoded)].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp([...alternatives, ...list.map(encodedPattern)].join("|"), "gi");
  return (text) => text.replace(pattern, "[redacted]");
}

export class HttpClient {
  readonly policy: RetryPolicy;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #redact: (text: string) => string;

  constructor(private readonly opts: HttpOptions) {
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.#fetch = opts.fetch ?? fetch;
    this.#sleep = opts.sleep ?? sleepReal;
    this.#random = opts.random ?? Math.random;
    this.#redact = redactor(opts.secrets ?? []);
  }

  /** A TRACKER error whose message has no secret in it. */
  #fail(message: string, data?: Record<string, unknown>): DevopsPackError {
    return new DevopsPackError("TRACKER", this.#redact(message), data);
  }

  url(path: string, query?: RequestSpec["query"]): string {
    const u = new URL(path.replace(/^\//, ""), this.opts.baseUrl.endsWith("/") ? this.opts.baseUrl : `${this.opts.baseUrl}/`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Backoff before retry `attempt` (1-based): full jitter over an exponential ceiling. */
  backoff(attempt: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.#random() * ceiling);
  }

  async request<T = unknown>(spec: RequestSpec): Promise<HttpResponse<T>> {
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const what = `${this.opts.service} ${spec.method} ${spec.path}`;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.policy.retries;
      let res: Response;
      let text: string;
      // One deadline for the attempt's whole exchange: connect, headers and body.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.policy.timeoutMs);
      let headersIn = false;
      try {
        res = await this.#fetch(this.url(spec.path, spec.query), {
          method: spec.method,
          headers: { accept: "application/json", ...(spec.body !== undefined ? { "content-type": "application/json" } : {}), ...this.opts.headers },
          ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
          signal: controller.signal,
        });
        headersIn = true;
        text = await res.text();
      } catch (e) {
        const timedOut = controller.signal.aborted;
        const why = timedOut
          ? `timed out after ${this.policy.timeoutMs} ms`
          : headersIn
            ? `failed: the connection closed before the whole body arrived (${causeText(e)})`
            : `failed: ${causeText(e)}`;
        if (!idempotent) throw new AmbiguousError(this.#redact(`${what} ${why}`), undefined);
        if (last) throw this.#fail(`${what} ${why} (${attempt + 1} attempts).`);
        await this.#sleep(this.backoff(attempt + 1));
        continue;
      } finally {
        clearTimeout(timer);
      }
      let body: unknown = text;
      let json = true;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        json = false; // an error status may answer in text or HTML: errorText shows it
      }
      if (res.ok || spec.accept?.includes(res.status)) {
        if (!json) {
          const head = text.slice(0, 60).replace(/\s+/g, " ");
          throw this.#fail(`${what} answered ${res.status} with a body that is not JSON (${Buffer.byteLength(text)} bytes, starting '${head}').`, { status: res.status });
        }
        return { status: res.status, headers: res.headers, body: body as T };
      }
      if (res.status === 401 || res.status === 403) {
        throw badInput(
          `${this.opts.service} refused the credentials (${res.status} on ${spec.method} ${spec.path}). Set ${this.opts.credentialVars.join(", ")} to an account that can ${spec.method === "GET" ? "read" : "write"} there.`,
          { status: res.status },
        );
      }
      if (res.status === 429) {
        const wait = retryAfterMs(res.headers.get("retry-after")) ?? this.backoff(attempt + 1);
        if (wait > this.policy.maxRetryAfterMs) throw this.#fail(`${what}: rate limited; ${this.opts.service} asks to wait ${Math.ceil(wait / 1000)} s. Try again later.`);
        if (last) throw this.#fail(`${what}: still rate limited after ${attempt + 1} attempts.`);
        // A 429 is a refusal before any work: even a create can be repeated.
        await this.#sleep(wait);
        continue;
      }
      if (res.status >= 500) {
        if (!idempotent) throw new AmbiguousError(`${what} answered ${res.status}`, res.status);
        if (last) throw this.#fail(`${what} answered ${res.status} ${res.statusText} after ${attempt + 1} attempts.`, { status: res.status });
        await this.#sleep(this.backoff(attempt + 1));
        continue;
      }
      // The body is redacted whole, before errorText shortens it: a cut must not leave half a secret.
      throw this.#fail(`${what} answered ${res.status}: ${errorText(body, this.#redact)}`, { status: res.status });
    }
  }

  /**
   * Create something exactly once: `create` is sent; on an ambiguous failure
   * `find` looks for it (by idempotency key) before the next attempt.
   */
  async createOnce<T>(create: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await create();
      } catch (e) {
        if (!(e instanceof AmbiguousError)) throw e;
        const landed = await find();
        if (landed !== undefined) return landed;
        if (attempt >= this.policy.retries) throw this.#fail(`${e.message}; nothing was created (checked), after ${attempt + 1} attempts.`);
        await this.#sleep(this.backoff(attempt + 1));
      }
    }
  }
}

/** The readable part of an error body (Jira: errorMessages/errors; GitHub: message/errors). */
export function errorText(body: unknown, redact: (text: string) => string = (t) => t): string {
  if (body === null || body === undefined) return "(no body)";
  if (typeof body === "string") return redact(body).slice(0, 300);
  const b = body as { errorMessages?: string[]; errors?: unknown; message?: string };
  const parts: string[] = [];
  if (Array.isArray(b.errorMessages)) parts.push(...b.errorMessages);
  if (typeof b.message === "string") parts.push(b.message);
  if (b.errors && typeof b.errors === "object") parts.push(JSON.stringify(b.errors));
  return redact(parts.join("; ") || JSON.stringify(body)).slice(0, 300);
}

/** An error's message with its cause's (fetch says "fetch failed" / "terminated" and puts the reason in `cause`). */
function causeText(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message}: ${cause}` : String(err.message);
}

/**
 * The dated pin table: every action a generated workflow uses, pinned to the
 * full 40-hex commit SHA of a real release tag. A tag can be moved; a commit
 * SHA cannot, so a compromised tag (tj-actions/changed-files, March 2025)
 * never reaches a generated pipeline.
 *
 * `PINS_DATE` is the day the table was last reviewed: each SHA was checked
 * against the tag written beside it. Entries are not necessarily the newest
 * release of their action; the plan notes recommend Dependabot
 * (`package-ecosystem: github-actions`), which bumps SHA pins and their
 * version comments together.
 */
export const PINS_DATE = "2026-11-21";

export interface Pin {
  /** `owner/repo`, or `owner/repo/path` for an action in a subdirectory. */
  repo: string;
  /** The release tag the SHA points at, written as the `# vX.Y.Z` comment. */
  tag: string;
  /** Full 40-hex commit SHA of that tag. */
  sha: string;
}

export const PINS = {
  checkout: { repo: "actions/checkout", tag: "v5.0.0", sha: "08c6903cd8c0fde910a37f88322edcfb5dd907a8" },
  setupNode: { repo: "actions/setup-node", tag: "v5.0.0", sha: "a0853c24544627f65ddf259abe73b1d18a591444" },
  setupPython: { repo: "actions/setup-python", tag: "v6.0.0", sha: "e797f83bcb11b83ae66e0230d6156d7c80228e7c" },
  setupGo: { repo: "actions/setup-go", tag: "v6.0.0", sha: "44694675825211faa026b3c33043df3e48a5fa00" },
  setupJava: { repo: "actions/setup-java", tag: "v5.0.0", sha: "dded0888837ed1f317902acf8a20df0ad188d165" },
  attestBuildProvenance: { repo: "actions/attest-build-provenance", tag: "v3.0.0", sha: "977bb373ede98d70efdf65b84cb5f73e068dcc2a" },
  setupBuildx: { repo: "docker/setup-buildx-action", tag: "v3.11.1", sha: "e468171a9de216ec08956ac3ada2f0791b6bd435" },
  dockerLogin: { repo: "docker/login-action", tag: "v3.6.0", sha: "5e57cd118135c172c3672efd75eb46360885c0ef" },
  buildPush: { repo: "docker/build-push-action", tag: "v6.18.0", sha: "263435318d21b8e681c14492fe198d362a7d2c83" },
  awsCredentials: { repo: "aws-actions/configure-aws-credentials", tag: "v5.0.0", sha: "a03048d87541d1d9fcf2ecf528a4a65ba9bd7838" },
  gcpAuth: { repo: "google-github-actions/auth", tag: "v3.0.0", sha: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093" },
  azureLogin: { repo: "azure/login", tag: "v2.3.0", sha: "a457da9ea143d694b1b9c7c869ebb04ebe844ef5" },
  golangciLint: { repo: "golangci/golangci-lint-action", tag: "v8.0.0", sha: "4afd733a84b1f43292c63897423277bb7f4313a9" },
  hadolint: { repo: "hadolint/hadolint-action", tag: "v3.1.0", sha: "54c9adbab1582c2ef04b2016b760714a4bfde3cf" },
} as const satisfies Record<string, Pin>;

/** The name of an action in the pin table. The workflow model only accepts these. */
export type PinKey = keyof typeof PINS;

/**
 * Tools that generated `run:` steps install, pinned to exact versions for the
 * same reason as the actions (module tags and PyPI releases are immutable).
 */
export const TOOL_VERSIONS = {
  /** golangci-lint binary installed by golangci-lint-action v8 (needs golangci-lint v2). */
  golangciLint: "v2.5.0",
  /** `go run golang.org/x/vuln/cmd/govulncheck@…`. */
  govulncheck: "v1.1.4",
  /** `pip install pip-audit==…`. */
  pipAudit: "2.10.1",
  /** `go run github.com/google/osv-scanner/v2/cmd/osv-scanner@…`, for Java and container images. */
  osvScanner: "v2.4.0",
} as const;

/** `owner/repo@sha`, the value of a `uses:` key. */
export function usesRef(key: PinKey): string {
  const pin: Pin = PINS[key];
  return `${pin.repo}@${pin.sha}`;
}

const BY_REF = new Map<string, Pin>(Object.values(PINS).map((p: Pin) => [`${p.repo}@${p.sha}`, p]));

/** The pin behind a rendered `uses:` value, if it came from this table. */
export function pinForRef(ref: string): Pin | undefined {
  return BY_REF.get(ref);
}

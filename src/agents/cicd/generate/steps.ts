/** Steps and small builders shared by every project type. */
import type { ActionStep, RunStep, Step } from "../model.js";

/** Check out without leaving the token in .git/config (zizmor: artipacked). */
export function checkout(): ActionStep {
  return { name: "Check out", action: "checkout", with: { "persist-credentials": false } };
}

export function run(name: string, script: string, extra: Partial<Omit<RunStep, "name" | "run">> = {}): RunStep {
  return { name, ...extra, run: script.endsWith("\n") ? script : `${script}\n` };
}

/** A versioned toolchain set up once per job: a literal or a matrix expression. */
export interface MatrixAxis {
  axis: string;
  values: string[];
  /** Human label for job names, e.g. `Node`. */
  label: string;
}

/** What a project type contributes to each CI stage. */
export interface LanguageKit {
  /** Set up the toolchain (with dependency caching) and install dependencies. */
  prepare(version: string): Step[];
  /** The version used by jobs outside the test matrix. */
  primary: string;
  lint: Step[];
  test: Step[];
  /** Test matrix axis; absent when a single version is tested. */
  testMatrix?: MatrixAxis;
  build: Step[];
  /** Build matrix axis (typescript_fullstack workspaces). */
  buildMatrix?: MatrixAxis;
  /** Dependency audit for the language (runs after `prepare`). */
  audit: Step[];
}

/** `${{ matrix.<axis> }}` */
export function matrixExpr(axis: string): string {
  return `\${{ matrix.${axis} }}`;
}

/**
 * A bash health check: polls `$HEALTH_URL` until it answers 2xx/3xx, for up
 * to five minutes. Values come from env, never from `${{ }}` in the script.
 */
export const HEALTH_CHECK_SCRIPT = `url="\${APP_URL%/}\${HEALTH_CHECK_PATH}"
for attempt in $(seq 1 30); do
  if curl --fail --silent --show-error --location --max-time 10 --output /dev/null "$url"; then
    echo "Healthy after $attempt attempt(s): $url"
    exit 0
  fi
  sleep 10
done
echo "::error::Health check failed for 5 minutes: $url"
exit 1
`;

/**
 * Fail fast, naming the GitHub variables to set, when required settings are
 * empty, instead of deploying with blanks. `settings` maps each env var of
 * the job to the GitHub variable it comes from; `where` says where to set them.
 */
export function requireSettings(settings: Record<string, string>, where: string): RunStep {
  const checks = Object.entries(settings).map(([env, variable]) => `if [ -z "\${${env}:-}" ]; then missing="$missing ${variable}"; fi`);
  return run(
    "Check required settings",
    `missing=""
${checks.join("\n")}
if [ -n "$missing" ]; then
  echo "::error::Missing settings:$missing. Set them as ${where}, or give their values in the devops-pack task."
  exit 1
fi
`,
  );
}

/** python: pip with requirements files, ruff, pytest, pip-audit. */
import type { Step } from "../model.js";
import type { ResolvedConfig } from "../config.js";
import { primaryVersion } from "../config.js";
import { TOOL_VERSIONS } from "../pins.js";
import type { LanguageKit } from "./steps.js";
import { run } from "./steps.js";

function prepare(version: string): Step[] {
  return [
    {
      name: "Set up Python",
      action: "setupPython",
      with: { "python-version": version, cache: "pip", "cache-dependency-path": "requirements*.txt" },
    },
    run("Install dependencies", "python -m pip install --requirement requirements-dev.txt"),
  ];
}

export function pythonKit(cfg: ResolvedConfig): LanguageKit {
  const kit: LanguageKit = {
    prepare,
    primary: primaryVersion(cfg),
    lint: [run("Lint", "ruff check --output-format=github ."), run("Check formatting", "ruff format --check .")],
    test: [run("Test", "pytest")],
    build: [run("Build wheel", "python -m pip wheel --no-deps --wheel-dir dist .")],
    audit: [
      run(
        "Audit dependencies",
        `python -m pip install "pip-audit==${TOOL_VERSIONS.pipAudit}"\npip-audit --requirement requirements.txt`,
      ),
    ],
  };
  if (cfg.versions.length > 1) kit.testMatrix = { axis: "python", values: cfg.versions, label: "Python" };
  return kit;
}

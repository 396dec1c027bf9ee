/** go: go vet, golangci-lint (pinned action), go test -race, govulncheck. */
import type { Step } from "../model.js";
import type { ResolvedConfig } from "../config.js";
import { TOOL_VERSIONS } from "../pins.js";
import type { LanguageKit } from "./steps.js";
import { run } from "./steps.js";

export function goKit(cfg: ResolvedConfig): LanguageKit {
  const version = cfg.goVersion;
  const prepare = (): Step[] => [
    {
      name: "Set up Go",
      action: "setupGo",
      with: {
        ...(version === undefined ? { "go-version-file": "go.mod" } : { "go-version": version }),
        cache: true,
        "cache-dependency-path": "go.sum",
      },
    },
    run("Download modules", "go mod download"),
  ];
  return {
    prepare,
    primary: version ?? "go.mod",
    lint: [
      run("Vet", "go vet ./..."),
      { name: "golangci-lint", action: "golangciLint", with: { version: TOOL_VERSIONS.golangciLint } },
    ],
    test: [run("Test with the race detector", "go test -race ./...")],
    build: [run("Build", "go build ./...")],
    audit: [run("Check for known vulnerabilities", `go run golang.org/x/vuln/cmd/govulncheck@${TOOL_VERSIONS.govulncheck} ./...`)],
  };
}

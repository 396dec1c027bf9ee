/** container: a Dockerfile-only project. Lint with hadolint, scan the built image with OSV-Scanner. */
import type { Step } from "../model.js";
import type { ResolvedConfig } from "../config.js";
import { TOOL_VERSIONS } from "../pins.js";
import type { LanguageKit } from "./steps.js";
import { run } from "./steps.js";

/** Local tag of the image built for scanning; never pushed. */
export const SCAN_TAG = "local/scan:ci";

export function containerKit(cfg: ResolvedConfig): LanguageKit {
  return {
    prepare: (): Step[] => [],
    primary: "",
    lint: [{ name: "Lint Dockerfile (hadolint)", action: "hadolint", with: { dockerfile: cfg.dockerfile, "failure-threshold": "warning" } }],
    test: [],
    build: [],
    audit: [
      { name: "Set up Buildx", action: "setupBuildx" },
      {
        name: "Build image for scanning",
        action: "buildPush",
        with: {
          context: ".",
          file: cfg.dockerfile,
          load: true,
          push: false,
          tags: SCAN_TAG,
          "cache-from": "type=gha",
        },
      },
      run(
        "Scan image (OSV)",
        `go run github.com/google/osv-scanner/v2/cmd/osv-scanner@${TOOL_VERSIONS.osvScanner} scan image "$SCAN_IMAGE"`,
        { env: { SCAN_IMAGE: SCAN_TAG } },
      ),
    ],
  };
}

/** java: Maven or Gradle (wrapper), Temurin JDK, OSV-Scanner for dependencies. */
import type { Step } from "../model.js";
import type { ResolvedConfig } from "../config.js";
import { primaryVersion } from "../config.js";
import { TOOL_VERSIONS } from "../pins.js";
import type { LanguageKit } from "./steps.js";
import { run } from "./steps.js";

export function javaKit(cfg: ResolvedConfig): LanguageKit {
  const maven = cfg.buildTool === "maven";
  const prepare = (version: string): Step[] => [
    { name: "Set up JDK", action: "setupJava", with: { distribution: "temurin", "java-version": version, cache: cfg.buildTool } },
  ];
  const mvn = "mvn --batch-mode --no-transfer-progress";
  const kit: LanguageKit = {
    prepare,
    primary: primaryVersion(cfg),
    // Static analysis plugins bound to the build (Checkstyle, SpotBugs, Spotless…) run here.
    lint: [maven ? run("Static checks", `${mvn} -DskipTests verify`) : run("Static checks", "./gradlew check -x test")],
    test: [maven ? run("Test", `${mvn} test`) : run("Test", "./gradlew test")],
    build: [maven ? run("Package", `${mvn} -DskipTests package`) : run("Assemble", "./gradlew assemble")],
    audit: [
      run(
        "Scan dependencies (OSV)",
        `go run github.com/google/osv-scanner/v2/cmd/osv-scanner@${TOOL_VERSIONS.osvScanner} scan source --recursive .`,
      ),
    ],
  };
  if (cfg.versions.length > 1) kit.testMatrix = { axis: "java", values: cfg.versions, label: "Java" };
  return kit;
}

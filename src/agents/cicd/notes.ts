/** Plan notes: what a person must set up outside the repository, and why things are as they are. */
import type { Note } from "../../core/plans/plan.js";
import type { DeploySettings, ResolvedConfig, Setting } from "./config.js";
import type { PinKey } from "./pins.js";
import { PINS, PINS_DATE, TOOL_VERSIONS } from "./pins.js";
import { isProduction } from "./schema.js";

function variablesOf(settings: Record<string, Setting>): string[] {
  return Object.values(settings)
    .filter((s): s is { variable: string } => "variable" in s)
    .map((s) => s.variable);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

const CONVENTIONS: Record<ResolvedConfig["type"], string> = {
  typescript_fullstack:
    "Project conventions the workflow relies on: an npm workspaces monorepo with package-lock.json; root scripts `lint` (include the type check, e.g. `tsc -b && eslint .`) and `test`; a `build` script in each workspace.",
  node: "Project conventions the workflow relies on: package-lock.json and the scripts `lint`, `test` and `build` in package.json.",
  python:
    "Project conventions the workflow relies on: requirements.txt (runtime) and requirements-dev.txt (which includes -r requirements.txt plus ruff and pytest); a pyproject.toml or setup.py so `pip wheel .` builds the package.",
  go: "Project conventions the workflow relies on: go.mod and go.sum at the repository root; golangci-lint reads .golangci.yml (v2 format) if present.",
  java: "Project conventions the workflow relies on: pom.xml (Maven) or the Gradle wrapper (./gradlew); static analysis plugins bound to `verify` (Maven) or `check` (Gradle) run in the lint job.",
  container: "Project conventions the workflow relies on: a Dockerfile; hadolint reads .hadolint.yaml if present.",
};

function trustNotes(cfg: ResolvedConfig, d: DeploySettings): Note[] {
  const subs = cfg.environments.map((e) => `repo:<owner>/<repo>:environment:${e}`);
  const notes: Note[] = [];
  switch (d.cloud?.provider) {
    case "aws":
      notes.push({
        kind: "recommendation",
        text:
          `OIDC trust for AWS: create the IAM OIDC identity provider token.actions.githubusercontent.com (audience sts.amazonaws.com) once per account. ` +
          `Give each deploy role a trust policy allowing sts:AssumeRoleWithWebIdentity with the conditions ` +
          `StringEquals token.actions.githubusercontent.com:aud = "sts.amazonaws.com" and StringEquals token.actions.githubusercontent.com:sub = ` +
          `${subs.map((s) => `"${s}"`).join(" or ")} (one role per environment is best, e.g. the production role trusts only "repo:<owner>/<repo>:environment:production"). ` +
          `No access keys are stored in GitHub.`,
      });
      break;
    case "gcp":
      notes.push({
        kind: "recommendation",
        text:
          `OIDC trust for Google Cloud: create a workload identity pool and an OIDC provider for https://token.actions.githubusercontent.com with the attribute mapping ` +
          `google.subject=assertion.sub, attribute.repository=assertion.repository, attribute.environment=assertion.environment and the condition ` +
          `assertion.repository == '<owner>/<repo>'. Grant roles/iam.workloadIdentityUser on the deploy service account to ` +
          `principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/${subs[subs.length - 1] ?? "repo:<owner>/<repo>:environment:production"} ` +
          `(one binding per environment subject: ${subs.join(", ")}). No key files are stored in GitHub.`,
      });
      break;
    case "azure":
      notes.push({
        kind: "recommendation",
        text:
          `OIDC trust for Azure: on the Entra ID application (or user-assigned managed identity) add one federated credential per environment with issuer ` +
          `https://token.actions.githubusercontent.com, audience api://AzureADTokenExchange and subject ${subs.join(", ")}. No client secret is stored in GitHub.`,
      });
      break;
    case undefined:
      break;
  }
  return notes;
}

function methodNotes(cfg: ResolvedConfig, d: DeploySettings): Note[] {
  const notes: Note[] = [];
  switch (d.method) {
    case "kubernetes":
      notes.push({
        kind: "info",
        text: `Deploys update the container '${cfg.name}' of Deployment '${cfg.name}' with \`kubectl set image\` to the image digest and wait for \`rollout status\`. The Deployment must already exist (created from the devops_kubernetes manifests); this pipeline only rolls new images out. The deploy role needs eks:DescribeCluster and an EKS access entry allowing it to get and patch that Deployment.`,
      });
      break;
    case "ecs":
      notes.push({
        kind: "info",
        text: `Deploys register a new revision of the service's task definition with the container '${cfg.name}' set to the image digest, update the service and wait until it is stable; rollback re-applies the previous revision. The role needs ecs:DescribeServices, ecs:DescribeTaskDefinition, ecs:RegisterTaskDefinition, ecs:UpdateService and iam:PassRole for the task roles.`,
      });
      break;
    case "cloud_run":
      notes.push({
        kind: "info",
        text: `Deploys run \`gcloud run deploy ${cfg.name}\` with the image digest; rollback sends 100% of traffic back to the revision that was serving before. The service account needs roles/run.admin on the service and roles/iam.serviceAccountUser on its runtime account.`,
      });
      break;
    case "container_apps":
      notes.push({
        kind: "info",
        text: `Deploys run \`az containerapp update --name ${cfg.name}\` with the image digest; rollback restores the previous image. The Container App must already exist; the identity needs the Contributor role on it.`,
      });
      break;
    case "script":
      notes.push({
        kind: "info",
        text: "Deploys run your deploy.command with IMAGE (image@digest) and ENVIRONMENT in the environment; on a failed deploy or health check, deploy.rollback_command runs with PREVIOUS (the output of deploy.current_command, if given).",
      });
      break;
  }
  const reg = cfg.registry.kind;
  if ((d.method === "cloud_run" && reg !== "gar") || (d.method === "container_apps" && reg !== "acr")) {
    notes.push({
      kind: "warning",
      text: `${d.method === "cloud_run" ? "Cloud Run pulls from Artifact Registry (or Docker Hub)" : "Container Apps pull from a registry configured on the app"}; with registry ${cfg.registry.path}, ${d.method === "cloud_run" ? "create an Artifact Registry remote repository for it or set registry to <region>-docker.pkg.dev/<project>/<repository>" : "add the registry and its credentials to the Container App (az containerapp registry set) or use an Azure Container Registry (*.azurecr.io)"}.`,
    });
  }
  return notes;
}

function toolsUsed(cfg: ResolvedConfig): string[] {
  const lint = cfg.stages.includes("lint");
  const security = cfg.stages.includes("security");
  const tools: string[] = [];
  if (cfg.type === "go" && lint) tools.push(`golangci-lint ${TOOL_VERSIONS.golangciLint}`);
  if (cfg.type === "go" && security) tools.push(`govulncheck ${TOOL_VERSIONS.govulncheck}`);
  if (cfg.type === "python" && security) tools.push(`pip-audit ${TOOL_VERSIONS.pipAudit}`);
  if ((cfg.type === "java" || cfg.type === "container") && security) tools.push(`osv-scanner ${TOOL_VERSIONS.osvScanner}`);
  return tools;
}

/** Notes for a generated pipeline; `usedPins` are the pin-table entries its workflows use. */
export function generationNotes(cfg: ResolvedConfig, usedPins: readonly PinKey[]): Note[] {
  const notes: Note[] = [];
  const pins = usedPins.map((k) => `${PINS[k].repo} ${PINS[k].tag}`).join(", ");
  const tools = toolsUsed(cfg);
  notes.push({
    kind: "info",
    text: `Every action is pinned to a full commit SHA from the devops-pack pin table dated ${PINS_DATE}: ${pins}.${tools.length > 0 ? ` Tools installed by run steps are pinned to exact versions too: ${tools.join(", ")}.` : ""}`,
  });
  notes.push({
    kind: "recommendation",
    text: "Keep the pins current with Dependabot, which updates SHA pins and their version comments together: add .github/dependabot.yml with `version: 2` and an update entry `package-ecosystem: github-actions`, `directory: /`, `schedule: {interval: weekly}`.",
  });
  notes.push({ kind: "info", text: CONVENTIONS[cfg.type] });
  if (cfg.type === "container" && cfg.stages.includes("test")) {
    notes.push({ kind: "warning", text: "A container-only project has no test command, so the test stage adds no job; the image build (build stage) and the image scan (security stage) check it instead." });
  }
  if (cfg.type === "java" && cfg.stages.includes("security")) {
    notes.push({ kind: "info", text: "The Java security job runs OSV-Scanner through `go run`, using the Go toolchain preinstalled on GitHub-hosted Ubuntu runners; on self-hosted runners install Go first." });
  }
  const d = cfg.deploy;
  if (d === undefined) {
    notes.push({ kind: "recommendation", text: "Protect the default branch: require the CI jobs as status checks before merging (Settings > Branches)." });
    return notes;
  }
  notes.push({
    kind: "info",
    text: `deploy.yml runs on every push to ${cfg.branch} (and by hand): it calls ci.yml as a reusable workflow, builds and pushes the image once (tagged with the commit SHA, with SLSA provenance and an SBOM, and a GitHub attestation), then deploys that exact digest to ${cfg.environments.join(", then ")}. ci.yml itself runs on pull requests; require its jobs as status checks on ${cfg.branch}.`,
  });
  const prod = cfg.environments.filter(isProduction);
  for (const env of prod) {
    notes.push({
      kind: "recommendation",
      text:
        `Required reviewers are configured on the GitHub environment, not in the workflow: Settings > Environments > ${env} > Required reviewers: ` +
        `${cfg.reviewers.length > 0 ? cfg.reviewers.join(", ") : "add at least one person or team"}; enable "Prevent self-review", and under Deployment branches and tags allow only ${cfg.branch}. ` +
        `The deploy-${env} job waits for that approval before it starts.`,
    });
  }
  if (prod.length > 0 && cfg.reviewers.length === 0) {
    notes.push({ kind: "warning", text: `No reviewers were given for ${prod.join(", ")}: until required reviewers are set on the environment, production deploys start without a human approval.` });
  }
  for (const env of cfg.environments.filter((e) => !isProduction(e))) {
    notes.push({ kind: "recommendation", text: `Create the GitHub environment ${env} and restrict its deployment branches to ${cfg.branch}.` });
  }
  const perEnv = unique([...variablesOf(d.cloud?.settings ?? {}), ...variablesOf(d.target), ...variablesOf(d.urls)]);
  if (perEnv.length > 0) {
    notes.push({
      kind: "info",
      text: `Set these variables on each GitHub environment (${cfg.environments.join(", ")}), Settings > Environments > <name> > Environment variables: ${perEnv.join(", ")}. The deploy job checks them first and fails with their names if any is empty.`,
    });
  }
  const reg = cfg.registry.kind;
  const cloud = d.cloud?.settings ?? {};
  const isVar = (k: string): boolean => {
    const s = cloud[k];
    return s === undefined || "variable" in s;
  };
  const image: string[] = [];
  if (reg === "ecr") image.push("AWS_IMAGE_PUSH_ROLE_ARN");
  if (reg === "gar") image.push(...(isVar("GCP_WORKLOAD_IDENTITY_PROVIDER") ? ["GCP_WORKLOAD_IDENTITY_PROVIDER"] : []), "GCP_IMAGE_SERVICE_ACCOUNT");
  if (reg === "acr") image.push("AZURE_IMAGE_CLIENT_ID", ...["AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"].filter(isVar));
  if (reg === "other") image.push("REGISTRY_USERNAME (and the secret REGISTRY_PASSWORD)");
  if (image.length > 0) {
    const cloudRegistry = reg === "ecr" || reg === "gar" || reg === "acr";
    notes.push({
      kind: "info",
      text:
        `The image job has no GitHub environment, so set these as repository variables: ${image.join(", ")}.` +
        (cloudRegistry
          ? ` Use a push-only identity for it (allowed to push to ${cfg.registry.path}, nothing else) trusting the OIDC subject repo:<owner>/<repo>:ref:refs/heads/${cfg.branch}; the deploy identities trust only their environments' subjects.`
          : ""),
    });
  }
  if (reg === "ghcr") {
    notes.push({ kind: "info", text: "Images go to ghcr.io/<owner>/<repo> with the workflow's own token (packages: write on the image job only); the package inherits the repository's visibility." });
  }
  notes.push(...trustNotes(cfg, d));
  notes.push(...methodNotes(cfg, d));
  notes.push({
    kind: "info",
    text: `Each deploy records the running version, deploys, then polls <url>${d.healthCheckPath} for up to 5 minutes. If the deploy or the health check fails, the same job rolls back to the recorded version and checks health again. The rollback is a step of the deploy job rather than a separate job because a separate job targeting a protected environment would wait for its reviewers again in the middle of an incident.`,
  });
  if (cfg.reordered) {
    notes.push({ kind: "warning", text: `Environments are deployed in the order ${cfg.environments.join(" → ")}: production is always last, after the environments that can catch a bad release.` });
  }
  return notes;
}

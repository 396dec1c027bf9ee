/**
 * `.github/workflows/deploy.yml`: on the default branch, run CI (the reusable
 * ci.yml), build and push the image once with provenance, then deploy it by
 * digest to each environment in order, each deploy guarded by a health check
 * that rolls back to the previously running version when it fails.
 */
import type { CloudSettings, DeploySettings, ResolvedConfig, Setting } from "../config.js";
import { settingExpr } from "../config.js";
import type { Job, Permissions, Scalar, Step, StepsJob, Workflow } from "../model.js";
import { CI_PATH } from "./ci.js";
import { HEALTH_CHECK_SCRIPT, checkout, requireSettings, run } from "./steps.js";

export const DEPLOY_PATH = ".github/workflows/deploy.yml";

export function deployJobId(env: string): string {
  return `deploy-${env}`;
}

// ---------------------------------------------------------------- cloud auth

/** The OIDC login step for a cloud; values come from the job env. */
function cloudLogin(cloud: CloudSettings, id?: string): Step {
  const idPart = id === undefined ? {} : { id };
  switch (cloud.provider) {
    case "aws":
      return {
        ...idPart,
        name: "Configure AWS credentials (OIDC)",
        action: "awsCredentials",
        with: { "role-to-assume": "${{ env.AWS_ROLE_ARN }}", "aws-region": "${{ env.AWS_REGION }}", "role-session-name": "github-${{ github.run_id }}" },
      };
    case "gcp":
      return {
        ...idPart,
        name: "Authenticate to Google Cloud (OIDC)",
        action: "gcpAuth",
        with: { workload_identity_provider: "${{ env.GCP_WORKLOAD_IDENTITY_PROVIDER }}", service_account: "${{ env.GCP_SERVICE_ACCOUNT }}" },
      };
    case "azure":
      return {
        ...idPart,
        name: "Log in to Azure (OIDC)",
        action: "azureLogin",
        with: { "client-id": "${{ env.AZURE_CLIENT_ID }}", "tenant-id": "${{ env.AZURE_TENANT_ID }}", "subscription-id": "${{ env.AZURE_SUBSCRIPTION_ID }}" },
      };
  }
}

function envOf(settings: Record<string, Setting>): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(settings)) out[k] = settingExpr(v);
  return out;
}

/** Env var → GitHub variable, for the settings that come from variables. */
function fromVariables(settings: Record<string, Setting>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) if ("variable" in v) out[k] = v.variable;
  return out;
}

// ---------------------------------------------------------------- image job

interface ImagePlan {
  permissions: Permissions;
  env: Record<string, Scalar>;
  login: Step[];
  /** Shell that prints the image name (no tag) to $GITHUB_OUTPUT as `image=`. */
  nameScript: string;
  required: Record<string, string>;
}

/**
 * How the image job logs in to the registry. The image job has no GitHub
 * environment, so it cannot use an environment's deploy identity: it uses a
 * separate push-only identity from repository variables (`*_IMAGE_*`), and
 * shares only the non-secret coordinates (pool, tenant, subscription) with
 * the task input.
 */
function imagePlan(cfg: ResolvedConfig): ImagePlan {
  const reg = cfg.registry;
  const base: Permissions = { attestations: "write", contents: "read", "id-token": "write" };
  const name = `echo "image=\${REGISTRY}/\${APP_NAME}" >> "$GITHUB_OUTPUT"`;
  const cloud = cfg.deploy?.cloud;
  const literalOr = (key: string, variable: string): Setting => {
    const s = cloud?.settings[key];
    return s !== undefined && "literal" in s ? s : { variable };
  };
  switch (reg.kind) {
    case "ghcr":
      return {
        permissions: { ...base, packages: "write" },
        env: { REGISTRY: reg.path },
        login: [
          {
            name: "Log in to GitHub Container Registry",
            action: "dockerLogin",
            with: { registry: reg.host, username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" },
          },
        ],
        // ghcr.io image names must be lower case; the repository name may not be.
        nameScript: `echo "image=\${REGISTRY}/\${GITHUB_REPOSITORY,,}" >> "$GITHUB_OUTPUT"`,
        required: {},
      };
    case "ecr": {
      const region = /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(reg.host)?.[1] ?? "";
      const settings = { AWS_ROLE_ARN: { variable: "AWS_IMAGE_PUSH_ROLE_ARN" }, AWS_REGION: { literal: region } };
      return {
        permissions: base,
        env: { REGISTRY: reg.path, REGISTRY_HOST: reg.host, ...envOf(settings) },
        login: [
          cloudLogin({ provider: "aws", settings }),
          run("Log in to Amazon ECR", 'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY_HOST"'),
        ],
        nameScript: name,
        required: fromVariables(settings),
      };
    }
    case "gar": {
      const settings = {
        GCP_WORKLOAD_IDENTITY_PROVIDER: literalOr("GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_WORKLOAD_IDENTITY_PROVIDER"),
        GCP_SERVICE_ACCOUNT: { variable: "GCP_IMAGE_SERVICE_ACCOUNT" },
      };
      return {
        permissions: base,
        env: { REGISTRY: reg.path, ...envOf(settings) },
        login: [
          {
            id: "gcp-auth",
            name: "Authenticate to Google Cloud (OIDC)",
            action: "gcpAuth",
            with: {
              workload_identity_provider: "${{ env.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
              service_account: "${{ env.GCP_SERVICE_ACCOUNT }}",
              token_format: "access_token",
            },
          },
          {
            name: "Log in to Artifact Registry",
            action: "dockerLogin",
            with: { registry: reg.host, username: "oauth2accesstoken", password: "${{ steps.gcp-auth.outputs.access_token }}" },
          },
        ],
        nameScript: name,
        required: fromVariables(settings),
      };
    }
    case "acr": {
      const settings = {
        AZURE_CLIENT_ID: { variable: "AZURE_IMAGE_CLIENT_ID" },
        AZURE_TENANT_ID: literalOr("AZURE_TENANT_ID", "AZURE_TENANT_ID"),
        AZURE_SUBSCRIPTION_ID: literalOr("AZURE_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"),
      };
      const acrName = reg.host.split(".")[0] ?? reg.host;
      return {
        permissions: base,
        env: { REGISTRY: reg.path, ACR_NAME: acrName, ...envOf(settings) },
        login: [cloudLogin({ provider: "azure", settings }), run("Log in to Azure Container Registry", 'az acr login --name "$ACR_NAME"')],
        nameScript: name,
        required: fromVariables(settings),
      };
    }
    case "other":
      return {
        permissions: base,
        env: { REGISTRY: reg.path },
        login: [
          {
            name: "Log in to the registry",
            action: "dockerLogin",
            with: { registry: reg.host, username: "${{ vars.REGISTRY_USERNAME }}", password: "${{ secrets.REGISTRY_PASSWORD }}" },
          },
        ],
        nameScript: name,
        required: {},
      };
  }
}

function imageJob(cfg: ResolvedConfig, needs: string[]): StepsJob {
  const p = imagePlan(cfg);
  const steps: Step[] = [checkout()];
  if (Object.keys(p.required).length > 0) steps.push(requireSettings(p.required, "repository variables (Settings > Secrets and variables > Actions > Variables)"));
  steps.push(
    run("Compute image name", p.nameScript, { id: "meta" }),
    { name: "Set up Buildx", action: "setupBuildx" },
    ...p.login,
    {
      id: "build",
      name: "Build and push image",
      action: "buildPush",
      with: {
        context: ".",
        file: cfg.dockerfile,
        push: true,
        tags: "${{ steps.meta.outputs.image }}:${{ github.sha }}",
        provenance: "mode=max",
        sbom: true,
        "cache-from": "type=gha",
        "cache-to": "type=gha,mode=max",
      },
    },
    {
      name: "Attest build provenance",
      action: "attestBuildProvenance",
      with: { "subject-name": "${{ steps.meta.outputs.image }}", "subject-digest": "${{ steps.build.outputs.digest }}", "push-to-registry": true },
    },
  );
  return {
    name: "Build and push image",
    "runs-on": cfg.runsOn,
    ...(needs.length > 0 ? { needs } : {}),
    // workflow_dispatch can run on any branch; only the default branch ships.
    if: `github.ref == 'refs/heads/${cfg.branch}'`,
    permissions: p.permissions,
    "timeout-minutes": 30,
    outputs: { image: "${{ steps.meta.outputs.image }}", digest: "${{ steps.build.outputs.digest }}" },
    env: { APP_NAME: cfg.name, ...p.env },
    steps,
  };
}

// ---------------------------------------------------------------- deploy methods

interface MethodSteps {
  /** Runs before the deploy; prints `version=<current>` to $GITHUB_OUTPUT. */
  connect: Step[];
  current: string;
  deploy: string;
  /** Restores `$PREVIOUS`. */
  rollback: string;
  checkout: boolean;
}

function methodSteps(d: DeploySettings): MethodSteps {
  switch (d.method) {
    case "kubernetes":
      return {
        checkout: false,
        connect: [run("Connect to the EKS cluster", 'aws eks update-kubeconfig --name "$EKS_CLUSTER" --region "$AWS_REGION"')],
        current: `image="$(kubectl --namespace "$K8S_NAMESPACE" get deployment "$K8S_DEPLOYMENT" \\
  --output "jsonpath={.spec.template.spec.containers[?(@.name==\\"$K8S_CONTAINER\\")].image}")"
echo "Running now: \${image:-nothing}"
echo "version=$image" >> "$GITHUB_OUTPUT"
`,
        deploy: `kubectl --namespace "$K8S_NAMESPACE" set image "deployment/$K8S_DEPLOYMENT" "$K8S_CONTAINER=$IMAGE"
kubectl --namespace "$K8S_NAMESPACE" rollout status "deployment/$K8S_DEPLOYMENT" --timeout=10m
`,
        rollback: `kubectl --namespace "$K8S_NAMESPACE" set image "deployment/$K8S_DEPLOYMENT" "$K8S_CONTAINER=$PREVIOUS"
kubectl --namespace "$K8S_NAMESPACE" rollout status "deployment/$K8S_DEPLOYMENT" --timeout=10m
`,
      };
    case "ecs":
      return {
        checkout: false,
        connect: [],
        current: `task_definition="$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" \\
  --query 'services[0].taskDefinition' --output text)"
if [ "$task_definition" = "None" ]; then task_definition=""; fi
echo "Running now: \${task_definition:-nothing}"
echo "version=$task_definition" >> "$GITHUB_OUTPUT"
`,
        deploy: `if [ -z "$PREVIOUS" ]; then
  echo "::error::Service $ECS_SERVICE has no task definition yet; create it (e.g. with Terraform) before the first deploy."
  exit 1
fi
aws ecs describe-task-definition --task-definition "$PREVIOUS" --query taskDefinition > current.json
jq --exit-status --arg name "$ECS_CONTAINER" 'any(.containerDefinitions[]; .name == $name)' current.json > /dev/null \\
  || { echo "::error::No container named $ECS_CONTAINER in $PREVIOUS"; exit 1; }
jq --arg name "$ECS_CONTAINER" --arg image "$IMAGE" '
  .containerDefinitions |= map(if .name == $name then .image = $image else . end)
  | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy)
' current.json > next.json
next="$(aws ecs register-task-definition --cli-input-json file://next.json --query taskDefinition.taskDefinitionArn --output text)"
aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" --task-definition "$next" > /dev/null
aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE"
`,
        rollback: `aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" --task-definition "$PREVIOUS" > /dev/null
aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE"
`,
      };
    case "cloud_run":
      return {
        checkout: false,
        connect: [],
        current: `revision="$(gcloud run services describe "$CLOUD_RUN_SERVICE" --region "$GCP_REGION" \\
  --format='value(status.latestReadyRevisionName)' 2> /dev/null || true)"
echo "Running now: \${revision:-nothing}"
echo "version=$revision" >> "$GITHUB_OUTPUT"
`,
        deploy: `gcloud run deploy "$CLOUD_RUN_SERVICE" --image "$IMAGE" --region "$GCP_REGION" --quiet
`,
        rollback: `gcloud run services update-traffic "$CLOUD_RUN_SERVICE" --region "$GCP_REGION" --to-revisions "$PREVIOUS=100" --quiet
`,
      };
    case "container_apps":
      return {
        checkout: false,
        connect: [],
        current: `image="$(az containerapp show --name "$CONTAINER_APP" --resource-group "$AZURE_RESOURCE_GROUP" \\
  --query 'properties.template.containers[0].image' --output tsv)"
echo "Running now: \${image:-nothing}"
echo "version=$image" >> "$GITHUB_OUTPUT"
`,
        deploy: `az containerapp update --name "$CONTAINER_APP" --resource-group "$AZURE_RESOURCE_GROUP" --image "$IMAGE" --output none
`,
        rollback: `az containerapp update --name "$CONTAINER_APP" --resource-group "$AZURE_RESOURCE_GROUP" --image "$PREVIOUS" --output none
`,
      };
    case "script":
      return {
        checkout: true,
        connect: [],
        current:
          d.currentCommand === undefined
            ? `echo "version=" >> "$GITHUB_OUTPUT"\n`
            : `version="$(${d.currentCommand})"\necho "Running now: \${version:-unknown}"\necho "version=$version" >> "$GITHUB_OUTPUT"\n`,
        deploy: `${d.command ?? ""}\n`,
        rollback: `${d.rollbackCommand ?? ""}\n`,
      };
  }
}

function deployJob(cfg: ResolvedConfig, d: DeploySettings, env: string, needs: string[]): StepsJob {
  const m = methodSteps(d);
  const url = d.urls[env] ?? { variable: "APP_URL" };
  const settings: Record<string, Setting> = { ...(d.cloud?.settings ?? {}), ...d.target, APP_URL: url };
  const required = fromVariables(settings);
  const jobEnv: Record<string, Scalar> = {
    ENVIRONMENT: env,
    IMAGE: "${{ needs.image.outputs.image }}@${{ needs.image.outputs.digest }}",
    HEALTH_CHECK_PATH: d.healthCheckPath,
    ...envOf(settings),
  };
  const steps: Step[] = [];
  if (m.checkout) steps.push(checkout());
  if (Object.keys(required).length > 0) steps.push(requireSettings(required, `variables of the GitHub environment ${env} (Settings > Environments > ${env})`));
  if (d.cloud) steps.push(cloudLogin(d.cloud));
  steps.push(...m.connect);
  steps.push(run("Record the running version", m.current, { id: "current" }));
  steps.push(run(`Deploy to ${env}`, m.deploy, { id: "deploy", env: { PREVIOUS: "${{ steps.current.outputs.version }}" } }));
  steps.push(run("Health check", HEALTH_CHECK_SCRIPT, { id: "health" }));
  const rollbackIf =
    d.method === "script" && d.currentCommand === undefined
      ? "failure() && (steps.deploy.outcome == 'failure' || steps.health.outcome == 'failure')"
      : "failure() && steps.current.outputs.version != '' && (steps.deploy.outcome == 'failure' || steps.health.outcome == 'failure')";
  steps.push(
    run("Roll back to the previous version", `echo "::warning::Deploy to $ENVIRONMENT failed; rolling back to \${PREVIOUS:-the previous version}"\n${m.rollback}${HEALTH_CHECK_SCRIPT}`, {
      if: rollbackIf,
      env: { PREVIOUS: "${{ steps.current.outputs.version }}" },
    }),
  );
  steps.push(
    run("Summary", 'echo "Deployed $IMAGE to $ENVIRONMENT" >> "$GITHUB_STEP_SUMMARY"'),
  );
  const permissions: Permissions = d.cloud ? { contents: "read", "id-token": "write" } : { contents: "read" };
  return {
    name: `Deploy to ${env}`,
    "runs-on": cfg.runsOn,
    needs,
    permissions,
    environment: { name: env, url: settingExpr(url) },
    // Never cancel a deploy half-way; queue the next one instead.
    concurrency: { group: `deploy-${env}`, "cancel-in-progress": false },
    "timeout-minutes": d.timeoutMinutes,
    env: jobEnv,
    steps,
  };
}

export function deployWorkflow(cfg: ResolvedConfig, runCi: boolean): Workflow {
  const d = cfg.deploy;
  if (d === undefined) throw new Error("deployWorkflow: the deploy stage is not selected");
  const jobs: Record<string, Job> = {};
  if (runCi) {
    jobs.ci = { name: "CI", uses: `./${CI_PATH}`, permissions: { contents: "read" } };
  }
  jobs.image = imageJob(cfg, runCi ? ["ci"] : []);
  let previous: string | undefined;
  for (const env of cfg.environments) {
    const needs = previous === undefined ? ["image"] : ["image", previous];
    const id = deployJobId(env);
    jobs[id] = deployJob(cfg, d, env, needs);
    previous = id;
  }
  return {
    path: DEPLOY_PATH,
    name: "Deploy",
    on: { push: { branches: [cfg.branch] }, workflow_dispatch: {} },
    permissions: { contents: "read" },
    concurrency: { group: "deploy-${{ github.ref }}", "cancel-in-progress": false },
    // Without an explicit shell, GitHub runs scripts with `bash -e` but no pipefail.
    defaults: { run: { shell: "bash" } },
    jobs,
  };
}

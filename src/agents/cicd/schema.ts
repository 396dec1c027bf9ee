import { z } from "zod";
import { didYouMean } from "../../core/suggest.js";
import { registryOf, registryProvider } from "./registries.js";
import { oneOf } from "../../core/zod-enum.js";

export const PROJECT_TYPES = ["typescript_fullstack", "node", "python", "go", "java", "container"] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

export const PLATFORMS = ["github_actions"] as const;

export const STAGES = ["lint", "test", "build", "security", "deploy"] as const;
export type Stage = (typeof STAGES)[number];

export const DEPLOY_METHODS = ["kubernetes", "ecs", "cloud_run", "container_apps", "script"] as const;
export type DeployMethod = (typeof DEPLOY_METHODS)[number];

export const BUILD_TOOLS = ["maven", "gradle"] as const;

const NO_EXPRESSIONS = /^(?!.*\$\{\{)/s;
const noExpr = (s: z.ZodString, what: string) =>
  s.regex(NO_EXPRESSIONS, { message: `${what} must not contain \${{ }} expressions; the generator passes values through env: itself` });

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "environment names are lower-case letters, digits and '-', starting with a letter (they become job ids and GitHub environment names)" });

const VERSION = /^\d+(\.\d+){0,2}$/;

/**
 * Versions. YAML reads `22` as a number, which is accepted; `3.10` would be
 * read as 3.1, so dotted versions must be quoted and unquoted ones are refused.
 */
function checkVersion(v: string | number, ctx: z.RefinementCtx, path: (string | number)[]): string | undefined {
  const text = String(v);
  if (typeof v === "number" && !Number.isInteger(v)) {
    ctx.addIssue({ code: "custom", path, message: `quote dotted versions: YAML reads ${text} as a number (3.10 becomes 3.1); write "${text}"` });
    return undefined;
  }
  if (!VERSION.test(text)) {
    ctx.addIssue({ code: "custom", path, message: `'${text}' is not a version such as 22, "3.13" or "1.25.1"` });
    return undefined;
  }
  return text;
}

const scalarVersion = z.union([z.string(), z.number()], { error: () => 'expected a version such as 22, "3.13" or "1.25.1"' });

const version = scalarVersion.transform((v, ctx) => checkVersion(v, ctx, []) ?? z.NEVER);

const versions = z
  .union([scalarVersion, z.array(scalarVersion).min(1)], { error: () => 'expected a version or a list of versions, e.g. ["22", "24"]' })
  .transform((v, ctx) => {
    const list = Array.isArray(v) ? v : [v];
    const out = list.map((x, i) => checkVersion(x, ctx, Array.isArray(v) ? [i] : []));
    return out.every((x): x is string => x !== undefined) ? [...new Set(out)] : z.NEVER;
  });

const relPath = z
  .string()
  .min(1)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/@+-]+$/, { message: "a relative path inside the project (no '..', not absolute)" });

const command = noExpr(z.string().min(1).max(2000), "commands");

const awsCloud = z
  .strictObject({
    provider: z.literal("aws").describe("Amazon Web Services, reached with GitHub OIDC and aws-actions/configure-aws-credentials."),
    role_arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { message: "an IAM role ARN, e.g. arn:aws:iam::123456789012:role/deploy" })
      .optional()
      .describe("IAM role assumed through OIDC. Default: the environment variable vars.AWS_DEPLOY_ROLE_ARN, so each GitHub environment can use its own role."),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: "an AWS region such as eu-west-1" })
      .optional()
      .describe("AWS region. Default: vars.AWS_REGION of the GitHub environment."),
  })
  .describe("AWS account reached through OIDC; no access keys are ever stored.");

const gcpCloud = z
  .strictObject({
    provider: z.literal("gcp").describe("Google Cloud, reached with Workload Identity Federation and google-github-actions/auth."),
    workload_identity_provider: z
      .string()
      .regex(/^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/, {
        message: "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>",
      })
      .optional()
      .describe("Full resource name of the workload identity provider. Default: vars.GCP_WORKLOAD_IDENTITY_PROVIDER."),
    service_account: z
      .string()
      .regex(/^[a-z][a-z0-9-]{4,29}@[a-z][a-z0-9-]{4,29}\.iam\.gserviceaccount\.com$/, { message: "a service account email ending in .iam.gserviceaccount.com" })
      .optional()
      .describe("Service account impersonated by the workflow. Default: vars.GCP_SERVICE_ACCOUNT."),
    region: z
      .string()
      .regex(/^[a-z]+-[a-z]+\d$/, { message: "a Google Cloud region such as europe-west1" })
      .optional()
      .describe("Region of the Cloud Run service. Default: vars.GCP_REGION."),
  })
  .describe("Google Cloud project reached through Workload Identity Federation; no key files.");

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: "a GUID" });

const azureCloud = z
  .strictObject({
    provider: z.literal("azure").describe("Microsoft Azure, reached with a federated credential and azure/login."),
    client_id: uuid.optional().describe("Application (client) id of the Entra ID app or managed identity. Default: vars.AZURE_CLIENT_ID."),
    tenant_id: uuid.optional().describe("Entra ID tenant id. Default: vars.AZURE_TENANT_ID."),
    subscription_id: uuid.optional().describe("Subscription id. Default: vars.AZURE_SUBSCRIPTION_ID."),
    resource_group: z
      .string()
      .regex(/^[\w().-]{1,90}$/, { message: "an Azure resource group name" })
      .optional()
      .describe("Resource group of the Container App. Default: vars.AZURE_RESOURCE_GROUP."),
  })
  .describe("Azure subscription reached through OIDC federation; no client secrets.");

export const cloudSchema = z
  .discriminatedUnion("provider", [awsCloud, gcpCloud, azureCloud], {
    error: (iss) =>
      iss.code === "invalid_union" ? `Unsupported cloud.provider. Valid values: aws, gcp, azure.` : undefined,
  })
  .describe("Cloud the deploy jobs authenticate to, always through short-lived OIDC credentials.");

export const deploySchema = z
  .strictObject({
    method: oneOf("deploy.method", DEPLOY_METHODS).describe(
      "How a new image is rolled out: kubernetes (EKS, kubectl set image), ecs (new task definition revision), cloud_run (gcloud run deploy), container_apps (az containerapp update) or script (your own commands).",
    ),
    cluster: noExpr(z.string().min(1).max(100), "cluster")
      .optional()
      .describe("EKS or ECS cluster name. Default: vars.EKS_CLUSTER (kubernetes) or vars.ECS_CLUSTER (ecs) of the GitHub environment."),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a Kubernetes namespace name" })
      .optional()
      .describe("Kubernetes namespace. Default: vars.K8S_NAMESPACE of the GitHub environment."),
    service: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a lower-case service name" })
      .optional()
      .describe("Deployment, ECS service, Cloud Run service or Container App to update. Default: the task's name."),
    urls: z
      .record(environmentName, z.url({ protocol: /^https?$/ }))
      .optional()
      .describe("Public URL per environment, shown on the deployment and used by the health check. Default: vars.APP_URL of each GitHub environment."),
    health_check_path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/, { message: "an absolute URL path such as /healthz" })
      .default("/healthz")
      .describe("Path probed after each deploy; a failure rolls back to the previous version."),
    command: command.optional().describe("script method only: deploys $IMAGE (image@digest) to $ENVIRONMENT. Runs in a checkout of the repository."),
    rollback_command: command
      .optional()
      .describe("script method only: restores the previous version in $ENVIRONMENT; $PREVIOUS holds what current_command printed before the deploy."),
    current_command: command
      .optional()
      .describe("script method only: prints the currently deployed version (one line), recorded before the deploy for the rollback."),
    timeout_minutes: z.number().int().min(5).max(120).default(30).describe("Timeout of each deploy job."),
  })
  .describe("How each environment is deployed. Default: kubernetes on EKS for aws (and when no cloud is given), cloud_run for gcp, container_apps for azure.");

export const cicdInputSchema = z
  .strictObject({
    project_type: oneOf("project_type", PROJECT_TYPES)
      .optional()
      .describe("Kind of project the pipeline builds: typescript_fullstack (npm workspaces, frontend + backend), node, python, go, java or container (Dockerfile only). Required unless analyze is set."),
    platform: oneOf("platform", PLATFORMS).default("github_actions").describe("CI/CD platform. Only github_actions is generated."),
    stages: z
      .array(oneOf("stage", STAGES))
      .min(1)
      .refine((s) => new Set(s).size === s.length, { message: "stages must not repeat" })
      .optional()
      .describe("Stages to generate, in any order: lint, test, build, security, deploy. Default: lint, test, build, security, plus deploy when environments are given."),
    environments: z
      .array(environmentName)
      .refine((e) => new Set(e).size === e.length, { message: "environments must not repeat" })
      .default([])
      .describe("Deployment targets, e.g. [staging, production]. Deployed in this order, with production always last; each is a GitHub environment."),
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a lower-case DNS label such as checkout-api" })
      .default("app")
      .describe("Application or service name: default Deployment/service name and container name."),
    default_branch: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,100}$/, { message: "a branch name such as main" })
      .default("main")
      .describe("Branch that CI protects and deploys from."),
    runs_on: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: "a runner label such as ubuntu-24.04" })
      .default("ubuntu-24.04")
      .describe("Runner label for every job. A versioned image is the default so upgrades are deliberate."),
    node_version: versions
      .optional()
      .describe("Node.js version or list of versions for the test matrix (node and typescript_fullstack). Default: [22, 24]; the last one is used for lint, build and deploy."),
    python_version: versions.optional().describe("Python version or list for the test matrix. Default: [3.12, 3.13]; the last one is used for lint and build."),
    go_version: version.optional().describe("Go version. Default: the version in go.mod (go-version-file)."),
    java_version: versions.optional().describe("Java (Temurin) version or list for the test matrix. Default: 21."),
    build_tool: oneOf("build_tool", BUILD_TOOLS).optional().describe("java only: maven (default, ./mvnw if present) or gradle (./gradlew)."),
    workspaces: z
      .array(relPath)
      .min(1)
      .optional()
      .describe("typescript_fullstack only: npm workspaces built separately in a matrix. Default: [frontend, backend]."),
    dockerfile: relPath.default("Dockerfile").describe("Dockerfile of the image built and deployed."),
    registry: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, { message: "a registry host, optionally with a namespace: ghcr.io, 123456789012.dkr.ecr.eu-west-1.amazonaws.com, europe-docker.pkg.dev/my-project/images" })
      .default("ghcr.io")
      .describe("Container registry (host and optional namespace). ghcr.io uses the workflow token; ECR, Artifact Registry (*-docker.pkg.dev) and ACR (*.azurecr.io) use the cloud's OIDC login; any other registry uses vars.REGISTRY_USERNAME and secrets.REGISTRY_PASSWORD."),
    cloud: cloudSchema.optional().describe("Cloud the deploy jobs authenticate to through OIDC: {provider: aws|gcp|azure, …}. Default when deploying: aws, with role and region from GitHub environment variables."),
    deploy: deploySchema.optional().describe("Deploy method and its settings. Default: kubernetes on EKS for aws, cloud_run for gcp, container_apps for azure."),
    reviewers: z
      .array(z.string().regex(/^@?[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, { message: "a GitHub user (octocat) or team (org/team)" }))
      .default([])
      .describe("People or teams who must approve production deploys. Required reviewers are set on the GitHub environment (repository settings), not in the workflow; the plan notes say how."),
    analyze: noExpr(z.string().min(1).max(1000), "analyze")
      .optional()
      .describe("Pipeline optimization mode: a workflow file or directory (e.g. .github/workflows) relative to the project. Existing workflows are read (never outside the project) and reported as findings; nothing is generated."),
  })
  .superRefine((input, ctx) => {
    if (input.analyze !== undefined) {
      // project_type may stay (it describes the project); fields that shape a generated pipeline may not.
      const generation = ["stages", "cloud", "deploy", "workspaces", "build_tool"] as const;
      for (const key of generation) {
        if (input[key] !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `${key} generates a pipeline and cannot be combined with analyze, which only reports on existing workflows. Run two tasks.` });
        }
      }
      return;
    }
    if (input.project_type === undefined) {
      ctx.addIssue({ code: "custom", path: ["project_type"], message: `project_type is required. Valid values: ${PROJECT_TYPES.join(", ")}. (Or set analyze to review existing workflows.)` });
      return;
    }
    const type = input.project_type;
    const only = (key: "node_version" | "python_version" | "go_version" | "java_version" | "build_tool" | "workspaces", types: readonly string[]) => {
      if (input[key] !== undefined && !types.includes(type)) {
        ctx.addIssue({ code: "custom", path: [key], message: `${key} applies to project_type ${types.join(" or ")}, not ${type}.` });
      }
    };
    only("node_version", ["node", "typescript_fullstack"]);
    only("python_version", ["python"]);
    only("go_version", ["go"]);
    only("java_version", ["java"]);
    only("build_tool", ["java"]);
    only("workspaces", ["typescript_fullstack"]);

    const stages = input.stages;
    const deploying = stages ? stages.includes("deploy") : input.environments.length > 0;
    if (stages?.includes("deploy") && input.environments.length === 0) {
      ctx.addIssue({ code: "custom", path: ["environments"], message: "the deploy stage needs at least one environment, e.g. environments: [staging, production]." });
    }
    for (const key of ["deploy", "cloud"] as const) {
      if (input[key] !== undefined && !deploying) {
        ctx.addIssue({ code: "custom", path: [key], message: `${key} settings are given but the deploy stage is not selected; add deploy to stages (and environments).` });
      }
    }
    const d = input.deploy;
    if (d) {
      const provider = input.cloud?.provider ?? "aws";
      const needs: Partial<Record<DeployMethod, "aws" | "gcp" | "azure">> = { kubernetes: "aws", ecs: "aws", cloud_run: "gcp", container_apps: "azure" };
      const required = needs[d.method];
      if (required !== undefined && required !== provider) {
        const alt = provider === "gcp" ? "cloud_run" : provider === "azure" ? "container_apps" : "kubernetes or ecs";
        ctx.addIssue({
          code: "custom",
          path: ["deploy", "method"],
          message: `deploy.method ${d.method} is generated for cloud.provider ${required}${d.method === "kubernetes" ? " (EKS)" : ""}, but the cloud is ${provider}. Use ${alt}, or script with your own commands.`,
        });
      }
      const scriptOnly = ["command", "rollback_command", "current_command"] as const;
      if (d.method === "script") {
        for (const key of ["command", "rollback_command"] as const) {
          if (d[key] === undefined) ctx.addIssue({ code: "custom", path: ["deploy", key], message: `deploy.method script needs deploy.${key}.` });
        }
      } else {
        for (const key of scriptOnly) {
          if (d[key] !== undefined) ctx.addIssue({ code: "custom", path: ["deploy", key], message: `deploy.${key} applies only to deploy.method script.` });
        }
      }
      if (d.cluster !== undefined && d.method !== "kubernetes" && d.method !== "ecs") {
        ctx.addIssue({ code: "custom", path: ["deploy", "cluster"], message: "deploy.cluster applies to kubernetes and ecs." });
      }
      if (d.namespace !== undefined && d.method !== "kubernetes") {
        ctx.addIssue({ code: "custom", path: ["deploy", "namespace"], message: "deploy.namespace applies to kubernetes." });
      }
      for (const env of Object.keys(d.urls ?? {})) {
        if (!input.environments.includes(env)) {
          ctx.addIssue({ code: "custom", path: ["deploy", "urls", env], message: `deploy.urls names '${env}', which is not in environments (${input.environments.join(", ")}).${didYouMean(env, input.environments)}` });
        }
      }
    }
    const registryCloud = registryProvider(registryOf(input.registry).kind);
    if (deploying && registryCloud !== undefined) {
      const provider = input.cloud?.provider ?? (input.deploy?.method === "script" ? undefined : "aws");
      if (provider !== registryCloud) {
        ctx.addIssue({ code: "custom", path: ["registry"], message: `registry ${input.registry} is a ${registryCloud} registry; pushing to it needs cloud.provider ${registryCloud} (it is ${provider ?? "not set"}).` });
      }
    }
    if (input.reviewers.length > 0 && !input.environments.some(isProduction)) {
      ctx.addIssue({ code: "custom", path: ["reviewers"], message: "reviewers gate the production environment, but environments has none named production or prod." });
    }
  });

export type CicdInput = z.output<typeof cicdInputSchema>;

export function isProduction(env: string): boolean {
  return env === "production" || env === "prod";
}

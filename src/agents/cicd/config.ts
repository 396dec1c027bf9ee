/**
 * Resolve a validated input into the complete settings the generators use:
 * every default applied, every derived choice made once, here.
 */
import type { CicdInput, DeployMethod, ProjectType, Stage } from "./schema.js";
import type { Provider, Registry } from "./registries.js";
import { registryOf } from "./registries.js";
import { isProduction, STAGES } from "./schema.js";

/** A setting written into the workflow either literally or from a GitHub variable. */
export type Setting = { literal: string } | { variable: string };

export function settingExpr(s: Setting): string {
  return "literal" in s ? s.literal : `\${{ vars.${s.variable} }}`;
}

export interface CloudSettings {
  provider: Provider;
  /** Env var name → setting, in the order they are written. */
  settings: Record<string, Setting>;
}

export interface DeploySettings {
  method: DeployMethod;
  /** undefined only for `script` without a cloud. */
  cloud: CloudSettings | undefined;
  /** Method-specific env vars (cluster, namespace, service, …). */
  target: Record<string, Setting>;
  urls: Record<string, Setting>;
  healthCheckPath: string;
  timeoutMinutes: number;
  command?: string;
  rollbackCommand?: string;
  currentCommand?: string;
}

export interface ResolvedConfig {
  type: ProjectType;
  name: string;
  branch: string;
  runsOn: string;
  stages: Stage[];
  environments: string[];
  /** True when production-like environments were moved to the end. */
  reordered: boolean;
  versions: string[];
  goVersion: string | undefined;
  buildTool: "maven" | "gradle";
  workspaces: string[];
  dockerfile: string;
  registry: Registry;
  /** An image is built (and checked on pull requests). */
  containerized: boolean;
  deploy: DeploySettings | undefined;
  reviewers: string[];
}

export const DEFAULT_VERSIONS: Record<"node" | "python" | "java", string[]> = {
  node: ["22", "24"],
  python: ["3.12", "3.13"],
  java: ["21"],
};

/** Production-like environments go last; others keep their order. */
function orderEnvironments(envs: string[]): { ordered: string[]; reordered: boolean } {
  const ordered = [...envs.filter((e) => !isProduction(e)), ...envs.filter(isProduction)];
  return { ordered, reordered: ordered.some((e, i) => e !== envs[i]) };
}

function cloudSettings(input: CicdInput): CloudSettings {
  const c = input.cloud ?? { provider: "aws" as const };
  const set = (value: string | undefined, variable: string): Setting => (value === undefined ? { variable } : { literal: value });
  switch (c.provider) {
    case "aws":
      return { provider: "aws", settings: { AWS_ROLE_ARN: set(c.role_arn, "AWS_DEPLOY_ROLE_ARN"), AWS_REGION: set(c.region, "AWS_REGION") } };
    case "gcp":
      return {
        provider: "gcp",
        settings: {
          GCP_WORKLOAD_IDENTITY_PROVIDER: set(c.workload_identity_provider, "GCP_WORKLOAD_IDENTITY_PROVIDER"),
          GCP_SERVICE_ACCOUNT: set(c.service_account, "GCP_SERVICE_ACCOUNT"),
          GCP_REGION: set(c.region, "GCP_REGION"),
        },
      };
    case "azure":
      return {
        provider: "azure",
        settings: {
          AZURE_CLIENT_ID: set(c.client_id, "AZURE_CLIENT_ID"),
          AZURE_TENANT_ID: set(c.tenant_id, "AZURE_TENANT_ID"),
          AZURE_SUBSCRIPTION_ID: set(c.subscription_id, "AZURE_SUBSCRIPTION_ID"),
          AZURE_RESOURCE_GROUP: set(c.resource_group, "AZURE_RESOURCE_GROUP"),
        },
      };
  }
}

const DEFAULT_METHOD: Record<Provider, DeployMethod> = { aws: "kubernetes", gcp: "cloud_run", azure: "container_apps" };

function deploySettings(input: CicdInput, environments: string[]): DeploySettings {
  const d = input.deploy;
  const method = d?.method ?? DEFAULT_METHOD[input.cloud?.provider ?? "aws"];
  const cloud = method === "script" && input.cloud === undefined ? undefined : cloudSettings(input);
  const lit = (value: string | undefined, variable: string): Setting => (value === undefined ? { variable } : { literal: value });
  const service = d?.service ?? input.name;
  const target: Record<string, Setting> = {};
  switch (method) {
    case "kubernetes":
      target.EKS_CLUSTER = lit(d?.cluster, "EKS_CLUSTER");
      target.K8S_NAMESPACE = lit(d?.namespace, "K8S_NAMESPACE");
      target.K8S_DEPLOYMENT = { literal: service };
      target.K8S_CONTAINER = { literal: service };
      break;
    case "ecs":
      target.ECS_CLUSTER = lit(d?.cluster, "ECS_CLUSTER");
      target.ECS_SERVICE = { literal: service };
      target.ECS_CONTAINER = { literal: service };
      break;
    case "cloud_run":
      target.CLOUD_RUN_SERVICE = { literal: service };
      break;
    case "container_apps":
      target.CONTAINER_APP = { literal: service };
      break;
    case "script":
      break;
  }
  const urls: Record<string, Setting> = {};
  for (const env of environments) urls[env] = lit(d?.urls?.[env], "APP_URL");
  return {
    method,
    cloud,
    target,
    urls,
    healthCheckPath: d?.health_check_path ?? "/healthz",
    timeoutMinutes: d?.timeout_minutes ?? 30,
    ...(d?.command !== undefined ? { command: d.command } : {}),
    ...(d?.rollback_command !== undefined ? { rollbackCommand: d.rollback_command } : {}),
    ...(d?.current_command !== undefined ? { currentCommand: d.current_command } : {}),
  };
}

/** Settings for generation. `input` must have a project_type (i.e. not be an analyze task). */
export function resolveConfig(input: CicdInput): ResolvedConfig {
  const type = input.project_type;
  if (type === undefined) throw new Error("resolveConfig: project_type is required (the schema enforces it outside analyze mode)");
  const { ordered, reordered } = orderEnvironments(input.environments);
  const requested = input.stages ?? [...STAGES].filter((s) => s !== "deploy" || input.environments.length > 0);
  const stages = STAGES.filter((s) => requested.includes(s));
  const deploying = stages.includes("deploy");
  const versions =
    type === "node" || type === "typescript_fullstack"
      ? (input.node_version ?? DEFAULT_VERSIONS.node)
      : type === "python"
        ? (input.python_version ?? DEFAULT_VERSIONS.python)
        : type === "java"
          ? (input.java_version ?? DEFAULT_VERSIONS.java)
          : [];
  return {
    type,
    name: input.name,
    branch: input.default_branch,
    runsOn: input.runs_on,
    stages,
    environments: ordered,
    reordered,
    versions,
    goVersion: input.go_version,
    buildTool: input.build_tool ?? "maven",
    workspaces: input.workspaces ?? (type === "typescript_fullstack" ? ["frontend", "backend"] : []),
    dockerfile: input.dockerfile,
    registry: registryOf(input.registry),
    containerized: deploying || type === "container",
    deploy: deploying ? deploySettings(input, ordered) : undefined,
    reviewers: input.reviewers,
  };
}

/** The version used outside the test matrix: the last (newest) one listed. */
export function primaryVersion(cfg: ResolvedConfig): string {
  return cfg.versions[cfg.versions.length - 1] ?? "";
}

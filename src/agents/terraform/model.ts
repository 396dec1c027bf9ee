/**
 * What each module generator provides: its files (the same for every
 * instance), and for one task resource in one environment the module call's
 * arguments, the resource instances it creates (for drift detection) and the
 * root variables and outputs it needs.
 */
import type { Body, BodyItem, Plain } from "./hcl.js";
import type { ResourceInput, ResourceType } from "./schema.js";

export interface ModuleFiles {
  main: Body;
  variables: Body;
  outputs: Body;
}

export type Primitive = string | number | boolean | null;

/** One resource instance the configuration will manage, with attributes whose value the task fixes. */
export interface Instance {
  /** Address inside the module, e.g. `aws_subnet.private[0]` or `aws_eks_node_group.this["default"]`. */
  address: string;
  /** Attributes compared with the state, by path inside the resource (`scaling_config.0.max_size`). */
  attributes: Readonly<Record<string, Primitive | readonly Primitive[]>>;
}

/** How a resource reaches its network: a vpc module of the task, or variables of the root. */
export type Network =
  | { kind: "module"; label: string; cidr: string; azCount: number }
  | { kind: "variables" };

export interface CallContext {
  project: string;
  environment: string;
  region: string;
  /** Full AWS name, e.g. app-production-api. */
  name: string;
  /** Module call label in the root, e.g. ecs_api. */
  label: string;
  network: Network;
  /** Module labels of the task's resources, by resource name. */
  labels: ReadonlyMap<string, { type: ResourceType; label: string; resource: ResourceInput }>;
}

/** A variable of the environment root that a module call needs from the user. */
export interface RootVariable {
  name: string;
  item: BodyItem;
}

export interface ModuleCall {
  /** Module arguments in order (source and blank lines are added by the root). */
  args: readonly (readonly [string, Plain])[];
  instances: readonly Instance[];
  rootVariables: readonly RootVariable[];
  rootOutputs: readonly BodyItem[];
}

export const MODULE_DIRS: Readonly<Record<ResourceType, string>> = {
  vpc: "vpc",
  eks_cluster: "eks-cluster",
  ecs_service: "ecs-service",
  rds: "rds",
  s3_bucket: "s3-bucket",
  iam_role: "iam-role",
};

export const LABEL_PREFIX: Readonly<Record<ResourceType, string>> = {
  vpc: "vpc",
  eks_cluster: "eks",
  ecs_service: "ecs",
  rds: "rds",
  s3_bucket: "s3",
  iam_role: "iam",
};

/** Module call label: `<prefix>_<name>` with `_` for `-` (e.g. eks_production, s3_assets). */
export function moduleLabel(type: ResourceType, name: string): string {
  const n = name.replace(/-/g, "_");
  const prefix = LABEL_PREFIX[type];
  return n === prefix || n.startsWith(`${prefix}_`) ? n : `${prefix}_${n}`;
}

/** `[0]`, `["key"]`: the index part of an instance address. */
export function key(k: number | string): string {
  return typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`;
}

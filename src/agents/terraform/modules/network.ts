/**
 * Network inputs of the workload modules (EKS, ECS, RDS): from a vpc module
 * of the same task, or from variables of the environment root when the task
 * joins an existing VPC.
 */
import type { BodyItem, Expr } from "../hcl.js";
import { call, forList, op, ref } from "../hcl.js";
import type { CallContext, RootVariable } from "../model.js";
import { STRING, listOf, variable } from "./common.js";

export type NetKey = "vpc_id" | "private_subnet_ids" | "public_subnet_ids" | "database_subnet_ids";

const ROOT_DESCRIPTIONS: Record<Exclude<NetKey, "database_subnet_ids">, string> = {
  vpc_id: "ID of the existing VPC the workloads join (the task declares no vpc resource).",
  private_subnet_ids: "Private subnets of the existing VPC (at least two Availability Zones) for workloads and databases.",
  public_subnet_ids: "Public subnets of the existing VPC (at least two Availability Zones) for internet-facing load balancers.",
};

function rootVariable(name: Exclude<NetKey, "database_subnet_ids">): RootVariable {
  if (name === "vpc_id") {
    return {
      name,
      item: variable(name, {
        description: ROOT_DESCRIPTIONS[name],
        type: STRING,
        validations: [{ condition: call("can", call("regex", "^vpc-[0-9a-f]{8,17}$", ref("var.vpc_id"))), message: "vpc_id must be a VPC ID such as vpc-0123456789abcdef0." }],
      }),
    };
  }
  const v = ref(`var.${name}`);
  return {
    name,
    item: variable(name, {
      description: ROOT_DESCRIPTIONS[name],
      type: listOf(STRING),
      validations: [
        {
          condition: op(op(call("length", v), ">=", 2), "&&", call("alltrue", forList("s", v, call("can", call("regex", "^subnet-[0-9a-f]{8,17}$", ref("s")))))),
          message: `${name} needs at least two subnet IDs such as subnet-0123456789abcdef0.`,
        },
      ],
    }),
  };
}

/** Expressions for the network inputs a module call needs, and the root variables they use. */
export function networkArgs(ctx: CallContext, keys: readonly NetKey[]): { values: Partial<Record<NetKey, Expr>>; variables: RootVariable[] } {
  const values: Partial<Record<NetKey, Expr>> = {};
  const variables: RootVariable[] = [];
  const net = ctx.network;
  for (const k of keys) {
    if (net.kind === "module") {
      values[k] = ref(`module.${net.label}.${k}`);
    } else {
      const name = k === "database_subnet_ids" ? "private_subnet_ids" : k;
      values[k] = ref(`var.${name}`);
      if (!variables.some((x) => x.name === name)) variables.push(rootVariable(name));
    }
  }
  return { values, variables };
}

/** Module variables for the network inputs. */
export function networkVariables(names: readonly ("vpc_id" | "subnet_ids" | "private_subnet_ids" | "public_subnet_ids")[], descriptions: Partial<Record<string, string>> = {}): BodyItem[] {
  return names.map((name) => {
    if (name === "vpc_id") {
      return variable("vpc_id", { description: descriptions.vpc_id ?? "ID of the VPC.", type: STRING });
    }
    return variable(name, {
      description: descriptions[name] ?? `IDs of the ${name.replace(/_ids$/, "").replace(/_/g, " ")}s (at least two Availability Zones).`,
      type: listOf(STRING),
      validations: [{ condition: op(call("length", ref(`var.${name}`)), ">=", 2), message: `${name} needs subnets in at least two Availability Zones.` }],
    });
  });
}

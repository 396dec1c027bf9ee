/**
 * modules/eks-cluster: an EKS cluster with a private API endpoint (public
 * only on request, limited to named CIDRs), envelope encryption of Secrets
 * with a customer managed KMS key, every control-plane log type in an
 * encrypted log group, EKS access entries instead of aws-auth, an IAM OIDC
 * provider for IRSA, managed node groups on launch templates that require
 * IMDSv2 and encrypt their volumes, and the core managed add-ons.
 */
import type { Body, Plain } from "../hcl.js";
import { attr, blank, block, call, comment, cond, forList, not, obj, op, ref, section, tpl } from "../hcl.js";
import type { CallContext, Instance, ModuleCall, ModuleFiles } from "../model.js";
import { key } from "../model.js";
import type { ResourceOf } from "../schema.js";
import { LOG_RETENTION_DAYS } from "../schema.js";
import {
  BOOL,
  NUMBER,
  PARTITION,
  STRING,
  contextData,
  data,
  kmsKey,
  listOf,
  logGroupArn,
  logsKeyGrant,
  managedPolicy,
  mapOf,
  nameTags,
  nameVariable,
  output,
  res,
  retentionVariable,
  serviceAssumeRole,
  tagsVariable,
  variable,
} from "./common.js";
import { networkArgs, networkVariables } from "./network.js";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export const CORE_ADDONS = ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"] as const;
const NODE_POLICIES = ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"] as const;

const EACH = ref("each.value");

function main(): Body {
  return [
    ...contextData(true),
    block("locals", [], [attr("log_group_name", tpl("/aws/eks/", ref("var.name"), "/cluster"))]),
    comment("One key for the cluster: envelope encryption of Kubernetes Secrets and the control-plane log group."),
    ...kmsKey("this", tpl("EKS cluster ", ref("var.name"), ": Kubernetes Secrets and control-plane logs"), "eks", [logsKeyGrant(logGroupArn(ref("local.log_group_name")))]),
    comment("Created before the cluster so EKS writes to an encrypted group with a retention instead of creating its own."),
    res("aws_cloudwatch_log_group", "this", section(
      [attr("name", ref("local.log_group_name")), attr("retention_in_days", ref("var.log_retention_days")), attr("kms_key_id", ref("aws_kms_key.this.arn"))],
      [attr("tags", ref("var.tags"))],
    )),
    serviceAssumeRole("cluster_assume_role", "EksClusterAssumeRole", ["eks.amazonaws.com"], [], ["sts:AssumeRole", "sts:TagSession"]),
    res("aws_iam_role", "cluster", section(
      [attr("name", tpl(ref("var.name"), "-cluster")), attr("assume_role_policy", ref("data.aws_iam_policy_document.cluster_assume_role.json"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_iam_role_policy_attachment", "cluster", [attr("role", ref("aws_iam_role.cluster.name")), attr("policy_arn", managedPolicy("AmazonEKSClusterPolicy"))]),
    data("aws_iam_policy_document", "cluster_encryption", [
      block("statement", [], [
        attr("sid", "UseClusterKey"),
        attr("actions", ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]),
        attr("resources", [ref("aws_kms_key.this.arn")]),
      ]),
    ]),
    res("aws_iam_role_policy", "cluster_encryption", [
      attr("name", "cluster-encryption"),
      attr("role", ref("aws_iam_role.cluster.id")),
      attr("policy", ref("data.aws_iam_policy_document.cluster_encryption.json")),
    ]),
    comment("Extra security group of the API endpoint: who may reach the private endpoint besides the nodes."),
    res("aws_security_group", "api", section(
      [
        attr("name", tpl(ref("var.name"), "-api")),
        attr("description", tpl("Access to the private API endpoint of EKS cluster ", ref("var.name"))),
        attr("vpc_id", ref("var.vpc_id")),
      ],
      [attr("tags", nameTags(tpl(ref("var.name"), "-api")))],
    )),
    res("aws_vpc_security_group_ingress_rule", "api", section(
      [attr("for_each", call("toset", ref("var.api_allowed_cidrs")))],
      [
        attr("security_group_id", ref("aws_security_group.api.id")),
        attr("description", tpl("Kubernetes API from ", EACH)),
        attr("ip_protocol", "tcp"),
        attr("from_port", 443),
        attr("to_port", 443),
        attr("cidr_ipv4", EACH),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_eks_cluster", "this", section(
      [attr("name", ref("var.name")), attr("version", ref("var.kubernetes_version")), attr("role_arn", ref("aws_iam_role.cluster.arn"))],
      [attr("enabled_cluster_log_types", [...CONTROL_PLANE_LOG_TYPES])],
      [block("access_config", [], [
        attr("authentication_mode", "API"),
        attr("bootstrap_cluster_creator_admin_permissions", op(call("length", ref("var.admin_role_arns")), "==", 0)),
      ])],
      [block("vpc_config", [], [
        attr("subnet_ids", ref("var.subnet_ids")),
        attr("security_group_ids", [ref("aws_security_group.api.id")]),
        attr("endpoint_private_access", true),
        attr("endpoint_public_access", ref("var.endpoint_public_access")),
        attr("public_access_cidrs", cond(ref("var.endpoint_public_access"), ref("var.public_access_cidrs"), null)),
      ])],
      [block("encryption_config", [], [attr("resources", ["secrets"]), blank, block("provider", [], [attr("key_arn", ref("aws_kms_key.this.arn"))])])],
      [
        comment("Upgrade with the standard support calendar instead of paying for extended support ($0.60 instead of $0.10 per hour)."),
        block("upgrade_policy", [], [attr("support_type", "STANDARD")]),
      ],
      [attr("tags", ref("var.tags"))],
      [attr("depends_on", [ref("aws_iam_role_policy_attachment.cluster"), ref("aws_iam_role_policy.cluster_encryption"), ref("aws_cloudwatch_log_group.this")])],
    )),
    comment("IAM roles for service accounts (IRSA): pods assume roles through the cluster's OIDC issuer."),
    res("aws_iam_openid_connect_provider", "this", section(
      [attr("url", ref("aws_eks_cluster.this.identity[0].oidc[0].issuer")), attr("client_id_list", ["sts.amazonaws.com"])],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_eks_access_entry", "admin", section(
      [attr("for_each", call("toset", ref("var.admin_role_arns")))],
      [attr("cluster_name", ref("aws_eks_cluster.this.name")), attr("principal_arn", EACH), attr("type", "STANDARD")],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_eks_access_policy_association", "admin", section(
      [attr("for_each", call("toset", ref("var.admin_role_arns")))],
      [
        attr("cluster_name", ref("aws_eks_cluster.this.name")),
        attr("principal_arn", EACH),
        attr("policy_arn", tpl("arn:", PARTITION, ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")),
      ],
      [block("access_scope", [], [attr("type", "cluster")])],
      [attr("depends_on", [ref("aws_eks_access_entry.admin")])],
    )),
    serviceAssumeRole("node_assume_role", "Ec2AssumeRole", ["ec2.amazonaws.com"]),
    res("aws_iam_role", "node", section(
      [attr("name", tpl(ref("var.name"), "-node")), attr("assume_role_policy", ref("data.aws_iam_policy_document.node_assume_role.json"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_iam_role_policy_attachment", "node", section(
      [attr("for_each", call("toset", [...NODE_POLICIES]))],
      [attr("role", ref("aws_iam_role.node.name")), attr("policy_arn", tpl("arn:", PARTITION, ":iam::aws:policy/", EACH))],
    )),
    comment("IMDSv2 only, with a hop limit of 1 so pods cannot borrow the node's role; encrypted gp3 root volumes."),
    res("aws_launch_template", "node", section(
      [attr("for_each", ref("var.node_groups"))],
      [
        attr("name_prefix", tpl(ref("var.name"), "-", ref("each.key"), "-")),
        attr("description", tpl("Nodes of EKS cluster ", ref("var.name"), ", node group ", ref("each.key"))),
        attr("update_default_version", true),
      ],
      [block("metadata_options", [], [
        attr("http_endpoint", "enabled"),
        attr("http_tokens", "required"),
        attr("http_put_response_hop_limit", 1),
        attr("instance_metadata_tags", "disabled"),
      ])],
      [block("block_device_mappings", [], [
        attr("device_name", "/dev/xvda"),
        blank,
        block("ebs", [], [
          attr("volume_size", ref("each.value.disk_size_gb")),
          attr("volume_type", "gp3"),
          attr("encrypted", true),
          attr("delete_on_termination", true),
        ]),
      ])],
      [block("tag_specifications", [], [attr("resource_type", "instance"), attr("tags", nameTags(tpl(ref("var.name"), "-", ref("each.key"))))])],
      [block("tag_specifications", [], [attr("resource_type", "volume"), attr("tags", nameTags(tpl(ref("var.name"), "-", ref("each.key"))))])],
      [attr("tags", ref("var.tags"))],
      [block("lifecycle", [], [attr("create_before_destroy", true)])],
    )),
    res("aws_eks_node_group", "this", section(
      [attr("for_each", ref("var.node_groups"))],
      [
        attr("cluster_name", ref("aws_eks_cluster.this.name")),
        attr("node_group_name_prefix", tpl(ref("each.key"), "-")),
        attr("node_role_arn", ref("aws_iam_role.node.arn")),
        attr("subnet_ids", ref("var.subnet_ids")),
        attr("ami_type", ref("each.value.ami_type")),
        attr("capacity_type", ref("each.value.capacity_type")),
        attr("instance_types", ref("each.value.instance_types")),
        attr("labels", ref("each.value.labels")),
      ],
      [block("scaling_config", [], [
        attr("desired_size", ref("each.value.desired_size")),
        attr("min_size", ref("each.value.min_size")),
        attr("max_size", ref("each.value.max_size")),
      ])],
      [block("update_config", [], [attr("max_unavailable_percentage", 33)])],
      [block("launch_template", [], [
        attr("id", ref("aws_launch_template.node[each.key].id")),
        attr("version", ref("aws_launch_template.node[each.key].latest_version")),
      ])],
      [attr("tags", ref("var.tags"))],
      [block("lifecycle", [], [
        attr("create_before_destroy", true),
        comment("The cluster autoscaler owns the node count after creation."),
        attr("ignore_changes", [ref("scaling_config[0].desired_size")]),
      ])],
      [attr("depends_on", [ref("aws_iam_role_policy_attachment.node")])],
    )),
    res("aws_eks_addon", "this", section(
      [attr("for_each", call("toset", [...CORE_ADDONS]))],
      [
        attr("cluster_name", ref("aws_eks_cluster.this.name")),
        attr("addon_name", EACH),
        attr("addon_version", call("lookup", ref("var.addon_versions"), EACH, null)),
        attr("resolve_conflicts_on_create", "OVERWRITE"),
        attr("resolve_conflicts_on_update", "PRESERVE"),
      ],
      [attr("tags", ref("var.tags"))],
      [attr("depends_on", [ref("aws_eks_node_group.this")])],
    )),
  ];
}

const NODE_GROUP_TYPE = mapOf(call("object", obj({
  ami_type: STRING,
  instance_types: listOf(STRING),
  capacity_type: STRING,
  min_size: NUMBER,
  max_size: NUMBER,
  desired_size: NUMBER,
  disk_size_gb: NUMBER,
  labels: call("optional", mapOf(STRING), {}),
})));

function variables(): Body {
  const groups = ref("var.node_groups");
  const all = (c: Plain) => call("alltrue", forObjValues(c));
  return [
    nameVariable("Name of the EKS cluster; prefixes its roles, key and security group.", 38),
    variable("kubernetes_version", {
      description: 'Kubernetes minor version of the control plane, e.g. "1.33".',
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^1\\.[0-9]+$", ref("var.kubernetes_version"))), message: 'kubernetes_version must be a minor version such as "1.33".' }],
    }),
    ...networkVariables(["vpc_id", "subnet_ids"], { subnet_ids: "Private subnets of the control-plane network interfaces and the nodes (at least two Availability Zones)." }),
    variable("endpoint_public_access", {
      description: "Expose the API endpoint publicly as well (limited to public_access_cidrs). The private endpoint is always on.",
      type: BOOL,
      default: false,
    }),
    variable("public_access_cidrs", {
      description: "CIDR blocks allowed to reach the public API endpoint; required when endpoint_public_access is true, never 0.0.0.0/0.",
      type: listOf(STRING),
      default: [],
      validations: [
        {
          condition: call("alltrue", forListCidr("var.public_access_cidrs")),
          message: "public_access_cidrs must be IPv4 CIDR blocks narrower than /0.",
        },
        {
          condition: op(not(ref("var.endpoint_public_access")), "||", op(call("length", ref("var.public_access_cidrs")), ">", 0)),
          message: "endpoint_public_access needs at least one CIDR block in public_access_cidrs.",
        },
      ],
    }),
    variable("api_allowed_cidrs", {
      description: "CIDR blocks (VPN, CI runners) allowed to reach the private API endpoint on port 443.",
      type: listOf(STRING),
      default: [],
      validations: [{ condition: call("alltrue", forListCidr("var.api_allowed_cidrs")), message: "api_allowed_cidrs must be IPv4 CIDR blocks narrower than /0." }],
    }),
    variable("admin_role_arns", {
      description: "IAM roles given cluster-admin access through access entries. With none, the identity that creates the cluster is its admin.",
      type: listOf(STRING),
      default: [],
      validations: [{ condition: call("alltrue", forListRegex("var.admin_role_arns", "^arn:aws[a-z-]*:iam::[0-9]{12}:role/")), message: "admin_role_arns must be IAM role ARNs." }],
    }),
    variable("node_groups", {
      description: "Managed node groups by name: AMI type, instance types, capacity type, sizes (min <= desired <= max), root volume size and labels.",
      type: NODE_GROUP_TYPE,
      validations: [
        { condition: op(call("length", groups), ">", 0), message: "node_groups needs at least one node group." },
        { condition: all(op(op(ref("g.min_size"), "<=", ref("g.desired_size")), "&&", op(ref("g.desired_size"), "<=", ref("g.max_size")))), message: "Each node group needs min_size <= desired_size <= max_size." },
        { condition: all(call("contains", ["ON_DEMAND", "SPOT"], ref("g.capacity_type"))), message: "capacity_type must be ON_DEMAND or SPOT." },
      ],
    }),
    variable("addon_versions", {
      description: "Versions of the managed add-ons (coredns, eks-pod-identity-agent, kube-proxy, vpc-cni); an add-on not listed gets the default version for the cluster's Kubernetes version.",
      type: mapOf(STRING),
      default: {},
    }),
    retentionVariable("log_retention_days", "Days the control-plane log group keeps records.", LOG_RETENTION_DAYS, 365),
    tagsVariable(),
  ];
}

/** `[for g in values(var.node_groups) : cond]`, the argument of alltrue(). */
function forObjValues(body: Plain) {
  return forList("g", call("values", ref("var.node_groups")), body);
}

function forListCidr(v: string) {
  return forList("c", ref(v), op(call("can", call("cidrhost", ref("c"), 0)), "&&", not(call("endswith", ref("c"), "/0"))));
}

function forListRegex(v: string, re: string) {
  return forList("a", ref(v), call("can", call("regex", re, ref("a"))));
}

function outputs(): Body {
  return [
    output("cluster_name", "Name of the EKS cluster.", ref("aws_eks_cluster.this.name")),
    output("cluster_arn", "ARN of the EKS cluster.", ref("aws_eks_cluster.this.arn")),
    output("cluster_version", "Kubernetes version of the control plane.", ref("aws_eks_cluster.this.version")),
    output("cluster_endpoint", "HTTPS endpoint of the Kubernetes API server.", ref("aws_eks_cluster.this.endpoint")),
    output("cluster_certificate_authority_data", "Base64 certificate of the cluster's certificate authority.", ref("aws_eks_cluster.this.certificate_authority[0].data")),
    output("cluster_security_group_id", "Security group EKS created for the control plane and the managed nodes.", ref("aws_eks_cluster.this.vpc_config[0].cluster_security_group_id")),
    output("oidc_provider_arn", "ARN of the IAM OIDC provider, for IRSA trust policies.", ref("aws_iam_openid_connect_provider.this.arn")),
    output("oidc_issuer", "OIDC issuer host and path (without https://), the prefix of IRSA condition keys.", call("replace", ref("aws_eks_cluster.this.identity[0].oidc[0].issuer"), "https://", "")),
    output("node_role_arn", "IAM role of the managed nodes.", ref("aws_iam_role.node.arn")),
    output("kms_key_arn", "KMS key encrypting Kubernetes Secrets and the control-plane logs.", ref("aws_kms_key.this.arn")),
  ];
}

export function eksFiles(): ModuleFiles {
  return { main: main(), variables: variables(), outputs: outputs() };
}

/** Graviton instance families (m7g, c6gn, t4g…) run the ARM64 AMI. */
export function isGraviton(instanceType: string): boolean {
  const family = instanceType.split(".")[0] ?? "";
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) && /\dg/.test(family);
}

export interface NodeGroup {
  name: string;
  instance_types: string[];
  capacity_type: "ON_DEMAND" | "SPOT";
  min_size: number;
  max_size: number;
  desired_size: number;
  disk_size_gb: number;
  labels: Record<string, string>;
}

export function nodeGroups(r: ResourceOf<"eks_cluster">): NodeGroup[] {
  if (r.node_groups !== undefined) return r.node_groups.map((g) => ({ ...g, instance_types: [...g.instance_types], labels: { ...g.labels } }));
  return [
    {
      name: "default",
      instance_types: [...r.instance_types],
      capacity_type: r.capacity_type,
      min_size: r.min_nodes ?? r.node_count,
      max_size: r.max_nodes ?? r.node_count * 2,
      desired_size: r.node_count,
      disk_size_gb: r.disk_size_gb,
      labels: {},
    },
  ];
}

export function amiType(g: NodeGroup): string {
  return g.instance_types.every(isGraviton) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

export function eksCall(r: ResourceOf<"eks_cluster">, ctx: CallContext): ModuleCall {
  const groups = nodeGroups(r);
  for (const g of groups) {
    if (g.instance_types.some(isGraviton) && !g.instance_types.every(isGraviton)) {
      throw new Error(`node group ${g.name} mixes Graviton and x86 instance types`);
    }
  }
  const net = networkArgs(ctx, ["vpc_id", "private_subnet_ids"]);
  const args: [string, Plain][] = [
    ["name", ctx.name],
    ["kubernetes_version", r.kubernetes_version],
    ["vpc_id", net.values.vpc_id!],
    ["subnet_ids", net.values.private_subnet_ids!],
    ["endpoint_public_access", r.endpoint_public_access],
  ];
  if (r.public_access_cidrs !== undefined) args.push(["public_access_cidrs", r.public_access_cidrs]);
  if (r.api_allowed_cidrs.length > 0) args.push(["api_allowed_cidrs", r.api_allowed_cidrs]);
  if (r.admin_role_arns.length > 0) args.push(["admin_role_arns", r.admin_role_arns]);
  args.push([
    "node_groups",
    Object.fromEntries(
      groups.map((g) => [
        g.name,
        {
          ami_type: amiType(g),
          instance_types: g.instance_types,
          capacity_type: g.capacity_type,
          min_size: g.min_size,
          max_size: g.max_size,
          desired_size: g.desired_size,
          disk_size_gb: g.disk_size_gb,
          ...(Object.keys(g.labels).length > 0 ? { labels: g.labels } : {}),
        },
      ]),
    ),
  ]);
  args.push(["log_retention_days", r.log_retention_days]);
  if (r.tags !== undefined) args.push(["tags", r.tags]);

  const instances: Instance[] = [
    { address: "aws_kms_key.this", attributes: { enable_key_rotation: true } },
    { address: "aws_kms_alias.this", attributes: { name: `alias/${ctx.name}-eks` } },
    { address: "aws_cloudwatch_log_group.this", attributes: { name: `/aws/eks/${ctx.name}/cluster`, retention_in_days: r.log_retention_days } },
    { address: "aws_iam_role.cluster", attributes: { name: `${ctx.name}-cluster` } },
    { address: "aws_iam_role_policy_attachment.cluster", attributes: {} },
    { address: "aws_iam_role_policy.cluster_encryption", attributes: {} },
    { address: "aws_security_group.api", attributes: { name: `${ctx.name}-api` } },
    ...r.api_allowed_cidrs.map((c) => ({ address: `aws_vpc_security_group_ingress_rule.api${key(c)}`, attributes: { cidr_ipv4: c, from_port: 443, to_port: 443 } })),
    {
      address: "aws_eks_cluster.this",
      attributes: {
        name: ctx.name,
        version: r.kubernetes_version,
        enabled_cluster_log_types: [...CONTROL_PLANE_LOG_TYPES].sort(),
        "vpc_config.0.endpoint_private_access": true,
        "vpc_config.0.endpoint_public_access": r.endpoint_public_access,
      },
    },
    { address: "aws_iam_openid_connect_provider.this", attributes: {} },
    ...r.admin_role_arns.flatMap((a) => [
      { address: `aws_eks_access_entry.admin${key(a)}`, attributes: { principal_arn: a } },
      { address: `aws_eks_access_policy_association.admin${key(a)}`, attributes: { principal_arn: a } },
    ]),
    { address: "aws_iam_role.node", attributes: { name: `${ctx.name}-node` } },
    ...NODE_POLICIES.map((p) => ({ address: `aws_iam_role_policy_attachment.node${key(p)}`, attributes: {} })),
    ...groups.flatMap((g) => [
      { address: `aws_launch_template.node${key(g.name)}`, attributes: { "metadata_options.0.http_tokens": "required" } },
      {
        address: `aws_eks_node_group.this${key(g.name)}`,
        attributes: { capacity_type: g.capacity_type, instance_types: g.instance_types, ami_type: amiType(g), "scaling_config.0.min_size": g.min_size, "scaling_config.0.max_size": g.max_size },
      },
    ]),
    ...CORE_ADDONS.map((a) => ({ address: `aws_eks_addon.this${key(a)}`, attributes: { addon_name: a } })),
  ];
  const l = ctx.label;
  return {
    args,
    instances,
    rootVariables: net.variables,
    rootOutputs: [
      output(`${l}_cluster_name`, `Name of the ${r.name} EKS cluster (aws eks update-kubeconfig --name …).`, ref(`module.${l}.cluster_name`)),
      output(`${l}_cluster_endpoint`, `API endpoint of the ${r.name} EKS cluster.`, ref(`module.${l}.cluster_endpoint`)),
      output(`${l}_oidc_provider_arn`, `OIDC provider of the ${r.name} EKS cluster, for IRSA roles.`, ref(`module.${l}.oidc_provider_arn`)),
    ],
  };
}


/**
 * modules/ecs-service: a Fargate service in private subnets behind an
 * Application Load Balancer that serves HTTPS only (TLS 1.2+ policy, port 80
 * answers with a permanent redirect), drops invalid headers and is
 * deletion-protected; separate execution and task roles; a read-only root
 * file system with a writable /tmp; logs in a KMS-encrypted log group; a
 * deployment circuit breaker with rollback; CPU and memory target tracking.
 */
import type { Body, Plain } from "../hcl.js";
import { attr, blank, block, call, comment, cond, forList, get, index, list, obj, op, ref, section, tpl } from "../hcl.js";
import type { CallContext, Instance, ModuleCall, ModuleFiles, RootVariable } from "../model.js";
import { key } from "../model.js";
import type { ResourceOf } from "../schema.js";
import { FARGATE_SIZES, LOG_RETENTION_DAYS } from "../schema.js";
import {
  ACCOUNT_ID,
  BOOL,
  NUMBER,
  PARTITION,
  REGION,
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
  suppression,
  tagsVariable,
  variable,
} from "./common.js";
import { networkArgs, networkVariables } from "./network.js";

/** A TLS 1.3 and 1.2 policy with forward secrecy only (AWS's recommended default for HTTPS listeners). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const CONTAINER = "app";

function main(): Body {
  const sourceConditions = [
    { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] },
    { test: "ArnLike", variable: "aws:SourceArn", values: [tpl("arn:", PARTITION, ":ecs:", REGION, ":", ACCOUNT_ID, ":*")] },
  ];
  return [
    ...contextData(true),
    block("locals", [], [
      attr("log_group_name", tpl("/ecs/", ref("var.name"))),
      attr("task_role_arn", cond(ref("var.create_task_role"), get(index(ref("aws_iam_role.task"), 0), "arn"), ref("var.task_role_arn"))),
      attr("secretsmanager_arns", call("distinct", forList("v", call("values", ref("var.secrets")), call("join", ":", call("slice", call("split", ":", ref("v")), 0, 7)), op(index(call("split", ":", ref("v")), 2), "==", "secretsmanager")))),
      attr("ssm_parameter_arns", call("distinct", forList("v", call("values", ref("var.secrets")), ref("v"), op(index(call("split", ":", ref("v")), 2), "==", "ssm")))),
    ]),
    ...kmsKey("logs", tpl("Container logs of ECS service ", ref("var.name")), "ecs-logs", [logsKeyGrant(logGroupArn(ref("local.log_group_name")))]),
    res("aws_cloudwatch_log_group", "this", section(
      [attr("name", ref("local.log_group_name")), attr("retention_in_days", ref("var.log_retention_days")), attr("kms_key_id", ref("aws_kms_key.logs.arn"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_ecs_cluster", "this", section(
      [attr("name", ref("var.name"))],
      [block("setting", [], [attr("name", "containerInsights"), attr("value", "enabled")])],
      [attr("tags", ref("var.tags"))],
    )),
    comment("The execution role starts the task: pulls the image, writes logs, reads the injected secrets."),
    serviceAssumeRole("execution_assume_role", "EcsTasksAssumeRole", ["ecs-tasks.amazonaws.com"]),
    res("aws_iam_role", "execution", section(
      [attr("name", tpl(ref("var.name"), "-execution")), attr("assume_role_policy", ref("data.aws_iam_policy_document.execution_assume_role.json"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_iam_role_policy_attachment", "execution", [attr("role", ref("aws_iam_role.execution.name")), attr("policy_arn", managedPolicy("service-role/AmazonECSTaskExecutionRolePolicy"))]),
    data("aws_iam_policy_document", "execution_secrets", [
      block("dynamic", ["statement"], section(
        [attr("for_each", cond(op(call("length", ref("local.secretsmanager_arns")), ">", 0), [ref("local.secretsmanager_arns")], []))],
        [block("content", [], [attr("sid", "ReadSecretsManagerSecrets"), attr("actions", ["secretsmanager:GetSecretValue"]), attr("resources", ref("statement.value"))])],
      )),
      blank,
      block("dynamic", ["statement"], section(
        [attr("for_each", cond(op(call("length", ref("local.ssm_parameter_arns")), ">", 0), [ref("local.ssm_parameter_arns")], []))],
        [block("content", [], [attr("sid", "ReadSsmParameters"), attr("actions", ["ssm:GetParameters"]), attr("resources", ref("statement.value"))])],
      )),
    ]),
    res("aws_iam_role_policy", "execution_secrets", section(
      [attr("count", cond(op(call("length", ref("var.secrets")), ">", 0), 1, 0))],
      [attr("name", "read-injected-secrets"), attr("role", ref("aws_iam_role.execution.id")), attr("policy", ref("data.aws_iam_policy_document.execution_secrets.json"))],
    )),
    comment("The task role is what the application may do: a role of its own with no permissions, unless one is given."),
    serviceAssumeRole("task_assume_role", "EcsTasksAssumeRole", ["ecs-tasks.amazonaws.com"], sourceConditions),
    res("aws_iam_role", "task", section(
      [attr("count", cond(ref("var.create_task_role"), 1, 0))],
      [attr("name", tpl(ref("var.name"), "-task")), attr("assume_role_policy", ref("data.aws_iam_policy_document.task_assume_role.json"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_security_group", "alb", section(
      [
        attr("name", tpl(ref("var.name"), "-alb")),
        attr("description", tpl("Load balancer of ECS service ", ref("var.name"), ": HTTPS from clients")),
        attr("vpc_id", ref("var.vpc_id")),
      ],
      [attr("tags", nameTags(tpl(ref("var.name"), "-alb")))],
    )),
    res("aws_vpc_security_group_ingress_rule", "alb_https", section(
      [attr("for_each", call("toset", ref("var.ingress_cidr_blocks")))],
      [
        attr("security_group_id", ref("aws_security_group.alb.id")),
        attr("description", tpl("HTTPS from ", ref("each.value"))),
        attr("ip_protocol", "tcp"),
        attr("from_port", 443),
        attr("to_port", 443),
        attr("cidr_ipv4", ref("each.value")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    suppression("DP-AWS-SG-003", "port 80 only answers with a permanent redirect to HTTPS (aws_lb_listener.http)"),
    res("aws_vpc_security_group_ingress_rule", "alb_http", section(
      [attr("for_each", call("toset", ref("var.ingress_cidr_blocks")))],
      [
        attr("security_group_id", ref("aws_security_group.alb.id")),
        attr("description", tpl("HTTP from ", ref("each.value"), ", redirected to HTTPS")),
        attr("ip_protocol", "tcp"),
        attr("from_port", 80),
        attr("to_port", 80),
        attr("cidr_ipv4", ref("each.value")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_vpc_security_group_egress_rule", "alb_to_service", section(
      [
        attr("security_group_id", ref("aws_security_group.alb.id")),
        attr("description", "To the service's tasks on the container port"),
        attr("ip_protocol", "tcp"),
        attr("from_port", ref("var.container_port")),
        attr("to_port", ref("var.container_port")),
        attr("referenced_security_group_id", ref("aws_security_group.service.id")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_security_group", "service", section(
      [
        attr("name", tpl(ref("var.name"), "-service")),
        attr("description", tpl("Tasks of ECS service ", ref("var.name"))),
        attr("vpc_id", ref("var.vpc_id")),
      ],
      [attr("tags", nameTags(tpl(ref("var.name"), "-service")))],
    )),
    res("aws_vpc_security_group_ingress_rule", "service_from_alb", section(
      [
        attr("security_group_id", ref("aws_security_group.service.id")),
        attr("description", "From the load balancer on the container port"),
        attr("ip_protocol", "tcp"),
        attr("from_port", ref("var.container_port")),
        attr("to_port", ref("var.container_port")),
        attr("referenced_security_group_id", ref("aws_security_group.alb.id")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_vpc_security_group_egress_rule", "service_https", section(
      [
        attr("security_group_id", ref("aws_security_group.service.id")),
        attr("description", "HTTPS to AWS APIs, ECR and external services"),
        attr("ip_protocol", "tcp"),
        attr("from_port", 443),
        attr("to_port", 443),
        attr("cidr_ipv4", "0.0.0.0/0"),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_vpc_security_group_egress_rule", "service_to", section(
      [attr("for_each", ref("var.egress_security_groups"))],
      [
        attr("security_group_id", ref("aws_security_group.service.id")),
        attr("description", tpl("To ", ref("each.key"))),
        attr("ip_protocol", "tcp"),
        attr("from_port", ref("each.value.port")),
        attr("to_port", ref("each.value.port")),
        attr("referenced_security_group_id", ref("each.value.security_group_id")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_lb", "this", section(
      [
        attr("name", ref("var.name")),
        attr("load_balancer_type", "application"),
        attr("internal", ref("var.internal")),
        attr("security_groups", [ref("aws_security_group.alb.id")]),
        attr("subnets", cond(ref("var.internal"), ref("var.private_subnet_ids"), ref("var.public_subnet_ids"))),
        attr("drop_invalid_header_fields", true),
        attr("enable_deletion_protection", true),
      ],
      [block("dynamic", ["access_logs"], section(
        [attr("for_each", cond(op(ref("var.access_logs_bucket"), "==", null), [], [ref("var.access_logs_bucket")]))],
        [block("content", [], [attr("bucket", ref("access_logs.value")), attr("prefix", ref("var.name")), attr("enabled", true)])],
      ))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_lb_target_group", "this", section(
      [
        attr("name", ref("var.name")),
        attr("port", ref("var.container_port")),
        attr("protocol", "HTTP"),
        attr("target_type", "ip"),
        attr("vpc_id", ref("var.vpc_id")),
        attr("deregistration_delay", 30),
      ],
      [block("health_check", [], [
        attr("enabled", true),
        attr("path", ref("var.health_check_path")),
        attr("protocol", "HTTP"),
        attr("matcher", "200-399"),
        attr("interval", 15),
        attr("timeout", 5),
        attr("healthy_threshold", 2),
        attr("unhealthy_threshold", 3),
      ])],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_lb_listener", "https", section(
      [
        attr("load_balancer_arn", ref("aws_lb.this.arn")),
        attr("port", 443),
        attr("protocol", "HTTPS"),
        attr("ssl_policy", TLS_POLICY),
        attr("certificate_arn", ref("var.certificate_arn")),
      ],
      [block("default_action", [], [attr("type", "forward"), attr("target_group_arn", ref("aws_lb_target_group.this.arn"))])],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_lb_listener", "http", section(
      [attr("load_balancer_arn", ref("aws_lb.this.arn")), attr("port", 80), attr("protocol", "HTTP")],
      [block("default_action", [], [
        attr("type", "redirect"),
        blank,
        block("redirect", [], [attr("port", "443"), attr("protocol", "HTTPS"), attr("status_code", "HTTP_301")]),
      ])],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_ecs_task_definition", "this", section(
      [
        attr("family", ref("var.name")),
        attr("requires_compatibilities", ["FARGATE"]),
        attr("network_mode", "awsvpc"),
        attr("cpu", ref("var.cpu")),
        attr("memory", ref("var.memory")),
        attr("execution_role_arn", ref("aws_iam_role.execution.arn")),
        attr("task_role_arn", ref("local.task_role_arn")),
      ],
      [block("runtime_platform", [], [attr("operating_system_family", "LINUX"), attr("cpu_architecture", ref("var.architecture"))])],
      [
        comment("The root file system is read-only; /tmp is a writable task volume."),
        block("volume", [], [attr("name", "tmp")]),
      ],
      [attr("container_definitions", call("jsonencode", list([
        obj({
          name: CONTAINER,
          image: ref("var.image"),
          essential: true,
          readonlyRootFilesystem: true,
          portMappings: list([obj({ containerPort: ref("var.container_port"), protocol: "tcp" })], { multiline: true }),
          environment: forList(["k", "v"], ref("var.environment"), inlineObj({ name: ref("k"), value: ref("v") })),
          secrets: forList(["k", "v"], ref("var.secrets"), inlineObj({ name: ref("k"), valueFrom: ref("v") })),
          mountPoints: list([obj({ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false })], { multiline: true }),
          linuxParameters: { initProcessEnabled: true },
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": ref("aws_cloudwatch_log_group.this.name"),
              "awslogs-region": REGION,
              "awslogs-stream-prefix": CONTAINER,
            },
          },
        }),
      ], { multiline: true })))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_ecs_service", "this", section(
      [
        attr("name", ref("var.name")),
        attr("cluster", ref("aws_ecs_cluster.this.id")),
        attr("task_definition", ref("aws_ecs_task_definition.this.arn")),
        attr("desired_count", ref("var.desired_count")),
        attr("launch_type", "FARGATE"),
        attr("platform_version", "LATEST"),
        attr("propagate_tags", "SERVICE"),
        attr("enable_ecs_managed_tags", true),
        attr("enable_execute_command", false),
        attr("health_check_grace_period_seconds", 60),
        attr("deployment_minimum_healthy_percent", 100),
        attr("deployment_maximum_percent", 200),
      ],
      [
        comment("A release that never becomes healthy is rolled back to the previous task definition."),
        block("deployment_circuit_breaker", [], [attr("enable", true), attr("rollback", true)]),
      ],
      [block("network_configuration", [], [
        attr("subnets", ref("var.private_subnet_ids")),
        attr("security_groups", [ref("aws_security_group.service.id")]),
        attr("assign_public_ip", false),
      ])],
      [block("load_balancer", [], [
        attr("target_group_arn", ref("aws_lb_target_group.this.arn")),
        attr("container_name", CONTAINER),
        attr("container_port", ref("var.container_port")),
      ])],
      [attr("tags", ref("var.tags"))],
      [block("lifecycle", [], [comment("Autoscaling owns the task count after creation."), attr("ignore_changes", [ref("desired_count")])])],
      [attr("depends_on", [ref("aws_lb_listener.https")])],
    )),
    res("aws_appautoscaling_target", "this", section(
      [
        attr("service_namespace", "ecs"),
        attr("resource_id", tpl("service/", ref("aws_ecs_cluster.this.name"), "/", ref("aws_ecs_service.this.name"))),
        attr("scalable_dimension", "ecs:service:DesiredCount"),
        attr("min_capacity", ref("var.min_capacity")),
        attr("max_capacity", ref("var.max_capacity")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    scalingPolicy("cpu", "ECSServiceAverageCPUUtilization", ref("var.cpu_target_percent")),
    scalingPolicy("memory", "ECSServiceAverageMemoryUtilization", 75),
  ];
}

/** An object on one line, as for-expression bodies need: `{ name = k, value = v }`. */
function inlineObj(entries: Record<string, Plain>) {
  return obj(entries, { inline: true });
}

function scalingPolicy(label: string, metric: string, target: Plain) {
  return res("aws_appautoscaling_policy", label, section(
    [
      attr("name", tpl(ref("var.name"), `-${label}`)),
      attr("policy_type", "TargetTrackingScaling"),
      attr("service_namespace", ref("aws_appautoscaling_target.this.service_namespace")),
      attr("resource_id", ref("aws_appautoscaling_target.this.resource_id")),
      attr("scalable_dimension", ref("aws_appautoscaling_target.this.scalable_dimension")),
    ],
    [block("target_tracking_scaling_policy_configuration", [], section(
      [attr("target_value", target), attr("scale_in_cooldown", 300), attr("scale_out_cooldown", 60)],
      [block("predefined_metric_specification", [], [attr("predefined_metric_type", metric)])],
    ))],
  ));
}

function variables(): Body {
  const fargate = Object.entries(FARGATE_SIZES).map(([c, mems]) => [c, mems] as const);
  return [
    nameVariable("Name of the service, its cluster, load balancer and target group (at most 32 characters, the load balancer limit).", 32),
    ...networkVariables(["vpc_id", "private_subnet_ids"], { private_subnet_ids: "Private subnets of the tasks (and of an internal load balancer)." }),
    variable("internal", { description: "An internal load balancer in the private subnets instead of an internet-facing one.", type: BOOL, default: false }),
    variable("public_subnet_ids", {
      description: "Public subnets of an internet-facing load balancer (at least two Availability Zones); not used when internal.",
      type: listOf(STRING),
      default: [],
      validations: [{ condition: op(ref("var.internal"), "||", op(call("length", ref("var.public_subnet_ids")), ">=", 2)), message: "An internet-facing load balancer needs public_subnet_ids in at least two Availability Zones." }],
    }),
    variable("ingress_cidr_blocks", {
      description: "Clients allowed to reach the load balancer on 443 (and 80, which only redirects).",
      type: listOf(STRING),
      validations: [{ condition: op(call("length", ref("var.ingress_cidr_blocks")), ">", 0), message: "ingress_cidr_blocks needs at least one CIDR block." }],
    }),
    variable("certificate_arn", {
      description: "ACM certificate of the HTTPS listener.",
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", ref("var.certificate_arn"))), message: "certificate_arn must be an ACM certificate ARN." }],
    }),
    variable("image", {
      description: "Container image, preferably pinned by digest (repository@sha256:…).",
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^[^\\s]+(:[^\\s/]+|@sha256:[0-9a-f]{64})$", ref("var.image"))), message: "image must name a tag or a digest, e.g. registry/app@sha256:…" }],
    }),
    variable("container_port", {
      description: "Port the container listens on.",
      type: NUMBER,
      validations: [{ condition: op(op(ref("var.container_port"), ">=", 1024), "&&", op(ref("var.container_port"), "<=", 65535)), message: "container_port must be a non-privileged port (1024-65535)." }],
    }),
    variable("cpu", {
      description: "Task CPU units (1024 = 1 vCPU).",
      type: NUMBER,
      validations: [{ condition: call("contains", fargate.map(([c]) => Number(c)), ref("var.cpu")), message: `cpu must be a Fargate size: ${fargate.map(([c]) => c).join(", ")}.` }],
    }),
    variable("memory", {
      description: "Task memory in MiB, a valid Fargate combination with cpu.",
      type: NUMBER,
      validations: [{
        condition: call("contains", call("lookup", obj(Object.fromEntries(fargate.map(([c, mems]) => [c, list([...mems])]))), call("tostring", ref("var.cpu")), []), ref("var.memory")),
        message: "memory is not a Fargate size for this cpu (see the Fargate task size table).",
      }],
    }),
    variable("architecture", {
      description: "CPU architecture of the tasks: X86_64 or ARM64.",
      type: STRING,
      default: "X86_64",
      validations: [{ condition: call("contains", ["X86_64", "ARM64"], ref("var.architecture")), message: "architecture must be X86_64 or ARM64." }],
    }),
    variable("desired_count", { description: "Tasks at creation; autoscaling takes over afterwards.", type: NUMBER }),
    variable("min_capacity", { description: "Fewest tasks autoscaling keeps.", type: NUMBER }),
    variable("max_capacity", {
      description: "Most tasks autoscaling starts.",
      type: NUMBER,
      validations: [{ condition: op(ref("var.max_capacity"), ">=", ref("var.min_capacity")), message: "max_capacity must be at least min_capacity." }],
    }),
    variable("cpu_target_percent", {
      description: "Average CPU utilisation the scaling policy keeps the service at.",
      type: NUMBER,
      default: 60,
      validations: [{ condition: op(op(ref("var.cpu_target_percent"), ">=", 10), "&&", op(ref("var.cpu_target_percent"), "<=", 90)), message: "cpu_target_percent must be between 10 and 90." }],
    }),
    variable("health_check_path", { description: "Path the load balancer checks on each task.", type: STRING, default: "/healthz" }),
    variable("environment", { description: "Plain environment variables of the container (never secrets).", type: mapOf(STRING), default: {} }),
    variable("secrets", {
      description: "Environment variables read at task start from Secrets Manager or SSM Parameter Store, by ARN.",
      type: mapOf(STRING),
      default: {},
      validations: [{
        condition: call("alltrue", forList("v", call("values", ref("var.secrets")), call("can", call("regex", "^arn:aws[a-z-]*:(secretsmanager|ssm):", ref("v"))))),
        message: "secrets values must be Secrets Manager secret or SSM parameter ARNs.",
      }],
    }),
    variable("create_task_role", {
      description: "Create a task role with no permissions; false to use task_role_arn (a flag, because the ARN of a role created in the same plan is not known until apply).",
      type: BOOL,
      default: true,
    }),
    variable("task_role_arn", {
      description: "IAM role of the application when create_task_role is false.",
      type: STRING,
      default: null,
      validations: [{ condition: op(ref("var.create_task_role"), "||", op(ref("var.task_role_arn"), "!=", null)), message: "Give task_role_arn when create_task_role is false." }],
    }),
    variable("egress_security_groups", {
      description: "Security groups the tasks may reach, by name: { security_group_id, port } (databases, caches).",
      type: mapOf(call("object", obj({ security_group_id: STRING, port: NUMBER }))),
      default: {},
    }),
    variable("access_logs_bucket", { description: "S3 bucket (SSE-S3, with the ELB log delivery policy) for the load balancer's access logs; null disables them.", type: STRING, default: null }),
    retentionVariable("log_retention_days", "Days the container log group keeps records.", LOG_RETENTION_DAYS, 365),
    tagsVariable(),
  ];
}

function outputs(): Body {
  return [
    output("cluster_name", "Name of the ECS cluster.", ref("aws_ecs_cluster.this.name")),
    output("service_name", "Name of the ECS service.", ref("aws_ecs_service.this.name")),
    output("service_arn", "ARN of the ECS service (for deploy permissions).", ref("aws_ecs_service.this.id")),
    output("load_balancer_dns_name", "DNS name of the load balancer (point an alias record at it).", ref("aws_lb.this.dns_name")),
    output("load_balancer_zone_id", "Route 53 zone of the load balancer, for alias records.", ref("aws_lb.this.zone_id")),
    output("load_balancer_arn", "ARN of the load balancer.", ref("aws_lb.this.arn")),
    output("target_group_arn", "ARN of the target group.", ref("aws_lb_target_group.this.arn")),
    output("service_security_group_id", "Security group of the tasks (allow it on databases and caches).", ref("aws_security_group.service.id")),
    output("task_role_arn", "IAM role of the application.", ref("local.task_role_arn")),
    output("execution_role_arn", "IAM role ECS uses to start the tasks.", ref("aws_iam_role.execution.arn")),
    output("log_group_name", "CloudWatch log group of the containers.", ref("aws_cloudwatch_log_group.this.name")),
  ];
}

export function ecsFiles(): ModuleFiles {
  return { main: main(), variables: variables(), outputs: outputs() };
}

export interface EcsSizing {
  desired: number;
  min: number;
  max: number;
}

export function ecsSizing(r: ResourceOf<"ecs_service">): EcsSizing {
  return { desired: r.desired_count, min: r.min_capacity ?? r.desired_count, max: r.max_capacity ?? r.desired_count * 4 };
}

/** Egress rules the service needs towards databases of the task that allow it. */
export type EgressTarget = { name: string; label: string; port: number };

export function ecsCall(r: ResourceOf<"ecs_service">, ctx: CallContext, egress: readonly EgressTarget[]): ModuleCall {
  const net = networkArgs(ctx, r.internal ? ["vpc_id", "private_subnet_ids"] : ["vpc_id", "private_subnet_ids", "public_subnet_ids"]);
  const rootVariables: RootVariable[] = [...net.variables];
  const prefix = ctx.label;
  let image: Plain = r.image ?? ref(`var.${prefix}_image`);
  if (r.image === undefined) {
    rootVariables.push({
      name: `${prefix}_image`,
      item: variable(`${prefix}_image`, {
        description: `Container image of ECS service ${r.name}, pinned by digest (registry/repository@sha256:…).`,
        type: STRING,
        validations: [{ condition: call("can", call("regex", "@sha256:[0-9a-f]{64}$", ref(`var.${prefix}_image`))), message: "Pin the image by digest: registry/repository@sha256:<64 hex characters>." }],
      }),
    });
    image = ref(`var.${prefix}_image`);
  }
  let certificate: Plain = r.certificate_arn ?? null;
  if (r.certificate_arn === undefined) {
    rootVariables.push({
      name: `${prefix}_certificate_arn`,
      item: variable(`${prefix}_certificate_arn`, {
        description: `ACM certificate (in ${ctx.region}) of the HTTPS listener of ECS service ${r.name}.`,
        type: STRING,
        validations: [{ condition: call("can", call("regex", "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", ref(`var.${prefix}_certificate_arn`))), message: "Give an ACM certificate ARN." }],
      }),
    });
    certificate = ref(`var.${prefix}_certificate_arn`);
  }
  const ingress: Plain = !r.internal ? ["0.0.0.0/0"] : ctx.network.kind === "module" ? [ctx.network.cidr] : [ref("var.vpc_cidr_block")];
  if (r.internal && ctx.network.kind === "variables" && !rootVariables.some((v) => v.name === "vpc_cidr_block")) {
    rootVariables.push({
      name: "vpc_cidr_block",
      item: variable("vpc_cidr_block", {
        description: "IPv4 CIDR block of the existing VPC (clients of internal load balancers).",
        type: STRING,
        validations: [{ condition: call("can", call("cidrhost", ref("var.vpc_cidr_block"), 0)), message: "vpc_cidr_block must be an IPv4 CIDR block." }],
      }),
    });
  }
  const size = ecsSizing(r);
  const taskRole = r.task_role === undefined ? undefined : ctx.labels.get(r.task_role);
  const args: [string, Plain][] = [
    ["name", ctx.name],
    ["vpc_id", net.values.vpc_id!],
    ["private_subnet_ids", net.values.private_subnet_ids!],
    ...(r.internal ? [] : [["public_subnet_ids", net.values.public_subnet_ids!] as [string, Plain]]),
    ["internal", r.internal],
    ["ingress_cidr_blocks", ingress],
    ["certificate_arn", certificate],
    ["image", image],
    ["container_port", r.container_port],
    ["cpu", r.cpu],
    ["memory", r.memory],
    ["architecture", r.architecture],
    ["desired_count", size.desired],
    ["min_capacity", size.min],
    ["max_capacity", size.max],
    ["cpu_target_percent", r.cpu_target_percent],
    ["health_check_path", r.health_check_path],
  ];
  if (Object.keys(r.environment).length > 0) args.push(["environment", sortedRecord(r.environment)]);
  if (Object.keys(r.secrets).length > 0) args.push(["secrets", sortedRecord(r.secrets)]);
  if (taskRole !== undefined) args.push(["create_task_role", false], ["task_role_arn", ref(`module.${taskRole.label}.role_arn`)]);
  if (egress.length > 0) {
    args.push(["egress_security_groups", Object.fromEntries(egress.map((e) => [e.name, { security_group_id: ref(`module.${e.label}.security_group_id`), port: e.port }]))]);
  }
  if (r.alb_access_logs_bucket !== undefined) args.push(["access_logs_bucket", r.alb_access_logs_bucket]);
  args.push(["log_retention_days", r.log_retention_days]);
  if (r.tags !== undefined) args.push(["tags", r.tags]);

  const ingressKeys = !r.internal ? ["0.0.0.0/0"] : ctx.network.kind === "module" ? [ctx.network.cidr] : [];
  const instances: Instance[] = [
    { address: "aws_kms_key.logs", attributes: { enable_key_rotation: true } },
    { address: "aws_kms_alias.logs", attributes: { name: `alias/${ctx.name}-ecs-logs` } },
    { address: "aws_cloudwatch_log_group.this", attributes: { name: `/ecs/${ctx.name}`, retention_in_days: r.log_retention_days } },
    { address: "aws_ecs_cluster.this", attributes: { name: ctx.name } },
    { address: "aws_iam_role.execution", attributes: { name: `${ctx.name}-execution` } },
    { address: "aws_iam_role_policy_attachment.execution", attributes: {} },
    ...(Object.keys(r.secrets).length > 0 ? [{ address: "aws_iam_role_policy.execution_secrets[0]", attributes: {} }] : []),
    ...(taskRole === undefined ? [{ address: "aws_iam_role.task[0]", attributes: { name: `${ctx.name}-task` } }] : []),
    { address: "aws_security_group.alb", attributes: { name: `${ctx.name}-alb` } },
    ...ingressKeys.flatMap((c) => [
      { address: `aws_vpc_security_group_ingress_rule.alb_https${key(c)}`, attributes: { from_port: 443, to_port: 443, cidr_ipv4: c } },
      { address: `aws_vpc_security_group_ingress_rule.alb_http${key(c)}`, attributes: { from_port: 80, to_port: 80, cidr_ipv4: c } },
    ]),
    { address: "aws_vpc_security_group_egress_rule.alb_to_service", attributes: { from_port: r.container_port, to_port: r.container_port } },
    { address: "aws_security_group.service", attributes: { name: `${ctx.name}-service` } },
    { address: "aws_vpc_security_group_ingress_rule.service_from_alb", attributes: { from_port: r.container_port, to_port: r.container_port } },
    { address: "aws_vpc_security_group_egress_rule.service_https", attributes: { from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" } },
    ...egress.map((e) => ({ address: `aws_vpc_security_group_egress_rule.service_to${key(e.name)}`, attributes: { from_port: e.port, to_port: e.port } })),
    { address: "aws_lb.this", attributes: { name: ctx.name, internal: r.internal, drop_invalid_header_fields: true, enable_deletion_protection: true } },
    { address: "aws_lb_target_group.this", attributes: { name: ctx.name, port: r.container_port, target_type: "ip" } },
    { address: "aws_lb_listener.https", attributes: { port: 443, protocol: "HTTPS", ssl_policy: TLS_POLICY } },
    { address: "aws_lb_listener.http", attributes: { port: 80, protocol: "HTTP" } },
    { address: "aws_ecs_task_definition.this", attributes: { family: ctx.name, cpu: String(r.cpu), memory: String(r.memory) } },
    { address: "aws_ecs_service.this", attributes: { name: ctx.name, launch_type: "FARGATE" } },
    { address: "aws_appautoscaling_target.this", attributes: { min_capacity: size.min, max_capacity: size.max } },
    { address: "aws_appautoscaling_policy.cpu", attributes: {} },
    { address: "aws_appautoscaling_policy.memory", attributes: {} },
  ];
  const l = ctx.label;
  return {
    args,
    instances,
    rootVariables,
    rootOutputs: [
      output(`${l}_load_balancer_dns_name`, `DNS name of the load balancer of ECS service ${r.name}.`, ref(`module.${l}.load_balancer_dns_name`)),
      output(`${l}_service_name`, `Name of ECS service ${r.name}.`, ref(`module.${l}.service_name`)),
    ],
  };
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]!]));
}


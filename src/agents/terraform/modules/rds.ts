/**
 * modules/rds: an RDS PostgreSQL or MySQL instance in isolated subnets:
 * Multi-AZ, gp3 storage encrypted with a customer managed key, storage
 * autoscaling, automated backups for 7 to 35 days with a final snapshot,
 * deletion protection, IAM database authentication, a master password that
 * RDS generates and keeps in Secrets Manager (never in state), TLS enforced by
 * a parameter group, Performance Insights encrypted with the same key,
 * enhanced monitoring, and engine logs exported to encrypted log groups.
 */
import type { Body, Plain } from "../hcl.js";
import { attr, block, call, comment, cond, forList, list, not, obj, op, ref, section, tpl } from "../hcl.js";
import type { CallContext, Instance, ModuleCall, ModuleFiles } from "../model.js";
import { key } from "../model.js";
import type { ResourceOf } from "../schema.js";
import { DEFAULT_ENGINE_VERSION, LOG_RETENTION_DAYS } from "../schema.js";
import {
  BOOL,
  NUMBER,
  STRING,
  contextData,
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

export const ENGINE_PORT: Readonly<Record<"postgres" | "mysql", number>> = { postgres: 5432, mysql: 3306 };
/** Log types exported to CloudWatch Logs (MySQL's audit log needs an option group, so it is not exported). */
export const LOG_EXPORTS: Readonly<Record<"postgres" | "mysql", readonly string[]>> = { postgres: ["postgresql", "upgrade"], mysql: ["error", "slowquery"] };
/** Parameters: TLS required, slow statements logged. All are dynamic, so no reboot is needed. */
export const ENGINE_PARAMETERS: Readonly<Record<"postgres" | "mysql", readonly { name: string; value: string }[]>> = {
  postgres: [
    { name: "rds.force_ssl", value: "1" },
    { name: "log_min_duration_statement", value: "1000" },
    { name: "log_statement", value: "ddl" },
  ],
  mysql: [
    { name: "require_secure_transport", value: "1" },
    { name: "slow_query_log", value: "1" },
    { name: "long_query_time", value: "1" },
    { name: "log_output", value: "FILE" },
  ],
};

function main(): Body {
  return [
    ...contextData(true),
    block("locals", [], [
      attr("port", cond(op(ref("var.engine"), "==", "postgres"), ENGINE_PORT.postgres, ENGINE_PORT.mysql)),
      attr("family", tpl(ref("var.engine"), ref("var.engine_version"))),
      attr("log_exports", cond(op(ref("var.engine"), "==", "postgres"), [...LOG_EXPORTS.postgres], [...LOG_EXPORTS.mysql])),
      attr("parameters", {
        postgres: list(ENGINE_PARAMETERS.postgres.map((p) => obj({ ...p }, { inline: true })), { multiline: true }),
        mysql: list(ENGINE_PARAMETERS.mysql.map((p) => obj({ ...p }, { inline: true })), { multiline: true }),
      }),
    ]),
    comment("One key for the database: storage, snapshots, Performance Insights, the master user secret and the log groups."),
    ...kmsKey("this", tpl("RDS ", ref("var.name"), ": storage, Performance Insights, master secret and logs"), "rds", [
      logsKeyGrant(logGroupArn(tpl("/aws/rds/instance/", ref("var.name"), "/*"))),
    ]),
    comment("Created before the instance so the exported logs land in encrypted groups with a retention."),
    res("aws_cloudwatch_log_group", "this", section(
      [attr("for_each", call("toset", ref("local.log_exports")))],
      [
        attr("name", tpl("/aws/rds/instance/", ref("var.name"), "/", ref("each.value"))),
        attr("retention_in_days", ref("var.log_retention_days")),
        attr("kms_key_id", ref("aws_kms_key.this.arn")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_db_subnet_group", "this", section(
      [attr("name", ref("var.name")), attr("description", tpl("Isolated subnets of RDS instance ", ref("var.name"))), attr("subnet_ids", ref("var.subnet_ids"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_security_group", "this", section(
      [
        attr("name", tpl(ref("var.name"), "-db")),
        attr("description", tpl("Clients of RDS instance ", ref("var.name"))),
        attr("vpc_id", ref("var.vpc_id")),
      ],
      [attr("tags", nameTags(tpl(ref("var.name"), "-db")))],
    )),
    res("aws_vpc_security_group_ingress_rule", "from_security_groups", section(
      [attr("for_each", ref("var.allowed_security_groups"))],
      [
        attr("security_group_id", ref("aws_security_group.this.id")),
        attr("description", tpl(ref("var.engine"), " from ", ref("each.key"))),
        attr("ip_protocol", "tcp"),
        attr("from_port", ref("local.port")),
        attr("to_port", ref("local.port")),
        attr("referenced_security_group_id", ref("each.value")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_vpc_security_group_ingress_rule", "from_cidrs", section(
      [attr("for_each", call("toset", ref("var.allowed_cidr_blocks")))],
      [
        attr("security_group_id", ref("aws_security_group.this.id")),
        attr("description", tpl(ref("var.engine"), " from ", ref("each.value"))),
        attr("ip_protocol", "tcp"),
        attr("from_port", ref("local.port")),
        attr("to_port", ref("local.port")),
        attr("cidr_ipv4", ref("each.value")),
      ],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_db_parameter_group", "this", section(
      [
        attr("name_prefix", tpl(ref("var.name"), "-")),
        attr("family", ref("local.family")),
        attr("description", tpl(ref("var.engine"), " parameters of ", ref("var.name"), ": TLS required, slow statements logged")),
      ],
      [block("dynamic", ["parameter"], section(
        [attr("for_each", call("lookup", ref("local.parameters"), ref("var.engine"), []))],
        [block("content", [], [attr("name", ref("parameter.value.name")), attr("value", ref("parameter.value.value"))])],
      ))],
      [attr("tags", ref("var.tags"))],
      [block("lifecycle", [], [attr("create_before_destroy", true)])],
    )),
    serviceAssumeRole("monitoring_assume_role", "RdsMonitoringAssumeRole", ["monitoring.rds.amazonaws.com"]),
    res("aws_iam_role", "monitoring", section(
      [attr("name", tpl(ref("var.name"), "-rds-monitoring")), attr("assume_role_policy", ref("data.aws_iam_policy_document.monitoring_assume_role.json"))],
      [attr("tags", ref("var.tags"))],
    )),
    res("aws_iam_role_policy_attachment", "monitoring", [attr("role", ref("aws_iam_role.monitoring.name")), attr("policy_arn", managedPolicy("service-role/AmazonRDSEnhancedMonitoringRole"))]),
    res("aws_db_instance", "this", section(
      [
        attr("identifier", ref("var.name")),
        attr("engine", ref("var.engine")),
        attr("engine_version", ref("var.engine_version")),
        attr("instance_class", ref("var.instance_class")),
        attr("db_name", ref("var.database_name")),
        attr("username", ref("var.username")),
        attr("port", ref("local.port")),
      ],
      [
        comment("RDS generates the master password and keeps it in Secrets Manager: it never enters the Terraform state."),
        attr("manage_master_user_password", true),
        attr("master_user_secret_kms_key_id", ref("aws_kms_key.this.key_id")),
      ],
      [
        attr("allocated_storage", ref("var.allocated_storage")),
        attr("max_allocated_storage", ref("var.max_allocated_storage")),
        attr("storage_type", "gp3"),
        attr("storage_encrypted", true),
        attr("kms_key_id", ref("aws_kms_key.this.arn")),
      ],
      [
        attr("multi_az", ref("var.multi_az")),
        attr("db_subnet_group_name", ref("aws_db_subnet_group.this.name")),
        attr("vpc_security_group_ids", [ref("aws_security_group.this.id")]),
        attr("publicly_accessible", false),
        attr("parameter_group_name", ref("aws_db_parameter_group.this.name")),
        attr("ca_cert_identifier", "rds-ca-rsa2048-g1"),
        attr("iam_database_authentication_enabled", true),
      ],
      [
        attr("backup_retention_period", ref("var.backup_retention_period")),
        attr("backup_window", ref("var.backup_window")),
        attr("maintenance_window", ref("var.maintenance_window")),
        attr("copy_tags_to_snapshot", true),
        attr("delete_automated_backups", false),
        attr("deletion_protection", ref("var.deletion_protection")),
        attr("skip_final_snapshot", false),
        attr("final_snapshot_identifier", tpl(ref("var.name"), "-final")),
        attr("auto_minor_version_upgrade", true),
        attr("allow_major_version_upgrade", false),
        attr("apply_immediately", false),
      ],
      [
        attr("performance_insights_enabled", true),
        attr("performance_insights_kms_key_id", ref("aws_kms_key.this.arn")),
        attr("performance_insights_retention_period", ref("var.performance_insights_retention_period")),
        attr("monitoring_interval", 60),
        attr("monitoring_role_arn", ref("aws_iam_role.monitoring.arn")),
        attr("enabled_cloudwatch_logs_exports", ref("local.log_exports")),
      ],
      [attr("tags", ref("var.tags"))],
      [attr("depends_on", [ref("aws_cloudwatch_log_group.this"), ref("aws_iam_role_policy_attachment.monitoring")])],
    )),
  ];
}

function variables(): Body {
  return [
    nameVariable("Identifier of the DB instance; prefixes its security group, roles and key alias.", 48),
    variable("engine", {
      description: "Database engine: postgres or mysql.",
      type: STRING,
      validations: [{ condition: call("contains", ["postgres", "mysql"], ref("var.engine")), message: "engine must be postgres or mysql." }],
    }),
    variable("engine_version", {
      description: 'Major engine version, e.g. "17" (postgres) or "8.4" (mysql); minor versions are upgraded automatically in the maintenance window.',
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^[0-9]+(\\.[0-9]+)?$", ref("var.engine_version"))), message: 'engine_version must be a major version such as "17" or "8.4".' }],
    }),
    variable("instance_class", {
      description: "Instance class, e.g. db.t4g.medium or db.m7g.large.",
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^db\\.[a-z0-9]+\\.[a-z0-9]+$", ref("var.instance_class"))), message: "instance_class must be an RDS instance class such as db.m7g.large." }],
    }),
    variable("allocated_storage", {
      description: "Initial gp3 storage in GiB.",
      type: NUMBER,
      validations: [{ condition: op(ref("var.allocated_storage"), ">=", 20), message: "allocated_storage must be at least 20 GiB." }],
    }),
    variable("max_allocated_storage", {
      description: "Ceiling of storage autoscaling in GiB.",
      type: NUMBER,
      validations: [{ condition: op(ref("var.max_allocated_storage"), ">=", ref("var.allocated_storage")), message: "max_allocated_storage must be at least allocated_storage." }],
    }),
    variable("multi_az", { description: "A synchronous standby in another Availability Zone with automatic failover.", type: BOOL, default: true }),
    variable("backup_retention_period", {
      description: "Days of automated backups and point-in-time recovery.",
      type: NUMBER,
      default: 14,
      validations: [{ condition: op(op(ref("var.backup_retention_period"), ">=", 7), "&&", op(ref("var.backup_retention_period"), "<=", 35)), message: "backup_retention_period must be between 7 and 35 days." }],
    }),
    variable("backup_window", { description: "Daily backup window (UTC), outside the maintenance window.", type: STRING, default: "03:00-04:00" }),
    variable("maintenance_window", { description: "Weekly maintenance window (UTC).", type: STRING, default: "sun:04:30-sun:05:30" }),
    variable("deletion_protection", { description: "Refuse deletion of the instance (turn off deliberately before a planned removal).", type: BOOL, default: true }),
    variable("database_name", {
      description: "Database created with the instance.",
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^[A-Za-z][A-Za-z0-9_]{0,62}$", ref("var.database_name"))), message: "database_name must be letters, digits and _, starting with a letter." }],
    }),
    variable("username", {
      description: "Master user name; its password is managed by RDS in Secrets Manager.",
      type: STRING,
      validations: [{ condition: call("can", call("regex", "^[A-Za-z][A-Za-z0-9_]{0,15}$", ref("var.username"))), message: "username must be letters, digits and _, at most 16 characters." }],
    }),
    ...networkVariables(["vpc_id", "subnet_ids"], { subnet_ids: "Isolated (database) subnets of the DB subnet group, in at least two Availability Zones." }),
    variable("allowed_security_groups", { description: "Security groups whose members may connect, by name.", type: mapOf(STRING), default: {} }),
    variable("allowed_cidr_blocks", {
      description: "CIDR blocks (inside the VPC or over VPN) that may connect.",
      type: listOf(STRING),
      default: [],
      validations: [{ condition: call("alltrue", forCidrs()), message: "allowed_cidr_blocks must be IPv4 CIDR blocks narrower than /0." }],
    }),
    variable("performance_insights_retention_period", {
      description: "Days Performance Insights keeps data: 7 (free tier) or 731.",
      type: NUMBER,
      default: 7,
      validations: [{ condition: call("contains", [7, 731], ref("var.performance_insights_retention_period")), message: "performance_insights_retention_period must be 7 or 731." }],
    }),
    retentionVariable("log_retention_days", "Days the exported engine logs are kept.", LOG_RETENTION_DAYS, 365),
    tagsVariable(),
  ];
}

function forCidrs(): Plain {
  return forList("c", ref("var.allowed_cidr_blocks"), op(call("can", call("cidrhost", ref("c"), 0)), "&&", not(call("endswith", ref("c"), "/0"))));
}

function outputs(): Body {
  return [
    output("db_instance_identifier", "Identifier of the DB instance.", ref("aws_db_instance.this.identifier")),
    output("db_instance_arn", "ARN of the DB instance.", ref("aws_db_instance.this.arn")),
    output("db_instance_resource_id", "Resource ID of the DB instance (for rds-db:connect IAM policies).", ref("aws_db_instance.this.resource_id")),
    output("address", "Host name of the DB instance.", ref("aws_db_instance.this.address")),
    output("port", "Port of the DB instance.", ref("aws_db_instance.this.port")),
    output("database_name", "Database created with the instance.", ref("aws_db_instance.this.db_name")),
    output("master_user_secret_arn", "Secrets Manager secret holding the master user's credentials (managed and rotated by RDS).", ref("aws_db_instance.this.master_user_secret[0].secret_arn")),
    output("security_group_id", "Security group of the DB instance.", ref("aws_security_group.this.id")),
    output("kms_key_arn", "KMS key encrypting the storage, Performance Insights and the master secret.", ref("aws_kms_key.this.arn")),
  ];
}

export function rdsFiles(): ModuleFiles {
  return { main: main(), variables: variables(), outputs: outputs() };
}

export function engineVersion(r: ResourceOf<"rds">): string {
  return r.engine_version ?? DEFAULT_ENGINE_VERSION[r.engine];
}

export function maxStorage(r: ResourceOf<"rds">): number {
  return r.max_allocated_storage_gb ?? Math.max(r.allocated_storage_gb * 5, 100);
}

export function rdsCall(r: ResourceOf<"rds">, ctx: CallContext): ModuleCall {
  const net = networkArgs(ctx, ["vpc_id", "database_subnet_ids"]);
  const allowed = r.allow_from.map((n) => ctx.labels.get(n)).filter((x) => x !== undefined);
  const args: [string, Plain][] = [
    ["name", ctx.name],
    ["engine", r.engine],
    ["engine_version", engineVersion(r)],
    ["instance_class", r.instance_class],
    ["allocated_storage", r.allocated_storage_gb],
    ["max_allocated_storage", maxStorage(r)],
    ["multi_az", r.multi_az],
    ["backup_retention_period", r.backup_retention_days],
    ["deletion_protection", r.deletion_protection],
    ["database_name", r.database_name ?? r.name.replace(/-/g, "_")],
    ["username", r.username],
    ["vpc_id", net.values.vpc_id!],
    ["subnet_ids", net.values.database_subnet_ids!],
  ];
  if (allowed.length > 0) {
    args.push([
      "allowed_security_groups",
      Object.fromEntries(
        allowed.map((a) => [a.resource.name, ref(a.type === "eks_cluster" ? `module.${a.label}.cluster_security_group_id` : `module.${a.label}.service_security_group_id`)]),
      ),
    ]);
  }
  if (r.allowed_cidrs.length > 0) args.push(["allowed_cidr_blocks", r.allowed_cidrs]);
  args.push(["performance_insights_retention_period", r.performance_insights_retention_days]);
  if (r.tags !== undefined) args.push(["tags", r.tags]);

  const instances: Instance[] = [
    { address: "aws_kms_key.this", attributes: { enable_key_rotation: true } },
    { address: "aws_kms_alias.this", attributes: { name: `alias/${ctx.name}-rds` } },
    ...LOG_EXPORTS[r.engine].map((t) => ({ address: `aws_cloudwatch_log_group.this${key(t)}`, attributes: { name: `/aws/rds/instance/${ctx.name}/${t}` } })),
    { address: "aws_db_subnet_group.this", attributes: { name: ctx.name } },
    { address: "aws_security_group.this", attributes: { name: `${ctx.name}-db` } },
    ...allowed.map((a) => ({ address: `aws_vpc_security_group_ingress_rule.from_security_groups${key(a.resource.name)}`, attributes: { from_port: ENGINE_PORT[r.engine], to_port: ENGINE_PORT[r.engine] } })),
    ...r.allowed_cidrs.map((c) => ({ address: `aws_vpc_security_group_ingress_rule.from_cidrs${key(c)}`, attributes: { cidr_ipv4: c, from_port: ENGINE_PORT[r.engine] } })),
    { address: "aws_db_parameter_group.this", attributes: { family: `${r.engine}${engineVersion(r)}` } },
    { address: "aws_iam_role.monitoring", attributes: { name: `${ctx.name}-rds-monitoring` } },
    { address: "aws_iam_role_policy_attachment.monitoring", attributes: {} },
    {
      address: "aws_db_instance.this",
      attributes: {
        identifier: ctx.name,
        engine: r.engine,
        instance_class: r.instance_class,
        allocated_storage: r.allocated_storage_gb,
        multi_az: r.multi_az,
        storage_encrypted: true,
        publicly_accessible: false,
        deletion_protection: r.deletion_protection,
        backup_retention_period: r.backup_retention_days,
        iam_database_authentication_enabled: true,
        performance_insights_enabled: true,
      },
    },
  ];
  const l = ctx.label;
  return {
    args,
    instances,
    rootVariables: net.variables,
    rootOutputs: [
      output(`${l}_address`, `Host name of RDS instance ${r.name}.`, ref(`module.${l}.address`)),
      output(`${l}_master_user_secret_arn`, `Secrets Manager secret with the master credentials of RDS instance ${r.name}.`, ref(`module.${l}.master_user_secret_arn`)),
    ],
  };
}


/**
 * RDS rules for `aws_db_instance`, Aurora / Multi-AZ clusters (`aws_rds_cluster`)
 * and cluster instances (`aws_rds_cluster_instance`).
 *
 * Backups: DP-AWS-RDS-004 follows Checkov CKV_AWS_133 (automated backups on:
 * a retention of 1 to 35 days; absent means the provider default of 1 day).
 * DP-AWS-RDS-005 asks for at least 7 days, the minimum AWS Security Hub's
 * RDS.11 control checks by default and the value of Checkov's "RDS retention
 * policy should be greater than or equal to 7 days" policy: a week of restore
 * points covers a problem found after a weekend or a holiday. An absent value
 * (1 day) fails it.
 */
import type { Rule } from "../../types.js";
import type { TfProject, TfResource } from "../model.js";
import { cis, soc2 } from "./compliance.js";
import { at, attr, defineRule, flag, isUnknown, num, resources, str, value } from "./helpers.js";

/** Read replicas inherit encryption and backups from their source. */
function isReplica(r: TfResource): boolean {
  const v = str(r, "replicate_source_db");
  return v !== null && v !== "";
}

function instances(p: TfProject): TfResource[] {
  return resources(p, "aws_db_instance").filter((r) => !isReplica(r));
}

export const rdsInstanceEncrypted = defineRule(
  {
    id: "DP-AWS-RDS-001",
    target: "terraform",
    severity: "high",
    title: "RDS instance storage is encrypted",
    message: "The RDS instance does not set storage_encrypted = true, so its storage, backups and snapshots are unencrypted.",
    recommendation: "Set storage_encrypted = true (optionally with kms_key_id). Encryption cannot be turned on in place: restore an encrypted copy of a snapshot.",
    fix: `resource "aws_db_instance" "this" {
  # ...
  storage_encrypted = true
  kms_key_id        = aws_kms_key.rds.arn
}`,
    aliases: ["CKV_AWS_16", "AVD-AWS-0080"],
    compliance: [cis("2.3.1"), soc2("CC6.1")],
  },
  function* (p) {
    for (const r of instances(p)) {
      yield { resource: r, passed: flag(r, "storage_encrypted", false) !== false, at: at(attr(r, "storage_encrypted")) };
    }
  },
);

export const rdsClusterEncrypted = defineRule(
  {
    id: "DP-AWS-RDS-002",
    target: "terraform",
    severity: "high",
    title: "RDS cluster (Aurora) storage is encrypted",
    message: "The RDS cluster does not set storage_encrypted = true.",
    recommendation: "Set storage_encrypted = true (and kms_key_id for a customer-managed key) on the aws_rds_cluster.",
    fix: `resource "aws_rds_cluster" "this" {
  # ...
  storage_encrypted = true
  kms_key_id        = aws_kms_key.rds.arn
}`,
    // Not AVD-AWS-0079: Trivy also requires a customer-managed kms_key_id there.
    aliases: ["CKV_AWS_96"],
    compliance: [cis("2.3.1"), soc2("CC6.1")],
  },
  function* (p) {
    for (const r of resources(p, "aws_rds_cluster")) {
      // Serverless v1 clusters are always encrypted.
      if (str(r, "engine_mode") === "serverless") {
        yield { resource: r, passed: true };
        continue;
      }
      yield { resource: r, passed: flag(r, "storage_encrypted", false) !== false, at: at(attr(r, "storage_encrypted")) };
    }
  },
);

export const rdsNotPublic = defineRule(
  {
    id: "DP-AWS-RDS-003",
    target: "terraform",
    severity: "critical",
    title: "RDS instance is not publicly accessible",
    message: "The database sets publicly_accessible = true: it gets a public IP and can be reached from outside the VPC.",
    recommendation: "Set publicly_accessible = false and reach the database through private subnets, a VPN or a bastion.",
    fix: `resource "aws_db_instance" "this" {
  # ...
  publicly_accessible = false
}`,
    aliases: ["CKV_AWS_17", "AVD-AWS-0082"],
    compliance: [cis("2.3.3"), soc2("CC6.1"), soc2("CC6.6")],
  },
  function* (p) {
    for (const r of resources(p, "aws_db_instance", "aws_rds_cluster_instance")) {
      yield { resource: r, passed: flag(r, "publicly_accessible", false) !== true, at: at(attr(r, "publicly_accessible")) };
    }
  },
);

function backupSubjects(p: TfProject): TfResource[] {
  return [...instances(p), ...resources(p, "aws_rds_cluster")];
}

export const rdsBackupsEnabled = defineRule(
  {
    id: "DP-AWS-RDS-004",
    target: "terraform",
    severity: "medium",
    title: "RDS automated backups are enabled",
    message: "backup_retention_period is 0 (automated backups off) or outside 1-35 days.",
    recommendation: "Set backup_retention_period between 1 and 35 days (7 or more recommended).",
    fix: `resource "aws_db_instance" "this" {
  # ...
  backup_retention_period = 7
}`,
    aliases: ["CKV_AWS_133"],
    compliance: [soc2("A1.2")],
  },
  function* (p) {
    for (const r of backupSubjects(p)) {
      const v = value(r, "backup_retention_period");
      const n = num(r, "backup_retention_period");
      const passed = v === undefined || isUnknown(v) || n === null || (n >= 1 && n <= 35);
      yield { resource: r, passed, at: at(attr(r, "backup_retention_period")) };
    }
  },
);

export const rdsBackupRetention7 = defineRule(
  {
    id: "DP-AWS-RDS-005",
    target: "terraform",
    severity: "low",
    title: "RDS backups are kept for at least 7 days",
    message: "Automated backups are kept for fewer than 7 days (the default is 1 day).",
    recommendation: "Set backup_retention_period to at least 7 (up to 35) so a problem found days later can still be restored.",
    fix: `resource "aws_db_instance" "this" {
  # ...
  backup_retention_period = 7
}`,
    aliases: [],
    compliance: [soc2("A1.2", false)],
  },
  function* (p) {
    for (const r of backupSubjects(p)) {
      const v = value(r, "backup_retention_period");
      const n = num(r, "backup_retention_period");
      const passed = v !== undefined && (isUnknown(v) || n === null || n >= 7);
      yield { resource: r, passed, at: at(attr(r, "backup_retention_period")) };
    }
  },
);

export const rdsInstanceDeletionProtection = defineRule(
  {
    id: "DP-AWS-RDS-006",
    target: "terraform",
    severity: "low",
    title: "RDS instance has deletion protection",
    message: "The RDS instance does not set deletion_protection = true.",
    recommendation: "Set deletion_protection = true on production databases so they cannot be deleted by a stray apply or API call.",
    fix: `resource "aws_db_instance" "this" {
  # ...
  deletion_protection = true
}`,
    aliases: ["CKV_AWS_293", "AVD-AWS-0177"],
    compliance: [soc2("A1.2", false)],
  },
  function* (p) {
    for (const r of resources(p, "aws_db_instance")) {
      yield { resource: r, passed: flag(r, "deletion_protection", false) !== false, at: at(attr(r, "deletion_protection")) };
    }
  },
);

export const rdsClusterDeletionProtection = defineRule(
  {
    id: "DP-AWS-RDS-007",
    target: "terraform",
    severity: "low",
    title: "RDS cluster has deletion protection",
    message: "The RDS cluster does not set deletion_protection = true.",
    recommendation: "Set deletion_protection = true on production clusters.",
    fix: `resource "aws_rds_cluster" "this" {
  # ...
  deletion_protection = true
}`,
    aliases: ["CKV_AWS_139"],
    compliance: [soc2("A1.2", false)],
  },
  function* (p) {
    for (const r of resources(p, "aws_rds_cluster")) {
      yield { resource: r, passed: flag(r, "deletion_protection", false) !== false, at: at(attr(r, "deletion_protection")) };
    }
  },
);

export const rdsMultiAz = defineRule(
  {
    id: "DP-AWS-RDS-008",
    target: "terraform",
    severity: "low",
    title: "RDS instance is Multi-AZ",
    message: "The RDS instance does not set multi_az = true, so an Availability Zone failure takes the database down.",
    recommendation: "Set multi_az = true for production databases (a standby in another AZ with automatic failover).",
    fix: `resource "aws_db_instance" "this" {
  # ...
  multi_az = true
}`,
    aliases: ["CKV_AWS_157"],
    compliance: [soc2("A1.2", false)],
  },
  function* (p) {
    for (const r of resources(p, "aws_db_instance")) {
      yield { resource: r, passed: flag(r, "multi_az", false) !== false, at: at(attr(r, "multi_az")) };
    }
  },
);

/** Engines with IAM database authentication (MySQL, MariaDB, PostgreSQL and their Aurora variants). */
function supportsIamAuth(engine: string): boolean {
  return /^(aurora|aurora-mysql|aurora-postgresql|mysql|mariadb|postgres)$/.test(engine);
}

export const rdsInstanceIamAuth = defineRule(
  {
    id: "DP-AWS-RDS-009",
    target: "terraform",
    severity: "medium",
    title: "RDS instance uses IAM database authentication",
    message: "The MySQL, MariaDB or PostgreSQL instance does not set iam_database_authentication_enabled = true.",
    recommendation: "Enable IAM database authentication so applications connect with short-lived IAM tokens instead of stored passwords.",
    fix: `resource "aws_db_instance" "this" {
  # ...
  iam_database_authentication_enabled = true
}`,
    aliases: ["CKV_AWS_161", "AVD-AWS-0176"],
    compliance: [soc2("CC6.1", false)],
  },
  function* (p) {
    for (const r of resources(p, "aws_db_instance")) {
      const engine = str(r, "engine");
      if (engine === null || !supportsIamAuth(engine)) continue;
      yield {
        resource: r,
        passed: flag(r, "iam_database_authentication_enabled", false) !== false,
        at: at(attr(r, "iam_database_authentication_enabled")),
      };
    }
  },
);

export const rdsClusterIamAuth = defineRule(
  {
    id: "DP-AWS-RDS-010",
    target: "terraform",
    severity: "medium",
    title: "RDS cluster uses IAM database authentication",
    message: "The RDS cluster does not set iam_database_authentication_enabled = true.",
    recommendation: "Enable IAM database authentication on the cluster.",
    fix: `resource "aws_rds_cluster" "this" {
  # ...
  iam_database_authentication_enabled = true
}`,
    aliases: ["CKV_AWS_162", "CKV_AWS_128"],
    compliance: [soc2("CC6.1", false)],
  },
  function* (p) {
    for (const r of resources(p, "aws_rds_cluster")) {
      const engineV = value(r, "engine");
      const engine = engineV === undefined ? "aurora" : str(r, "engine");
      if (engine === null || !supportsIamAuth(engine)) continue;
      yield {
        resource: r,
        passed: flag(r, "iam_database_authentication_enabled", false) !== false,
        at: at(attr(r, "iam_database_authentication_enabled")),
      };
    }
  },
);

export const rdsPerformanceInsightsKms = defineRule(
  {
    id: "DP-AWS-RDS-011",
    target: "terraform",
    severity: "low",
    title: "RDS Performance Insights is encrypted with a customer-managed KMS key",
    message: "Performance Insights is enabled without performance_insights_kms_key_id.",
    recommendation: "Set performance_insights_kms_key_id to a customer-managed KMS key whenever Performance Insights is enabled.",
    fix: `resource "aws_db_instance" "this" {
  # ...
  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.rds.arn
}`,
    aliases: ["CKV_AWS_354", "AVD-AWS-0078"],
    compliance: [soc2("CC6.1", false)],
  },
  function* (p) {
    for (const r of resources(p, "aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster")) {
      if (flag(r, "performance_insights_enabled", false) !== true) {
        yield { resource: r, passed: true };
        continue;
      }
      yield { resource: r, passed: value(r, "performance_insights_kms_key_id") !== undefined, at: at(attr(r, "performance_insights_enabled")) };
    }
  },
);

export const rdsRules: Rule<TfProject>[] = [
  rdsInstanceEncrypted,
  rdsClusterEncrypted,
  rdsNotPublic,
  rdsBackupsEnabled,
  rdsBackupRetention7,
  rdsInstanceDeletionProtection,
  rdsClusterDeletionProtection,
  rdsMultiAz,
  rdsInstanceIamAuth,
  rdsClusterIamAuth,
  rdsPerformanceInsightsKms,
];

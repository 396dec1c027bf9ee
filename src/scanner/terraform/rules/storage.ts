/**
 * EBS and EFS encryption. When the same project enables EBS encryption by
 * default (`aws_ebs_encryption_by_default`), new volumes are encrypted even
 * without `encrypted = true`, so volume and block-device checks pass.
 */
import type { Rule } from "../../types.js";
import type { TfBlock, TfProject } from "../model.js";
import { cis, soc2 } from "./compliance.js";
import { at, attr, blocks, defineRule, flag, resources, value } from "./helpers.js";

function encryptionByDefault(p: TfProject): boolean {
  return resources(p, "aws_ebs_encryption_by_default").some((r) => flag(r, "enabled", true) === true);
}

/** A block device is fine when `encrypted` is true or unknown, or it is created from a snapshot (which decides). */
function deviceEncrypted(b: TfBlock): boolean {
  if (value(b, "snapshot_id") !== undefined) return true;
  return flag(b, "encrypted", false) !== false;
}

export const ebsVolumeEncrypted = defineRule(
  {
    id: "DP-AWS-EBS-001",
    target: "terraform",
    severity: "high",
    title: "EBS volume is encrypted",
    message: "The EBS volume does not set encrypted = true.",
    recommendation: "Set encrypted = true (with kms_key_id for a customer-managed key), or enable EBS encryption by default for the account and region.",
    fix: `resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn
}`,
    aliases: ["CKV_AWS_3", "AVD-AWS-0026"],
    compliance: [cis("2.2.1"), soc2("CC6.1")],
  },
  function* (p) {
    const byDefault = encryptionByDefault(p);
    for (const r of resources(p, "aws_ebs_volume")) {
      yield { resource: r, passed: byDefault || flag(r, "encrypted", false) !== false, at: at(attr(r, "encrypted")) };
    }
  },
);

export const ebsEncryptionByDefault = defineRule(
  {
    id: "DP-AWS-EBS-002",
    target: "terraform",
    severity: "medium",
    title: "EBS encryption by default is enabled",
    message: "aws_ebs_encryption_by_default sets enabled = false.",
    recommendation: "Enable EBS encryption by default in every region so no unencrypted volume or snapshot can be created.",
    fix: `resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}`,
    aliases: ["CKV_AWS_106"],
    compliance: [cis("2.2.1"), soc2("CC6.1")],
  },
  function* (p) {
    for (const r of resources(p, "aws_ebs_encryption_by_default")) {
      yield { resource: r, passed: flag(r, "enabled", true) !== false, at: at(attr(r, "enabled")) };
    }
  },
);

export const instanceBlockDevicesEncrypted = defineRule(
  {
    id: "DP-AWS-EBS-003",
    target: "terraform",
    severity: "high",
    title: "EC2 instance and launch configuration block devices are encrypted",
    message: "A root or EBS block device of the instance or launch configuration is not encrypted (an omitted root_block_device is unencrypted too).",
    recommendation: "Declare root_block_device (and every ebs_block_device) with encrypted = true, or enable EBS encryption by default.",
    fix: `resource "aws_instance" "app" {
  # ...
  root_block_device {
    encrypted   = true
    kms_key_id  = aws_kms_key.ebs.arn
    volume_type = "gp3"
  }
}`,
    aliases: ["CKV_AWS_8", "AVD-AWS-0131", "AVD-AWS-0008"],
    compliance: [cis("2.2.1"), soc2("CC6.1")],
  },
  function* (p) {
    const byDefault = encryptionByDefault(p);
    for (const r of resources(p, "aws_instance", "aws_launch_configuration")) {
      if (byDefault) {
        yield { resource: r, passed: true };
        continue;
      }
      const roots = blocks(r, "root_block_device");
      const devices = [...roots, ...blocks(r, "ebs_block_device")];
      const bad = devices.find((d) => !deviceEncrypted(d));
      if (bad !== undefined) {
        yield { resource: r, passed: false, at: at(attr(bad, "encrypted") ?? bad) };
        continue;
      }
      const rootDeclared = roots.length > 0 || r.blocks.some((b) => b.type === "dynamic" && b.labels[0] === "root_block_device");
      yield {
        resource: r,
        passed: rootDeclared,
        message: "The root volume is not declared, so it is created unencrypted (unless the AMI's snapshot is encrypted).",
      };
    }
  },
);

export const launchTemplateEncrypted = defineRule(
  {
    id: "DP-AWS-EBS-004",
    target: "terraform",
    severity: "high",
    title: "Launch template EBS volumes are encrypted",
    message: "A block_device_mappings.ebs of the launch template does not set encrypted = true.",
    recommendation: "Set encrypted = true on every EBS mapping of the launch template (or enable EBS encryption by default).",
    fix: `resource "aws_launch_template" "app" {
  # ...
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted   = true
      kms_key_id  = aws_kms_key.ebs.arn
      volume_size = 30
    }
  }
}`,
    aliases: [],
    compliance: [cis("2.2.1"), soc2("CC6.1")],
  },
  function* (p) {
    const byDefault = encryptionByDefault(p);
    for (const r of resources(p, "aws_launch_template")) {
      const ebs = blocks(r, "block_device_mappings").flatMap((m) => blocks(m, "ebs"));
      const bad = byDefault ? undefined : ebs.find((d) => !deviceEncrypted(d));
      yield { resource: r, passed: bad === undefined, at: at(bad === undefined ? undefined : (attr(bad, "encrypted") ?? bad)) };
    }
  },
);

export const efsEncrypted = defineRule(
  {
    id: "DP-AWS-EFS-001",
    target: "terraform",
    severity: "high",
    title: "EFS file system is encrypted at rest",
    message: "The EFS file system does not set encrypted = true.",
    recommendation: "Set encrypted = true (with kms_key_id for a customer-managed key). Existing file systems must be recreated and their data copied.",
    fix: `resource "aws_efs_file_system" "shared" {
  encrypted  = true
  kms_key_id = aws_kms_key.efs.arn
}`,
    aliases: ["CKV_AWS_42", "AVD-AWS-0037"],
    compliance: [cis("2.4.1"), soc2("CC6.1")],
  },
  function* (p) {
    for (const r of resources(p, "aws_efs_file_system")) {
      yield { resource: r, passed: flag(r, "encrypted", false) !== false, at: at(attr(r, "encrypted")) };
    }
  },
);

export const storageRules: Rule<TfProject>[] = [ebsVolumeEncrypted, ebsEncryptionByDefault, instanceBlockDevicesEncrypted, launchTemplateEncrypted, efsEncrypted];

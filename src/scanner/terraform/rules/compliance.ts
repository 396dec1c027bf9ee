/**
 * Compliance references used by the Terraform rules.
 *
 * CIS: CIS Amazon Web Services Foundations Benchmark v3.0.0 (2.1.1 S3 deny
 * HTTP, 2.1.2 MFA delete, 2.1.4 S3 block public access, 2.2.1 EBS encryption,
 * 2.3.1 RDS encryption, 2.3.3 RDS not public, 2.4.1 EFS encryption, 1.15
 * permissions through groups, 1.16 no full "*:*" admin policies, 5.2/5.3 no
 * admin ports open to 0.0.0.0/0 and ::/0, 5.4 default security group).
 * Automated Level 1 recommendations are mandatory; manual ones are not.
 *
 * SOC 2 (2017 TSC): CC6.1 logical access and encryption at rest, CC6.3 least
 * privilege, CC6.6 boundary protection, CC6.7 data in transit, CC7.2
 * monitoring, A1.2 backup and recovery. A control is mandatory when an
 * auditor expects it of every system in scope.
 */
import type { ComplianceRef } from "../../types.js";

export function cis(control: string, mandatory = true): ComplianceRef {
  return { framework: "cis-aws", control, mandatory };
}

export function soc2(control: string, mandatory = true): ComplianceRef {
  return { framework: "soc2", control, mandatory };
}

/**
 * Terraform rules, part 2: CloudTrail, KMS, EC2, EKS, ECR, SNS, SQS, Lambda,
 * ECS, ELB, VPC, CloudWatch Logs, DynamoDB and Secrets Manager.
 *
 * Each rule evaluates every resource of its types once (`passed` true or
 * false) so the security score is a pass rate. Unknown values never fail;
 * absence fails only where the provider default is insecure, as in Checkov
 * and Trivy.
 */
import type { Rule } from "../../../types.js";
import type { TfProject } from "../../model.js";
import { cloudtrailRules } from "./cloudtrail.js";
import { dataRules } from "./data.js";
import { ec2Rules } from "./ec2.js";
import { ecrRules } from "./ecr.js";
import { eksRules } from "./eks.js";
import { elbRules } from "./elb.js";
import { kmsRules } from "./kms.js";
import { messagingRules } from "./messaging.js";
import { vpcRules } from "./vpc.js";
import { workloadRules } from "./workloads.js";

export const rulesPart2: Rule<TfProject>[] = [
  ...cloudtrailRules,
  ...kmsRules,
  ...ec2Rules,
  ...eksRules,
  ...ecrRules,
  ...messagingRules,
  ...workloadRules,
  ...elbRules,
  ...vpcRules,
  ...dataRules,
];

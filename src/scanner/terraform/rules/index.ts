import type { Rule } from "../../types.js";
import type { TfProject } from "../model.js";
import { iamRules } from "./iam.js";
import { rdsRules } from "./rds.js";
import { s3Rules } from "./s3.js";
import { securityGroupRules } from "./security-groups.js";
import { storageRules } from "./storage.js";

/** Terraform rules, part 1: S3, security groups, RDS, IAM, EBS and EFS. */
export const rulesPart1: Rule<TfProject>[] = [...s3Rules, ...securityGroupRules, ...rdsRules, ...iamRules, ...storageRules];

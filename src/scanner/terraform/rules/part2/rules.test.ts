import { describe, expect, it } from "vitest";
import type { Evaluation, Rule } from "../../../types.js";
import { parseTerraform } from "../../index.js";
import type { TfProject } from "../../model.js";
import { rulesPart2 } from "./index.js";

function run(id: string, files: Record<string, string>): Evaluation[] {
  const rule: Rule<TfProject> | undefined = rulesPart2.find((r) => r.meta.id === id);
  if (rule === undefined) throw new Error(`no rule ${id}`);
  const { docs, errors } = parseTerraform(Object.entries(files).map(([path, content]) => ({ path, content })));
  expect(errors).toEqual([]);
  return docs.flatMap((d) => rule.check(d));
}

const verdicts = (evs: Evaluation[]): Record<string, boolean> => Object.fromEntries(evs.map((e) => [e.resource, e.passed]));

describe("part-2 Terraform rules: metadata", () => {
  it("has complete, unique metadata", () => {
    expect(rulesPart2.length).toBeGreaterThanOrEqual(26);
    const ids = new Set<string>();
    for (const { meta } of rulesPart2) {
      expect(meta.id).toMatch(/^DP-AWS-[A-Z0-9]+-\d{3}$/);
      expect(ids.has(meta.id), meta.id).toBe(false);
      ids.add(meta.id);
      expect(meta.target).toBe("terraform");
      for (const field of [meta.title, meta.message, meta.recommendation, meta.fix]) expect(field.length).toBeGreaterThan(10);
      expect(meta.aliases.length, meta.id).toBeGreaterThan(0);
      for (const a of meta.aliases) expect(a).toMatch(/^(CKV2?_AWS_\d+|AVD-AWS-\d{4})$/);
      expect(meta.compliance.length, meta.id).toBeGreaterThan(0);
    }
  });
});

describe("part-2 Terraform rules: unknown values never fail", () => {
  it("does not fail settings that come from variables or dynamic blocks", () => {
    const files = {
      "main.tf": `
variable "public" { type = bool }
variable "cidrs" { type = list(string) }
variable "protocol" { type = string }
variable "tokens" { type = string }

resource "aws_eks_cluster" "this" {
  name     = "x"
  role_arn = "arn:aws:iam::1:role/x"
  enabled_cluster_log_types = var.cidrs
  vpc_config {
    subnet_ids             = ["subnet-1"]
    endpoint_public_access = var.public
    public_access_cidrs    = var.cidrs
  }
  dynamic "encryption_config" {
    for_each = var.cidrs
    content {
      resources = ["secrets"]
      provider { key_arn = encryption_config.value }
    }
  }
}

resource "aws_lb_listener" "this" {
  load_balancer_arn = "arn"
  port              = 443
  protocol          = var.protocol
}

resource "aws_instance" "this" {
  ami = "ami-1"
  metadata_options {
    http_tokens = var.tokens
  }
}
`,
    };
    for (const id of ["DP-AWS-EKS-001", "DP-AWS-EKS-002", "DP-AWS-EKS-003", "DP-AWS-EKS-004", "DP-AWS-ELB-001", "DP-AWS-EC2-001"]) {
      const evs = run(id, files);
      expect(evs.length, id).toBeGreaterThan(0);
      expect(evs.every((e) => e.passed), id).toBe(true);
    }
  });

  it("skips resources that are never created (count = 0, empty for_each)", () => {
    const evs = run("DP-AWS-VPC-002", {
      "main.tf": `
variable "manage_default_vpc" {
  type    = bool
  default = false
}
resource "aws_default_vpc" "this" {
  count = var.manage_default_vpc ? 1 : 0
}
resource "aws_default_vpc" "none" {
  for_each = {}
}
`,
    });
    expect(evs).toEqual([]);
  });
});

describe("part-2 Terraform rules: cross-resource checks", () => {
  it("finds the flow log of a VPC through a local", () => {
    const evs = run("DP-AWS-VPC-001", {
      "main.tf": `
locals {
  vpc_id = try(aws_vpc.this[0].id, "")
}
resource "aws_vpc" "this" {
  count      = 1
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "this" {
  vpc_id       = local.vpc_id
  traffic_type = "ALL"
}
`,
    });
    expect(verdicts(evs)).toEqual({ "aws_vpc.this": true });
  });

  it("reads a KMS key policy from an aws_iam_policy_document", () => {
    const files = {
      "main.tf": `
data "aws_iam_policy_document" "open" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
data "aws_iam_policy_document" "org" {
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-123"]
    }
  }
}
resource "aws_kms_key" "open" {
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.open.json
}
resource "aws_kms_key" "org" {
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.org.json
}
`,
    };
    expect(verdicts(run("DP-AWS-KMS-002", files))).toEqual({ "aws_kms_key.open": false, "aws_kms_key.org": true });
  });

  it("knows a listener without protocol on a network load balancer is not HTTP", () => {
    const evs = run("DP-AWS-ELB-001", {
      "main.tf": `
resource "aws_lb" "nlb" {
  name               = "nlb"
  load_balancer_type = "network"
}
resource "aws_lb_listener" "tcp" {
  load_balancer_arn = aws_lb.nlb.arn
  port              = 5432
  default_action {
    type             = "forward"
    target_group_arn = "arn"
  }
}
`,
    });
    expect(evs).toEqual([]);
  });
});

describe("part-2 Terraform rules: secrets", () => {
  it("accepts references and never echoes the secret in the message", () => {
    const files = {
      "main.tf": `
variable "db_password" {
  type      = string
  sensitive = true
}
resource "aws_ecs_task_definition" "ok" {
  family = "ok"
  container_definitions = jsonencode([{
    name  = "app"
    image = "app:1"
    environment = [
      { name = "DB_PASSWORD", value = var.db_password },
      { name = "DB_HOST", value = "db.internal" }
    ]
  }])
}
resource "aws_ecs_task_definition" "bad" {
  family = "bad"
  container_definitions = jsonencode([{
    name        = "app"
    image       = "app:1"
    environment = [{ name = "API_KEY", value = "zq8Lr2VmT4kPn7" }]
  }])
}
resource "aws_instance" "ok" {
  ami       = "ami-1"
  user_data = templatefile("boot.sh", { password = var.db_password })
}
`,
    };
    const ecs = run("DP-AWS-ECS-001", files);
    expect(verdicts(ecs)).toEqual({ "aws_ecs_task_definition.ok": true, "aws_ecs_task_definition.bad": false });
    for (const e of ecs) expect(e.message ?? "").not.toContain("zq8Lr2VmT4kPn7");
    expect(verdicts(run("DP-AWS-EC2-004", files))).toEqual({ "aws_instance.ok": true });
  });
});

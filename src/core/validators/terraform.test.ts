import { describe, expect, it } from "vitest";
import { artifact } from "../plans/plan.js";
import { ATTRIBUTE_TABLE, TERRAFORM_TOOL, checkAttributes, parseHclStructure, terraformValidator, validateTerraform, validateTerraformArtifacts } from "./terraform.js";

const BUCKET = `resource "aws_s3_bucket" "logs" {
  bucket        = "acme-logs"
  force_destroy = false

  tags = {
    Name = "acme-logs"
  }
}
`;

describe("parseHclStructure", () => {
  it("reads blocks, labels, attributes and lines, skipping expressions of every shape", () => {
    const src = `# comment
locals {
  a = { for k, v in var.m : k => v if v != "x" } // trailing
  b = "\${upper("q}")} %{ if true }y%{ endif }"
  c = <<-EOT
    } not a brace {
  EOT
  d = [
    1, 2,
  ]
  e = var.x == 1 ? 2 : 3
}
/* block
comment */
resource aws_vpc "this" { cidr_block = "10.0.0.0/16" }
`;
    const r = parseHclStructure(src);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [locals, vpc] = r.blocks;
    expect(locals?.attributes.map((a) => [a.name, a.line])).toEqual([["a", 3], ["b", 4], ["c", 5], ["d", 8], ["e", 11]]);
    expect(vpc).toMatchObject({ type: "resource", labels: ["aws_vpc", "this"], line: 15, attributes: [{ name: "cidr_block", line: 15 }] });
  });

  it("reports syntax errors with a line instead of throwing", () => {
    expect(parseHclStructure('a = "x\nb = 1\n')).toMatchObject({ ok: false, error: { line: 1 } });
    const unclosed = parseHclStructure("resource \"a\" \"b\" {\n  x = 1\n");
    expect(unclosed.ok ? "" : unclosed.error.message).toMatch(/unclosed block/);
    const empty = parseHclStructure("x = \n");
    expect(empty.ok ? "" : `${empty.error.line}: ${empty.error.message}`).toMatch(/^1: missing expression/);
    expect(parseHclStructure("x = (1\n")).toMatchObject({ ok: false });
  });
});

describe("attribute table", () => {
  it("accepts known arguments, nested blocks, dynamic blocks and meta-arguments", () => {
    const r = parseHclStructure(`resource "aws_s3_bucket_lifecycle_configuration" "x" {
  count  = 1
  bucket = "b"
  rule {
    id     = "r"
    status = "Enabled"
    filter {}
    expiration {
      days = 30
    }
  }
  dynamic "rule" {
    for_each = var.rules
    content {
      id     = rule.value
      status = "Enabled"
    }
  }
  lifecycle {
    ignore_changes = [rule]
  }
  depends_on = [aws_s3_bucket.b]
}
`);
    if (!r.ok) throw new Error(r.error.message);
    expect(checkAttributes(r.blocks)).toEqual({ errors: [], warnings: [] });
  });

  it("names an unknown argument, its place and the nearest valid one", () => {
    const r = parseHclStructure(`resource "aws_db_instance" "db" {
  storage_encryption = true
}
`);
    if (!r.ok) throw new Error(r.error.message);
    const { errors } = checkAttributes(r.blocks);
    expect(errors).toEqual([
      { message: 'Unknown argument "storage_encryption" in resource "aws_db_instance" "db". Did you mean storage_encrypted?', line: 2, kind: "unknown-argument" },
    ]);
  });

  it("checks nested and dynamic blocks too", () => {
    const r = parseHclStructure(`resource "aws_eks_cluster" "c" {
  vpc_config {
    endpoint_private = true
  }
  dynamic "encryption" {
    for_each = []
    content {}
  }
}
`);
    if (!r.ok) throw new Error(r.error.message);
    const messages = checkAttributes(r.blocks).errors.map((e) => e.message);
    expect(messages).toEqual([
      'Unknown argument "endpoint_private" in resource "aws_eks_cluster" "c" > vpc_config. Did you mean endpoint_private_access?',
      'Unknown block "encryption" in dynamic block of resource "aws_eks_cluster" "c". Did you mean encryption_config?',
    ]);
  });

  it("warns, never passes silently, on a type the table does not cover", () => {
    const r = parseHclStructure('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n');
    if (!r.ok) throw new Error(r.error.message);
    expect(checkAttributes(r.blocks).warnings).toEqual([{ message: "No attribute table for resource type aws_sqs_queue; its arguments were not checked.", line: 1, kind: "unchecked-type" }]);
  });

  it("covers data sources and the argument families of the load balancer listener", () => {
    expect(Object.keys(ATTRIBUTE_TABLE.data)).toEqual(expect.arrayContaining(["aws_iam_policy_document", "aws_caller_identity", "aws_partition", "aws_region", "aws_availability_zones"]));
    const r = parseHclStructure('resource "aws_lb_listener" "l" {\n  routing_http_response_server_enabled = false\n}\n');
    if (!r.ok) throw new Error(r.error.message);
    expect(checkAttributes(r.blocks).errors).toEqual([]);
  });
});

describe("terraformValidator (real terraform fmt)", () => {
  it("is the validator of kind terraform and names its checks", () => {
    expect(terraformValidator.kind).toBe("terraform");
    expect(TERRAFORM_TOOL).toMatch(/terraform fmt/);
  });

  it("passes a canonical file", async () => {
    const r = await terraformValidator.validate(artifact("main.tf", "terraform", BUCKET));
    expect(r).toEqual({ ok: true, value: null, warnings: [], errors: [] });
  });

  it("fails a file terraform fmt would rewrite, at the first differing line", async () => {
    const r = await validateTerraform(BUCKET.replace("bucket        =", "bucket ="), "fmt.tf");
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ kind: "fmt", line: 2, path: "fmt.tf" });
    expect(r.errors[0]?.message).toContain('should be "  bucket        = \\"acme-logs\\""');
  });

  it("fails a syntax error with its line", async () => {
    const r = await validateTerraform('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n', "syntax.tf");
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ kind: "hcl-syntax", line: 2 });
  });

  it("fails an unknown argument even when the file is well formatted", async () => {
    const r = await validateTerraform('resource "aws_s3_bucket" "b" {\n  bukcet = "x"\n}\n', "typo.tf");
    expect(r.errors).toEqual([{ message: 'Unknown argument "bukcet" in resource "aws_s3_bucket" "b". Did you mean bucket?', line: 2, kind: "unknown-argument", path: "typo.tf" }]);
  });

  it("reports a missing terraform binary as tool-missing, naming what to install", async () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const r = await validateTerraform(BUCKET.replace("acme-logs", "acme-other"), "missing.tf");
      expect(r.ok).toBe(false);
      expect(r.errors[0]).toMatchObject({ kind: "tool-missing", path: "missing.tf" });
      expect(r.errors[0]?.message).toMatch(/install Terraform >= 1\.11/);
    } finally {
      process.env.PATH = saved;
    }
    // Not cached: with terraform back on PATH the same file passes.
    expect((await validateTerraform(BUCKET.replace("acme-logs", "acme-other"), "missing.tf")).ok).toBe(true);
  });

  it("validates a batch with one terraform process and agrees with the per-file path", async () => {
    const files = [
      artifact("a.tf", "terraform", BUCKET.replace("acme-logs", "batch-a")),
      artifact("b.tf", "terraform", BUCKET.replace("acme-logs", "batch-b").replace("force_destroy =", "force_destroy  =")),
      artifact("c.tf", "terraform", 'resource "aws_s3_bucket" "c" {\n  bucket = \n}\n'),
    ];
    const batch = await terraformValidator.validateAll(files);
    expect(batch.get("a.tf")?.ok).toBe(true);
    expect(batch.get("b.tf")?.errors[0]).toMatchObject({ kind: "fmt", line: 3 });
    expect(batch.get("c.tf")?.errors[0]).toMatchObject({ kind: "hcl-syntax", line: 2 });
    const again = await validateTerraformArtifacts(files);
    expect([...again]).toEqual([...batch]);
  });
});

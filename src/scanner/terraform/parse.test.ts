import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTerraform, terraformTarget } from "./index.js";
import type { TfProject, TfResource } from "./model.js";
import { parseHcl } from "./parse.js";

function project(files: Record<string, string>): TfProject {
  const { docs, errors } = parseTerraform(Object.entries(files).map(([path, content]) => ({ path, content })));
  expect(errors).toEqual([]);
  expect(docs).toHaveLength(1);
  return docs[0]!;
}

function res(p: TfProject, address: string): TfResource {
  const r = p.resources.find((x) => x.address === address);
  if (r === undefined) throw new Error(`no ${address}; have ${p.resources.map((x) => x.address).join(", ")}`);
  return r;
}

describe("HCL syntax", () => {
  it("parses blocks, labels, attributes with 1-based lines and columns", () => {
    const p = project({
      "main.tf": `# comment
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs" // trailing
  /* block comment */
  tags = { Name = "logs", "team" = "ops" }

  lifecycle {
    prevent_destroy = true
  }
}
`,
    });
    const b = res(p, "aws_s3_bucket.logs");
    expect(b.line).toBe(2);
    expect(b.column).toBe(1);
    expect(b.endLine).toBe(10);
    expect(b.attrs.bucket).toMatchObject({ value: "acme-logs", expr: '"acme-logs"', line: 3, column: 3 });
    expect(b.attrs.tags!.value).toEqual({ Name: "logs", team: "ops" });
    expect(b.blocks[0]).toMatchObject({ type: "lifecycle", line: 7, endLine: 9 });
    expect(b.blocks[0]!.attrs.prevent_destroy!.value).toBe(true);
  });

  it("parses every expression form of the native syntax", () => {
    const src = `
locals {
  a = [for s in var.list : upper(s) if s != ""]
  b = { for k, v in var.map : k => v... }
  c = var.x ? 1 : 2
  d = !var.flag && (1 + 2 * 3 >= 7 || false)
  e = aws_instance.web[*].id
  f = aws_instance.web.*.id
  g = data.aws_iam_policy_document.x.json
  h = "a-\${var.b}-%{if var.c}c%{else}d%{endif}"
  i = <<-EOT
    line one \${var.y}
      line two
    EOT
  j = provider::aws::arn_parse("arn:aws:s3:::x")
  k = concat(var.l1, var.l2...)
  l = -1.5e3
  m = "esc \\"q\\" \\u00e9 $\${literal}"
  n = try(local.missing, null)
}
`;
    const r = parseHcl(src);
    expect(r.ok, r.ok ? "" : r.message).toBe(true);
  });

  it("reports the line of the first syntax error", () => {
    const r = parseHcl('resource "a" "b" {\n  x = 1\n  y = [1, 2\n}\n');
    expect(r.ok).toBe(false);
  });
});

describe("evaluation", () => {
  it("evaluates literals, locals, variable defaults, functions and templates", () => {
    const p = project({
      "main.tf": `
variable "env" {
  type    = string
  default = "Prod"
}
variable "encrypted" {
  default = true
}
variable "no_default" {}
locals {
  name   = "app-\${lower(var.env)}"
  tags   = merge({ Env = var.env }, { Team = "ops" })
  ports  = concat([22], tolist([80, 443]))
  label  = format("%s-%d", upper("x"), 7)
  math   = [1 + 2 * 3, 10 - 2 - 3, (1 + 2) * 3, 7 % 4, 2 < 3 && !false, 1 == 2 || "a" != "b"]
  chosen = [for s in ["a", "", "b"] : upper(s) if s != ""]
  byname = { for s in ["x", "y"] : s => length(s) }
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = aws_s3_bucket.b.arn }] })
}
resource "aws_db_instance" "db" {
  identifier        = local.name
  storage_encrypted = var.encrypted
  multi_az          = var.env == "Prod" ? true : false
  port              = var.no_default
  tags              = local.tags
  allocated_storage = 10 * 2
}
resource "aws_iam_policy" "p" {
  policy = local.policy
}
`,
    });
    const db = res(p, "aws_db_instance.db");
    expect(db.attrs.identifier!.value).toBe("app-prod");
    expect(db.attrs.storage_encrypted!.value).toBe(true);
    expect(db.attrs.multi_az!.value).toBe(true);
    expect(db.attrs.port!.value).toMatchObject({ unknown: true, expr: "var.no_default" });
    expect(db.attrs.tags!.value).toEqual({ Env: "Prod", Team: "ops" });
    expect(db.attrs.allocated_storage!.value).toBe(20);
    expect(db.attrs.identifier!.refs).toEqual(["local.name"]);
    const m = p.modules[0]!;
    expect(m.locals.ports!.value).toEqual([22, 80, 443]);
    expect(m.locals.label!.value).toBe("X-7");
    expect(m.locals.math!.value).toEqual([7, 5, 9, 3, true, true]);
    expect(m.locals.chosen!.value).toEqual(["A", "B"]);
    expect(m.locals.byname!.value).toEqual({ x: 1, y: 1 });
    // jsonencode keeps the structure; the unknown ARN becomes a placeholder string.
    const policy = JSON.parse(res(p, "aws_iam_policy.p").attrs.policy!.value as string) as { Statement: { Action: string; Resource: string }[] };
    expect(policy.Statement[0]!.Action).toBe("*");
    expect(policy.Statement[0]!.Resource).toBe("${aws_s3_bucket.b.arn}");
  });

  it("keeps unknown what cannot be known and collects normalised refs", () => {
    const p = project({
      "main.tf": `
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.logs[0].id
  name   = "x-\${data.aws_caller_identity.current.account_id}"
  list   = [module.vpc.vpc_id, var.a, local.b, each.key, count.index, path.module]
}
`,
    });
    const v = res(p, "aws_s3_bucket_versioning.v");
    expect(v.attrs.bucket!.value).toMatchObject({ unknown: true, expr: "aws_s3_bucket.logs[0].id" });
    expect(v.attrs.bucket!.refs).toEqual(["aws_s3_bucket.logs"]);
    expect(v.attrs.name!.value).toMatchObject({ unknown: true });
    expect(v.attrs.name!.refs).toEqual(["data.aws_caller_identity.current"]);
    expect(v.attrs.list!.refs).toEqual(["module.vpc", "var.a", "local.b"]);
  });

  it("represents dynamic blocks and expands a known for_each", () => {
    const p = project({
      "main.tf": `
locals {
  rules = [{ port = 22, cidr = "10.0.0.0/8" }, { port = 443, cidr = "0.0.0.0/0" }]
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
  dynamic "egress" {
    for_each = var.egress
    iterator = rule
    content {
      from_port = rule.value.port
    }
  }
}
`,
    });
    const sg = res(p, "aws_security_group.sg");
    const ingress = sg.blocks[0]!;
    expect(ingress).toMatchObject({ type: "dynamic", labels: ["ingress"] });
    expect(ingress.blocks.map((c) => c.type)).toEqual(["content", "content"]);
    expect(ingress.blocks.map((c) => c.attrs.from_port!.value)).toEqual([22, 443]);
    expect(ingress.blocks[1]!.attrs.cidr_blocks!.value).toEqual(["0.0.0.0/0"]);
    expect(ingress.blocks[0]!.attrs.from_port!.refs).toEqual([]);
    const egress = sg.blocks[1]!;
    expect(egress.blocks).toHaveLength(1);
    expect(egress.blocks[0]!.attrs.from_port!.value).toMatchObject({ unknown: true });
  });

  it("parses aws_iam_policy_document statements as blocks and heredoc JSON policies as strings", () => {
    const p = project({
      "iam.tf": `
data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
resource "aws_iam_role_policy" "r" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "\${aws_s3_bucket.b.arn}/*"}]}
EOF
}
`,
    });
    const doc = res(p, "data.aws_iam_policy_document.doc");
    expect(doc.mode).toBe("data");
    expect(doc.blocks[0]!.attrs.actions!.value).toEqual(["s3:GetObject"]);
    const text = res(p, "aws_iam_role_policy.r").attrs.policy!.value as string;
    expect(JSON.parse(text)).toEqual({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "${aws_s3_bucket.b.arn}/*" }] });
  });
});

describe("modules", () => {
  const files = {
    "envs/prod/main.tf": `
module "data" {
  source      = "../../modules/data"
  bucket_name = "acme-prod-data"
}
module "remote" {
  source = "terraform-aws-modules/s3-bucket/aws"
}
`,
    "modules/data/main.tf": `
variable "bucket_name" {
  type = string
}
resource "aws_s3_bucket" "this" {
  bucket = var.bucket_name
}
module "logs" {
  source = "./logs"
}
`,
    "modules/data/logs/main.tf": `
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
`,
    "standalone/main.tf": `
resource "aws_s3_bucket" "x" {}
`,
  };

  it("gives called directories module paths and keeps uncalled directories as roots", () => {
    const p = project(files);
    expect(p.modules.map((m) => [m.dir, m.modulePath])).toEqual([
      ["envs/prod", ""],
      ["modules/data", "module.data."],
      ["modules/data/logs", "module.data.module.logs."],
      ["standalone", ""],
    ]);
    expect(p.resources.map((r) => r.address)).toEqual([
      "module.data.aws_s3_bucket.this",
      "module.data.module.logs.aws_s3_bucket.logs",
      "aws_s3_bucket.x",
    ]);
    expect(res(p, "module.data.aws_s3_bucket.this").localAddress).toBe("aws_s3_bucket.this");
  });

  it("takes a module variable from the caller's argument", () => {
    const p = project(files);
    expect(res(p, "module.data.aws_s3_bucket.this").attrs.bucket!.value).toBe("acme-prod-data");
  });

  it("leaves a variable unknown when callers disagree", () => {
    const p = project({
      ...files,
      "envs/dev/main.tf": `
module "data" {
  source      = "../../modules/data"
  bucket_name = "acme-dev-data"
}
`,
    });
    expect(res(p, "module.data.aws_s3_bucket.this").attrs.bucket!.value).toMatchObject({ unknown: true, expr: "var.bucket_name" });
  });
});

describe("referencing", () => {
  const p = project({
    "main.tf": `
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket" "data" {
  bucket = "data"
}
locals {
  logs_id = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket_versioning" "by_id" {
  bucket = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket_versioning" "by_bucket" {
  bucket = aws_s3_bucket.logs.bucket
}
resource "aws_s3_bucket_versioning" "by_local" {
  bucket = local.logs_id
}
resource "aws_s3_bucket_policy" "by_arn" {
  bucket = "data"
  policy = jsonencode({ Resource = aws_s3_bucket.logs.arn })
}
resource "aws_s3_bucket_versioning" "other" {
  bucket = aws_s3_bucket.data.id
}
`,
    "sub/main.tf": `
resource "aws_s3_bucket_versioning" "elsewhere" {
  bucket = aws_s3_bucket.logs.id
}
`,
  });
  const logs = res(p, "aws_s3_bucket.logs");

  it("finds resources of a type that reference the target, directly or through a local", () => {
    expect(p.referencing(logs, "aws_s3_bucket_versioning").map((r) => r.name)).toEqual(["by_id", "by_bucket", "by_local"]);
    expect(p.referencing(logs, "aws_s3_bucket_versioning", "bucket").map((r) => r.name)).toEqual(["by_id", "by_bucket", "by_local"]);
  });

  it("restricts to one attribute when asked, and stays within the module instance", () => {
    expect(p.referencing(logs, "aws_s3_bucket_policy").map((r) => r.name)).toEqual(["by_arn"]);
    expect(p.referencing(logs, "aws_s3_bucket_policy", "bucket")).toEqual([]);
    expect(p.referencing(res(p, "aws_s3_bucket.data"), "aws_s3_bucket_versioning").map((r) => r.name)).toEqual(["other"]);
  });
});

describe("hostile input", () => {
  it("reports a malformed file as a ParseError with its line, and parses the others", () => {
    const { docs, errors } = parseTerraform([
      { path: "ok.tf", content: 'resource "aws_s3_bucket" "a" {}\n' },
      { path: "bad.tf", content: 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  acl = \n}\n' },
      { path: "unterminated.tf", content: 'locals {\n  a = "abc\n}\n' },
    ]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ file: "bad.tf", line: 4 });
    expect(errors[0]!.message).toMatch(/syntax error/);
    expect(errors[1]).toMatchObject({ file: "unterminated.tf", line: 2 });
    expect(docs[0]!.resources.map((r) => r.address)).toEqual(["aws_s3_bucket.a"]);
  });

  it("parses a 2 MB file quickly and without throwing", () => {
    const block = (i: number) => `resource "aws_s3_bucket" "b${i}" {\n  bucket = "bucket-${i}"\n  tags   = { Name = "b${i}", Index = ${i} }\n}\n`;
    let content = "";
    for (let i = 0; content.length < 2 * 1024 * 1024; i++) content += block(i);
    const start = performance.now();
    const { docs, errors } = parseTerraform([{ path: "big.tf", content }]);
    expect(errors).toEqual([]);
    expect(docs[0]!.resources.length).toBeGreaterThan(15_000);
    for (const rule of terraformTarget.rules) rule.check(docs[0]!);
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it("rejects binary garbage and absurd nesting with a ParseError instead of throwing", () => {
    const bytes = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join("");
    const deep = "locals {\n  x = " + "[".repeat(100_000) + "]".repeat(100_000) + "\n}\n";
    const deepBlocks = "a {\n".repeat(50_000) + "}\n".repeat(50_000);
    const { errors } = parseTerraform([
      { path: "bin.tf", content: bytes },
      { path: "deep.tf", content: deep },
      { path: "blocks.tf", content: deepBlocks },
    ]);
    expect(errors.map((e) => e.file)).toEqual(["bin.tf", "deep.tf", "blocks.tf"]);
  });

  it("survives long chains of locals and self-references", () => {
    let content = "locals {\n  self = local.self\n";
    for (let i = 0; i < 20_000; i++) content += `  l${i} = local.l${i + 1}\n`;
    content += `  l20000 = aws_s3_bucket.b.id\n}\nresource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_versioning" "v" {\n  bucket = local.l0\n}\n`;
    const { docs, errors } = parseTerraform([{ path: "chain.tf", content }]);
    expect(errors).toEqual([]);
    const p = docs[0]!;
    expect(p.modules[0]!.locals.self!.value).toMatchObject({ unknown: true });
    expect(p.modules[0]!.locals.l0!.value).toMatchObject({ unknown: true });
    const bucket = p.resources.find((r) => r.name === "b")!;
    expect(() => p.referencing(bucket, "aws_s3_bucket_versioning")).not.toThrow();
    for (const rule of terraformTarget.rules) expect(() => rule.check(p)).not.toThrow();
  });

  it("never throws on arbitrary input (property test)", () => {
    const tokens = fc.constantFrom(
      "resource", '"aws_s3_bucket"', '"x"', "{", "}", "[", "]", "(", ")", "=", "\n", " ", ",", "var.a", "local.b", "${", "%{", '"',
      "<<EOF\n", "\nEOF\n", "for", "in", ":", "?", "=>", "...", "#", "//", "/*", "*/", "1", "true", "null", "dynamic", "content",
      "jsonencode(", "merge(", "-", "!", "*", ".", "\\", "~",
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(tokens, { maxLength: 120 }).map((t) => t.join(""))), (content) => {
        const out = parseTerraform([{ path: "fuzz.tf", content }]);
        for (const d of out.docs) for (const rule of terraformTarget.rules) rule.check(d);
        return Array.isArray(out.errors);
      }),
      { numRuns: 1500 },
    );
  });

  it("claims .tf files, not .tf.json", () => {
    expect(terraformTarget.claims("infra/main.tf", "")).toBe(true);
    expect(terraformTarget.claims("infra/main.tf.json", "")).toBe(false);
  });
});

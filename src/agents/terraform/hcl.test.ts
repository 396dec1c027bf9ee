import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { attr, blank, block, call, comment, cond, forList, forObj, get, index, list, neg, not, nul, num, obj, op, paren, printFile, quote, ref, str, tpl, type } from "./hcl.js";

/** The real formatter: the printer's output must come back unchanged. */
function terraformFmt(text: string): string {
  const r = spawnSync("terraform", ["fmt", "-no-color", "-"], { input: text, encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1" } });
  if (r.error) throw new Error(`terraform is not installed: install Terraform >= 1.11 (${r.error.message})`);
  if (r.status !== 0) throw new Error(`terraform fmt failed: ${r.stderr}`);
  return r.stdout;
}

describe("HCL printer", () => {
  it("aligns = over runs of single-line attributes, as terraform fmt does", () => {
    const text = printFile([block("resource", ["aws_s3_bucket", "this"], [attr("bucket", "b"), attr("force_destroy", false), blank, attr("tags", { Name: "b" }), attr("x", 1)])]);
    expect(text).toBe(
      [
        'resource "aws_s3_bucket" "this" {',
        '  bucket        = "b"',
        "  force_destroy = false",
        "",
        "  tags = {",
        '    Name = "b"',
        "  }",
        "  x = 1",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("breaks alignment at comments and nested blocks", () => {
    const text = printFile([block("b", [], [attr("a", 1), comment("why"), attr("long_name", 2), block("inner", [], []), attr("z", 3)])]);
    expect(text).toBe(["b {", "  a = 1", "  # why", "  long_name = 2", "  inner {}", "  z = 3", "}", ""].join("\n"));
  });

  it("quotes strings with HCL escapes and keeps ${ and %{ literal", () => {
    expect(quote('a "b" \\ ${x} %{y}\n\t')).toBe('"a \\"b\\" \\\\ $${x} %%{y}\\n\\t"');
  });

  it("unwraps a template that is a single interpolation, as terraform fmt does", () => {
    expect(tpl(ref("var.x"))).toEqual(ref("var.x"));
    expect(tpl("a", tpl("b", ref("var.x")), str("c"))).toEqual(tpl("ab", ref("var.x"), "c"));
  });

  it("refuses what is not a reference", () => {
    expect(() => ref("var.x + 1")).toThrow(/not a reference/);
    expect(() => ref('aws_x.y["${z}"]')).toThrow(/not a reference/);
  });

  it("refuses two multi-line arguments in one call", () => {
    expect(() => printFile([attr("x", call("f", list([1], { multiline: true }), obj({ a: 1 })))])).toThrow(/more than one multi-line argument/);
  });

  it("output is byte-identical after the real terraform fmt, over every construct", () => {
    const text = printFile(
      [
        block("locals", [], [
          attr("a", not(ref("var.enabled"))),
          attr("b", neg(num(1))),
          attr("c", cond(op(call("length", ref("var.list")), ">", 0), ref("var.list"), nul)),
          attr("d", forList("s", ref("var.subnets"), call("upper", ref("s")))),
          attr("e", forObj(["k", "v"], ref("var.map"), ref("k"), ref("v.id"), op(ref("v.enabled"), "==", true))),
          attr("f", get(index(ref("aws_nat_gateway.this"), cond(ref("var.single"), 0, ref("count.index"))), "id")),
          attr("g", op(paren(op(ref("var.a"), "+", 1)), "*", 2)),
          attr("h", tpl("arn:", ref("data.aws_partition.current.partition"), ":s3:::", ref("var.name"), "/*")),
          attr("i", forList(["k", "v"], ref("var.env"), obj({ name: ref("k"), value: ref("v") }, { inline: true }))),
          attr("j", { "kubernetes.io/role/elb": "1", plain: 2, "with-dash": 3 }),
          attr("k", []),
          attr("l", {}),
          attr("m", list(["x", "y"], { multiline: true })),
          attr("n", list([obj({ a: 1 }), obj({ bb: 2 })])),
          attr("o", call("contains", list(Array.from({ length: 30 }, (_, n) => n)), ref("var.x"))),
          attr("p", call("merge", ref("var.tags"), { Name: "x" })),
          attr("q", call("contains", call("lookup", { "256": list([512, 1024]), "512": list([1024]) }, call("tostring", ref("var.cpu")), []), ref("var.memory"))),
          attr("r", call("jsonencode", { Statement: list([{ Effect: "Allow", Action: list(["a:B", "c:D"]) }], { multiline: true }) })),
        ]),
        block("variable", ["x"], [
          attr("type", call("map", call("object", { a: type("string"), b: call("optional", type("number"), 3) }))),
          attr("default", {}),
          blank,
          block("validation", [], [attr("condition", call("alltrue", forList(["k", "v"], ref("var.x"), op(ref("v.b"), ">=", 0)))), attr("error_message", "b must be positive.")]),
        ]),
        block("resource", ["aws_s3_bucket_lifecycle_configuration", "this"], [
          block("rule", [], [attr("id", "r"), blank, block("filter", [], [])]),
          block("dynamic", ["rule"], [attr("for_each", ref("var.rules")), blank, block("content", [], [attr("id", ref("rule.value"))])]),
          attr("depends_on", [ref("aws_s3_bucket_versioning.this"), ref("aws_s3_bucket_policy.this"), ref("aws_s3_bucket_public_access_block.this")]),
        ]),
      ],
      ["# Generated by devops-pack devops_terraform — review before applying"],
    );
    expect(terraformFmt(text)).toBe(text);
  });
});

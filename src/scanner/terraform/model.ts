/**
 * The Terraform model the rules read. The parser (tree-sitter HCL) builds it;
 * values are evaluated where they can be (literals, locals, variable
 * defaults, simple functions) and stay `TfUnknown` where they cannot.
 */
export interface TfUnknown {
  unknown: true;
  /** The expression's source text, e.g. `aws_kms_key.logs.arn` or `var.x ? 1 : 2`. */
  expr: string;
}

export type TfValue = string | number | boolean | null | TfUnknown | TfValue[] | { [key: string]: TfValue };

export interface TfAttr {
  value: TfValue;
  /** Source text of the expression. */
  expr: string;
  /** References in the expression, normalised without attribute tails: `aws_s3_bucket.logs`, `module.data`, `var.name`, `local.tags`, `data.aws_iam_policy_document.x`. */
  refs: string[];
  line: number;
  column: number;
}

/**
 * A block: `resource "t" "n" {…}`, or a nested block such as `ingress {…}` or `dynamic "x" {…}`.
 *
 * A `dynamic "x"` block has type "dynamic", labels ["x"], its `for_each` /
 * `iterator` attributes, and its `content` block in `blocks`: once per element
 * when `for_each` is known (iterator values bound), once with unknown iterator
 * values when it is not, and not at all when it is known to be empty.
 *
 * Attribute values and refs are computed on first read (see project.ts):
 * read them through the object, do not spread a TfAttr.
 */
export interface TfBlock {
  type: string;
  labels: string[];
  attrs: Record<string, TfAttr>;
  blocks: TfBlock[];
  line: number;
  column: number;
  endLine: number;
}

export interface TfResource extends TfBlock {
  mode: "managed" | "data";
  /** e.g. aws_s3_bucket */
  resourceType: string;
  name: string;
  /** Full address with module path: `module.data.aws_s3_bucket.logs`, `data.aws_iam_policy_document.x`. */
  address: string;
  /** `aws_s3_bucket.logs` within its module (how other resources in the module reference it). */
  localAddress: string;
  /** Address prefix of the module instance, "" for a root module, e.g. "module.data.". */
  modulePath: string;
  file: string;
}

export interface TfModule {
  /** Directory (as displayed in findings). */
  dir: string;
  modulePath: string;
  files: string[];
  resources: TfResource[];
  variables: TfBlock[];
  locals: Record<string, TfAttr>;
  outputs: TfBlock[];
  moduleCalls: TfBlock[];
  providers: TfBlock[];
}

export interface TfProject {
  modules: TfModule[];
  /** Every managed and data resource of every module. */
  resources: TfResource[];
  /**
   * Resources of `type` in the same module instance whose attributes reference
   * `target` (e.g. the `aws_s3_bucket_versioning` whose `bucket` is
   * `aws_s3_bucket.logs.id`). Since AWS provider v4 many bucket settings live
   * in such separate resources.
   */
  referencing(target: TfResource, type: string, viaAttr?: string): TfResource[];
}

/**
 * Drift detection: compare the resources one environment's configuration
 * manages (with the attributes the task fixes) against a state, given as
 * `terraform show -json` output (state, or a saved plan's prior state) or as
 * a raw `.tfstate` file (format version 4).
 *
 * - added: in the configuration, not in the state (the next apply creates it,
 *   or it exists in AWS unmanaged and needs an import block);
 * - removed: in the state, not in the configuration (the next apply destroys it);
 * - changed: a fixed attribute whose recorded value differs.
 */
import { badInput } from "../../core/errors.js";
import type { Finding, Severity } from "../../core/findings.js";
import { attr, blank, block, printFile, ref } from "./hcl.js";
import type { Instance, Primitive } from "./model.js";
import { key } from "./model.js";

/** Addresses from a state file are data: only plain ones are printed as HCL references. */
function isAddress(a: string): boolean {
  try {
    ref(a);
    return true;
  } catch {
    return false;
  }
}

/** `import { to = …, id = … }`, printed like every other HCL of the pack. */
function importBlock(address: string): string {
  if (!isAddress(address)) return `Import the existing resource into ${address} with an import block (to = the address, id = its id).`;
  return printFile([block("import", [], [attr("to", ref(address)), attr("id", "<id of the existing resource>")])]).trimEnd();
}

/** `removed { from = …; lifecycle { destroy = false } }`: stop managing without deleting. */
function removedBlock(address: string): string {
  const from = address.replace(/\[[^\]]*\]$/, "");
  if (!isAddress(from)) return `terraform state rm '${address}' stops managing it without deleting it.`;
  return printFile([block("removed", [], [attr("from", ref(from)), blank, block("lifecycle", [], [attr("destroy", false)])])]).trimEnd();
}

export interface StateResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

export interface ParsedState {
  format: "terraform show -json" | "terraform show -json (plan, prior state)" | "tfstate v4";
  terraformVersion: string | undefined;
  resources: StateResource[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function showJsonResources(module: unknown, out: StateResource[]): void {
  if (!isObject(module)) return;
  for (const r of Array.isArray(module.resources) ? module.resources : []) {
    if (!isObject(r) || r.mode !== "managed" || typeof r.address !== "string" || typeof r.type !== "string") continue;
    out.push({ address: r.address, type: r.type, values: isObject(r.values) ? r.values : {} });
  }
  for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) showJsonResources(child, out);
}

/** Parse a state file in either format. Throws BAD_INPUT naming `drift.state` when it is neither. */
export function parseState(text: string, path: string): ParsedState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw badInput(`drift.state: ${path} is not JSON (${(e as Error).message}). Give the output of \`terraform show -json\` or a .tfstate file.`, { path });
  }
  if (!isObject(doc)) throw badInput(`drift.state: ${path} is not a Terraform state (expected a JSON object).`, { path });
  const version = typeof doc.terraform_version === "string" ? doc.terraform_version : undefined;
  if (typeof doc.format_version === "string") {
    const resources: StateResource[] = [];
    if (isObject(doc.values)) {
      showJsonResources(doc.values.root_module, resources);
      return { format: "terraform show -json", terraformVersion: version, resources };
    }
    if (isObject(doc.prior_state) && isObject(doc.prior_state.values)) {
      showJsonResources(doc.prior_state.values.root_module, resources);
      return { format: "terraform show -json (plan, prior state)", terraformVersion: version, resources };
    }
    // `terraform show -json` of an empty state has no values at all.
    return { format: "terraform show -json", terraformVersion: version, resources };
  }
  if (doc.version === 4 && Array.isArray(doc.resources)) {
    const resources: StateResource[] = [];
    for (const r of doc.resources) {
      if (!isObject(r) || r.mode !== "managed" || typeof r.type !== "string" || typeof r.name !== "string") continue;
      const prefix = typeof r.module === "string" && r.module !== "" ? `${r.module}.` : "";
      for (const inst of Array.isArray(r.instances) ? r.instances : []) {
        if (!isObject(inst)) continue;
        const k = inst.index_key;
        const suffix = typeof k === "number" || typeof k === "string" ? key(k) : "";
        resources.push({ address: `${prefix}${r.type}.${r.name}${suffix}`, type: r.type, values: isObject(inst.attributes) ? inst.attributes : {} });
      }
    }
    return { format: "tfstate v4", terraformVersion: version, resources };
  }
  throw badInput(
    `drift.state: ${path} is neither \`terraform show -json\` output (with format_version and values.root_module) nor a version 4 .tfstate file (with resources[].instances[].attributes).`,
    { path },
  );
}

/** An instance of the configuration, with its full address. */
export interface ExpectedInstance extends Instance {
  /** Full address, e.g. `module.eks_production.aws_eks_cluster.this`. */
  address: string;
}

function valueAt(values: Json, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split(".")) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

function isList(v: Primitive | readonly Primitive[]): v is readonly Primitive[] {
  return Array.isArray(v);
}

function same(expected: Primitive | readonly Primitive[], actual: unknown): boolean {
  if (isList(expected)) {
    if (!Array.isArray(actual)) return false;
    const a = expected.map(String).sort();
    const b = (actual as unknown[]).map(String).sort();
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (expected === null) return actual === null;
  return String(expected) === String(actual);
}

const show = (v: unknown): string => JSON.stringify(v);

/** Attributes whose drift weakens security: reported as high. */
const SECURITY_ATTRIBUTES = new Set([
  "storage_encrypted",
  "publicly_accessible",
  "deletion_protection",
  "enable_key_rotation",
  "iam_database_authentication_enabled",
  "block_public_acls",
  "block_public_policy",
  "ignore_public_acls",
  "restrict_public_buckets",
  "vpc_config.0.endpoint_public_access",
  "map_public_ip_on_launch",
  "drop_invalid_header_fields",
  "enable_deletion_protection",
  "ssl_policy",
  "metadata_options.0.http_tokens",
  "backup_retention_period",
  "multi_az",
  "versioning_configuration.0.status",
  "rule.0.object_ownership",
]);

export interface DriftResult {
  findings: Finding[];
  added: number;
  removed: number;
  changed: number;
  compared: number;
}

/** Compare the configuration with the state. Findings name the state file and the resource address. */
export function compareDrift(expected: readonly ExpectedInstance[], state: ParsedState, file: string): DriftResult {
  const actual = new Map(state.resources.map((r) => [r.address, r]));
  const wanted = new Map(expected.map((e) => [e.address, e]));
  const findings: Finding[] = [];
  let added = 0;
  let removed = 0;
  let changed = 0;
  const finding = (ruleId: string, severity: Severity, title: string, resource: string, message: string, recommendation: string, fix: string): void => {
    findings.push({ ruleId, severity, title, message, recommendation, fix, resource, file, aliases: [] });
  };
  for (const e of expected) {
    const a = actual.get(e.address);
    if (a === undefined) {
      added++;
      finding(
        "DP-TF-DRIFT-001",
        "info",
        "Resource is in the configuration but not in the state",
        e.address,
        `${e.address} is in the configuration but not in the state: the next apply creates it.`,
        "If the resource already exists in AWS (created by hand or by another tool), adopt it with an import block instead of creating a duplicate.",
        importBlock(e.address),
      );
      continue;
    }
    for (const [path, want] of Object.entries(e.attributes)) {
      const got = valueAt(a.values, path);
      if (got === undefined || same(want, got)) continue;
      changed++;
      finding(
        "DP-TF-DRIFT-003",
        SECURITY_ATTRIBUTES.has(path) ? "high" : "medium",
        "Attribute differs between configuration and state",
        e.address,
        `${e.address}: ${path} is ${show(got)} in the state, ${show(want)} in the configuration.`,
        "Find out who changed it and why: codify the change in the task if it was right, or let the next apply restore the configured value.",
        `terraform plan -refresh-only -target='${e.address}' shows the live value; the next apply sets ${path} = ${show(want)}.`,
      );
    }
  }
  for (const a of state.resources) {
    if (wanted.has(a.address)) continue;
    removed++;
    finding(
      "DP-TF-DRIFT-002",
      "medium",
      "Resource is in the state but not in the configuration",
      a.address,
      `${a.address} (${a.type}) is in the state but not in the configuration: the next apply destroys it.`,
      "Add it back to the task if it is still needed, move it with a moved block if it was renamed, or stop managing it without deleting it with a removed block.",
      removedBlock(a.address),
    );
  }
  return { findings, added, removed, changed, compared: expected.length };
}

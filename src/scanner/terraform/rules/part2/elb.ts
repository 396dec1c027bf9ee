import type { Rule } from "../../../types.js";
import type { TfProject, TfResource } from "../../model.js";
import {
  attr,
  blocks,
  dynamicContents,
  fail,
  firstBlock,
  hasDynamic,
  pass,
  readBool,
  readString,
  resolveRef,
  resourceRule,
  soc2,
  upper,
  type Read,
  type Verdict,
} from "./util.js";

const LISTENERS = ["aws_lb_listener", "aws_alb_listener"] as const;
const LOAD_BALANCERS = ["aws_lb", "aws_alb"] as const;

/** `load_balancer_type` of an aws_lb, which defaults to "application". */
function lbType(lb: TfResource): Read<string> {
  const t = readString(attr(lb, "load_balancer_type"));
  if (t.kind === "absent") return { kind: "known", value: "application" };
  if (t.kind === "known") return { kind: "known", value: t.value.trim().toLowerCase() };
  return t;
}

/** The load balancer a listener belongs to, when it is in the same module. */
function listenerLb(project: TfProject, listener: TfResource): TfResource | undefined {
  const a = attr(listener, "load_balancer_arn");
  if (a === undefined) return undefined;
  for (const ref of a.refs) {
    const lb = resolveRef(project, listener, ref);
    if (lb !== undefined && (LOAD_BALANCERS as readonly string[]).includes(lb.resourceType)) return lb;
  }
  return undefined;
}

const ENCRYPTED_OR_NOT_HTTP = new Set(["HTTPS", "TLS", "TCP", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC"]);

/** Does some default action redirect to HTTPS (or to a protocol we cannot see)? */
function redirectsToHttps(listener: TfResource): boolean {
  if (hasDynamic(listener, "default_action")) return true;
  for (const action of blocks(listener, "default_action")) {
    const type = readString(attr(action, "type"));
    if (type.kind === "unknown") return true;
    if (type.kind !== "known" || type.value.trim().toLowerCase() !== "redirect") continue;
    if (hasDynamic(action, "redirect")) return true;
    const redirect = firstBlock(action, "redirect") ?? dynamicContents(action, "redirect")[0];
    if (redirect === undefined) continue;
    const protocol = readString(attr(redirect, "protocol"));
    if (protocol.kind === "unknown" || (protocol.kind === "known" && upper(protocol.value) === "HTTPS")) return true;
  }
  return false;
}

/**
 * HTTP listeners must redirect to HTTPS. `undefined` for listeners of network
 * and gateway load balancers that omit the protocol (they never speak HTTP).
 */
function plaintextListenerVerdict(r: TfResource, project: TfProject): Verdict | undefined {
  const protocolAttr = attr(r, "protocol");
  const protocol = readString(protocolAttr);
  if (protocol.kind === "unknown") return pass(protocolAttr);
  if (protocol.kind === "absent") {
    // The protocol defaults to HTTP on application load balancers; network
    // and gateway load balancers never speak HTTP.
    const lb = listenerLb(project, r);
    if (lb !== undefined) {
      const t = lbType(lb);
      if (t.kind === "unknown") return pass();
      if (t.kind === "known" && t.value !== "application") return undefined;
    }
  } else if (ENCRYPTED_OR_NOT_HTTP.has(upper(protocol.value))) {
    return pass(protocolAttr);
  } else if (upper(protocol.value) !== "HTTP") {
    return pass(protocolAttr);
  }
  if (redirectsToHttps(r)) return pass(protocolAttr);
  return fail(
    protocol.kind === "absent"
      ? "the listener has no protocol (HTTP on an application load balancer) and does not redirect to HTTPS"
      : "the listener uses protocol HTTP and does not redirect to HTTPS",
    protocolAttr,
  );
}

export const elbHttpsListener: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ELB-001",
    severity: "high",
    title: "Load balancer listener uses HTTPS or redirects to it",
    message: "The load balancer listener serves plain HTTP without redirecting to HTTPS: traffic can be read and changed in transit.",
    recommendation: "Serve HTTPS with an ACM certificate, and make any port-80 listener a permanent redirect to HTTPS.",
    fix:
      'resource "aws_lb_listener" "http" {\n  load_balancer_arn = aws_lb.main.arn\n  port              = 80\n  protocol          = "HTTP"\n\n  default_action {\n    type = "redirect"\n    redirect {\n      port        = "443"\n      protocol    = "HTTPS"\n      status_code = "HTTP_301"\n    }\n  }\n}',
    aliases: ["CKV_AWS_2", "CKV2_AWS_20", "AVD-AWS-0054"],
    compliance: [soc2("CC6.7", true)],
  },
  LISTENERS,
  (r, project) => plaintextListenerVerdict(r, project),
);

/** TLS 1.2+ policy families (ALB and NLB). */
const MODERN_POLICY_PREFIXES = [
  "ELBSecurityPolicy-TLS13-1-3",
  "ELBSecurityPolicy-TLS13-1-2",
  "ELBSecurityPolicy-FS-1-2",
  "ELBSecurityPolicy-TLS-1-2",
] as const;

/** Policies that still allow TLS 1.0/1.1 or weak CBC ciphers. */
const OUTDATED_POLICIES = new Set([
  "ELBSecurityPolicy-2015-05",
  "ELBSecurityPolicy-2016-08",
  "ELBSecurityPolicy-FS-2018-06",
  "ELBSecurityPolicy-FS-1-1-2019-08",
  "ELBSecurityPolicy-TLS-1-0-2015-04",
  "ELBSecurityPolicy-TLS-1-1-2017-01",
  "ELBSecurityPolicy-TLS13-1-0-2021-06",
  "ELBSecurityPolicy-TLS13-1-1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
]);

export function isModernTlsPolicy(name: string): boolean {
  const n = name.trim();
  if (OUTDATED_POLICIES.has(n)) return false;
  return MODERN_POLICY_PREFIXES.some((p) => n.startsWith(p));
}

export const elbTlsPolicy: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ELB-002",
    severity: "high",
    title: "Load balancer listener enforces TLS 1.2 or newer",
    message: "The listener does not enforce TLS 1.2+: its security policy allows TLS 1.0/1.1 or outdated ciphers, or it serves plain HTTP.",
    recommendation: "Use a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06 (or ELBSecurityPolicy-TLS13-1-2-Res-2021-06 where every client supports it).",
    fix:
      'resource "aws_lb_listener" "https" {\n  load_balancer_arn = aws_lb.main.arn\n  port              = 443\n  protocol          = "HTTPS"\n  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"\n  certificate_arn   = aws_acm_certificate.main.arn\n  # ...\n}',
    aliases: ["CKV_AWS_103", "AVD-AWS-0047"],
    compliance: [soc2("CC6.7", true)],
  },
  LISTENERS,
  (r, project) => {
    const protocol = readString(attr(r, "protocol"));
    // A plain-HTTP listener has no TLS at all: it passes only as a redirect to HTTPS.
    if (protocol.kind !== "known" || !["HTTPS", "TLS"].includes(upper(protocol.value))) return plaintextListenerVerdict(r, project);
    const a = attr(r, "ssl_policy");
    const policy = readString(a);
    if (policy.kind === "unknown") return pass(a);
    if (policy.kind === "absent" || policy.value.trim() === "") {
      return fail("ssl_policy is not set: the provider default, ELBSecurityPolicy-2016-08, still allows TLS 1.0", a);
    }
    if (isModernTlsPolicy(policy.value)) return pass(a);
    return fail(`ssl_policy ${policy.value} allows TLS versions below 1.2 or outdated ciphers`, a);
  },
);

export const elbDropInvalidHeaders: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ELB-003",
    severity: "medium",
    title: "Application load balancer drops invalid HTTP headers",
    message: "The application load balancer forwards HTTP headers with invalid names to its targets (a request-smuggling and header-injection risk).",
    recommendation: "Set drop_invalid_header_fields = true on application load balancers.",
    fix: 'resource "aws_lb" "main" {\n  # ...\n  load_balancer_type         = "application"\n  drop_invalid_header_fields = true\n}',
    aliases: ["CKV_AWS_131", "AVD-AWS-0052"],
    compliance: [soc2("CC6.6")],
  },
  LOAD_BALANCERS,
  (r) => {
    const a = attr(r, "drop_invalid_header_fields");
    const v = readBool(a);
    const t = lbType(r);
    if (t.kind === "known" && t.value !== "application") return undefined;
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    if (t.kind === "unknown") return undefined;
    return fail(
      v.kind === "absent" ? "drop_invalid_header_fields is not set (defaults to false)" : "drop_invalid_header_fields is false",
      a,
    );
  },
);

export const elbDeletionProtection: Rule<TfProject> = resourceRule(
  {
    id: "DP-AWS-ELB-004",
    severity: "low",
    title: "Load balancer has deletion protection enabled",
    message: "The load balancer can be deleted by a single API call or an unreviewed Terraform plan.",
    recommendation: "Enable deletion protection on load balancers that serve production traffic.",
    fix: 'resource "aws_lb" "main" {\n  # ...\n  enable_deletion_protection = true\n}',
    aliases: ["CKV_AWS_150"],
    compliance: [soc2("A1.2")],
  },
  LOAD_BALANCERS,
  (r) => {
    const a = attr(r, "enable_deletion_protection");
    const v = readBool(a);
    if (v.kind === "unknown" || (v.kind === "known" && v.value)) return pass(a);
    return fail(
      v.kind === "absent" ? "enable_deletion_protection is not set (defaults to false)" : "enable_deletion_protection is false",
      a,
    );
  },
);

export const elbRules: readonly Rule<TfProject>[] = [elbHttpsListener, elbTlsPolicy, elbDropInvalidHeaders, elbDeletionProtection];

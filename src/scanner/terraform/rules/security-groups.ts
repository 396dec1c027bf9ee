/**
 * Security group rules. Ingress is read from inline `ingress` blocks (and
 * `dynamic "ingress"` contents, and the attribute form `ingress = [{…}]`) of
 * `aws_security_group`, from `aws_security_group_rule` (type = "ingress") and
 * from `aws_vpc_security_group_ingress_rule`.
 *
 * Port semantics follow Checkov: protocol "-1"/"all" covers every port, and
 * from_port = to_port = 0 is read as all ports. A rule is open to the world
 * when its IPv4 CIDRs include 0.0.0.0/0 or its IPv6 CIDRs include ::/0.
 * Unknown ports, protocols or CIDRs never fail a check.
 */
import type { Rule, RuleMeta } from "../../types.js";
import { isObject } from "../evaluate.js";
import type { TfBlock, TfProject, TfResource, TfValue } from "../model.js";
import { cis, soc2 } from "./compliance.js";
import { at, attr, blocks, companions, defineRule, isUnknown, resources, stringList, toNum, toStr, value } from "./helpers.js";

/** One ingress permission, from whichever form declared it. */
export interface Ingress {
  owner: TfResource;
  get(name: string): TfValue | undefined;
  pos: { line: number; column: number };
  /** Inline rule of a security group (as opposed to a rule resource). */
  inline: boolean;
}

function fromBlock(owner: TfResource, b: TfBlock, inline: boolean): Ingress {
  return { owner, get: (n) => value(b, n), pos: { line: b.line, column: b.column }, inline };
}

function fromObject(owner: TfResource, o: { [k: string]: TfValue }, line: number, column: number): Ingress {
  return { owner, get: (n) => (Object.hasOwn(o, n) && o[n] !== null ? o[n] : undefined), pos: { line, column }, inline: true };
}

/**
 * Inline ingress (or egress) rules of an aws_security_group / aws_default_security_group.
 * With `definite`, rules of a dynamic block whose for_each is not known are left out.
 */
function inlineRules(sg: TfResource, kind: "ingress" | "egress", definite = false): Ingress[] {
  const out = blocks(sg, kind, definite).map((b) => fromBlock(sg, b, true));
  const a = attr(sg, kind);
  if (a !== undefined && Array.isArray(a.value)) {
    for (const o of a.value) if (isObject(o)) out.push(fromObject(sg, o, a.line, a.column));
  }
  return out;
}

interface IngressSet {
  subject: TfResource;
  rules: Ingress[];
}

/** Every subject that carries ingress rules: security groups (with their inline rules) and rule resources. */
function ingressSubjects(p: TfProject): IngressSet[] {
  const out: IngressSet[] = [];
  for (const sg of resources(p, "aws_security_group")) out.push({ subject: sg, rules: inlineRules(sg, "ingress", true) });
  for (const r of resources(p, "aws_security_group_rule")) {
    const type = value(r, "type");
    if (toStr(type) !== "ingress") continue;
    out.push({ subject: r, rules: [fromBlock(r, r, false)] });
  }
  for (const r of resources(p, "aws_vpc_security_group_ingress_rule")) out.push({ subject: r, rules: [fromBlock(r, r, false)] });
  return out;
}

const WORLD_V4 = new Set(["0.0.0.0/0"]);
const WORLD_V6 = new Set(["::/0", "0000:0000:0000:0000:0000:0000:0000:0000/0", "0:0:0:0:0:0:0:0/0"]);

/** Is the rule known to admit traffic from anywhere? */
export function openToWorld(r: Ingress): boolean {
  const v4 = [...stringList(r.get("cidr_blocks")).items, ...stringList(r.get("cidr_ipv4")).items];
  const v6 = [...stringList(r.get("ipv6_cidr_blocks")).items, ...stringList(r.get("cidr_ipv6")).items];
  return v4.some((c) => WORLD_V4.has(c.trim())) || v6.some((c) => WORLD_V6.has(c.trim().toLowerCase()));
}

const ALL_PROTOCOLS = new Set(["-1", "all"]);
const ICMP = new Set(["icmp", "1", "icmpv6", "58"]);

/** The port range a rule covers: [from, to], or null when not known (or not a port-based protocol). */
export function portRange(r: Ingress): [number, number] | null {
  const protoV = r.get("protocol") ?? r.get("ip_protocol");
  let proto: string | null = null;
  if (protoV !== undefined) {
    if (isUnknown(protoV)) return null;
    proto = toStr(protoV)?.toLowerCase() ?? null;
  }
  if (proto !== null && ALL_PROTOCOLS.has(proto)) return [0, 65535];
  if (proto !== null && ICMP.has(proto)) return null;
  const fromV = r.get("from_port");
  const toV = r.get("to_port");
  const from = fromV === undefined ? null : toNum(fromV);
  const to = toV === undefined ? null : toNum(toV);
  if (from === null || to === null) return null;
  if (from === 0 && to === 0) return [0, 65535];
  if (from === -1 || to === -1) return [0, 65535];
  return [Math.min(from, to), Math.max(from, to)];
}

function portRule(meta: RuleMeta, ports: readonly number[]): Rule<TfProject> {
  return defineRule(meta, function* (p) {
    for (const { subject, rules } of ingressSubjects(p)) {
      const bad = rules.find((r) => {
        if (!openToWorld(r)) return false;
        const range = portRange(r);
        return range !== null && ports.some((port) => range[0] <= port && port <= range[1]);
      });
      yield { resource: subject, passed: bad === undefined, at: bad?.pos };
    }
  });
}

const SG_FIX = (port: number): string => `resource "aws_vpc_security_group_ingress_rule" "admin" {
  security_group_id = aws_security_group.this.id
  description       = "Administration from the corporate VPN only"
  ip_protocol       = "tcp"
  from_port         = ${port}
  to_port           = ${port}
  cidr_ipv4         = var.admin_cidr # e.g. "10.20.0.0/16", never 0.0.0.0/0
}`;

export const sgSsh = portRule(
  {
    id: "DP-AWS-SG-001",
    target: "terraform",
    severity: "high",
    title: "Security group does not allow SSH (port 22) from the internet",
    message: "A security group rule allows ingress from 0.0.0.0/0 or ::/0 to port 22 (SSH).",
    recommendation: "Restrict SSH to known CIDR ranges (VPN, bastion) or remove it and use AWS Systems Manager Session Manager.",
    fix: SG_FIX(22),
    aliases: ["CKV_AWS_24"],
    compliance: [cis("5.2"), cis("5.3"), soc2("CC6.6")],
  },
  [22],
);

export const sgRdp = portRule(
  {
    id: "DP-AWS-SG-002",
    target: "terraform",
    severity: "high",
    title: "Security group does not allow RDP (port 3389) from the internet",
    message: "A security group rule allows ingress from 0.0.0.0/0 or ::/0 to port 3389 (RDP).",
    recommendation: "Restrict RDP to known CIDR ranges or use Fleet Manager / Session Manager port forwarding instead.",
    fix: SG_FIX(3389),
    aliases: ["CKV_AWS_25"],
    compliance: [cis("5.2"), cis("5.3"), soc2("CC6.6")],
  },
  [3389],
);

export const sgHttp = portRule(
  {
    id: "DP-AWS-SG-003",
    target: "terraform",
    severity: "low",
    title: "Security group does not allow HTTP (port 80) from the internet",
    message: "A security group rule allows ingress from 0.0.0.0/0 or ::/0 to port 80 (plain HTTP).",
    recommendation: "Serve public traffic over HTTPS (443) only; if port 80 must stay open for redirects, make sure the listener only redirects to HTTPS.",
    fix: `resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}`,
    aliases: ["CKV_AWS_260"],
    compliance: [soc2("CC6.6", false), soc2("CC6.7", false)],
  },
  [80],
);

export const sgAllPorts = defineRule(
  {
    id: "DP-AWS-SG-004",
    target: "terraform",
    severity: "critical",
    title: "Security group does not allow all traffic from the internet",
    message: "A security group rule allows all protocols or all ports from 0.0.0.0/0 or ::/0.",
    recommendation: "Open only the ports the service needs, to the sources that need them.",
    fix: SG_FIX(443),
    aliases: ["CKV_AWS_277"],
    compliance: [cis("5.2"), cis("5.3"), soc2("CC6.6")],
  },
  function* (p) {
    for (const { subject, rules } of ingressSubjects(p)) {
      const bad = rules.find((r) => {
        if (!openToWorld(r)) return false;
        const range = portRange(r);
        return range !== null && range[0] <= 0 && range[1] >= 65535;
      });
      yield { resource: subject, passed: bad === undefined, at: bad?.pos };
    }
  },
);

/** Database and cache ports that should never face the internet. */
export const DATABASE_PORTS = [1433, 1521, 2483, 2484, 3306, 5432, 5439, 6379, 7000, 7001, 8086, 9042, 9160, 9200, 9300, 11211, 27017, 27018, 50000] as const;

export const sgDatabasePorts = portRule(
  {
    id: "DP-AWS-SG-005",
    target: "terraform",
    severity: "high",
    title: "Security group does not expose database ports to the internet",
    message:
      "A security group rule allows ingress from 0.0.0.0/0 or ::/0 to a database or cache port (SQL Server 1433, Oracle 1521/2483/2484, MySQL 3306, PostgreSQL 5432, Redshift 5439, Redis 6379, Cassandra 7000/7001/9042/9160, InfluxDB 8086, Elasticsearch 9200/9300, Memcached 11211, MongoDB 27017/27018, DB2 50000).",
    recommendation: "Keep databases in private subnets and allow their ports only from the application's security group.",
    fix: `resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the application tier"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}`,
    aliases: [],
    compliance: [soc2("CC6.6")],
  },
  DATABASE_PORTS,
);

/** Remote administration and file-sharing ports other than SSH and RDP. */
export const ADMIN_PORTS = [20, 21, 23, 135, 139, 445, 5800, 5900, 5985, 5986] as const;

export const sgAdminPorts = portRule(
  {
    id: "DP-AWS-SG-006",
    target: "terraform",
    severity: "high",
    title: "Security group does not expose remote administration ports to the internet",
    message:
      "A security group rule allows ingress from 0.0.0.0/0 or ::/0 to a remote administration or file-sharing port (FTP 20/21, Telnet 23, RPC 135, NetBIOS 139, SMB 445, VNC 5800/5900, WinRM 5985/5986).",
    recommendation: "Remove these rules or restrict them to the administration network; prefer Session Manager for remote access.",
    fix: SG_FIX(5986),
    aliases: [],
    compliance: [cis("5.2", false), cis("5.3", false), soc2("CC6.6")],
  },
  ADMIN_PORTS,
);

function hasText(v: TfValue | undefined): boolean {
  if (v === undefined) return false;
  if (isUnknown(v)) return true;
  const s = toStr(v);
  return s !== null && s.trim() !== "";
}

const RULE_RESOURCES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"] as const;

const DESCRIBED_SG_FIX = `resource "aws_security_group" "app" {
  name        = "app"
  description = "Application instances behind the ALB"
  vpc_id      = var.vpc_id

  ingress {
    description     = "HTTP from the ALB"
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }
}`;

export const sgDescriptions = defineRule(
  {
    id: "DP-AWS-SG-007",
    target: "terraform",
    severity: "low",
    title: "Security groups and their rules are described",
    message: "Neither the security group nor all of its rules have a description (or a security group rule resource has none).",
    recommendation: "Describe every security group and every rule (who needs this access and why) so reviews can tell intended access from leftovers.",
    fix: DESCRIBED_SG_FIX,
    // Checkov's semantics: a group passes with its own description, or when every inline rule has one.
    aliases: ["CKV_AWS_23"],
    compliance: [soc2("CC6.6", false)],
  },
  function* (p) {
    for (const sg of resources(p, "aws_security_group")) {
      if (hasText(value(sg, "description"))) {
        yield { resource: sg, passed: true };
        continue;
      }
      const bad = [...inlineRules(sg, "ingress"), ...inlineRules(sg, "egress")].find((r) => !hasText(r.get("description")));
      yield { resource: sg, passed: bad === undefined, at: bad?.pos };
    }
    for (const r of resources(p, ...RULE_RESOURCES)) {
      yield { resource: r, passed: hasText(value(r, "description")), message: "The security group rule has no description." };
    }
  },
);

export const sgGroupDescription = defineRule(
  {
    id: "DP-AWS-SG-009",
    target: "terraform",
    severity: "low",
    title: "Security group has a description",
    message: "The security group has no description.",
    recommendation: "Set description on every aws_security_group to say what the group is for.",
    fix: DESCRIBED_SG_FIX,
    aliases: ["AVD-AWS-0099"],
    compliance: [soc2("CC6.6", false)],
  },
  function* (p) {
    for (const sg of resources(p, "aws_security_group")) {
      yield { resource: sg, passed: hasText(value(sg, "description")), at: at(attr(sg, "description")) };
    }
  },
);

export const sgRuleDescriptions = defineRule(
  {
    id: "DP-AWS-SG-010",
    target: "terraform",
    severity: "low",
    title: "Every security group rule has a description",
    message: "A security group rule has no description.",
    recommendation: "Set description on every ingress and egress rule (inline blocks and rule resources) to say who needs the access and why.",
    fix: DESCRIBED_SG_FIX,
    aliases: ["AVD-AWS-0124"],
    compliance: [soc2("CC6.6", false)],
  },
  function* (p) {
    for (const sg of resources(p, "aws_security_group")) {
      const bad = [...inlineRules(sg, "ingress"), ...inlineRules(sg, "egress")].find((r) => !hasText(r.get("description")));
      yield { resource: sg, passed: bad === undefined, at: bad?.pos };
    }
    for (const r of resources(p, ...RULE_RESOURCES)) {
      yield { resource: r, passed: hasText(value(r, "description")) };
    }
  },
);

export const sgDefaultRestricted = defineRule(
  {
    id: "DP-AWS-SG-008",
    target: "terraform",
    severity: "medium",
    title: "Default security group of every VPC restricts all traffic",
    message: "The VPC's default security group allows traffic (it has ingress or egress rules, or the VPC does not manage its default security group).",
    recommendation:
      "Manage each VPC's default security group with an aws_default_security_group that has no ingress and no egress rules, and put resources in purpose-built security groups.",
    fix: `resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.this.id
  # no ingress and no egress blocks: all traffic is denied
}`,
    aliases: ["CKV2_AWS_12", "AVD-AWS-0173"],
    compliance: [cis("5.4"), soc2("CC6.6")],
  },
  function* (p) {
    for (const sg of resources(p, "aws_default_security_group")) {
      const rules = [...inlineRules(sg, "ingress", true), ...inlineRules(sg, "egress", true)];
      yield { resource: sg, passed: rules.length === 0, at: rules[0]?.pos };
    }
    for (const vpc of resources(p, "aws_vpc")) {
      yield {
        resource: vpc,
        passed: companions(p, vpc, "aws_default_security_group", "vpc_id").length > 0,
        message: "The VPC does not manage its default security group, which by default allows all traffic between its members and all egress.",
        fix: `resource "aws_default_security_group" "default" {
  vpc_id = ${vpc.localAddress}.id
}`,
      };
    }
  },
);

export const securityGroupRules: Rule<TfProject>[] = [
  sgSsh,
  sgRdp,
  sgHttp,
  sgAllPorts,
  sgDatabasePorts,
  sgAdminPorts,
  sgDescriptions,
  sgDefaultRestricted,
  sgGroupDescription,
  sgRuleDescriptions,
];


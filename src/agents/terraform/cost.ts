/**
 * Monthly cost estimate per resource and environment, from the dated price
 * table. Fixed charges (hours of instances, gateways, load balancers, keys)
 * are estimated; usage charges (data processed, requests, log volume, object
 * storage) are named with their unit price but not guessed.
 */
import { nodeGroups } from "./modules/eks.js";
import { ecsSizing } from "./modules/ecs.js";
import type { PlannedCall } from "./root.js";
import {
  ALB_HOURLY,
  ALB_LCU_HOURLY,
  EBS_GP3_GB_MONTH,
  EC2_HOURLY,
  EKS_CLUSTER_HOURLY,
  FARGATE,
  HOURS_PER_MONTH,
  KMS_KEY_MONTH,
  LOGS_INGEST_PER_GB,
  LOGS_STORAGE_GB_MONTH,
  NAT_GATEWAY_HOURLY,
  NAT_GATEWAY_PER_GB,
  PRICES_DATE,
  PRICES_REGION,
  PUBLIC_IPV4_HOURLY,
  RDS_GP3_GB_MONTH,
  RDS_HOURLY,
  S3_STANDARD_GB_MONTH,
  SECRET_MONTH,
} from "./prices.js";

export interface CostLine {
  item: string;
  /** USD per month, rounded to cents. */
  monthly: number;
  /** How it was computed, e.g. "3 × 730 h × $0.0960". */
  basis: string;
}

export interface ResourceCost {
  resource: string;
  type: string;
  monthly: number;
  lines: CostLine[];
  /** Charges that depend on usage and are not in the figure. */
  usage: string[];
  /** Parts that could not be priced (e.g. an instance type missing from the table). */
  unpriced: string[];
}

export interface CostEstimate {
  environment: string;
  region: string;
  currency: "USD";
  prices: { date: string; region: string; hours_per_month: number };
  resources: ResourceCost[];
  total: number;
}

const cents = (n: number): number => Math.round(n * 100) / 100;
const usd = (n: number): string => `$${n.toFixed(2)}`;
/** A unit price with at least two decimals: $0.10, $0.0416. */
const rate = (n: number): string => `$${n.toFixed(Math.max(2, (String(n).split(".")[1] ?? "").length))}`;

function hourly(item: string, count: number, price: number): CostLine {
  return { item, monthly: cents(count * price * HOURS_PER_MONTH), basis: `${count} × ${HOURS_PER_MONTH} h × ${rate(price)}/h` };
}

function monthlyLine(item: string, count: number, price: number, unit = "month"): CostLine {
  return { item, monthly: cents(count * price), basis: `${count} × ${rate(price)}/${unit}` };
}

function kms(keys: number): CostLine {
  return monthlyLine(keys === 1 ? "KMS key" : "KMS keys", keys, KMS_KEY_MONTH);
}

const LOGS_USAGE = `CloudWatch Logs ${rate(LOGS_INGEST_PER_GB)}/GB ingested and ${rate(LOGS_STORAGE_GB_MONTH)}/GB-month stored`;

function costOf(c: PlannedCall): Omit<ResourceCost, "monthly" | "resource" | "type"> {
  const r = c.resource;
  switch (r.type) {
    case "vpc": {
      const nat = r.nat_gateways === "single" ? 1 : r.az_count;
      return {
        lines: [hourly(`NAT gateway${nat > 1 ? "s" : ""}`, nat, NAT_GATEWAY_HOURLY), hourly("NAT public IPv4 addresses", nat, PUBLIC_IPV4_HOURLY), kms(1)],
        usage: [`NAT data processing ${rate(NAT_GATEWAY_PER_GB)}/GB`, `flow logs: ${LOGS_USAGE}`],
        unpriced: [],
      };
    }
    case "eks_cluster": {
      const lines: CostLine[] = [hourly("EKS control plane (standard support)", 1, EKS_CLUSTER_HOURLY)];
      const unpriced: string[] = [];
      const usage: string[] = [`control-plane logs: ${LOGS_USAGE}`];
      for (const g of nodeGroups(r)) {
        const type = g.instance_types[0]!;
        const price = EC2_HOURLY[type];
        if (price === undefined) unpriced.push(`instance type ${type} (node group ${g.name}) is not in the price table`);
        else lines.push(hourly(`node group ${g.name}: ${g.desired_size} × ${type}${g.capacity_type === "SPOT" ? " (on-demand price; Spot is usually 60-70% less)" : ""}`, g.desired_size, price));
        lines.push(monthlyLine(`node group ${g.name}: gp3 root volumes`, g.desired_size * g.disk_size_gb, EBS_GP3_GB_MONTH, "GB-month"));
      }
      lines.push(kms(1));
      return { lines, usage, unpriced };
    }
    case "ecs_service": {
      const size = ecsSizing(r);
      const p = FARGATE[r.architecture];
      const vcpu = r.cpu / 1024;
      const gb = r.memory / 1024;
      const perTask = vcpu * p.vcpuHour + gb * p.gbHour;
      // An internet-facing load balancer has a public IPv4 address per Availability Zone (at least two).
      const azs = r.internal ? 0 : c.network.kind === "module" ? c.network.azCount : 2;
      const lines: CostLine[] = [
        { item: `Fargate: ${size.desired} task${size.desired > 1 ? "s" : ""} × ${vcpu} vCPU, ${gb} GB (${r.architecture})`, monthly: cents(size.desired * perTask * HOURS_PER_MONTH), basis: `${size.desired} × ${HOURS_PER_MONTH} h × (${vcpu} × ${rate(p.vcpuHour)} + ${gb} × ${rate(p.gbHour)})` },
        hourly("Application Load Balancer", 1, ALB_HOURLY),
        ...(azs > 0 ? [hourly("load balancer public IPv4 addresses (one per AZ)", azs, PUBLIC_IPV4_HOURLY)] : []),
        kms(1),
      ];
      return {
        lines,
        usage: [`load balancer capacity ${rate(ALB_LCU_HOURLY)}/LCU-hour`, `autoscaling up to ${size.max} tasks: ${usd(size.max * perTask * HOURS_PER_MONTH)} at the maximum`, `container logs: ${LOGS_USAGE}`],
        unpriced: [],
      };
    }
    case "rds": {
      const azFactor = r.multi_az ? 2 : 1;
      const price = RDS_HOURLY[r.engine][r.instance_class];
      const lines: CostLine[] = [];
      const unpriced: string[] = [];
      if (price === undefined) unpriced.push(`instance class ${r.instance_class} (${r.engine}) is not in the price table`);
      else lines.push(hourly(`${r.instance_class} ${r.engine}${r.multi_az ? " Multi-AZ (primary and standby)" : ""}`, azFactor, price));
      lines.push(monthlyLine(`gp3 storage ${r.allocated_storage_gb} GB${r.multi_az ? " × 2 (Multi-AZ)" : ""}`, r.allocated_storage_gb * azFactor, RDS_GP3_GB_MONTH, "GB-month"));
      lines.push(kms(1), monthlyLine("Secrets Manager master secret", 1, SECRET_MONTH));
      return {
        lines,
        usage: ["backup storage beyond the database's size", "storage autoscaling growth", `exported logs: ${LOGS_USAGE}`, "Performance Insights: 7 days are free"],
        unpriced,
      };
    }
    case "s3_bucket":
      return { lines: [kms(1)], usage: [`S3 Standard storage ${rate(S3_STANDARD_GB_MONTH)}/GB-month, requests, and the access-log bucket`], unpriced: [] };
    case "iam_role":
      return { lines: [], usage: [], unpriced: [] };
  }
}

export function estimate(environment: string, region: string, calls: readonly PlannedCall[]): CostEstimate {
  const resources = calls.map((c) => {
    const part = costOf(c);
    return { resource: c.resource.name, type: c.resource.type, monthly: cents(part.lines.reduce((s, l) => s + l.monthly, 0)), ...part };
  });
  return {
    environment,
    region,
    currency: "USD",
    prices: { date: PRICES_DATE, region: PRICES_REGION, hours_per_month: HOURS_PER_MONTH },
    resources,
    total: cents(resources.reduce((s, r) => s + r.monthly, 0)),
  };
}

/** The human-readable cost note of one environment. */
export function costNoteText(e: CostEstimate): string {
  const where = e.region === PRICES_REGION ? "" : ` (the table is ${PRICES_REGION}; ${e.region} prices differ)`;
  const parts = e.resources
    .filter((r) => r.lines.length > 0 || r.unpriced.length > 0)
    .map((r) => `${r.type} ${r.resource} ${usd(r.monthly)} (${r.lines.map((l) => `${l.item} ${usd(l.monthly)}`).join("; ")}${r.unpriced.length > 0 ? `; not priced: ${r.unpriced.join("; ")}` : ""})`);
  const usage = [...new Set(e.resources.flatMap((r) => r.usage))];
  return (
    `Estimated monthly cost of ${e.environment}: ${usd(e.total)} in fixed charges, from the pack's price table of ${e.prices.date} ` +
    `(${e.prices.region} on-demand list prices, ${e.prices.hours_per_month} h a month)${where}. ` +
    `${parts.join(". ")}. Not included, billed by usage: ${usage.join("; ")}.`
  );
}

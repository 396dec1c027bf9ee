/**
 * The price table behind the cost estimate: AWS list prices in USD for
 * us-east-1 (N. Virginia), on-demand, Linux, as published on the AWS pricing
 * pages on PRICES_DATE. Monthly figures use 730 hours. Update the date with
 * the numbers; an instance type missing here is reported as "not priced"
 * rather than guessed.
 */
export const PRICES_DATE = "2025-06-01";
export const PRICES_REGION = "us-east-1";
export const HOURS_PER_MONTH = 730;

/** EC2 on-demand, Linux, USD per hour. */
export const EC2_HOURLY: Readonly<Record<string, number>> = {
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
  "t4g.medium": 0.0336,
  "t4g.large": 0.0672,
  "t4g.xlarge": 0.1344,
  "m5.large": 0.096,
  "m5.xlarge": 0.192,
  "m5.2xlarge": 0.384,
  "m6i.large": 0.096,
  "m6i.xlarge": 0.192,
  "m6i.2xlarge": 0.384,
  "m6i.4xlarge": 0.768,
  "m6a.large": 0.0864,
  "m6a.xlarge": 0.1728,
  "m6g.large": 0.077,
  "m6g.xlarge": 0.154,
  "m7i.large": 0.1008,
  "m7i.xlarge": 0.2016,
  "m7i.2xlarge": 0.4032,
  "m7g.large": 0.0816,
  "m7g.xlarge": 0.1632,
  "m7g.2xlarge": 0.3264,
  "c6i.large": 0.085,
  "c6i.xlarge": 0.17,
  "c6i.2xlarge": 0.34,
  "c6g.large": 0.068,
  "c6g.xlarge": 0.136,
  "c7g.large": 0.0725,
  "c7g.xlarge": 0.145,
  "r6i.large": 0.126,
  "r6i.xlarge": 0.252,
  "r6g.large": 0.1008,
  "r6g.xlarge": 0.2016,
};

/** EBS gp3 storage, USD per GB-month (baseline 3,000 IOPS and 125 MB/s included). */
export const EBS_GP3_GB_MONTH = 0.08;

/** EKS control plane, USD per cluster-hour, standard support. */
export const EKS_CLUSTER_HOURLY = 0.1;

/** NAT gateway: per hour, and per GB processed. */
export const NAT_GATEWAY_HOURLY = 0.045;
export const NAT_GATEWAY_PER_GB = 0.045;

/** Public IPv4 address, USD per hour (NAT gateway Elastic IPs, internet-facing load balancer nodes). */
export const PUBLIC_IPV4_HOURLY = 0.005;

/** Application Load Balancer: per hour, and per LCU-hour. */
export const ALB_HOURLY = 0.0225;
export const ALB_LCU_HOURLY = 0.008;

/** Fargate, Linux, USD per vCPU-hour and per GB-hour. */
export const FARGATE: Readonly<Record<"X86_64" | "ARM64", { vcpuHour: number; gbHour: number }>> = {
  X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
  ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
};

/** RDS on-demand, Single-AZ, USD per hour; Multi-AZ deployments cost twice as much. */
export const RDS_HOURLY: Readonly<Record<"postgres" | "mysql", Readonly<Record<string, number>>>> = {
  postgres: {
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.t3.medium": 0.072,
    "db.t3.large": 0.145,
    "db.m5.large": 0.178,
    "db.m5.xlarge": 0.356,
    "db.m6g.large": 0.159,
    "db.m6g.xlarge": 0.318,
    "db.m6i.large": 0.178,
    "db.r5.large": 0.25,
  },
  mysql: {
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.t3.medium": 0.068,
    "db.t3.large": 0.136,
    "db.m5.large": 0.171,
    "db.m5.xlarge": 0.342,
    "db.m6g.large": 0.152,
    "db.m6g.xlarge": 0.304,
    "db.m6i.large": 0.171,
    "db.r5.large": 0.24,
  },
};

/** RDS gp3 storage, USD per GB-month, Single-AZ (Multi-AZ: twice). */
export const RDS_GP3_GB_MONTH = 0.115;

/** S3 Standard storage, first 50 TB, USD per GB-month. */
export const S3_STANDARD_GB_MONTH = 0.023;

/** A customer managed KMS key, USD per month (requests: $0.03 per 10,000). */
export const KMS_KEY_MONTH = 1;

/** Secrets Manager secret, USD per month (the RDS-managed master secret). */
export const SECRET_MONTH = 0.4;

/** CloudWatch Logs: ingestion per GB and storage per GB-month. */
export const LOGS_INGEST_PER_GB = 0.5;
export const LOGS_STORAGE_GB_MONTH = 0.03;

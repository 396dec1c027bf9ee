/**
 * Recovery plans after packs/devops/workflows/disaster-recovery.md: RTO and
 * RPO stated (or proposed from the tier table and warned about), the backup
 * schedule checked against the RPO, restore and validation steps, and a
 * quarterly drill whose success criteria are the RTO and the RPO. Velero
 * backups become velero.io/v1 Schedule objects.
 */
import type { Note } from "../../core/plans/plan.js";
import type { ResolvedConfig } from "./config.js";
import type { Block } from "./md.js";
import { c, code, h1, h2, h3, link, p, relativePath, table, tasks, ul } from "./md.js";
import type { Ref } from "./queries.js";
import { kubectl } from "./queries.js";
import type { RecoveryInput } from "./schema.js";
import { durationMs, goDuration, humanDuration, maxCronInterval } from "./time.js";

export const recoveryPath = (service: string) => `runbooks/recovery/${service}.md`;
export const veleroPath = (namespace: string) => `backup/velero/${namespace}-schedule.yaml`;
export const veleroScheduleName = (namespace: string) => `${namespace}-backup`;

const TIERS = [
  { tier: 0, name: "mission-critical", examples: "payments, authentication", rto: "15m", rpo: "1m", design: "multi-site active/active, or warm standby with continuous replication" },
  { tier: 1, name: "business-critical", examples: "order API, customer portal", rto: "1h", rpo: "15m", design: "warm standby" },
  { tier: 2, name: "important", examples: "internal tools, reporting", rto: "8h", rpo: "4h", design: "pilot light" },
  { tier: 3, name: "deferrable", examples: "analytics batches, sandboxes", rto: "72h", rpo: "24h", design: "backup and restore" },
] as const;

/** Standard schedules, longest interval first; the default is the first that meets the RPO. */
const STANDARD_SCHEDULES: [string, number][] = [
  ["0 3 * * *", 24 * 3_600_000],
  ["0 */12 * * *", 12 * 3_600_000],
  ["0 */6 * * *", 6 * 3_600_000],
  ["0 */4 * * *", 4 * 3_600_000],
  ["0 * * * *", 3_600_000],
  ["*/30 * * * *", 30 * 60_000],
  ["*/15 * * * *", 15 * 60_000],
  ["*/5 * * * *", 5 * 60_000],
];

export interface RecoveryPlan {
  rto: string;
  rpo: string;
  rtoGiven: boolean;
  rpoGiven: boolean;
  tier: (typeof TIERS)[number];
  schedule: string;
  scheduleGiven: boolean;
  /** Longest gap between two backups: the worst-case data loss from backups alone. */
  interval: number;
  meetsRpo: boolean;
  namespaces: string[];
  input: RecoveryInput;
}

export function resolveRecovery(cfg: ResolvedConfig, input: RecoveryInput): RecoveryPlan {
  const critical = cfg.services.some((s) => s.tier === "critical");
  const tier = TIERS[critical ? 1 : 2];
  const rto = input.rto ?? tier.rto;
  const rpo = input.rpo ?? tier.rpo;
  const rpoMs = durationMs(rpo);
  const fallback = STANDARD_SCHEDULES[STANDARD_SCHEDULES.length - 1]!;
  const schedule = input.schedule ?? (STANDARD_SCHEDULES.find(([, ms]) => ms <= rpoMs) ?? fallback)[0];
  const interval = maxCronInterval(schedule)!;
  return {
    rto,
    rpo,
    rtoGiven: input.rto !== undefined,
    rpoGiven: input.rpo !== undefined,
    tier,
    schedule,
    scheduleGiven: input.schedule !== undefined,
    interval,
    meetsRpo: interval <= rpoMs,
    namespaces: input.namespaces ?? [...new Set(cfg.refs.map((r) => r.ns))],
    input,
  };
}

/** A 5-field cron as AWS Backup writes it: cron(min hour dom month dow year), one of dom/dow being '?'. */
export function awsCron(cron: string): string {
  const macros: Record<string, string> = { "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *" };
  const parts = (macros[cron.trim()] ?? cron.trim()).split(/\s+/);
  if (parts.length !== 5) return `cron(0 * * * ? *)`;
  const [m, h, dom, mon, dow] = parts as [string, string, string, string, string];
  if (dow === "*") return `cron(${m} ${h} ${dom} ${mon} ? *)`;
  // AWS numbers days 1-7 from Sunday; cron 0-7 from Sunday.
  const awsDow = dow.replace(/\d+/g, (n) => String((Number(n) % 7) + 1));
  return `cron(${m} ${h} ? ${mon} ${awsDow} *)`;
}

/** The velero.io/v1 Schedule of one namespace. */
export function veleroSchedule(plan: RecoveryPlan, namespace: string): Record<string, unknown> {
  return {
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: {
      name: veleroScheduleName(namespace),
      namespace: "velero",
      labels: { "app.kubernetes.io/managed-by": "devops-pack", "devops-pack.io/backup-of": namespace },
      annotations: { "devops-pack.io/rto": plan.rto, "devops-pack.io/rpo": plan.rpo },
    },
    spec: {
      schedule: plan.schedule,
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: [namespace],
        storageLocation: plan.input.storage_location,
        snapshotVolumes: true,
        ttl: goDuration(durationMs(plan.input.retention)),
      },
    },
  };
}

export function recoveryNotes(plan: RecoveryPlan): Note[] {
  const notes: Note[] = [];
  const missing = [...(plan.rtoGiven ? [] : ["RTO"]), ...(plan.rpoGiven ? [] : ["RPO"])];
  if (missing.length > 0) {
    notes.push({
      kind: "warning",
      text: `recovery: no ${missing.join(" or ")} given. The plans propose tier ${plan.tier.tier} (${plan.tier.name}) objectives, RTO ${plan.rto} and RPO ${plan.rpo}; agree them with the service owners from the business impact and set recovery.rto and recovery.rpo.`,
    });
  }
  if (!plan.meetsRpo) {
    notes.push({
      kind: "warning",
      text: `ERROR: recovery.rpo ${plan.rpo} cannot be met by the backup schedule "${plan.schedule}": backups are up to ${humanDuration(plan.interval)} apart, so up to ${humanDuration(plan.interval)} of data can be lost. Run backups at least every ${humanDuration(durationMs(plan.rpo))}, or add point-in-time recovery (RDS automated backups, WAL archiving) for the data stores.`,
    });
  }
  if (durationMs(plan.rpo) < 3_600_000 && plan.input.backup !== "none") {
    notes.push({
      kind: "recommendation",
      text: `recovery: an RPO under 1 hour (${plan.rpo}) needs point-in-time recovery for databases (RDS automated backups or WAL archiving with pgBackRest or WAL-G${plan.input.backup === "aws_backup" ? ", or AWS Backup continuous backup" : ""}); ${plan.input.backup === "velero" ? "Velero" : "AWS Backup"} snapshots then cover the rest.`,
    });
  }
  if (durationMs(plan.input.retention) < 7 * 86_400_000) {
    notes.push({ kind: "warning", text: `recovery.retention ${plan.input.retention} keeps backups for less than a week: a problem found after the weekend may have no clean backup left.` });
  }
  switch (plan.input.backup) {
    case "velero":
      notes.push({
        kind: "info",
        text: `Velero must be installed in the namespace velero with a BackupStorageLocation named ${plan.input.storage_location} and a volume snapshot plugin for your storage; the Schedule objects in backup/velero/ (${plan.namespaces.join(", ")}) are applied to that cluster. Velero's own credentials stay out of this plan.`,
      });
      break;
    case "aws_backup":
      notes.push({
        kind: "info",
        text: "backup aws_backup: the recovery plans describe the AWS Backup vault, vault lock, plan and selection. No Terraform is generated here because the Terraform validator does not know aws_backup_vault, aws_backup_plan and aws_backup_selection yet; ask devops_terraform for them, or add them to the validator's attribute table first.",
      });
      break;
    case "none":
      notes.push({ kind: "info", text: "backup none: the services are treated as stateless; their manifests come back from Git. If any of them stores data, choose velero or aws_backup." });
      break;
  }
  return notes;
}

function backupSection(plan: RecoveryPlan, r: Ref, from: string): Block[] {
  const verdict = plan.meetsRpo
    ? `Backups run at most ${humanDuration(plan.interval)} apart, which meets the RPO of ${humanDuration(durationMs(plan.rpo))}.`
    : `**Does not meet the RPO**: backups run up to ${humanDuration(plan.interval)} apart, so up to ${humanDuration(plan.interval)} of data can be lost against an RPO of ${humanDuration(durationMs(plan.rpo))}. Run backups more often or add point-in-time recovery.`;
  const retentionDays = Math.max(1, Math.round(durationMs(plan.input.retention) / 86_400_000));
  const common = [
    "3-2-1-1-0: three copies, two kinds of storage, one in another location, one immutable, zero unverified backups.",
    "The copy lives in an account the production credentials cannot delete from.",
    "The key that encrypts the backups exists in the recovery region and survives the loss of the source account.",
  ];
  switch (plan.input.backup) {
    case "velero": {
      if (!plan.namespaces.includes(r.ns)) {
        return [h2("2. Backups"), p(`**Namespace ${c(r.ns)} is not backed up**: recovery.namespaces lists ${plan.namespaces.map((n) => c(n)).join(", ")}. Add it, or record why this service holds no state.`)];
      }
      const name = veleroScheduleName(r.ns);
      return [
        h2("2. Backups"),
        p(`Velero Schedule ${c(name)} (${link(`${r.ns}-schedule.yaml`, relativePath(from, veleroPath(r.ns)))}) backs up namespace ${c(r.ns)} on ${c(plan.schedule)} (UTC) with volume snapshots, kept ${plan.input.retention}, to the storage location ${c(plan.input.storage_location)}. Manifests come back from Git; the backup covers persistent volumes and objects that are not in Git.`),
        p(verdict),
        code("bash", [`velero schedule describe ${name}`, `velero backup get --selector velero.io/schedule-name=${name}`, "velero backup describe <latest backup> --details"].join("\n")),
        p("Bad result: the latest backup is not Completed, is older than the RPO, or has warnings about skipped volumes."),
        ul(common),
      ];
    }
    case "aws_backup":
      return [
        h2("2. Backups"),
        p("An AWS Backup plan covers the service's data stores (RDS, EBS, EFS, S3), selected by tag. Its resources are described here; devops_terraform writes them."),
        table(
          ["resource", "setting"],
          [
            ["Vault", `${c(`${r.name}-backup`)}, encrypted with a customer managed KMS key`],
            ["Vault lock", "compliance mode after 3 days: minimum retention 7 days, maximum 90; nobody, root included, can delete recovery points earlier"],
            ["Plan rule", `schedule ${c(awsCron(plan.schedule))}, start window 60 min, completion window 240 min, delete after ${retentionDays} days${durationMs(plan.rpo) < 3_600_000 ? ", continuous backup enabled (point-in-time recovery)" : ""}`],
            ["Copy action", "to a vault in the recovery region (and account), kept 90 days"],
            ["Selection", `resources tagged ${c(`backup=${r.name}`)}`],
          ],
        ),
        p(verdict),
        p("AWS Backup schedules run at most hourly; RPOs under an hour need continuous backup (point-in-time recovery for RDS, Aurora and S3)."),
        code("bash", `aws backup list-recovery-points-by-backup-vault --backup-vault-name ${r.name}-backup --max-results 5`),
        p("Bad result: no recovery point younger than the RPO, or a status other than COMPLETED."),
        ul(common),
      ];
    case "none":
      return [h2("2. Backups"), p("None: the service is treated as stateless. Its manifests and configuration come back from Git; if it stores data, this plan needs a backup.")];
  }
}


function restoreSection(plan: RecoveryPlan, r: Ref): Block[] {
  const fence: Block[] = [
    p("**1. Declare and fence** (incident commander's approval): stop writes to the damaged copy so two versions never accept writes."),
    code("bash", kubectl(r, `scale ${r.workload} --replicas=0`)),
  ];
  switch (plan.input.backup) {
    case "velero": {
      const name = veleroScheduleName(r.ns);
      return [
        h2("3. Restore"),
        ...fence,
        p("**2. Pick the backup**: the latest Completed backup from before the failure."),
        code("bash", `velero backup get --selector velero.io/schedule-name=${name}`),
        p("**3. Restore** the namespace (objects that still exist are not overwritten; delete damaged ones first):"),
        code("bash", `velero restore create ${r.ns}-restore-<YYYYMMDDhhmm> --from-backup <backup> --include-namespaces ${r.ns} --wait\nvelero restore describe ${r.ns}-restore-<YYYYMMDDhhmm> --details`),
        p("**4. Bring the service back** and watch it become ready:"),
        code("bash", `${kubectl(r, `scale ${r.workload} --replicas=<usual count>`)}\n${kubectl(r, `rollout status ${r.workload} --timeout=10m`)}`),
        p("**5. Validate** the data (section 4), then reopen traffic and record the achieved RTO and RPO in the incident timeline."),
      ];
    }
    case "aws_backup":
      return [
        h2("3. Restore"),
        ...fence,
        p("**2. Pick the recovery point** from before the failure:"),
        code("bash", `aws backup list-recovery-points-by-backup-vault --backup-vault-name ${r.name}-backup --by-created-before <UTC time of the failure>`),
        p("**3. Restore** to a new resource, never over the damaged one (for RDS with point-in-time recovery, restore to the second before the failure):"),
        code(
          "bash",
          `aws backup start-restore-job --recovery-point-arn <recovery point ARN> --iam-role-arn <restore role ARN> --metadata file://restore-metadata.json\naws backup describe-restore-job --restore-job-id <job id>\naws rds restore-db-instance-to-point-in-time --source-db-instance-identifier <instance> --target-db-instance-identifier <instance>-restore --restore-time <UTC time before the failure>`,
        ),
        p("**4. Point the service at the restored resource** through the pipeline (secret or config change), then scale it back up:"),
        code("bash", `${kubectl(r, `scale ${r.workload} --replicas=<usual count>`)}\n${kubectl(r, `rollout status ${r.workload} --timeout=10m`)}`),
        p("**5. Validate** the data (section 4), then reopen traffic and record the achieved RTO and RPO."),
      ];
    case "none":
      return [
        h2("3. Restore"),
        p("Redeploy from Git through the pipeline, or directly from the rendered manifests:"),
        code("bash", `${kubectl(r, `rollout restart ${r.workload}`)}\n${kubectl(r, `rollout status ${r.workload} --timeout=10m`)}`),
      ];
  }
}

export function recoveryDoc(plan: RecoveryPlan, r: Ref, tierOf: string, incidentLinks: string[]): Block[] {
  const path = recoveryPath(r.name);
  const rpoMs = durationMs(plan.rpo);
  const proposed = !plan.rtoGiven || !plan.rpoGiven;
  const drillCommands =
    plan.input.backup === "velero" && plan.namespaces.includes(r.ns)
      ? [
          p("Restore the latest backup into a scratch namespace, time it, validate, delete it:"),
          code(
            "bash",
            `velero restore create ${r.ns}-drill-<YYYYMMDD> --from-schedule ${veleroScheduleName(r.ns)} --namespace-mappings ${r.ns}:${r.ns}-drill --wait\nkubectl -n ${r.ns}-drill get pods\n# validate (section 4), record the times, then clean up:\nkubectl delete namespace ${r.ns}-drill`,
          ),
        ]
      : plan.input.backup === "aws_backup"
        ? [p("Restore the latest recovery point of each data store to a scratch resource with the commands of section 3, time it, validate, delete it.")]
        : [p("Redeploy the service into a scratch namespace from Git, time it, run the smoke tests, delete it.")];
  return [
    h1(`Recovery plan: ${r.name}`),
    table(
      ["field", "value"],
      [
        ["Service", `${c(r.name)} (namespace ${c(r.ns)}, tier ${tierOf})`],
        ["RTO", `${plan.rto}${plan.rtoGiven ? "" : ` (proposed for tier ${plan.tier.tier}: not agreed yet)`}`],
        ["RPO", `${plan.rpo}${plan.rpoGiven ? "" : ` (proposed for tier ${plan.tier.tier}: not agreed yet)`}`],
        ["Backups", plan.input.backup === "none" ? "none (stateless)" : `${plan.input.backup === "velero" ? "Velero" : "AWS Backup"}, ${c(plan.schedule)}, kept ${plan.input.retention}`],
        ["Worst-case data loss from backups", plan.input.backup === "none" ? "not applicable" : `${humanDuration(plan.interval)} (${plan.meetsRpo ? "meets the RPO" : "does NOT meet the RPO"})`],
        ["Last drill", "none yet: a recovery plan that has never been rehearsed is a hypothesis"],
        ...(incidentLinks.length > 0 ? [["Runbooks", incidentLinks.map((f) => link(f.split("/").pop()!.replace(/\.md$/, ""), relativePath(path, f))).join(", ")]] : []),
      ],
    ),
    h2("1. Objectives"),
    p(`RTO (${plan.rto}): the longest acceptable time from the start of the outage until the service works again for users. RPO (${plan.rpo}): the largest acceptable loss of data, measured as time before the failure.`),
    ...(proposed ? [p(`**Not agreed yet**: ${[!plan.rtoGiven ? "RTO" : "", !plan.rpoGiven ? "RPO" : ""].filter(Boolean).join(" and ")} come from the tier table below. Agree them with the service owner from the business impact (revenue per hour, contractual SLAs, regulation).`)] : []),
    table(
      ["tier", "examples", "RTO", "RPO", "usual design"],
      TIERS.map((t) => [proposed && t.tier === plan.tier.tier ? `**${t.tier}: ${t.name}** (proposed)` : `${t.tier}: ${t.name}`, t.examples, t.rto, t.rpo, t.design]),
    ),
    p("A service cannot be recovered faster than its slowest dependency: list its dependencies (DNS, identity, secrets, queues, third parties) and give each a tier at least as strict."),
    ...backupSection(plan, r, path),
    ...restoreSection(plan, r),
    h2("4. Validate restored data"),
    ul([
      "Latest transaction timestamp in the restored data: its distance from the failure time is the achieved RPO.",
      "Row counts and checksums of key tables against the figures recorded at backup time.",
      "Schema version equals the latest applied migration.",
      "Application invariants hold: ledger entries balance, no orphaned foreign keys, unique constraints intact.",
      "A read and a write through the application succeed; background jobs resume without processing the same messages twice.",
    ]),
    h2("5. Drill plan (quarterly)"),
    table(
      ["exercise", "scope", "cadence"],
      [
        ["Automated restore test", "restore the latest backup to a scratch copy and run the section 4 checks", "weekly"],
        ["Full restore drill", `${r.name}, timed end to end`, "quarterly"],
        ["Tabletop exercise", "who declares, who communicates, who restores", "quarterly"],
        ["Region failover game day", "critical-tier services, production or a production-like copy", "twice a year"],
      ],
    ),
    h3("Drill steps"),
    ...drillCommands,
    h3("Success criteria"),
    table(
      ["criterion", "target", "how it is measured"],
      [
        ["Restore time", `at most ${humanDuration(durationMs(plan.rto))} (RTO)`, "from the start of the drill to the smoke tests passing on the restored copy"],
        ["Data age", `at most ${humanDuration(rpoMs)} (RPO)`, "the drill's reference time minus the latest transaction timestamp in the restored data"],
        ["Data checks", "all pass", "section 4"],
        ["Runbook only", "no undocumented step", "every manual step, missing permission or stale document becomes an action item with an owner"],
        ["Access", "break-glass only", "no personal admin session used"],
      ],
    ),
    h3("Checklist"),
    tasks([
      "Objective, scope, abort criteria and observers written down before starting.",
      "Restore uses only this plan and the credentials available in a real disaster.",
      "Start and end times recorded; achieved RTO and RPO compared with the targets.",
      "Every manual step, missing permission or stale document logged as an action item with an owner.",
      "Restored resources deleted afterwards; their cost tagged to the drill.",
    ]),
    h2("6. Communication"),
    ul([
      "Internal updates every 30 minutes in the incident channel, even when nothing changed.",
      "A status page update within 15 minutes of declaring, then at every state change.",
      "Customer, contractual and regulatory notifications follow the legal owner's checklist when data was lost or exposed.",
      "Close with the achieved RTO and RPO and a blameless post-mortem.",
    ]),
  ];
}

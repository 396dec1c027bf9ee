/**
 * Recovery plans: RTO and RPO stated, the schedule checked against the RPO,
 * Velero Schedules that validate, AWS Backup described (no Terraform while
 * the validator does not know the resources), and a quarterly drill measured
 * against the objectives.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ATTRIBUTE_TABLE } from "../../core/validators/terraform.js";
import { validateKubernetes } from "../../core/validators/kubernetes.js";
import { awsCron } from "./recovery.js";
import { hasNote, headings, planInput } from "./testing/support.js";

const base = { incident_type: "data_loss", services: [{ name: "api", kind: "http", namespace: "shop", tier: "critical" }, { name: "pg", kind: "database", namespace: "data" }, { name: "web", kind: "http", namespace: "shop" }] };

describe("recovery plans", () => {
  it("one plan per service, one Velero Schedule per namespace, both valid", async () => {
    const { plan } = planInput({ ...base, recovery: { rto: "4h", rpo: "1h", retention: "14d" } });
    expect(plan.artifacts.filter((a) => a.path.startsWith("runbooks/recovery/") || a.path.startsWith("backup/")).map((a) => [a.path, a.kind])).toEqual([
      ["runbooks/recovery/api.md", "runbook"],
      ["runbooks/recovery/pg.md", "runbook"],
      ["runbooks/recovery/web.md", "runbook"],
      ["backup/velero/shop-schedule.yaml", "kubernetes"],
      ["backup/velero/data-schedule.yaml", "kubernetes"],
    ]);
    const schedule = plan.artifacts.find((a) => a.path === "backup/velero/shop-schedule.yaml")!;
    const r = await validateKubernetes(schedule.content, schedule.path);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(parse(schedule.content)).toEqual({
      apiVersion: "velero.io/v1",
      kind: "Schedule",
      metadata: { name: "shop-backup", namespace: "velero", labels: { "app.kubernetes.io/managed-by": "devops-pack", "devops-pack.io/backup-of": "shop" }, annotations: { "devops-pack.io/rto": "4h", "devops-pack.io/rpo": "1h" } },
      // The default schedule is the longest standard interval that meets the RPO.
      spec: { schedule: "0 * * * *", useOwnerReferencesInBackup: false, template: { includedNamespaces: ["shop"], storageLocation: "default", snapshotVolumes: true, ttl: "336h0m0s" } },
    });
    const md = plan.artifacts.find((a) => a.path === "runbooks/recovery/api.md")!.content;
    expect(headings(md, 2)).toEqual(["1. Objectives", "2. Backups", "3. Restore", "4. Validate restored data", "5. Drill plan (quarterly)", "6. Communication"]);
    expect(md).toMatch(/\| RTO \| 4h \|/);
    expect(md).toMatch(/\| RPO \| 1h \|/);
    expect(md).toContain("Backups run at most 1 h apart, which meets the RPO of 1 h.");
    expect(md).toMatch(/\| Restore time \| at most 4 h \(RTO\) \|/);
    expect(md).toMatch(/\| Data age \| at most 1 h \(RPO\) \|/);
    expect(md).toContain("velero restore create shop-drill-<YYYYMMDD> --from-schedule shop-backup --namespace-mappings shop:shop-drill --wait");
    expect(plan.artifacts.find((a) => a.path === "runbooks/incidents/data_loss.md")!.content).toContain("[recovery plan api](../recovery/api.md)");
  });

  it("an RPO shorter than the backup interval is an error-level warning and is said in the plan", () => {
    const { plan } = planInput({ ...base, recovery: { rto: "1h", rpo: "15m", schedule: "0 3 * * *" } });
    expect(hasNote(plan, "warning", /^ERROR: recovery\.rpo 15m cannot be met by the backup schedule "0 3 \* \* \*": backups are up to 1 d apart/), JSON.stringify(plan.notes)).toBe(true);
    const md = plan.artifacts.find((a) => a.path === "runbooks/recovery/pg.md")!.content;
    expect(md).toContain("**Does not meet the RPO**: backups run up to 1 d apart");
    expect(md).toMatch(/\| Worst-case data loss from backups \| 1 d \(does NOT meet the RPO\) \|/);
    // Weekday-only backups leave a three-day gap over the weekend.
    const weekdays = planInput({ ...base, recovery: { rto: "8h", rpo: "1d", schedule: "0 3 * * 1-5" } }).plan;
    expect(weekdays.notes.some((n) => /ERROR: recovery\.rpo 1d .* up to 3 d apart/.test(n.text))).toBe(true);
    const ok = planInput({ ...base, recovery: { rto: "8h", rpo: "1d", schedule: "0 3 * * *" } }).plan;
    expect(ok.notes.some((n) => n.text.startsWith("ERROR"))).toBe(false);
  });

  it("missing RTO and RPO are proposed from the tier table and warned about", () => {
    const { plan } = planInput({ ...base, recovery: {} });
    expect(hasNote(plan, "warning", /no RTO or RPO given\. The plans propose tier 1 \(business-critical\) objectives, RTO 1h and RPO 15m/), JSON.stringify(plan.notes)).toBe(true);
    const md = plan.artifacts.find((a) => a.path === "runbooks/recovery/api.md")!.content;
    expect(md).toMatch(/\| RTO \| 1h \(proposed for tier 1: not agreed yet\) \|/);
    expect(md).toContain("**1: business-critical** (proposed)");
    const standard = planInput({ incident_type: "disk_full", services: ["api"], recovery: { rto: "2h" } }).plan;
    expect(hasNote(standard, "warning", /no RPO given\. .* tier 2 .* RPO 4h/), JSON.stringify(standard.notes)).toBe(true);
    expect((parse(standard.artifacts.find((a) => a.path === "backup/velero/api-schedule.yaml")!.content) as { spec: { schedule: string } }).spec.schedule).toBe("0 */4 * * *");
  });

  it("aws_backup is described in the plan, without Terraform while the validator lacks its resources", () => {
    expect(ATTRIBUTE_TABLE.resource["aws_backup_plan"], "the Terraform validator now knows aws_backup_plan: generate Terraform for backup aws_backup").toBeUndefined();
    const { plan } = planInput({ ...base, recovery: { rto: "1h", rpo: "30m", backup: "aws_backup" } });
    expect(plan.artifacts.some((a) => a.kind === "terraform" || a.path.startsWith("backup/"))).toBe(false);
    const md = plan.artifacts.find((a) => a.path === "runbooks/recovery/pg.md")!.content;
    expect(md).toContain("schedule `cron(*/30 * * * ? *)`");
    expect(md).toContain("continuous backup enabled (point-in-time recovery)");
    expect(md).toContain("aws backup start-restore-job");
    expect(plan.notes.some((n) => n.kind === "info" && /Terraform validator does not know aws_backup_vault, aws_backup_plan and aws_backup_selection/.test(n.text))).toBe(true);
  });

  it("writes AWS cron expressions with '?' and Sunday as 1", () => {
    expect(awsCron("0 3 * * *")).toBe("cron(0 3 * * ? *)");
    expect(awsCron("0 3 * * 1-5")).toBe("cron(0 3 ? * 2-6 *)");
    expect(awsCron("@hourly")).toBe("cron(0 * * * ? *)");
  });

  it("backup none writes no schedule and says the services are stateless", () => {
    const { plan } = planInput({ ...base, recovery: { rto: "1h", rpo: "1h", backup: "none" } });
    expect(plan.artifacts.some((a) => a.path.startsWith("backup/"))).toBe(false);
    expect(plan.artifacts.find((a) => a.path === "runbooks/recovery/web.md")!.content).toContain("None: the service is treated as stateless.");
  });

  it("a namespace left out of recovery.namespaces is called out", () => {
    const { plan } = planInput({ ...base, recovery: { rto: "1h", rpo: "1h", namespaces: ["data"] } });
    expect(plan.artifacts.filter((a) => a.path.startsWith("backup/")).map((a) => a.path)).toEqual(["backup/velero/data-schedule.yaml"]);
    expect(plan.artifacts.find((a) => a.path === "runbooks/recovery/api.md")!.content).toContain("**Namespace `shop` is not backed up**");
  });
});

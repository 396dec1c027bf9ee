/**
 * Cross-references inside a bundle: every alert's `runbook_url` is a runbook
 * in the bundle, every `dashboard_url` and dashboard link names a dashboard
 * in the bundle, and every Kubernetes scrape job (or PodMonitor) selects the
 * pods of a workload the bundle deploys, on a container port named metrics.
 * Pure: it reads the artifacts only.
 */
import { MAX_ALIAS_COUNT } from "../../../core/limits.js";
import type { Artifact } from "../../../core/plans/plan.js";
import { firstLine, parseYamlSafe, readYamlDocuments } from "../../../core/yaml.js";
import type { Links } from "../../observability/index.js";
import { resolveLink } from "../../observability/index.js";

export interface ReferenceReport {
  /** References that point at nothing: the bundle is inconsistent. */
  problems: string[];
  /** References to things outside the bundle (static targets, pods deployed elsewhere). */
  external: string[];
  checked: { runbookUrls: number; dashboardLinks: number; scrapeJobs: number };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

interface Workload {
  file: string;
  kind: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  ports: string[];
}

/** The string-valued entries of a YAML map. */
const strings = (v: unknown): Record<string, string> => (isObj(v) ? (Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "string")) as Record<string, string>) : {});

/** An alerting rule of a plan's Prometheus rule files, with the file it is in. */
export interface AlertRule {
  file: string;
  name: string;
  expr: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Every alerting rule (not recording rule) in the plan's prometheus-rules artifacts; unparsable files are skipped. */
export function alertRules(artifacts: readonly Artifact[]): AlertRule[] {
  const out: AlertRule[] = [];
  for (const a of artifacts) {
    if (a.kind !== "prometheus-rules") continue;
    const parsed = parseYamlSafe(a.content, a.path);
    if (!parsed.ok || !isObj(parsed.value)) continue;
    for (const g of arr(parsed.value.groups)) {
      for (const r of arr(isObj(g) ? g.rules : [])) {
        if (!isObj(r) || typeof r.alert !== "string") continue;
        out.push({
          file: a.path,
          name: r.alert,
          expr: str(r.expr),
          labels: strings(r.labels),
          annotations: strings(r.annotations),
        });
      }
    }
  }
  return out;
}

/**
 * The documents of each kubernetes artifact as data (by the artifact's index;
 * other kinds have none), each file read once by core/yaml's bounded reader.
 * A file it refuses (size, documents, keys, nesting) or a document that does
 * not parse is a problem: references into it cannot be checked.
 */
function kubernetesObjects(artifacts: readonly Artifact[], problems: string[]): unknown[][] {
  return artifacts.map((a) => {
    const out: unknown[] = [];
    if (a.kind !== "kubernetes") return out;
    const read = readYamlDocuments(a.content, a.path);
    if (!read.ok) {
      problems.push(read.issue.message);
      return out;
    }
    for (const doc of read.value.docs) {
      const error = doc.errors[0];
      if (error) {
        problems.push(`${a.path} cannot be read: ${firstLine(error.message)}`);
        continue;
      }
      try {
        out.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
      } catch (e) {
        problems.push(`${a.path}: ${(e as Error).message}`);
      }
    }
    return out;
  });
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function workloads(artifacts: readonly Artifact[], objects: readonly unknown[][]): Workload[] {
  const out: Workload[] = [];
  for (const [i, a] of artifacts.entries()) {
    for (const v of objects[i] ?? []) {
      if (!isObj(v) || !WORKLOADS.has(String(v.kind))) continue;
      const meta = isObj(v.metadata) ? v.metadata : {};
      const spec = isObj(v.spec) ? v.spec : {};
      const template = isObj(spec.template) ? spec.template : {};
      const tmeta = isObj(template.metadata) ? template.metadata : {};
      const tspec = isObj(template.spec) ? template.spec : {};
      const labels = isObj(tmeta.labels) ? (Object.fromEntries(Object.entries(tmeta.labels).map(([k, x]) => [k, String(x)])) as Record<string, string>) : {};
      const ports = arr(tspec.containers).flatMap((c) => (isObj(c) ? arr(c.ports).flatMap((p) => (isObj(p) && typeof p.name === "string" ? [p.name] : [])) : []));
      out.push({ file: a.path, kind: String(v.kind), namespace: str(meta.namespace), labels, ports });
    }
  }
  return out;
}

const APP_LABEL = "app.kubernetes.io/name";
const APP_META = "__meta_kubernetes_pod_label_app_kubernetes_io_name";

function checkSelection(what: string, app: string, namespaces: string[], all: Workload[], report: ReferenceReport): void {
  const sameApp = all.filter((w) => w.labels[APP_LABEL] === app);
  if (sameApp.length === 0) {
    report.external.push(`${what} selects pods of ${app}, which this bundle does not deploy`);
    return;
  }
  const match = sameApp.filter((w) => w.namespace === undefined || namespaces.length === 0 || namespaces.includes(w.namespace));
  if (match.length === 0) {
    report.problems.push(`${what} looks for ${app} in namespace(s) ${namespaces.join(", ")}, but the bundle deploys it in ${[...new Set(sameApp.map((w) => w.namespace ?? "(none)"))].join(", ")}`);
  } else if (!match.some((w) => w.ports.includes("metrics"))) {
    report.problems.push(`${what} scrapes the port named metrics, but ${match.map((w) => w.file).join(", ")} has no container port named metrics`);
  }
}

export function checkReferences(artifacts: readonly Artifact[], links: Links): ReferenceReport {
  const report: ReferenceReport = { problems: [], external: [], checked: { runbookUrls: 0, dashboardLinks: 0, scrapeJobs: 0 } };
  const paths = new Set(artifacts.map((a) => a.path));

  const uids = new Set<string>();
  const dashLinks: { from: string; url: string }[] = [];
  for (const a of artifacts) {
    if (a.kind !== "grafana-dashboard") continue;
    let d: unknown;
    try {
      d = JSON.parse(a.content);
    } catch {
      report.problems.push(`${a.path} is not JSON`);
      continue;
    }
    if (!isObj(d)) continue;
    if (typeof d.uid === "string") uids.add(d.uid);
    for (const l of arr(d.links)) if (isObj(l) && typeof l.url === "string") dashLinks.push({ from: a.path, url: l.url });
    const walk = (panels: unknown[]) => {
      for (const p of panels) {
        if (!isObj(p)) continue;
        for (const l of arr(p.links)) if (isObj(l) && typeof l.url === "string") dashLinks.push({ from: `${a.path} panel ${String(p.title ?? p.id)}`, url: l.url });
        walk(arr(p.panels));
      }
    };
    walk(arr(d.panels));
  }
  const checkDashboard = (from: string, url: string) => {
    report.checked.dashboardLinks += 1;
    const uid = resolveLink(url, links).dashboardUid;
    if (uid === undefined) report.external.push(`${from} links to ${url}, outside the bundle's dashboards`);
    else if (!uids.has(uid)) report.problems.push(`${from} links to dashboard ${uid} (${url}), which is not in the bundle`);
  };
  for (const l of dashLinks) checkDashboard(l.from, l.url);

  for (const r of alertRules(artifacts)) {
    const where = `alert ${r.name} (${r.file})`;
    const runbook = r.annotations.runbook_url;
    report.checked.runbookUrls += 1;
    if (runbook === undefined) report.problems.push(`${where} has no runbook_url`);
    else {
      const path = resolveLink(runbook, links).runbook;
      if (path === undefined || !paths.has(path)) report.problems.push(`${where}: runbook_url ${runbook} is not a runbook in the bundle`);
    }
    const dash = r.annotations.dashboard_url;
    if (dash !== undefined) checkDashboard(where, dash);
  }

  const objects = kubernetesObjects(artifacts, report.problems);
  const all = workloads(artifacts, objects);
  for (const [i, a] of artifacts.entries()) {
    if (a.kind === "prometheus-config") {
      const parsed = parseYamlSafe(a.content, a.path);
      if (!parsed.ok || !isObj(parsed.value)) continue;
      for (const job of arr(parsed.value.scrape_configs)) {
        if (!isObj(job)) continue;
        report.checked.scrapeJobs += 1;
        const name = String(job.job_name);
        const sd = arr(job.kubernetes_sd_configs).filter(isObj);
        if (sd.length === 0) {
          report.external.push(`scrape job ${name} uses fixed targets, outside the bundle`);
          continue;
        }
        const namespaces = sd.flatMap((c) => (isObj(c.namespaces) ? arr(c.namespaces.names).map(String) : []));
        const keep = arr(job.relabel_configs).find((r) => isObj(r) && r.action === "keep" && arr(r.source_labels).includes(APP_META)) as Obj | undefined;
        const app = str(keep?.regex)?.replaceAll("\\", "");
        if (app === undefined) report.problems.push(`scrape job ${name} does not select pods by ${APP_LABEL}`);
        else checkSelection(`scrape job ${name}`, app, namespaces, all, report);
      }
    }
    if (a.kind === "kubernetes") {
      for (const v of objects[i] ?? []) {
        if (!isObj(v) || (v.kind !== "PodMonitor" && v.kind !== "ServiceMonitor") || !isObj(v.spec)) continue;
        report.checked.scrapeJobs += 1;
        const sel = isObj(v.spec.selector) && isObj(v.spec.selector.matchLabels) ? v.spec.selector.matchLabels : {};
        const app = str(sel[APP_LABEL]);
        const ns = isObj(v.spec.namespaceSelector) ? arr(v.spec.namespaceSelector.matchNames).map(String) : [];
        const meta = isObj(v.metadata) ? v.metadata : {};
        const what = `${String(v.kind)} ${String(meta.name)} (${a.path})`;
        if (app === undefined) report.problems.push(`${what} does not select pods by ${APP_LABEL}`);
        else checkSelection(what, app, ns.length > 0 ? ns : [str(meta.namespace) ?? ""], all, report);
      }
    }
  }
  return report;
}

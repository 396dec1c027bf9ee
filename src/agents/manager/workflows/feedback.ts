/**
 * The continuous-improvement loop: post-mortem action items, fed back into a
 * lifecycle input, become changes of the planning input. Pure.
 */
import type { ActionItem } from "../../observability/index.js";
import type { LifecycleInput } from "./lifecycle-schema.js";

export interface PlanningChange {
  item: string;
  kind: ActionItem["kind"];
  change: string;
}

/** Apply every action item; returns the revised input (without `feedback`) and what changed. */
export function applyFeedback(input: LifecycleInput): { input: LifecycleInput; changes: PlanningChange[]; replicas: Map<string, number> } {
  const next: LifecycleInput = structuredClone(input);
  next.feedback = [];
  const changes: PlanningChange[] = [];
  const replicas = new Map<string, number>();
  const say = (item: ActionItem, change: string) => changes.push({ item: item.id, kind: item.kind, change });
  for (const item of input.feedback) {
    switch (item.kind) {
      case "add_slo": {
        const existing = next.slos.findIndex((s) => s.name === item.slo.name);
        if (existing >= 0) next.slos[existing] = item.slo;
        else next.slos.push(item.slo);
        say(item, `${existing >= 0 ? "replace" : "add"} SLO ${item.slo.name} (${item.slo.objective} over ${item.slo.window}) on ${item.slo.service}`);
        break;
      }
      case "change_objective": {
        const slo = next.slos.find((s) => s.name === item.slo);
        if (!slo) throw new Error(`action item ${item.id}: no SLO named ${item.slo}`);
        say(item, `SLO ${item.slo}: objective ${slo.objective} → ${item.objective}`);
        slo.objective = item.objective;
        break;
      }
      case "set_min_replicas": {
        const svc = next.services.find((s) => s.name === item.service);
        if (!svc) throw new Error(`action item ${item.id}: no service named ${item.service}`);
        replicas.set(item.service, Math.max(replicas.get(item.service) ?? 0, item.replicas));
        const k = (svc.kubernetes ??= {});
        const auto = k.autoscaling as Record<string, unknown> | undefined;
        if (auto) {
          auto.min = Math.max(Number(auto.min ?? 1), item.replicas);
          if (typeof auto.max === "number" && auto.max < (auto.min as number)) auto.max = auto.min;
          say(item, `${item.service}: autoscaling minimum ${String(auto.min)} replicas`);
        } else {
          k.replicas = Math.max(Number(k.replicas ?? 1), item.replicas);
          say(item, `${item.service}: ${String(k.replicas)} replicas`);
        }
        break;
      }
      case "set_tier": {
        const svc = next.services.find((s) => s.name === item.service);
        if (!svc) throw new Error(`action item ${item.id}: no service named ${item.service}`);
        say(item, `${item.service}: tier ${svc.tier} → ${item.tier}`);
        svc.tier = item.tier;
        break;
      }
      case "add_incident_type": {
        const types = (next.incidents.types ??= []);
        if (!types.includes(item.incident_type)) types.push(item.incident_type);
        say(item, `incident runbook for ${item.incident_type}`);
        break;
      }
      case "add_chaos_experiment": {
        const chaos = (next.incidents.chaos ??= {});
        const experiments = Array.isArray(chaos.experiments) ? (chaos.experiments as Record<string, unknown>[]) : [];
        if (!experiments.some((e) => e.service === item.service && e.fault === item.fault)) experiments.push({ service: item.service, fault: item.fault });
        chaos.experiments = experiments;
        say(item, `chaos experiment ${item.fault} on ${item.service}`);
        break;
      }
      case "note":
        say(item, `recorded: ${item.title}`);
        break;
    }
  }
  return { input: next, changes, replicas };
}

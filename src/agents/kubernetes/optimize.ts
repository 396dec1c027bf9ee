/**
 * Resource optimization: requests and limits from observed usage
 * percentiles, with stated headroom, and a savings report against today's
 * requests.
 *
 * Policy (also written into the plan notes):
 * - CPU request = p95 × headroom; memory request = p95 × headroom.
 * - Memory limit = p99 × headroom (never below the request): memory is not
 *   compressible, so the limit covers the observed peak with the same margin.
 * - CPU limit = max(p99 × headroom, 2 × CPU request): generous, because CFS
 *   throttling adds latency long before a node is busy; it exists so one pod
 *   cannot take a node's CPU from its neighbours.
 * - CPU rounds up to 5 m (at least 10 m); memory rounds up to 4 MiB (at least 16 MiB).
 */
import type { Note } from "../../core/plans/plan.js";
import { cores, formatCpu, formatMemory, gib, MI, parseCpu, parseMemory } from "./quantity.js";
import type { KubernetesInput } from "./schema.js";

export type OptimizeInput = NonNullable<KubernetesInput["optimize"]>;

export interface Sized {
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
}

function roundUp(value: number, step: number, min: number): number {
  return Math.max(min, Math.ceil(value / step - 1e-9) * step);
}

const cpuRound = (milli: number) => roundUp(milli, 5, 10);
const memRound = (bytes: number) => roundUp(bytes, 4 * MI, 16 * MI);

function must(v: number | undefined, what: string): number {
  if (v === undefined) throw new Error(`optimize: ${what} was not validated by the schema`);
  return v;
}

/** Requests and limits from the percentiles (millicores and bytes). */
export function sizeFromUsage(o: OptimizeInput): Sized {
  const h = o.headroom;
  const cpu95 = must(parseCpu(o.cpu.p95), "cpu.p95");
  const cpu99 = must(parseCpu(o.cpu.p99), "cpu.p99");
  const mem95 = must(parseMemory(o.memory.p95), "memory.p95");
  const mem99 = must(parseMemory(o.memory.p99), "memory.p99");
  const cpuRequest = cpuRound(cpu95 * h);
  const memRequest = memRound(mem95 * h);
  return {
    requests: { cpu: cpuRequest, memory: memRequest },
    limits: { cpu: Math.max(cpuRound(cpu99 * h), 2 * cpuRequest), memory: Math.max(memRound(mem99 * h), memRequest) },
  };
}

function percent(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

function money(x: number, currency: string): string {
  return `${x < 0 ? "-" : ""}${Math.abs(x).toFixed(2)} ${currency}`;
}

/** Fleet replicas used for the savings report: the replica count, or the autoscaling floor. */
export interface FleetSize {
  environment: string;
  replicas: number;
  /** True when the count is an autoscaler's minimum (the savings are a floor). */
  autoscaled: boolean;
}

/** The notes that state the policy, the numbers, and the savings against `current`. */
export function optimizationNotes(o: OptimizeInput, container: string, fleets: FleetSize[]): Note[] {
  const s = sizeFromUsage(o);
  const h = o.headroom;
  const headroom = `${Math.round((h - 1) * 100)} %`;
  const notes: Note[] = [
    {
      kind: "info",
      text:
        `Resource optimization (headroom ×${h}, ${headroom} above the percentile): ` +
        `CPU request ${formatCpu(s.requests.cpu)} = p95 ${o.cpu.p95} × ${h}; memory request ${formatMemory(s.requests.memory)} = p95 ${o.memory.p95} × ${h}; ` +
        `memory limit ${formatMemory(s.limits.memory)} = p99 ${o.memory.p99} × ${h}; ` +
        `CPU limit ${formatCpu(s.limits.cpu)} = max(p99 ${o.cpu.p99} × ${h}, 2 × request): generous on purpose, because CFS throttling adds latency long before a node is busy. ` +
        `CPU rounds up to 5m and memory to 4Mi. For Guaranteed QoS set the memory limit equal to the request in resources instead.`,
    },
    {
      kind: "recommendation",
      text:
        `Verify the new sizes after a week: CPU throttling \`sum(rate(container_cpu_cfs_throttled_periods_total{container="${container}"}[5m])) / sum(rate(container_cpu_cfs_periods_total{container="${container}"}[5m]))\` below 25 %, ` +
        `and no OOM kills \`kube_pod_container_status_last_terminated_reason{container="${container}",reason="OOMKilled"}\`. Percentiles from fewer than 7 days, or without a traffic peak, under-size the pods.`,
    },
  ];
  const current = o.current;
  const curCpu = current?.cpu === undefined ? undefined : parseCpu(current.cpu);
  const curMem = current?.memory === undefined ? undefined : parseMemory(current.memory);
  if (curCpu === undefined && curMem === undefined) {
    notes.push({ kind: "cost", text: "No savings report: give today's requests per pod as optimize.current {cpu, memory} to compare." });
    return notes;
  }
  const parts: string[] = [];
  const perPod: string[] = [];
  let monthlyPerReplica = 0;
  if (curCpu !== undefined) {
    const d = curCpu - s.requests.cpu;
    perPod.push(`CPU ${formatCpu(curCpu)} → ${formatCpu(s.requests.cpu)} (${d >= 0 ? "−" : "+"}${formatCpu(Math.abs(d))}, ${percent(Math.abs(d) / curCpu)} ${d >= 0 ? "less" : "more"})`);
    if (o.prices) monthlyPerReplica += (d / 1000) * o.prices.cpu_core_month;
  }
  if (curMem !== undefined) {
    const d = curMem - s.requests.memory;
    perPod.push(`memory ${formatMemory(curMem)} → ${formatMemory(s.requests.memory)} (${d >= 0 ? "−" : "+"}${formatMemory(Math.abs(d))}, ${percent(Math.abs(d) / curMem)} ${d >= 0 ? "less" : "more"})`);
    if (o.prices) monthlyPerReplica += (d / 1024 ** 3) * o.prices.memory_gib_month;
  }
  parts.push(`Savings report, requests per pod: ${perPod.join("; ")}.`);
  for (const f of fleets) {
    const bits: string[] = [];
    const amount = (delta: number, unit: (n: number) => string, what: string) => `${delta >= 0 ? "−" : "+"}${unit(Math.abs(delta))} ${what}`;
    if (curCpu !== undefined) bits.push(amount((curCpu - s.requests.cpu) * f.replicas, cores, "CPU cores"));
    if (curMem !== undefined) bits.push(amount((curMem - s.requests.memory) * f.replicas, gib, "GiB of memory"));
    const monthly = monthlyPerReplica * f.replicas;
    const cost = o.prices ? `; ${money(Math.abs(monthly), o.prices.currency)} per month ${monthly >= 0 ? "saved" : "more"}` : "";
    parts.push(`${f.environment} (${f.replicas} replica(s)${f.autoscaled ? " at the autoscaling minimum, so at least this much" : ""}): ${bits.join(", ")} requested${cost}.`);
  }
  if (!o.prices) parts.push("Give optimize.prices {cpu_core_month, memory_gib_month} to express this in money.");
  notes.push({ kind: "cost", text: parts.join(" ") });
  return notes;
}

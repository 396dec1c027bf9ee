/**
 * The post-mortem, the root-cause analysis and the action items: timeline
 * order and offsets, durations computed from the task's timestamps (never
 * the clock), the feedback file against actionItemSchema, and blameless
 * wording.
 */
import { parse } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { actionItemSchema } from "../observability/index.js";
import { BLAME_PATTERNS } from "./postmortem.js";
import { exampleFiles, hasNote, headings, loadExample, planExample, planInput, prose } from "./testing/support.js";

const base = {
  incident_type: "high_error_rate",
  services: ["api"],
  severity: "high",
};

const pm = {
  id: "INC-7",
  title: "Errors after a config push",
  summary: "A config push broke the api.",
  impact: "3% of requests failed.",
  started_at: "2024-03-10T23:50:00Z",
  detected_at: "2024-03-11T00:02:30Z",
  resolved_at: "2024-03-11T01:20:00Z",
  // Deliberately out of order, two at the same time, one before the start, crossing midnight.
  events: [
    { at: "2024-03-11T00:40:00Z", text: "Config reverted.", kind: "mitigation" },
    { at: "2024-03-11T00:02:30Z", text: "HighErrorRate paged.", kind: "detection", source: "Alertmanager" },
    { at: "2024-03-10T23:45:00Z", text: "Config pushed." },
    { at: "2024-03-11T01:20:00Z", text: "Resolved.", kind: "resolution" },
    { at: "2024-03-11T01:10:00+01:00", text: "Incident declared.", kind: "escalation" },
    { at: "2024-03-11T00:02:30Z", text: "Second responder joined.", kind: "escalation" },
  ],
  action_items: [
    { id: "AI-1", kind: "set_min_replicas", title: "Run three replicas", service: "api", replicas: 3, owner: "platform" },
    { id: "AI-2", kind: "add_incident_type", title: "Runbook for config pushes", incident_type: "config_push_failure" },
  ],
};

function files(raw: unknown) {
  const { plan } = planInput(raw);
  return { plan, byPath: new Map(plan.artifacts.map((a) => [a.path, a.content])) };
}

/** Rows of the first table after a heading. */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split("\n");
  let i = lines.indexOf(heading);
  while (i < lines.length && !lines[i]!.startsWith("|")) i++;
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) rows.push(lines[i]!.slice(2, -2).split(" | "));
  return rows;
}

afterEach(() => vi.useRealTimers());

describe("post-mortem", () => {
  const { plan, byPath } = files({ ...base, postmortem: pm });
  const doc = byPath.get("postmortems/INC-7.md")!;

  it("writes the post-mortem, the RCA and the actions file with their kinds", () => {
    expect(plan.artifacts.filter((a) => a.path.startsWith("postmortems/")).map((a) => [a.path, a.kind])).toEqual([
      ["postmortems/INC-7.md", "markdown"],
      ["postmortems/INC-7-rca.md", "markdown"],
      ["postmortems/INC-7.actions.yaml", "yaml"],
    ]);
  });

  it("follows the template's sections", () => {
    expect(headings(doc, 2)).toEqual(["Summary", "Impact", "Key times (UTC)", "Timeline (UTC)", "Contributing factors", "What went well", "Where we got lucky", "Action items", "Questions for the review"]);
  });

  it("sorts the timeline by time, keeps ties in input order, and offsets from the start", () => {
    const rows = tableAfter(doc, "## Timeline (UTC)");
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ["2024-03-10 23:45:00", "T-00:05:00", "Config pushed.", "other"],
      ["2024-03-11 00:02:30", "T+00:12:30", "HighErrorRate paged.", "detection"],
      ["2024-03-11 00:02:30", "T+00:12:30", "Second responder joined.", "escalation"],
      ["2024-03-11 00:10:00", "T+00:20:00", "Incident declared.", "escalation"],
      ["2024-03-11 00:40:00", "T+00:50:00", "Config reverted.", "mitigation"],
      ["2024-03-11 01:20:00", "T+01:30:00", "Resolved.", "resolution"],
    ]);
    expect(rows[1]![4]).toBe("Alertmanager");
  });

  it("computes time to detect, mitigate and resolve from the timestamps", () => {
    const impact = new Map(tableAfter(doc, "## Impact").map((r) => [r[0], r[1]]));
    expect(impact.get("Time to detect (start to detection)")).toBe("12 min 30 s");
    expect(impact.get("Time to mitigate (detection to mitigation)")).toBe("37 min 30 s");
    expect(impact.get("Time to resolve (start to resolution)")).toBe("1 h 30 min");
    expect(impact.get("Duration of user impact")).toBe("2024-03-10 23:50:00 to 2024-03-11 01:20:00 UTC (1 h 30 min)");
    expect(tableAfter(doc, "## Key times (UTC)").map((r) => [r[0], r[2], r[3]])).toEqual([
      ["Impact started", "T+00:00:00", ""],
      ["Detected", "T+00:12:30", "12 min 30 s"],
      ["Mitigated", "T+00:50:00", "37 min 30 s"],
      ["Resolved", "T+01:30:00", "40 min"],
    ]);
  });

  it("prefers mitigated_at over the first mitigation event, and says when neither exists", () => {
    const given = files({ ...base, postmortem: { ...pm, mitigated_at: "2024-03-11T00:20:00Z" } }).byPath.get("postmortems/INC-7.md")!;
    expect(new Map(tableAfter(given, "## Impact").map((r) => [r[0], r[1]])).get("Time to mitigate (detection to mitigation)")).toBe("17 min 30 s");
    const none = files({ ...base, postmortem: { ...pm, events: pm.events.filter((e) => e.kind !== "mitigation") } }).byPath.get("postmortems/INC-7.md")!;
    expect(none).toMatch(/\| Time to mitigate \(detection to mitigation\) \| not recorded/);
  });

  it("is a pure function of the input: the clock does not change a byte", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2031-01-01T00:00:00Z"));
    const a = planInput({ ...base, postmortem: pm }).plan.artifacts;
    vi.setSystemTime(new Date("1999-06-15T12:34:56Z"));
    const b = planInput({ ...base, postmortem: pm }).plan.artifacts;
    expect(a.map((x) => x.sha256)).toEqual(b.map((x) => x.sha256));
    expect(a.map((x) => x.content).join("\n")).not.toMatch(/2031|1999/);
  });

  it("writes the action items as lifecycle feedback that validates against actionItemSchema", () => {
    const text = byPath.get("postmortems/INC-7.actions.yaml")!;
    expect(text.split("\n")[0]).toBe("# Generated by devops-pack devops_incident_response — review before applying");
    const doc = parse(text) as { feedback: unknown[] };
    expect(Object.keys(doc)).toEqual(["feedback"]);
    expect(doc.feedback).toHaveLength(2);
    for (const item of doc.feedback) expect(actionItemSchema.safeParse(item).success, JSON.stringify(item)).toBe(true);
    expect(doc.feedback.map((i) => (i as { from: string }).from)).toEqual(["INC-7", "INC-7"]);
    expect(hasNote(plan, "warning", /Action items without an owner: AI-2/), JSON.stringify(plan.notes)).toBe(true);
  });

  it("builds the RCA: problem statement, causal factors, five whys per factor, detection gaps", () => {
    const factors = ["A config push skipped validation.", { factor: "The push went to every region at once.", category: "condition" }, { factor: "No alert on config errors.", category: "detection" }, { factor: "Deploy pipeline pushed config.", category: "trigger" }];
    const rca = files({ ...base, postmortem: { ...pm, contributing_factors: factors } }).byPath.get("postmortems/INC-7-rca.md")!;
    expect(headings(rca, 2)).toEqual(["1. Problem statement", "2. Causal factors by category", "3. Five whys", "4. Detection gaps", "5. Checks against the timeline"]);
    expect(headings(rca, 3)).toEqual([
      "Chain 1 (condition): A config push skipped validation.",
      "Chain 2 (condition): The push went to every region at once.",
      "Chain 3 (detection): No alert on config errors.",
      "Chain 4 (trigger): Deploy pipeline pushed config.",
    ]);
    expect(tableAfter(rca, "## 2. Causal factors by category").map((r) => r[0])).toEqual(["trigger", "condition", "condition", "detection", "response"]);
    expect(rca).toMatch(/Time to detect: 12 min 30 s\. .*detection took longer/);
    expect(rca).toContain("No alerts were given in the task");
    expect((rca.match(/Why was that possible\?/g) ?? []).length).toBe(16);
  });

  it("uses blameless wording everywhere it writes, and flags blame in the input", () => {
    const outputs = [
      ...exampleFiles().flatMap((f) => planExample(f).artifacts),
      ...plan.artifacts,
      ...planInput({ incident_types: ["security_incident", "data_loss", "unknown_thing"], services: ["api"], postmortem: pm }).plan.artifacts,
    ];
    for (const a of outputs) for (const re of BLAME_PATTERNS) expect(re.test(a.content), `${a.path} matches ${String(re)}`).toBe(false);
    const blamed = files({ ...base, postmortem: { ...pm, summary: "Human error: the operator pushed a bad config.", events: [...pm.events, { at: "2024-03-11T00:05:00Z", text: "It was the fault of the release manager." }] } });
    expect(hasNote(blamed.plan, "warning", /Blameless wording: summary \("Human error"\), events\[6\] \("fault of"\)/), JSON.stringify(blamed.plan.notes)).toBe(true);
    expect(prose(blamed.byPath.get("postmortems/INC-7.md")!)).toContain("This review is blameless");
  });

  it("the example's action items match the input one for one", () => {
    const input = loadExample("incident-postmortem.yaml");
    const doc = parse(planExample("incident-postmortem.yaml").artifacts.find((a) => a.path.endsWith(".actions.yaml"))!.content) as { feedback: { id: string }[] };
    expect(doc.feedback.map((f) => f.id)).toEqual(input.postmortem!.action_items.map((a) => a.id));
  });
});

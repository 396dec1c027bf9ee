/**
 * The workflow engine with small specialists defined here: step order and
 * exports, the store record, resuming a failed run, and bundle merging. The
 * real lifecycle, with the real specialists and validators, is in
 * lifecycle.test.ts.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isDevopsPackError } from "../../src/core/errors.js";
import { loadPacks } from "../../src/core/packs/loader.js";
import { artifact, markerLine } from "../../src/core/plans/plan.js";
import type { Specialist } from "../../src/core/specialist.js";
import { defaultStoreConfig, openStore } from "../../src/core/store/index.js";
import { VALIDATORS } from "../../src/core/validators/index.js";
import type { SpecialistEntry } from "../../src/agents/registry.js";
import type { WorkflowDefinition } from "../../src/agents/manager/workflows/engine.js";
import { defineWorkflow, mergeArtifacts, runWorkflow } from "../../src/agents/manager/workflows/engine.js";
import { tempDir } from "../helpers/tmp.js";

interface Input {
  greeting: string;
  shout: boolean;
}

function echoSpecialist(calls: string[], failWhen?: (input: { text: string }) => boolean): SpecialistEntry {
  const s: Specialist<{ text: string }> = {
    agent: "devops_cicd",
    taskType: "test.echo",
    description: "echo",
    schema: z.strictObject({ text: z.string() }),
    environments: () => ["staging"],
    plan: (input) => {
      calls.push(input.text);
      if (failWhen?.(input)) throw new Error(`cannot echo ${input.text}`);
      return { artifacts: [artifact(`out/${input.text}.md`, "markdown", `<!-- ${markerLine("devops_cicd", "").trim()} -->\n${input.text}\n`)], findings: [], notes: [{ kind: "info", text: `echoed ${input.text}` }] };
    },
  };
  return { taskType: "test.echo", agent: "devops_cicd", load: () => Promise.resolve(s as Specialist<unknown>) };
}

const workflow: WorkflowDefinition<Input> = defineWorkflow<Input>({
  id: "echo",
  title: "Echo",
  summary: "three steps, each feeding the next",
  schema: z.strictObject({ greeting: z.string(), shout: z.boolean() }),
  steps: [
    {
      id: "first",
      title: "First",
      reads: (i) => i.greeting,
      run: async (ctx) => {
        const d = await ctx.plan("test.echo", { text: ctx.input.greeting }, "first");
        return { ...d, touchesSecrets: false, exports: { word: ctx.input.greeting } };
      },
    },
    {
      id: "second",
      title: "Second",
      reads: () => null,
      run: async (ctx) => {
        const word = (ctx.exports.get("first") as { word: string }).word;
        const d = await ctx.plan("test.echo", { text: `${word}-again` }, "second");
        return { ...d, touchesSecrets: false, exports: { word: `${word}-again` } };
      },
    },
    {
      id: "third",
      title: "Third",
      reads: (i) => i.shout,
      run: async (ctx) => {
        const word = (ctx.exports.get("second") as { word: string }).word;
        const d = await ctx.plan("test.echo", { text: ctx.input.shout ? word.toUpperCase() : word }, "third");
        return { ...d, touchesSecrets: false, exports: null };
      },
    },
  ],
});

async function setup() {
  const dir = tempDir();
  const store = await openStore(defaultStoreConfig(dir));
  const packs = loadPacks({ projectDir: dir });
  return { dir, store, packs };
}

describe("workflow engine", () => {
  it("runs the steps in order, feeds each step's exports to the next and bundles every file into one plan", async () => {
    const { dir, store, packs } = await setup();
    const calls: string[] = [];
    try {
      const out = await runWorkflow(workflow, { greeting: "hello", shout: false }, { projectDir: dir, source: "in.yaml", actor: "t", store, packs, specialists: [echoSpecialist(calls)], gateEnv: { validators: VALIDATORS, decisions: [] } });
      expect(calls).toEqual(["hello", "hello-again", "hello-again"]);
      expect(out.steps.map((s) => [s.id, s.status])).toEqual([["first", "ran"], ["second", "ran"], ["third", "ran"]]);
      // second and third produce the same file with the same bytes: the bundle holds it once.
      expect(out.plan.artifacts.map((a) => a.path).sort()).toEqual(["out/hello-again.md", "out/hello.md"]);
      expect(out.plan.agent).toBe("devops_pack_manager");
      expect(out.plan.task.type).toBe("workflow.echo");
      expect(out.plan.notes.map((n) => n.text)).toContain("[first] echoed hello");
      const steps = await store.workflowSteps(out.runId);
      expect(steps.map((s) => [s.step, s.status])).toEqual([["first", "succeeded"], ["second", "succeeded"], ["third", "succeeded"]]);
      expect((await store.getRun(out.runId))?.status).toBe("succeeded");
      expect((await store.getPlan(out.plan.id))?.plan.digest).toBe(out.plan.digest);
    } finally {
      await store.close();
    }
  });

  it("resumes a failed run from the failed step, reusing the steps before it", async () => {
    const { dir, store, packs } = await setup();
    const calls: string[] = [];
    const base = { projectDir: dir, source: "in.yaml", actor: "t", store, packs, gateEnv: { validators: VALIDATORS, decisions: [] } };
    try {
      const failing = echoSpecialist(calls, (i) => i.text === "HI-AGAIN");
      const err = await runWorkflow(workflow, { greeting: "hi", shout: true }, { ...base, specialists: [failing] }).then(
        () => new Error("the run did not fail"),
        (e: unknown) => e as Error,
      );
      expect(err.message).toMatch(/failed at step 3\/3 \(third\): cannot echo HI-AGAIN/);
      expect(err.message).toMatch(/run the same command again/);
      expect(calls).toEqual(["hi", "hi-again", "HI-AGAIN"]);
      const failedRun = await store.latestRun({ taskType: "workflow.echo", source: "in.yaml" });
      expect(failedRun?.status).toBe("failed");
      expect((await store.workflowSteps(failedRun!.id)).map((s) => s.status)).toEqual(["succeeded", "succeeded", "failed"]);

      calls.length = 0;
      const out = await runWorkflow(workflow, { greeting: "hi", shout: true }, { ...base, specialists: [echoSpecialist(calls)] });
      expect(out.resumedFrom).toBe(failedRun!.id);
      expect(calls).toEqual(["HI-AGAIN"]);
      expect(out.steps.map((s) => s.status)).toEqual(["reused", "reused", "ran"]);
      expect(out.plan.artifacts.map((a) => a.path).sort()).toEqual(["out/HI-AGAIN.md", "out/hi-again.md", "out/hi.md"]);
      expect((await store.workflowSteps(out.runId)).map((s) => s.status)).toEqual(["reused", "reused", "succeeded"]);
    } finally {
      await store.close();
    }
  });

  it("re-runs a step whose input changed, and starts over with fresh", async () => {
    const { dir, store, packs } = await setup();
    const calls: string[] = [];
    const base = { projectDir: dir, source: "in.yaml", actor: "t", store, packs, gateEnv: { validators: VALIDATORS, decisions: [] } };
    try {
      // The setup must really fail at step 3, or nothing below tests re-running and --fresh.
      await expect(runWorkflow(workflow, { greeting: "yo", shout: true }, { ...base, specialists: [echoSpecialist(calls, (i) => i.text === "YO-AGAIN")] })).rejects.toThrow(/failed at step 3\/3 \(third\)/);
      calls.length = 0;
      // The greeting changed: every step reads it directly or through exports, so all re-run.
      const changed = await runWorkflow(workflow, { greeting: "hey", shout: true }, { ...base, specialists: [echoSpecialist(calls)] });
      expect(changed.steps.map((s) => s.status)).toEqual(["ran", "ran", "ran"]);
      expect(calls).toEqual(["hey", "hey-again", "HEY-AGAIN"]);

      await expect(runWorkflow(workflow, { greeting: "yo", shout: true }, { ...base, source: "other.yaml", specialists: [echoSpecialist(calls, (i) => i.text === "YO-AGAIN")] })).rejects.toThrow(/failed at step 3\/3 \(third\)/);
      expect((await store.latestRun({ taskType: "workflow.echo", source: "other.yaml" }))?.status).toBe("failed");
      calls.length = 0;
      const fresh = await runWorkflow(workflow, { greeting: "yo", shout: true }, { ...base, source: "other.yaml", fresh: true, specialists: [echoSpecialist(calls)] });
      expect(fresh.resumedFrom).toBeUndefined();
      expect(calls).toEqual(["yo", "yo-again", "YO-AGAIN"]);
    } finally {
      await store.close();
    }
  });

  it("checks every step's declared tasks before step 1: all problems at once, by workflow-input path, no specialist run, nothing stored", async () => {
    const { dir, store, packs } = await setup();
    const calls: string[] = [];
    interface Sections {
      first: Record<string, unknown>;
      third: Record<string, unknown>;
    }
    const declared = defineWorkflow<Sections>({
      id: "declared",
      title: "Declared",
      summary: "steps that declare their tasks",
      schema: z.strictObject({ first: z.record(z.string(), z.unknown()), third: z.record(z.string(), z.unknown()) }),
      steps: [
        { id: "one", title: "One", reads: (i) => i.first, tasks: (i) => [{ type: "test.echo", input: i.first, at: "first" }], run: async (ctx) => ({ ...(await ctx.plan("test.echo", ctx.input.first, "first")), touchesSecrets: false, exports: null }) },
        { id: "two", title: "Two", reads: () => null, tasks: () => [], run: () => Promise.resolve({ artifacts: [], findings: [], notes: [], touchesSecrets: false, environments: [], exports: null }) },
        {
          id: "three",
          title: "Three",
          reads: (i) => i.third,
          // `text` comes from first.greeting in the workflow input; `extra` would come from an earlier step, so its problems are the step's.
          tasks: (i) => [{ type: "test.echo", input: { ...i.third, text: i.first["greeting"] }, at: "third", from: { text: "first.greeting" }, later: ["extra"] }],
          run: async (ctx) => ({ ...(await ctx.plan("test.echo", { ...ctx.input.third, text: ctx.input.first["greeting"] }, "third")), touchesSecrets: false, exports: null }),
        },
      ],
    });
    try {
      const err = await runWorkflow(declared, { first: { text: 5 }, third: { txet: "x", extra: 1 } }, { projectDir: dir, source: "in.yaml", actor: "t", store, packs, specialists: [echoSpecialist(calls)], gateEnv: { validators: VALIDATORS, decisions: [] } }).then(
        () => new Error("the run did not fail"),
        (e: unknown) => e as Error,
      );
      expect(isDevopsPackError(err) && err.exitCode).toBe(2);
      expect(err.message).toMatch(/^in\.yaml: invalid declared workflow input \(3 problems, found before any step ran; nothing was stored\):$/m);
      expect(isDevopsPackError(err) && (err.data?.issues as { path: string }[]).map((i) => i.path)).toEqual(["first.text", "first.greeting", "third"]);
      expect(err.message).toContain("Unknown field 'txet' in third. Did you mean text?");
      expect(err.message).not.toContain("extra");
      expect(calls).toEqual([]);
      expect(await store.latestRun({ taskType: "workflow.declared", source: "in.yaml" })).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("refuses two different files at one path, and keeps one copy of equal files", () => {
    const a = artifact("x.md", "markdown", "one\n");
    const b = artifact("x.md", "markdown", "two\n");
    expect(mergeArtifacts([{ step: "s1", artifacts: [a] }, { step: "s2", artifacts: [a] }])).toHaveLength(1);
    expect(() => mergeArtifacts([{ step: "s1", artifacts: [a] }, { step: "s2", artifacts: [b] }])).toThrow(/Steps s1 and s2 both produce x.md with different content/);
  });
});

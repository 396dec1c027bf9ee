import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, REPO } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

describe("devops-pack workflow", () => {
  it("workflow list shows the runnable workflows with their steps", () => {
    const dir = tempDir();
    const r = cliJson<{ workflows: { id: string; steps: string[]; runnable: boolean; knowledge?: string }[] }>(["workflow", "list"], { cwd: dir });
    expect(r.code).toBe(0);
    const ids = r.json.workflows.map((w) => w.id);
    expect(ids).toEqual(expect.arrayContaining(["lifecycle", "zero-downtime-deployment", "disaster-recovery", "monitoring-setup"]));
    const lifecycle = r.json.workflows.find((w) => w.id === "lifecycle")!;
    expect(lifecycle.steps).toEqual(["Planning", "Infrastructure", "CI/CD", "Monitoring", "Alerting", "Incident response"]);
    expect(lifecycle.knowledge).toMatch(/workflows\/lifecycle\.md$/);
    expect(cli(["workflow", "list"], { cwd: dir }).stdout).toMatch(/lifecycle: .*\n {2}steps: Planning → Infrastructure → CI\/CD → Monitoring → Alerting → Incident response/);
  });

  it("workflow run lifecycle examples/lifecycle.yaml passes every gate and awaits approval (exit 0), with progress on stderr", () => {
    const dir = tempDir();
    const r = cli(["workflow", "run", "lifecycle", join(REPO, "examples/lifecycle.yaml")], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[1\/6\] Planning…[\s\S]*\[6\/6\] Incident response…/);
    expect(r.stdout).toMatch(/PASS {2}gate\.quality\.prometheus-rule-test/);
    expect(r.stdout).toMatch(/verdict: gates passed, awaiting approval/);
    expect(r.stdout).not.toMatch(/FAIL /);
  }, 120_000);

  it("bad input exits 2 with a message that says what to fix", () => {
    const dir = tempDir();
    writeTree(dir, {
      "typo.yaml": "workflow: lifecycle\ninput:\n  name: shop\n  servces: []\n",
      "broken.yaml": "workflow: lifecycle\ninput: {name: shop\n",
      "other.yaml": "workflow: disaster-recovery\ninput:\n  name: shop\n",
      "bomb.yaml": "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
    });
    const cases: [string[], RegExp][] = [
      [["workflow", "run", "lifecycle"], /Usage: devops-pack workflow run <id> <input\.yaml>/],
      [["workflow", "run", "lifecycel", "typo.yaml"], /Unknown workflow 'lifecycel'.*Did you mean lifecycle\?/],
      [["workflow", "run", "lifecycle", "typo.yaml"], /servces.*Did you mean services\?/],
      [["workflow", "run", "lifecycle", "broken.yaml"], /not valid YAML/],
      [["workflow", "run", "lifecycle", "other.yaml"], /is for workflow "disaster-recovery", not lifecycle/],
      [["workflow", "run", "lifecycle", "bomb.yaml"], /alias/i],
      [["workflow", "run", "lifecycle", "missing.yaml"], /does not exist/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(pattern);
    }
    const j = cliJson<{ ok: boolean; error: { code: string } }>(["workflow", "run", "lifecycle", "typo.yaml"], { cwd: dir });
    expect(j.json.ok).toBe(false);
    expect(j.json.error.code).toBe("BAD_INPUT");
  });
});

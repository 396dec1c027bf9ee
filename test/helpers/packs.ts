/** A minimal valid agent file for synthetic packs in tests. */
export function agentMd(id: string, opts: { handles?: string[]; data?: string[]; workflows?: string[]; extraLines?: number } = {}): string {
  const lines = [
    `# Test agent ${id}`,
    "",
    "A test persona.",
    "",
    "```yaml",
    "agent:",
    `  id: ${id}`,
    "  name: Tess",
    "  title: Test Specialist",
    '  icon: "T"',
    "  whenToUse: In tests.",
    "persona:",
    "  role: Tester",
    "  style: Terse",
    "  focus: Tests",
    "  core_principles:",
    "    - Assert something",
    "commands:",
    "  - name: help",
    "    description: Show help",
    `handles: [${(opts.handles ?? []).join(", ")}]`,
    "dependencies:",
    `  data: [${(opts.data ?? []).join(", ")}]`,
    `  workflows: [${(opts.workflows ?? []).join(", ")}]`,
    "```",
  ];
  for (let i = 0; i < (opts.extraLines ?? 0); i++) lines.push(`filler line ${i}`);
  return lines.join("\n") + "\n";
}

export function packYaml(id: string, agents: string[]): string {
  return [`id: ${id}`, "version: 1.0.0", `agents: [${agents.join(", ")}]`, "gates:", "  - id: gate.quality", "    type: quality", "    threshold: 100", ""].join("\n");
}

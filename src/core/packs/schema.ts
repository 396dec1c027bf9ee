import { z } from "zod";

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, "ids are lower_snake_case, e.g. devops_cicd");
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.(md|ya?ml|json)$/, "a file name inside the category folder, e.g. cicd-pipeline-patterns.md");

export const DEPENDENCY_CATEGORIES = ["data", "workflows", "templates", "checklists"] as const;
export type DependencyCategory = (typeof DEPENDENCY_CATEGORIES)[number];

export const agentSpecSchema = z
  .object({
    agent: z
      .object({
        id,
        name: z.string().min(1),
        title: z.string().min(1),
        icon: z.string().min(1),
        whenToUse: z.string().min(1),
      })
      .strict(),
    persona: z
      .object({
        role: z.string().min(1),
        style: z.string().min(1),
        focus: z.string().min(1),
        core_principles: z.array(z.string().min(1)).min(1),
      })
      .strict(),
    commands: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z][a-z0-9-]*$/, "command names are kebab-case"),
            description: z.string().min(1),
            args: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    handles: z.array(z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, "task types look like devops.cicd")).default([]),
    dependencies: z
      .object({
        data: z.array(fileName).default([]),
        workflows: z.array(fileName).default([]),
        templates: z.array(fileName).default([]),
        checklists: z.array(fileName).default([]),
      })
      .strict()
      .default({ data: [], workflows: [], templates: [], checklists: [] }),
  })
  .strict();

export type AgentSpec = z.infer<typeof agentSpecSchema>;

export const gateSpecSchema = z
  .object({
    id: z.string().regex(/^gate(\.[a-z_-]+)+$/, "gate ids look like gate.security.infra"),
    type: z.enum(["quality", "security", "compliance", "approval"]),
    threshold: z.number().min(0).max(100),
    description: z.string().default(""),
    frameworks: z.array(z.string()).optional(),
  })
  .strict();

export type GateSpec = z.infer<typeof gateSpecSchema>;

export const packManifestSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    name: z.string().min(1).optional(),
    version: z.string().regex(/^\d+\.\d+\.\d+/, "a semantic version such as 1.0.0").optional(),
    description: z.string().optional(),
    requires: z.record(z.string(), z.string()).default({}),
    agents: z.array(id).default([]),
    gates: z.array(gateSpecSchema).default([]),
    workflows: z.array(z.object({ id: z.string().min(1), file: fileName }).strict()).default([]),
  })
  .strict();

export type PackManifest = z.infer<typeof packManifestSchema>;

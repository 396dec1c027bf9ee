import type { Evaluation } from "../../types.js";
import type { Dockerfile, Stage } from "../model.js";
import { parseImage } from "../text.js";
import { dockerRule, failed, passed, soc2 } from "./common.js";

/** Stages whose FROM names an external image (not `scratch`, not an earlier stage). */
function externalStages(doc: Dockerfile): Stage[] {
  return doc.stages.filter((s) => s.parent === undefined && s.image.raw.toLowerCase() !== "scratch");
}

/**
 * Trivy's semantics for references with variables: a variable with no value
 * counts as empty, so `alpine$TAG` is `alpine` (no tag); a reference whose
 * tag is a variable (`app:${TAG}`) or that is a variable as a whole is not
 * judged.
 */
function effectiveImage(doc: Dockerfile, stage: Stage): ReturnType<typeof parseImage> | undefined {
  if (stage.image.resolved !== undefined) return stage.image;
  const raw = stage.image.raw;
  if (/:\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(raw)) return undefined;
  const globals = new Map<string, string>();
  for (const a of doc.globalArgs) for (const p of a.pairs) if (p.value !== undefined) globals.set(p.key, p.value);
  const partial = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, def: string | undefined, b: string | undefined) => globals.get(a ?? b ?? "") ?? def ?? "");
  return partial === "" ? undefined : parseImage(raw, partial);
}

function resource(stage: Stage): string {
  return `FROM ${stage.image.raw}`;
}

export const latestTagRule = dockerRule(
  {
    id: "DP-DOCKER-002",
    severity: "medium",
    title: "Base images name a version tag, not latest",
    message: "A base image is pulled as :latest (or without a tag, which means latest).",
    recommendation: "Name an explicit version tag (and ideally a digest) so every build starts from the same base image and upgrades happen on purpose, through review.",
    fix: "FROM node:22.11-bookworm-slim",
    aliases: ["CKV_DOCKER_7", "AVD-DS-0001", "DL3006", "DL3007"],
    compliance: [soc2("CC8.1", false), soc2("CC7.1", false)],
  },
  (doc) => {
    const out: Evaluation[] = [];
    for (const stage of externalStages(doc)) {
      const img = effectiveImage(doc, stage);
      if (img === undefined) continue;
      const scope = { startLine: stage.from.line, endLine: stage.from.endLine };
      const latest = img.tag === "latest" || (img.tag === undefined && img.digest === undefined);
      if (!latest) {
        out.push(passed("DP-DOCKER-002", doc, resource(stage), stage.from.line, scope));
        continue;
      }
      out.push(
        failed(
          "DP-DOCKER-002",
          doc,
          {
            line: stage.from.line,
            column: stage.from.column,
            instruction: stage.from,
            resource: resource(stage),
            message: `${resource(stage)} ${img.tag === "latest" ? "uses the latest tag" : "has no tag, so it pulls latest"}: the base image changes under the build without review.`,
            fix: `FROM ${img.name ?? stage.image.raw}:<version>${stage.name ? ` AS ${stage.name}` : ""}`,
          },
          resource(stage),
        ),
      );
    }
    return out;
  },
);

export const digestPinRule = dockerRule(
  {
    id: "DP-DOCKER-003",
    severity: "low",
    title: "Base images are pinned by digest",
    message: "A base image is referenced by tag only; a tag can be moved to different contents.",
    recommendation: "Pin the base image to its digest (keeping the tag for readability) and let Dependabot or Renovate propose digest updates.",
    fix: "FROM node:22.11-bookworm-slim@sha256:<64-hex digest>   # docker buildx imagetools inspect node:22.11-bookworm-slim",
    aliases: [],
    compliance: [soc2("CC8.1", false)],
  },
  (doc) => {
    const out: Evaluation[] = [];
    for (const stage of externalStages(doc)) {
      const img = effectiveImage(doc, stage);
      if (img === undefined) continue;
      if (img.digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(img.digest)) {
        out.push(passed("DP-DOCKER-003", doc, resource(stage), stage.from.line, { startLine: stage.from.line, endLine: stage.from.endLine }));
        continue;
      }
      out.push(
        failed(
          "DP-DOCKER-003",
          doc,
          { line: stage.from.line, column: stage.from.column, instruction: stage.from, resource: resource(stage), message: `${resource(stage)} is not pinned to a digest, so the same Dockerfile can build on different base images.` },
          resource(stage),
        ),
      );
    }
    return out;
  },
);

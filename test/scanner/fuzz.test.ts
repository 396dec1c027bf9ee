import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareFindings, scanSources } from "../../src/scanner/engine.js";
import { loadTargets } from "../../src/scanner/index.js";

/** File names each target claims, so the fuzzed text reaches every parser. */
const NAMES = ["main.tf", "k8s/app.yaml", "Dockerfile", ".github/workflows/ci.yml", "notes.txt"];

/** Text that looks a little like infrastructure code, so parsers get past their first byte. */
const fragment = fc.constantFrom(
  'resource "aws_s3_bucket" "b" {', "}", "{", "[", "]", '"', "${", "<<EOF", "EOF", "apiVersion: v1", "kind: Pod", "metadata:", "  name: x", "spec:",
  "  containers:", "    - image: nginx", "&a", "*a", "---", "FROM node", "RUN curl x | sh", "USER root", "\\", "on: push", "jobs:", "  a:", "    steps:",
  "      - run: echo ${{ github.event.issue.title }}", "AKIA", "password = ", "\t", "\u0000", "#", "//", "/*", "*/", "=", ":", "- ", "'", "\r\n",
);
const source = fc.oneof(
  fc.tuple(fc.array(fragment, { maxLength: 60 }), fc.constantFrom("", " ", "\n")).map(([parts, sep]) => parts.join(sep)),
  fc.string({ maxLength: 400 }),
  fc.string({ unit: "binary", maxLength: 200 }),
);

describe("scanner parsers under fuzzing", () => {
  it("never throw, always report per file, and order findings deterministically", async () => {
    const targets = await loadTargets();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...NAMES), source), { minLength: 1, maxLength: 5 }), (files) => {
        const unique = [...new Map(files.map(([name, content], i) => [`${i}/${name}`, content])).entries()].map(([path, content]) => ({ path, content }));
        const result = scanSources(unique, { targets });
        const sorted = [...result.findings].sort(compareFindings);
        expect(result.findings).toEqual(sorted);
        for (const f of result.findings) {
          expect(unique.some((u) => u.path === f.file)).toBe(true);
          expect(f.line).toBeGreaterThanOrEqual(1);
        }
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
      }),
      { numRuns: 300, seed: 20261121 },
    );
  });
});

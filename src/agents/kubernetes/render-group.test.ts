// Issue 12: grouping manifests by file appends in place. It copied the file's list for every
// manifest (`[...(groups.get(file) ?? []), m]`), quadratic in a file's manifests: 200,000 in
// one file is minutes of copying. The eslint rule in eslint.config.js keeps the pattern out.
import { describe, expect, it } from "vitest";
import type { Manifest } from "./manifests.js";
import { groupByFile } from "./render.js";

describe("groupByFile", () => {
  it("groups 200,000 manifests of two files in order", () => {
    const manifests: Manifest[] = Array.from({ length: 200_000 }, (_, i) => ({ file: i % 2 === 0 ? "a.yaml" : "b.yaml", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}` } } as unknown as Manifest["object"] }));
    const groups = groupByFile(manifests);
    expect([...groups.keys()]).toEqual(["a.yaml", "b.yaml"]);
    expect(groups.get("a.yaml")).toHaveLength(100_000);
    expect(groups.get("b.yaml")?.[99_999]).toBe(manifests[199_999]);
  });
});

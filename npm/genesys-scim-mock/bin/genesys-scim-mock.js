#!/usr/bin/env node
"use strict";
// `npx genesys-scim-mock ARGS`: runs this platform's binary with ARGS and exits with its code.
const { spawnSync } = require("node:child_process");
const { findBinary } = require("../lib/binary.js");

let binary;
try {
  binary = findBinary();
} catch (e) {
  console.error(e.message);
  process.exit(127);
}
const run = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (run.error) {
  console.error(`cannot run ${binary}: ${run.error.message}`);
  process.exit(127);
}
process.exit(run.status === null ? 128 + (require("node:os").constants.signals[run.signal] || 0) : run.status);

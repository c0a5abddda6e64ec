#!/usr/bin/env node
"use strict";
// make-package.js KEY BINARY OUTDIR: writes the platform package `@genesys-scim-mock/KEY`
// (linux-x64, darwin-arm64, ...) into OUTDIR around BINARY, ready for `npm pack` or
// `npm publish`. Its version is the main package's; its `os` and `cpu` make npm install it only
// on that platform. Used by .ci/steps/34-npm.sh and the release workflow alike.
const fs = require("node:fs");
const path = require("node:path");
const main = require("../genesys-scim-mock/package.json");
const { PLATFORMS, SCOPE, executable } = require("../genesys-scim-mock/lib/platforms.js");

const [key, binary, outdir] = process.argv.slice(2);
if (!key || !binary || !outdir) {
  console.error("usage: make-package.js KEY BINARY OUTDIR");
  process.exit(2);
}
const platform = PLATFORMS[key];
if (!platform) {
  console.error(`unknown platform ${key}; known: ${Object.keys(PLATFORMS).join(", ")}`);
  process.exit(2);
}
const name = `${SCOPE}/${key}`;
if (main.optionalDependencies[name] !== main.version) {
  console.error(`${main.name}'s optionalDependencies do not pin ${name} at ${main.version}`);
  process.exit(1);
}
fs.mkdirSync(path.join(outdir, "bin"), { recursive: true });
const exe = path.join(outdir, "bin", executable(platform.os));
fs.copyFileSync(binary, exe);
fs.chmodSync(exe, 0o755);
const pkg = {
  name,
  version: main.version,
  description: `The genesys-scim-mock binary for ${key} (${platform.target}); installed by genesys-scim-mock.`,
  license: main.license,
  repository: main.repository,
  os: [platform.os],
  cpu: [platform.cpu],
  files: ["bin/"],
  preferUnplugged: true,
};
fs.writeFileSync(path.join(outdir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
fs.writeFileSync(
  path.join(outdir, "README.md"),
  `# ${name}\n\nThe \`genesys-scim-mock\` binary for ${key}. Install \`genesys-scim-mock\`, which depends on it.\n`,
);
console.log(`${name}@${main.version}: ${outdir}`);

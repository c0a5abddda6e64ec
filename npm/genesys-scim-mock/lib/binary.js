"use strict";
const fs = require("node:fs");
const { PLATFORMS, SCOPE, executable } = require("./platforms.js");

/** Set to a binary's path to use it instead of the platform package's. */
const BINARY_ENV = "GENESYS_SCIM_MOCK_BINARY";

/**
 * The path of the genesys-scim-mock binary: `GENESYS_SCIM_MOCK_BINARY` when set, else the one
 * in this machine's platform package (`@genesys-scim-mock/linux-x64` and so on).
 */
function findBinary() {
  const override = process.env[BINARY_ENV];
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`${BINARY_ENV}=${override}: no such file`);
    return override;
  }
  const key = `${process.platform}-${process.arch}`;
  if (!PLATFORMS[key]) {
    throw new Error(
      `genesys-scim-mock has no binary for ${key} (published: ${Object.keys(PLATFORMS).join(", ")}); ` +
        `build one (cargo install genesys-scim-mock) and set ${BINARY_ENV} to its path`,
    );
  }
  const pkg = `${SCOPE}/${key}`;
  try {
    return require.resolve(`${pkg}/bin/${executable(process.platform)}`);
  } catch {
    throw new Error(
      `${pkg} is not installed, so there is no genesys-scim-mock binary for this machine. ` +
        `It is an optional dependency of genesys-scim-mock: installs with --omit=optional or ` +
        `--no-optional skip it, and a lockfile written on another platform may leave it out ` +
        `(npm/cli#4828): reinstall without those, or delete the lockfile and node_modules and ` +
        `install again, or set ${BINARY_ENV} to a binary's path.`,
    );
  }
}

module.exports = { BINARY_ENV, findBinary };

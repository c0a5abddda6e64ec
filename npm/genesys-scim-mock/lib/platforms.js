"use strict";
// The platforms a binary is published for: one npm package each, `@genesys-scim-mock/<key>`,
// listed in the main package's optionalDependencies. npm installs only the one whose `os` and
// `cpu` match the machine (esbuild and biome ship their binaries the same way), so nothing is
// downloaded by an install script. The release workflow builds every one of them.
const PLATFORMS = {
  "linux-x64": { os: "linux", cpu: "x64", target: "x86_64-unknown-linux-gnu" },
  "linux-arm64": { os: "linux", cpu: "arm64", target: "aarch64-unknown-linux-gnu" },
  "darwin-x64": { os: "darwin", cpu: "x64", target: "x86_64-apple-darwin" },
  "darwin-arm64": { os: "darwin", cpu: "arm64", target: "aarch64-apple-darwin" },
  "win32-x64": { os: "win32", cpu: "x64", target: "x86_64-pc-windows-msvc" },
};

/** The executable's file name on `os`. */
function executable(os) {
  return os === "win32" ? "genesys-scim-mock.exe" : "genesys-scim-mock";
}

module.exports = { PLATFORMS, SCOPE: "@genesys-scim-mock", executable };

"use strict";
// Jest: `globalSetup: "genesys-scim-mock/jest/globalSetup"` starts one server for the run and
// sets the variables `exec` sets (GENESYS_MOCK_URL and the rest), which every test worker
// inherits; tests call `connect()`. Serve options come from the GENESYS_MOCK_* variables the
// binary reads (GENESYS_MOCK_SEED, ...). `globalTeardown: "genesys-scim-mock/jest/globalTeardown"`
// stops it.
const { startMock } = require("../index.js");

module.exports = async function genesysMockGlobalSetup() {
  const mock = await startMock();
  Object.assign(process.env, await mock.env());
  globalThis.__GENESYS_SCIM_MOCK__ = mock;
};

"use strict";
// Stops the server jest/globalSetup.js started (Jest runs both in the same context).
module.exports = async function genesysMockGlobalTeardown() {
  const mock = globalThis.__GENESYS_SCIM_MOCK__;
  globalThis.__GENESYS_SCIM_MOCK__ = undefined;
  if (mock) await mock.stop();
};

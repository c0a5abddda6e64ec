// One mock for the whole run; tests read its coordinates from the environment, as under `exec`.
module.exports = {
  globalSetup: "genesys-scim-mock/jest/globalSetup",
  globalTeardown: "genesys-scim-mock/jest/globalTeardown",
  testMatch: ["<rootDir>/jest/**/*.test.js"],
};

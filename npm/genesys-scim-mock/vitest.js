"use strict";
// Vitest: `globalSetup: ["genesys-scim-mock/vitest"]` starts one server for the run, provides
// its coordinates as `genesysMock` (tests: `connect(inject("genesysMock"))`), sets the variables
// `exec` sets, and stops it after the run. With options: a setup file of your own that
// `export default setup({ seed: 1 })`.
const { startMock } = require("./index.js");

function setup(options = {}) {
  return async function genesysMockSetup(project) {
    const mock = await startMock(options);
    project.provide("genesysMock", mock.info());
    Object.assign(process.env, await mock.env());
    return async () => {
      await mock.stop();
    };
  };
}

module.exports = setup();
module.exports.setup = setup;

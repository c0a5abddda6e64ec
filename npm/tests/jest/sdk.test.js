// The Jest setup with the official Genesys JavaScript SDK: the variables `exec` sets are in the
// environment of every test worker.
const { execFileSync } = require("node:child_process");
const { connect } = require("genesys-scim-mock");
const { createAndReadBack, sdkFor } = require("../helpers.cjs");

const mock = connect();
let org;

beforeEach(async () => {
  org = await mock.newOrg();
});
afterEach(async () => {
  await org.delete();
});

test("the environment is exec's", () => {
  for (const name of ["URL", "SCIM_URL", "ADMIN_URL", "CLIENT_ID", "CLIENT_SECRET", "TOKEN"]) {
    expect(process.env[`GENESYS_MOCK_${name}`]).toBeTruthy();
  }
  expect(process.env.GENESYS_MOCK_SCIM_URL).toBe(`${process.env.GENESYS_MOCK_URL}/api/v2/scim/v2`);
});

test("a user created through the SDK is read back through its Location", async () => {
  const scim = await sdkFor(org);
  const created = await scim.postScimV2Users({ userName: "jest.user@example.com", displayName: "Jest User" });
  expect((await scim.getScimV2User(created.id)).userName).toBe("jest.user@example.com");
  const second = await createAndReadBack(org, "second@example.com");
  expect(second.status).toBe(201);
  expect(second.userName).toBe("second@example.com");
});

test("the shared test script runs with the same variables", async () => {
  const script = process.env.GSM_SHARED_SCRIPT;
  expect(script).toBeTruthy();
  const out = execFileSync("sh", [script], { env: { ...process.env, ...(await org.env()) }, encoding: "utf8" });
  expect(out).toMatch(/read it back/);
});

test("the default org's users are listed through the SDK", async () => {
  const scim = await sdkFor(mock);
  const page = await scim.getScimV2Users({ count: 25 });
  expect(page.totalResults).toBeGreaterThanOrEqual(4);
});

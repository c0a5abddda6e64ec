// The Vitest setup with the official Genesys JavaScript SDK: one server per run, an isolated org
// per test.
import { afterEach, beforeEach, expect, inject, test } from "vitest";
import { connect, type MockOrg } from "genesys-scim-mock";
import { createAndReadBack, sdkFor } from "../helpers.cjs";

const mock = connect(inject("genesysMock"));
let org: MockOrg;

beforeEach(async () => {
  org = await mock.newOrg();
});
afterEach(async () => {
  await org.delete();
});

test("the provided mock is a running server with the default org", async () => {
  expect(inject("genesysMock").scimUrl).toBe(`${inject("genesysMock").url}/api/v2/scim/v2`);
  expect(process.env.GENESYS_MOCK_URL).toBe(inject("genesysMock").url);
  const scim = await sdkFor(org);
  const found = await scim.getScimV2Users({ filter: 'userName eq "maria.garcia@example.com"' });
  expect(found.totalResults).toBe(1);
});

test("a user created through the SDK is read back through its Location", async () => {
  const scim = await sdkFor(org);
  const created = await scim.postScimV2Users({ userName: "vitest.user@example.com", displayName: "Vitest User" });
  expect((await scim.getScimV2User(created.id)).userName).toBe("vitest.user@example.com");
  const second = await createAndReadBack(org, "second@example.com");
  expect(second.status).toBe(201);
  expect(second.location.startsWith(`${org.scimUrl}/Users/`)).toBe(true);
  expect(second.userName).toBe("second@example.com");
});

test("orgs are isolated, and the journal, report and expectations are per org", async () => {
  const scim = await sdkFor(org);
  await scim.postScimV2Users({ userName: "only.here@example.com", displayName: "Only Here" });
  const other = await mock.newOrg();
  try {
    const elsewhere = await sdkFor(other);
    const none = await elsewhere.getScimV2Users({ filter: 'userName eq "only.here@example.com"' });
    expect(none.totalResults).toBe(0);
  } finally {
    await other.delete();
  }
  expect((await org.journal({ route: "users.create" })).map((e: any) => e.status)).toEqual([201]);
  await org.expect({ users: [{ userName: "only.here@example.com", displayName: "Only Here" }] });
  await expect(org.expect({ users: [{ userName: "only.here@example.com", displayName: "Nobody" }] })).rejects.toThrow(
    /not in the expected state/,
  );
  const report = await org.report({ failOn: "error" });
  expect(report.scope.org).toBe(org.orgId);
});

test("a scenario loaded for one org fails only that org's creates", async () => {
  await org.loadScenario({
    name: "create-fails-once",
    rules: [{ name: "down", when: { route: "users.create" }, trigger: { firstN: { n: 1 } }, then: { respond: { status: 503 } } }],
  });
  const scim = await sdkFor(org);
  // The SDK rejects with the error body; SCIM error bodies carry the status as a string.
  const failed = await scim.postScimV2Users({ userName: "retry@example.com", displayName: "Retry" }).then(
    () => null,
    (e: any) => e,
  );
  expect(String(failed?.status)).toBe("503");
  const created = await scim.postScimV2Users({ userName: "retry@example.com", displayName: "Retry" });
  expect(created.userName).toBe("retry@example.com");
});

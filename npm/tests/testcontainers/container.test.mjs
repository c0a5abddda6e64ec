// GenesysMockContainer against the Docker engine: healthy through the image's own HEALTHCHECK,
// typed getters, a user created and read back through its Location.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { GenesysMockContainer, IMAGE } from "genesys-scim-mock/testcontainers";

let gsm;
before(async () => {
  gsm = await new GenesysMockContainer().withSeed(1).start();
});
after(async () => {
  await gsm?.stop();
});

test("the image is the pinned canonical one", () => {
  assert.match(IMAGE, /^ghcr\.io\/genesys-scim-mock\/genesys-scim-mock:\d+\.\d+\.\d+$/);
});

test("getters and a token", async () => {
  assert.equal(gsm.getScimUrl(), `${gsm.getUrl()}/api/v2/scim/v2`);
  assert.equal(gsm.getClientId(), "mock-client-id");
  assert.ok((await gsm.getToken()).length > 10);
});

test("a user is created and read back through its Location", async () => {
  const token = await gsm.getToken();
  const resp = await fetch(`${gsm.getScimUrl()}/Users`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    body: JSON.stringify({ userName: "tc.node@example.com", displayName: "TC Node" }),
  });
  assert.equal(resp.status, 201);
  const location = resp.headers.get("location");
  assert.ok(location.startsWith(`${gsm.getScimUrl()}/Users/`), location);
  const read = await fetch(location, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal((await read.json()).userName, "tc.node@example.com");
});

test("the shared test script runs with the container's variables", async () => {
  const out = execFileSync("sh", [process.env.GSM_SHARED_SCRIPT], {
    env: { ...process.env, ...(await gsm.getEnv()) },
    encoding: "utf8",
  });
  assert.match(out, /read it back/);
});

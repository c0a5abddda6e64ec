// Shared by the Vitest and Jest suites: the Genesys SDK logged in to one org, and a user
// created over plain HTTP and read back through its Location, as any client would.
const platformClient = require("purecloud-platform-client-v2");

async function sdkFor(org) {
  const url = new URL(org.url);
  const client = platformClient.ApiClient.instance;
  client.setGateway({ host: url.hostname, protocol: "http", port: url.port });
  await client.loginClientCredentialsGrant(org.clientId, org.clientSecret);
  return new platformClient.SCIMApi();
}

/** POSTs a user and GETs its Location: `{ status, location, userName }` (the one read back). */
async function createAndReadBack(org, userName) {
  const headers = { Authorization: `Bearer ${await org.token()}`, "Content-Type": "application/scim+json" };
  const resp = await fetch(`${org.scimUrl}/Users`, {
    method: "POST",
    headers,
    body: JSON.stringify({ userName, displayName: "Read Back" }),
  });
  const location = resp.headers.get("location");
  const read = await fetch(location, { headers });
  return { status: resp.status, location, userName: (await read.json()).userName };
}

module.exports = { createAndReadBack, sdkFor };

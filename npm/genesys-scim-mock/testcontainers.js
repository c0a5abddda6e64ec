"use strict";
// A Testcontainers module for the mock's image (peer dependency `testcontainers`):
//
//   const gsm = await new GenesysMockContainer().withSeed(1).start();
//   client(gsm.getScimUrl(), gsm.getClientId(), gsm.getClientSecret());
//
// Started once the image reports healthy (its own exec-form HEALTHCHECK); the port is published
// on a free host port chosen before the start and GENESYS_MOCK_PUBLIC_URL is set to it, so the
// Location of a create is a URL the test can follow.
const net = require("node:net");
const { AbstractStartedContainer, GenericContainer, Wait, getContainerRuntimeClient } = require("testcontainers");
const { Endpoint } = require("./index.js");

/** The published image; the tag is this package's version, so the two always match. */
const IMAGE_NAME = "ghcr.io/genesys-scim-mock/genesys-scim-mock";
const IMAGE = `${IMAGE_NAME}:${require("./package.json").version}`;
const PORT = 8080;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "0.0.0.0", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

class GenesysMockContainer extends GenericContainer {
  constructor(image = IMAGE) {
    super(image);
    this.clientId = "mock-client-id";
    this.clientSecret = "mock-client-secret";
    this.hostPort = null;
    this.withWaitStrategy(Wait.forHealthCheck());
  }

  /** `GENESYS_MOCK_SEED`: ids, tokens and probabilistic faults repeat. */
  withSeed(seed) {
    return this.withEnvironment({ GENESYS_MOCK_SEED: String(seed) });
  }

  /** The OAuth client to report, when a mounted fixture has another one. */
  withCredentials(clientId, clientSecret) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    return this;
  }

  /** The host port to publish on (default: a free one). */
  withHostPort(port) {
    this.hostPort = port;
    return this;
  }

  async start() {
    const port = this.hostPort ?? (await freePort());
    const runtime = await getContainerRuntimeClient();
    const url = `http://${runtime.info.containerRuntime.host}:${port}`;
    this.withExposedPorts({ container: PORT, host: port });
    this.withEnvironment({ GENESYS_MOCK_PUBLIC_URL: url });
    return new StartedGenesysMockContainer(await super.start(), url, this.clientId, this.clientSecret);
  }
}

class StartedGenesysMockContainer extends AbstractStartedContainer {
  constructor(started, url, clientId, clientSecret) {
    super(started);
    this.url = url;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  /** `http://HOST:PORT`, the mock as the test reaches it. */
  getUrl() {
    return this.url;
  }

  getScimUrl() {
    return `${this.url}/api/v2/scim/v2`;
  }

  getTokenUrl() {
    return `${this.url}/oauth/token`;
  }

  getClientId() {
    return this.clientId;
  }

  getClientSecret() {
    return this.clientSecret;
  }

  /** The default org as an Endpoint: token(), newOrg(), journal(), report(), expect(), env(). */
  getEndpoint() {
    return new Endpoint({ url: this.url, clientId: this.clientId, clientSecret: this.clientSecret, orgId: "default" });
  }

  /** A bearer token for the client. */
  getToken() {
    return this.getEndpoint().token();
  }

  /** The variables `exec` sets, for this container. */
  getEnv() {
    return this.getEndpoint().env();
  }
}

module.exports = { GenesysMockContainer, StartedGenesysMockContainer, IMAGE, IMAGE_NAME, PORT };

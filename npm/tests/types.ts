// Compiled with `tsc --noEmit`: the declarations describe what the packages export.
import { connect, startMock, type GenesysMock, type MockInfo, type MockOrg } from "genesys-scim-mock";
import vitestSetup, { setup } from "genesys-scim-mock/vitest";
import globalSetup = require("genesys-scim-mock/jest/globalSetup");
import globalTeardown = require("genesys-scim-mock/jest/globalTeardown");
import { GenesysMockContainer, type StartedGenesysMockContainer } from "genesys-scim-mock/testcontainers";
import type { ProvidedContext } from "vitest";

async function types(): Promise<void> {
  const mock: GenesysMock = await startMock({ seed: 1, compat: { "read-lag": "2reads" }, rateLimit: "off" });
  const org: MockOrg = await mock.newOrg();
  const token: string = await org.token();
  const junit: string = await org.report({ format: "junit" });
  const info: MockInfo = mock.info();
  const provided: ProvidedContext["genesysMock"] = info;
  connect(provided);
  await org.advanceClock("61s");
  const env = await org.env();
  env.GENESYS_MOCK_SCIM_URL.toUpperCase();
  await mock.stop();
  const started: StartedGenesysMockContainer = await new GenesysMockContainer().withSeed(1).start();
  started.getScimUrl().toUpperCase();
  void [token, junit, vitestSetup, setup({ seed: 2 }), globalSetup, globalTeardown];
}
void types;

import { AbstractStartedContainer, GenericContainer, StartedTestContainer } from "testcontainers";
import type { Endpoint, MockEnv } from "./index";

export declare const IMAGE: string;
export declare const IMAGE_NAME: "ghcr.io/genesys-scim-mock/genesys-scim-mock";
export declare const PORT: 8080;

export declare class GenesysMockContainer extends GenericContainer {
  constructor(image?: string);
  withSeed(seed: number): this;
  withCredentials(clientId: string, clientSecret: string): this;
  withHostPort(port: number): this;
  start(): Promise<StartedGenesysMockContainer>;
}

export declare class StartedGenesysMockContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer, url: string, clientId: string, clientSecret: string);
  getUrl(): string;
  getScimUrl(): string;
  getTokenUrl(): string;
  getClientId(): string;
  getClientSecret(): string;
  getEndpoint(): Endpoint;
  getToken(): Promise<string>;
  getEnv(): Promise<MockEnv>;
}

/** Serve options of `startMock()`: the `serve` flags, camel-cased. */
export interface MockOptions {
  /** A fixture file or directory (`--fixtures`). Default: the built-in default org. */
  fixtures?: string;
  /** Scenario files, or scenarios as objects (`--scenario`). */
  scenarios?: Array<string | Record<string, unknown>>;
  seed?: number;
  /** `"real"` or `"frozen:<RFC3339>"`. */
  clock?: string;
  profile?: "genesys" | "rfc";
  /** Compatibility switches, `{ "read-lag": "2reads" }`. */
  compat?: Record<string, string | number | boolean>;
  rateLimit?: number | "off";
  adminToken?: string;
  /** Any other serve flags. */
  args?: string[];
  /** The binary to run; default: `GENESYS_SCIM_MOCK_BINARY`, else the platform package's. */
  binary?: string;
  /** The loopback address to bind (default `127.0.0.1`). */
  host?: string;
  startupTimeoutMs?: number;
}

/** Plain coordinates of one org on a mock (what the Vitest setup provides). */
export interface MockInfo {
  url: string;
  scimUrl: string;
  tokenUrl: string;
  adminUrl: string;
  clientId: string;
  clientSecret: string;
  orgId: string | null;
}

/** The variables `genesys-scim-mock exec` sets for its command. */
export interface MockEnv {
  GENESYS_MOCK_URL: string;
  GENESYS_MOCK_SCIM_URL: string;
  GENESYS_MOCK_ADMIN_URL: string;
  GENESYS_MOCK_CLIENT_ID: string;
  GENESYS_MOCK_CLIENT_SECRET: string;
  GENESYS_MOCK_TOKEN: string;
}

export type Json = any;
export type Severity = "error" | "warning" | "info";

export interface ReportOptions {
  /** Reject with `ReportFailed` when a rule at or above this level was broken. */
  failOn?: Severity;
  format?: "json" | "junit" | "markdown" | "sarif";
  /** Other `GET /__admin/report` parameters (`from`, `to`, `rules`, ...). */
  [query: string]: string | undefined;
}

export declare class Endpoint {
  constructor(info: { url: string; clientId: string; clientSecret: string; orgId?: string | null; adminToken?: string | null });
  url: string;
  clientId: string;
  clientSecret: string;
  orgId: string | null;
  readonly scimUrl: string;
  readonly tokenUrl: string;
  readonly adminUrl: string;
  info(): MockInfo;
  token(options?: { refresh?: boolean }): Promise<string>;
  env(): Promise<MockEnv>;
  admin(method: string, path: string, body?: Json, options?: { query?: Array<[string, unknown]>; expect?: number[] }): Promise<string>;
  newOrg(fixture?: string | Record<string, unknown>): Promise<MockOrg>;
  loadScenario(scenario: string | Record<string, unknown>): Promise<string>;
  removeScenario(name: string): Promise<void>;
  journal(filters?: Record<string, string | number>): Promise<Json[]>;
  report(options: ReportOptions & { format: "junit" | "markdown" | "sarif" }): Promise<string>;
  report(options?: ReportOptions): Promise<Json>;
  expect(expectation: string | Record<string, unknown>, options?: { check?: boolean }): Promise<Json>;
  advanceClock(by: number | string): Promise<void>;
}

export declare class MockOrg extends Endpoint {
  reset(): Promise<void>;
  delete(): Promise<void>;
}

export declare class GenesysMock extends Endpoint {
  reset(): Promise<void>;
  readonly log: string;
  stop(): Promise<void>;
}

export declare class MockError extends Error {}
export declare class ExpectationFailed extends Error {
  result: Json;
}
export declare class ReportFailed extends Error {
  failed: string[];
  report: Json;
}

export declare const BINARY_ENV: "GENESYS_SCIM_MOCK_BINARY";
export declare const ENV: {
  url: "GENESYS_MOCK_URL";
  scimUrl: "GENESYS_MOCK_SCIM_URL";
  adminUrl: "GENESYS_MOCK_ADMIN_URL";
  clientId: "GENESYS_MOCK_CLIENT_ID";
  clientSecret: "GENESYS_MOCK_CLIENT_SECRET";
  token: "GENESYS_MOCK_TOKEN";
};

/** Starts the binary on a free loopback port; resolves once it answers its health check. */
export declare function startMock(options?: MockOptions): Promise<GenesysMock>;
/** A running mock: from coordinates, or (no argument) from the variables `exec` sets. */
export declare function connect(info?: { url: string; clientId: string; clientSecret: string; orgId?: string | null }): Endpoint;
export declare function findBinary(): string;
export declare function failingRules(report: Json, failOn: Severity): string[];

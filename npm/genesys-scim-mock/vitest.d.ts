import type { MockInfo, MockOptions } from "./index";

declare module "vitest" {
  export interface ProvidedContext {
    genesysMock: MockInfo;
  }
}

type Provider = { provide(key: "genesysMock", value: MockInfo): void };
/** A globalSetup function with these serve options. */
export declare function setup(options?: MockOptions): (project: Provider) => Promise<() => Promise<void>>;
declare const genesysMockSetup: ReturnType<typeof setup> & { setup: typeof setup };
export default genesysMockSetup;

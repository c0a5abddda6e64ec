declare function genesysMockGlobalTeardown(): Promise<void>;
export = genesysMockGlobalTeardown;

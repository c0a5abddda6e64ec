declare function genesysMockGlobalSetup(): Promise<void>;
export = genesysMockGlobalSetup;

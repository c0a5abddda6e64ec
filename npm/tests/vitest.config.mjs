// One mock for the whole run, provided to every test file as `genesysMock`.
export default {
  test: {
    globalSetup: ["genesys-scim-mock/vitest"],
    include: ["vitest/**/*.test.ts"],
  },
};

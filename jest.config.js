/**
 * Two projects, one configuration each way. `unit` (test/unit): in-process, no root, no network
 * beyond loopback. `integration` (test/integration): root, real sshd front-ends in mount
 * namespaces, the real engine. `npm test` runs both; `npm run test:unit` / `test:integration` one
 * (`--selectProjects`).
 */
const shared = {
  preset: "ts-jest",
  testEnvironment: "node",
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  snapshotResolver: "<rootDir>/test/snapshot-resolver.js",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
};

module.exports = {
  // No test is timed (performance is measured by `npm run bench`): jest's 5 s default only turns a
  // loaded CI host (both projects side by side, sandboxes, MariaDB) into failures of tests that spawn
  // emulated front-end commands. Files that need longer set their own. A global option: inside a
  // project's configuration jest ignores it (with an "Unknown option" warning).
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: "unit", roots: ["<rootDir>/test/unit"] },
    { ...shared, displayName: "integration", roots: ["<rootDir>/test/integration"] },
  ],
};

import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 60_000, hookTimeout: 300_000, pool: 'forks' as const };

// `npm test` runs every project; `npm run test:hostile` only the hostile-input and fault tests.
export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { test: { ...shared, name: 'hostile', include: ['test/hostile/**/*.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});

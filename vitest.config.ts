import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn real processes and servers; two workers match CI's two cores.
    maxWorkers: 2,
    fileParallelism: true,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // As the build's esbuild text loader: `import script from './relay.pl'` is the file's text.
  plugins: [{ name: 'text-pl', transform: (code, id) => (id.endsWith('.pl') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined) }],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn real processes and servers; two workers match CI's two cores.
    maxWorkers: 2,
    fileParallelism: true,
  },
});

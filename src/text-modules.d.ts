// Files the build bundles as text (esbuild's text loader; vitest.config.ts does the same for tests).
declare module '*.pl' {
  const text: string;
  export default text;
}

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // No source maps: tsup's maps embed the TypeScript sources (sourcesContent), which must not ship;
  // the unminified dist is readable in a stack trace as it is.
  sourcemap: false,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});

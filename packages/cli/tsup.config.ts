import { defineConfig } from 'tsup';

// One ESM entry: a command, not a library. The shebang of src/cli.ts is kept by esbuild.
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  // No source maps: tsup's maps embed the TypeScript sources (sourcesContent), which must not ship;
  // the unminified dist is readable in a stack trace as it is.
  sourcemap: false,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});

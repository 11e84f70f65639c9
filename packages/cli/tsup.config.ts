import { defineConfig } from 'tsup';

// One ESM entry: a command, not a library. The shebang of src/cli.ts is kept by esbuild.
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});

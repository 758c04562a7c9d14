// Compiles src/ to dist/ with declarations, then bundles tfjs-core's gradient registration into
// dist/register-gradients.js so that importing the package in plain Node ESM registers gradients.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
await esbuild.build({
  entryPoints: ['src/register-gradients.ts'],
  outfile: 'dist/register-gradients.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  allowOverwrite: true,
  logLevel: 'warning',
  plugins: [
    {
      // The package root stays the user's own tfjs-core; only the gradient modules are bundled.
      name: 'tfjs-core-root-external',
      setup(build) {
        build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});

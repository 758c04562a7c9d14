// Compiles src/ to dist/ with declarations, then bundles tfjs-core's gradient registration into
// dist/register-gradients.js so that importing the package in plain Node ESM registers gradients,
// and bundles the arena's worker thread into one CommonJS file, which starts faster than its ~190 modules.
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

// Each arena worker thread loads its own copy of the library; from one file it starts in about two
// thirds of the time. Packages (tfjs-core, its cpu backend) stay external, shared with the user's.
// CommonJS, so that they are loaded by require: importing a CommonJS package from ES modules first
// scans its whole source for export names, some 0.1 s for tfjs-core in every worker.
await esbuild.build({
  entryPoints: ['dist/arena/worker.js'],
  outfile: 'dist/arena/worker.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
for (const file of ['worker.js', 'worker.js.map', 'worker.d.ts']) rmSync(`dist/arena/${file}`, { force: true });

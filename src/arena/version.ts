import { readFileSync } from 'node:fs';

/** The package's version, from its package.json (two levels above this file in src/ and dist/). */
export function losskitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

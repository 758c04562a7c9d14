// Every benchmark suite of the library, one after the other, each in its own process so that one
// suite's memory and JIT state do not colour the next. Usage: npm run bench [-- embedding topology]
// (suites: classification, embedding, topology, arena; default all). Each suite also runs alone as
// `npm run bench:<suite>`, where it takes its own options.
import { execFileSync } from 'node:child_process';

const SUITES = ['classification', 'embedding', 'topology', 'arena'] as const;
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(SUITES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')} (suites: ${SUITES.join(', ')})`);
  process.exit(2);
}
for (const suite of wanted.length === 0 ? SUITES : wanted) {
  console.log(`\n=== ${suite} ===\n`);
  execFileSync(process.execPath, ['--import', 'tsx', `bench/${suite}.ts`], { stdio: 'inherit' });
}

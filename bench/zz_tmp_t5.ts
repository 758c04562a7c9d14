import { denseRanks } from '../src/topology/complex.ts';
const n = 375 * 375;
const a = new Float64Array(n).map(() => -Math.fround(Math.random()));
const ts: number[] = [];
for (let rep = 0; rep < 40; rep++) {
  const c0 = process.cpuUsage();
  denseRanks(a);
  const c = process.cpuUsage(c0);
  ts.push((c.user + c.system) / 1000);
}
ts.sort((x, y) => x - y);
console.log('ranks cpu min', ts[0], 'median', ts[20]);
const ts2: number[] = [];
for (let rep = 0; rep < 40; rep++) {
  const c0 = process.cpuUsage();
  a.slice().sort();
  const c = process.cpuUsage(c0);
  ts2.push((c.user + c.system) / 1000);
}
ts2.sort((x, y) => x - y);
console.log('native sort cpu min', ts2[0], 'median', ts2[20]);

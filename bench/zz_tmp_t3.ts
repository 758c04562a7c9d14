import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { buildComplex2d } from '../src/topology/complex.ts';
import { persistencePairs2d } from '../src/topology/persistence.ts';
import { matchSublevelImages } from '../src/topology/bettiMatching.ts';
const png = PNG.sync.read(readFileSync('data/roads/label_0111.png'));
const H = png.height, W = png.width;
const mask = new Float64Array(H * W);
for (let i = 0; i < H * W; i++) mask[i] = png.data[4 * i]! > 127 ? 1 : 0;
let s = 1;
const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
const pred = mask.map((v) => Math.fround(Math.min(1, Math.max(0, 0.8 * v + 0.1 + 0.25 * (rnd() - 0.5)))));
const neg = (a: Float64Array) => a.map((v) => -v + 0);
const t: Record<string, number[]> = { complex: [], pairs: [], matching: [] };
for (let rep = 0; rep < 25; rep++) {
  let t0 = performance.now(); const c0 = process.cpuUsage();
  const cx = buildComplex2d(neg(pred), H, W);
  let t1 = performance.now();
  const pp = persistencePairs2d(cx);
  let t2 = performance.now();
  const m = matchSublevelImages(neg(pred), neg(mask), H, W);
  let t3 = performance.now(); const c3 = process.cpuUsage(c0); (t as any).cpu ??= []; (t as any).cpu.push((c3.user + c3.system) / 1000);
  t.complex!.push(t1 - t0); t.pairs!.push(t2 - t1); t.matching!.push(t3 - t2);
}
for (const [k, v] of Object.entries(t)) console.log(k, Math.min(...v).toFixed(1), v.sort((x, y) => x - y)[12]!.toFixed(1));

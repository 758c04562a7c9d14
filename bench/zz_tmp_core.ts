import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { matchSublevelImages } from '../src/topology/bettiMatching.ts';
import { sublevelValues } from '../src/topology/image.ts';
const png = PNG.sync.read(readFileSync('data/roads/label_0111.png'));
const size = png.width;
const road = Float32Array.from({ length: size * size }, (_, i) => ((png.data[4 * i] as number) > 127 ? 1 : 0));
let s = 3; const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
const perturbed = road.map((v) => Math.min(1, Math.max(0, 0.1 + 0.8 * v + 0.3 * (r() - 0.5))));
const ts: number[] = [];
for (let i = 0; i < 40; i++) { const c0 = process.cpuUsage(); matchSublevelImages(sublevelValues(perturbed, 'superlevel'), sublevelValues(road, 'superlevel'), size, size); const c = process.cpuUsage(c0); ts.push((c.user + c.system) / 1000); }
ts.sort((a, b) => a - b); console.log('core cpu min', ts[0]!.toFixed(1), 'p25', ts[10]!.toFixed(1), 'median', ts[20]!.toFixed(1));

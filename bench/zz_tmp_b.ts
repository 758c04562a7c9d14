import { loadRoadMask, ROAD_MASKS } from '../test/roads.ts';
import { bettiNumbers } from '../src/topology/bettiNumbers.ts';
for (const n of ROAD_MASKS) { const m = loadRoadMask(n); console.log(n, bettiNumbers({ data: m.data, shape: [m.height, m.width] }), m.data.reduce((a, b) => a + b, 0)); }

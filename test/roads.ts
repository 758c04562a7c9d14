import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

/** The road masks copied into data/roads (see data/README.md). */
export const ROAD_MASKS = ['label_0111.png', 'label_0113.png', 'label_0122.png'] as const;

/** A road mask decoded from its PNG: 1 where a road is (grey value 255), 0 elsewhere, row-major. */
export function loadRoadMask(name: (typeof ROAD_MASKS)[number]): { data: Float64Array; height: number; width: number } {
  const png = PNG.sync.read(readFileSync(fileURLToPath(new URL(`../data/roads/${name}`, import.meta.url))));
  const data = new Float64Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = (png.data[4 * i] as number) > 127 ? 1 : 0;
  return { data, height: png.height, width: png.width };
}

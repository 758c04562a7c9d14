import { it } from 'vitest';
import { diceLoss } from './diceLoss.js';
it('smoke', () => {
  diceLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).print();
  diceLoss([[[1, 0], [0, 2]]], [[[[0.8,0.2,0],[0,0,1]],[[0,1,0],[1,0,0]]]], {mode:'multiclass', reduction:'none'}).print();
});

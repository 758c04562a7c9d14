import { existsSync } from 'node:fs';
import { BUILTIN_SETS } from './builtin.js';
import { loadCsv } from './csv.js';
import type { RawDataset } from './dataset.js';
import { inputError } from './errors.js';

/**
 * Loads `--data`: a CSV file, or the name of a built-in set when no file has that name. `target` names
 * the target column of a CSV file (its last column when omitted); built-in sets have their own.
 */
export function loadDataset(data: string, target?: string): RawDataset {
  const builtin = BUILTIN_SETS[data];
  if (builtin !== undefined && !existsSync(data)) {
    if (target !== undefined && target !== 'target') {
      inputError(`data set "${data}" is built in and has a single target column "target"; --target "${target}" does not apply`);
    }
    return builtin.load();
  }
  if (!existsSync(data) && !/[./\\]/.test(data)) {
    inputError(`data file "${data}" does not exist, and it is not a built-in set (${Object.keys(BUILTIN_SETS).join(', ')})`);
  }
  return loadCsv(data, target);
}

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RawDataset } from './dataset.js';
import { inputError } from './errors.js';

/** Text that reads as a decimal number (surrounding spaces already trimmed): fields, targets, option values. */
export const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** Whether the first row is a header: some field in it is neither empty nor a number. */
function looksLikeHeader(row: readonly string[]): boolean {
  return row.some((field) => field !== '' && !NUMBER_TEXT.test(field) && !NOT_FINITE.test(field));
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/**
 * Picks the target column: by name, or by 1-based position when no column has that name; the last
 * column when none is given.
 */
function targetIndex(columns: readonly string[], target: string | undefined, file: string): number {
  if (target === undefined) return columns.length - 1;
  const byName = columns.indexOf(target);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(target)) {
    const position = Number(target);
    if (position >= 1 && position <= columns.length) return position - 1;
  }
  const shown = columns.length > 12 ? `${columns.slice(0, 12).join(', ')}, ...` : columns.join(', ');
  return inputError(`data file "${file}": target column "${target}" not found; the columns are ${shown}`);
}

/**
 * Reads a CSV file: comma-separated, fields optionally quoted (a quoted field may hold commas and line
 * breaks), a header line detected when any field of the first row is not a number (otherwise columns
 * are named col1, col2, ...). Every column but the target must hold finite numbers.
 *
 * Each problem is an {@link ArenaInputError} naming the file, and the line and column where there is one.
 */
export function loadCsv(file: string, target?: string): RawDataset {
  let bytes: Buffer;
  try {
    if (statSync(file).isDirectory()) inputError(`data file "${file}" is a directory`);
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') inputError(`data file "${file}" does not exist`);
    if (code === undefined) throw error;
    return inputError(`data file "${file}" cannot be read (${code})`);
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') inputError(`data file "${file}" is empty`);

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true });
  } catch (error) {
    const e = error as Error & { lines?: number };
    return inputError(`data file "${file}"${e.lines === undefined ? '' : ` line ${e.lines}`}: not valid CSV (${e.message.split('\n')[0]})`);
  }
  const first = records[0];
  if (first === undefined) return inputError(`data file "${file}" is empty`);
  const hasHeader = looksLikeHeader(first.record);
  const columns = hasHeader ? first.record.map((name, j) => name || `col${j + 1}`) : first.record.map((_, j) => `col${j + 1}`);
  const rows = hasHeader ? records.slice(1) : records;
  if (columns.length < 2) inputError(`data file "${file}": expected at least 2 columns (features and a target), got ${columns.length}`);
  if (rows.length === 0) inputError(`data file "${file}" has a header but no data rows`);

  const t = targetIndex(columns, target, file);
  const numFeatures = columns.length - 1;
  const features = new Float64Array(rows.length * numFeatures);
  const targets: string[] = [];
  rows.forEach(({ record, info }, i) => {
    const line = info.lines;
    if (record.length !== columns.length) {
      inputError(`data file "${file}" line ${line}: expected ${columns.length} fields like ${hasHeader ? 'the header' : 'the first row'}, got ${record.length}`);
    }
    let k = 0;
    record.forEach((field, j) => {
      if (j === t) {
        if (field === '') inputError(`data file "${file}" line ${line}: the target column "${columns[t]}" is empty`);
        targets.push(field);
        return;
      }
      const where = `data file "${file}" line ${line}, column "${columns[j]}"`;
      if (field === '') inputError(`${where}: expected a number, got an empty field`);
      if (NOT_FINITE.test(field)) inputError(`${where}: expected a finite number, got ${field}`);
      if (!NUMBER_TEXT.test(field)) inputError(`${where}: expected a number, got ${quoted(field)}`);
      const value = Number(field);
      if (!Number.isFinite(value)) inputError(`${where}: expected a finite number, got ${field}`);
      features[i * numFeatures + k] = value;
      k++;
    });
  });

  return {
    name: basename(file).replace(/\.csv$/i, ''),
    source: file,
    digest: createHash('sha256').update(bytes).digest('hex'),
    numSamples: rows.length,
    numFeatures,
    features,
    featureNames: columns.filter((_, j) => j !== t),
    targetName: columns[t] as string,
    target: targets,
  };
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inputErrorOf } from '../../test/arena-errors.js';
import { loadCsv } from './csv.js';
import { loadDataset } from './data.js';

const dir = mkdtempSync(join(tmpdir(), 'losskit-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}


describe('loadCsv', () => {
  it('reads a header, quoted fields and the named target column', () => {
    const path = file('quoted.csv', 'a,"b, with comma",label\n1,2.5,yes\n"3",-4e-1,"no"\n\n5,.5,yes\n');
    const data = loadCsv(path, 'label');
    expect(data.featureNames).toEqual(['a', 'b, with comma']);
    expect(data.targetName).toBe('label');
    expect(Array.from(data.features)).toEqual([1, 2.5, 3, -0.4, 5, 0.5]);
    expect(data.target).toEqual(['yes', 'no', 'yes']);
    expect(data.numSamples).toBe(3);
    expect(data.name).toBe('quoted');
  });

  it('treats an all-numeric first row as data, names columns col1.., and defaults to the last column', () => {
    const data = loadCsv(file('nohead.csv', '1,2,0\n3,4,1\n'));
    expect(data.featureNames).toEqual(['col1', 'col2']);
    expect(data.targetName).toBe('col3');
    expect(data.numSamples).toBe(2);
    expect(loadCsv(file('nohead2.csv', '1,2,0\n3,4,1\n'), '1').targetName).toBe('col1');
  });

  it('gives the same digest for the same bytes and a different one otherwise', () => {
    const a = loadCsv(file('d1.csv', 'x,y\n1,0\n2,1\n'));
    const b = loadCsv(file('d2.csv', 'x,y\n1,0\n2,1\n'));
    const c = loadCsv(file('d3.csv', 'x,y\n1,0\n3,1\n'));
    expect(a.digest).toBe(b.digest);
    expect(a.digest).not.toBe(c.digest);
  });

  it('reports each bad input in one line with its place', () => {
    const missing = join(dir, 'nope.csv');
    expect(inputErrorOf(() => loadCsv(missing))).toBe(`data file "${missing}" does not exist`);
    const empty = file('empty.csv', '\n  \n');
    expect(inputErrorOf(() => loadCsv(empty))).toBe(`data file "${empty}" is empty`);
    const ragged = file('ragged.csv', 'a,b,c\n1,2,0\n3,4,1\n5,6\n');
    expect(inputErrorOf(() => loadCsv(ragged))).toBe(`data file "${ragged}" line 4: expected 3 fields like the header, got 2`);
    const text = file('text.csv', 'a,b,c\n1,2,0\n3,abc,1\n');
    expect(inputErrorOf(() => loadCsv(text))).toBe(`data file "${text}" line 3, column "b": expected a number, got "abc"`);
    const nan = file('nan.csv', 'a,b,c\n1,NaN,0\n');
    expect(inputErrorOf(() => loadCsv(nan))).toBe(`data file "${nan}" line 2, column "b": expected a finite number, got NaN`);
    const inf = file('inf.csv', 'a,b,c\n1,2,0\n-Infinity,2,1\n');
    expect(inputErrorOf(() => loadCsv(inf))).toBe(`data file "${inf}" line 3, column "a": expected a finite number, got -Infinity`);
    const overflow = file('overflow.csv', 'a,b,c\n1e999,2,0\n');
    expect(inputErrorOf(() => loadCsv(overflow))).toBe(`data file "${overflow}" line 2, column "a": expected a finite number, got 1e999`);
    const blank = file('blank.csv', 'a,b,c\n1,,0\n');
    expect(inputErrorOf(() => loadCsv(blank))).toBe(`data file "${blank}" line 2, column "b": expected a number, got an empty field`);
    const noTarget = file('notarget.csv', 'a,b,c\n1,2,0\n');
    expect(inputErrorOf(() => loadCsv(noTarget, 'label'))).toBe(`data file "${noTarget}": target column "label" not found; the columns are a, b, c`);
    const headerOnly = file('header.csv', 'a,b,c\n');
    expect(inputErrorOf(() => loadCsv(headerOnly))).toBe(`data file "${headerOnly}" has a header but no data rows`);
    const quote = file('quote.csv', 'a,b\n1,"2\n');
    expect(inputErrorOf(() => loadCsv(quote))).toMatch(new RegExp(`^data file "${quote.replace(/[.]/g, '\\.')}" line 2: not valid CSV \\(Quote Not Closed`));
    const folder = join(dir, 'folder.csv');
    mkdirSync(folder);
    expect(inputErrorOf(() => loadCsv(folder))).toBe(`data file "${folder}" is a directory`);
  });
});

describe('loadDataset', () => {
  it('loads the built-in sets with their class names and shapes', () => {
    const bc = loadDataset('breast-cancer');
    expect([bc.numSamples, bc.numFeatures]).toEqual([569, 30]);
    expect(bc.classOrder).toEqual(['malignant', 'benign']);
    expect(bc.target.filter((t) => t === 'malignant').length).toBe(212);
    const digits = loadDataset('digits');
    expect([digits.numSamples, digits.numFeatures]).toEqual([1797, 64]);
    expect(digits.imageShape).toEqual([8, 8]);
    const diabetes = loadDataset('diabetes');
    expect([diabetes.numSamples, diabetes.numFeatures]).toEqual([442, 10]);
    expect(Number(diabetes.target[0])).toBe(151);
    expect(loadDataset('iris').classOrder).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(loadDataset('wine').numFeatures).toBe(13);
  });

  it('names the built-in sets when neither a file nor a set matches', () => {
    expect(inputErrorOf(() => loadDataset('breast'))).toBe('data file "breast" does not exist, and it is not a built-in set (breast-cancer, digits, wine, iris, diabetes)');
    expect(inputErrorOf(() => loadDataset('iris', 'species'))).toBe('data set "iris" is built in and has a single target column "target"; --target "species" does not apply');
  });
});

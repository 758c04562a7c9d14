import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../../test/arena-errors.js';
import type { FunctionLossSpec, LossSpec } from '../losses/_shared/spec.js';
import { registry } from '../registry.js';
import { checkLossesForTask, findLoss, parseLosses } from './loss-config.js';

/** A made-up loss with one parameter of each kind, so every parsing rule is exercised. */
const fake: FunctionLossSpec = {
  kind: 'function',
  id: 'fakeLoss',
  family: 'classification',
  summary: 'test double',
  formula: '0',
  fn: ((_: unknown, p: tf.Tensor) => tf.sum(p)) as unknown as FunctionLossSpec['fn'],
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: {
    gamma: { kind: 'number', default: 2, min: 0, doc: 'g' },
    tau: { kind: 'number', default: 1, min: 0, max: 1, exclusiveMin: true, doc: 't' },
    k: { kind: 'number', default: 3, min: 1, integer: true, doc: 'k' },
    mode: { kind: 'choice', default: 'a', choices: ['a', 'b'], doc: 'm' },
    flag: { kind: 'boolean', default: false, doc: 'f' },
    weights: { kind: 'data', type: 'number[]', doc: 'w' },
    adversarial: { kind: 'data', type: 'logits', required: true, shape: 'likePrediction', doc: 'adv' },
  },
  properties: [],
  reference: '-',
};
const binaryOnly: LossSpec = { ...fake, id: 'binaryOnly', tasks: ['binary'], params: {} };
const needsData: LossSpec = { ...fake, id: 'needsData', params: { table: { kind: 'data', type: 'number[][]', required: true, doc: 'x' } } };
/** Target kinds that the task does not provide: real targets on a binary task, class indices on a regression task. */
const realTargets: LossSpec = { ...fake, id: 'realTargets', target: 'real', prediction: 'real', tasks: ['binary', 'regression'], params: {} };
const classTargets: LossSpec = { ...fake, id: 'classTargets', tasks: ['regression'], params: {} };
const specs = new Map([fake, binaryOnly, needsData, realTargets, classTargets].map((s) => [s.id, s]));
const lookUp = (id: string) => specs.get(id) ?? findLoss(id);


describe('parseLosses', () => {
  it('splits losses and their key=value parameters, typed by the registry', () => {
    const parsed = parseLosses('fakeLoss,fakeLoss:gamma=0.5,mode=b,flag=true,k=4,weights=[1,10],binaryOnly', lookUp);
    expect(parsed.map((p) => p.config)).toEqual([
      { key: 'fakeLoss', id: 'fakeLoss', options: {} },
      { key: 'fakeLoss:gamma=0.5,mode=b,flag=true,k=4,weights=[1,10]', id: 'fakeLoss', options: { gamma: 0.5, mode: 'b', flag: true, k: 4, weights: [1, 10] } },
      { key: 'binaryOnly', id: 'binaryOnly', options: {} },
    ]);
    expect(parsed[0]?.spec).toBe(fake);
  });

  it('passes values unchanged, including the bounds of a range', () => {
    expect(parseLosses('fakeLoss:tau=1,gamma=0', lookUp)[0]?.config.options).toEqual({ tau: 1, gamma: 0 });
  });

  it('reports a bad parameter with the range the registry declares', () => {
    expect(inputErrorOf(() => parseLosses('fakeLoss:gamma=-1', lookUp))).toBe('fakeLoss: expected `gamma` to be a finite number >= 0, got "-1"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:tau=0', lookUp))).toBe('fakeLoss: expected `tau` to be a finite number > 0 and <= 1, got "0"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:k=1.5', lookUp))).toBe('fakeLoss: expected `k` to be an integer >= 1, got "1.5"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:gamma=abc', lookUp))).toBe('fakeLoss: expected `gamma` to be a finite number >= 0, got "abc"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:mode=c', lookUp))).toBe('fakeLoss: expected `mode` to be one of a | b, got "c"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:flag=yes', lookUp))).toBe('fakeLoss: expected `flag` to be true or false, got "yes"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:weights=[1,', lookUp))).toBe('fakeLoss: expected `weights` to be a JSON value: number[], got "[1,"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:gama=1', lookUp))).toBe('fakeLoss: expected each parameter to be one of gamma, tau, k, mode, flag, weights, adversarial, got `gama`');
    expect(inputErrorOf(() => parseLosses('fakeLoss:gamma=1,gamma=2', lookUp))).toBe('fakeLoss: parameter `gamma` is given twice');
    expect(inputErrorOf(() => parseLosses('fakeLoss:adversarial=[1]', lookUp))).toBe(
      'fakeLoss: `adversarial` is computed by the arena (predictions on inputs perturbed by --adv-eps), not set on the command line',
    );
  });

  it('reports syntax errors, duplicates and unknown ids with the closest registered ids', () => {
    expect(inputErrorOf(() => parseLosses('gamma=1,fakeLoss', lookUp))).toBe('--losses: "gamma=1" comes before any loss id');
    expect(inputErrorOf(() => parseLosses('fakeLoss,,binaryOnly', lookUp))).toBe('--losses: empty item in "fakeLoss,,binaryOnly"');
    expect(inputErrorOf(() => parseLosses('fakeLoss:gamma', lookUp))).toBe('--losses: expected key=value after "fakeLoss:", got "gamma"');
    expect(inputErrorOf(() => parseLosses('fakeLoss,fakeLoss', lookUp))).toBe('--losses: "fakeLoss" is listed twice');
    expect(inputErrorOf(() => parseLosses('softmaxCrossEntropyy'))).toMatch(/^unknown loss "softmaxCrossEntropyy" \(did you mean softmaxCrossEntropy, .*\?\); `losskit list` shows them all$/);
  });

  it('reads every registered id', () => {
    for (const spec of registry) expect(parseLosses(spec.id)[0]?.spec).toBe(spec);
  });
});

describe('checkLossesForTask', () => {
  it('keeps compatible losses and names the option the arena fills', () => {
    const [checked] = checkLossesForTask(parseLosses('fakeLoss', lookUp), 'multiclass');
    expect(checked?.adversarialOption).toBe('adversarial');
  });

  it('names the incompatible loss and why', () => {
    expect(inputErrorOf(() => checkLossesForTask(parseLosses('fakeLoss,binaryOnly', lookUp), 'multiclass'))).toBe(
      'loss "binaryOnly" does not apply to a multiclass task (its tasks: binary)',
    );
    expect(inputErrorOf(() => checkLossesForTask(parseLosses('needsData', lookUp), 'binary'))).toBe('loss "needsData" needs `table` (number[][]), which the arena cannot supply');
    expect(inputErrorOf(() => checkLossesForTask(parseLosses('realTargets', lookUp), 'binary'))).toBe('loss "realTargets" takes targets of kind "real", which a binary task does not provide');
    expect(inputErrorOf(() => checkLossesForTask(parseLosses('classTargets', lookUp), 'regression'))).toBe(
      'loss "classTargets" takes targets of kind "classIndex", which a regression task does not provide',
    );
    expect(checkLossesForTask(parseLosses('realTargets', lookUp), 'regression')).toHaveLength(1);
  });

  it('agrees with the registry metadata for every registered loss and task', () => {
    for (const spec of registry) {
      for (const task of ['binary', 'multiclass', 'regression'] as const) {
        const check = () => checkLossesForTask([{ config: { key: spec.id, id: spec.id, options: {} }, spec }], task);
        if (spec.tasks.includes(task)) expect(check).not.toThrow();
        else expect(check).toThrow(`loss "${spec.id}" does not apply to a ${task} task`);
      }
    }
  });
});

/**
 * Entry of an arena worker thread (loaded from the bundled `dist/arena/worker.cjs`): its own tfjs,
 * CPU backend and gradients; it runs the trials the main thread sends, one at a time, and reports
 * each epoch and each finished trial. Messages:
 *
 *     in:  { type: 'run', job }                 out: { type: 'epoch', job, record }, { type: 'done', job, result }
 *     out: { type: 'ready' } once set up,       { type: 'error', message } when a trial cannot run at all
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getLoss } from '../registry.js';
import { setUpBackend } from './backend.js';
import { type RunPlan, TrialExecutor, type TrialJob } from './jobs.js';
import { checkLossesForTask } from './loss-config.js';

const port = parentPort;
if (port === null) throw new Error('arena worker: must run in a worker thread');
const plan = workerData as RunPlan;
// No top-level await: the worker is bundled as CommonJS (see scripts/build.mjs).
void setUpBackend().then(() => {
  const losses = checkLossesForTask(
    plan.losses.map((config) => ({ config, spec: getLoss(config.id) })),
    plan.data.task,
  );
  const executor = new TrialExecutor(plan, losses);
  port.on('message', (message: { type: 'run'; job: TrialJob }) => {
    const { job } = message;
    try {
      const result = executor.run(job, (record) => port.postMessage({ type: 'epoch', job, record }));
      port.postMessage({ type: 'done', job, result });
    } catch (error) {
      port.postMessage({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  port.postMessage({ type: 'ready' });
});

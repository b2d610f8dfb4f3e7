// A worker thread of workerThreadRunner: sets up its own tfjs backend, then runs the jobs it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { useBackend, type BackendChoice } from '@kramers/core';
import type { WorkerReply, WorkerRequest } from './escape-worker-protocol.js';
import { runAnyEscapeJob } from './run-any-escape-job.js';

const port = parentPort;
if (port == null) throw new Error('escape-worker.js runs as a worker thread of workerThreadRunner');
const ready = useBackend(((workerData as { backend?: string } | null)?.backend ?? 'auto') as BackendChoice);
let stop = false;
const reply = (message: WorkerReply): void => port.postMessage(message);

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'stop') {
    stop = true;
    return;
  }
  void (async () => {
    try {
      await ready;
      const result = await runAnyEscapeJob(request.job, {
        onProgress: (stepsRun, remaining) => reply({ type: 'progress', stepsRun, remaining }),
        shouldStop: () => stop,
      });
      reply({ type: 'result', result });
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});

/** Drives test/fixtures/train-process.ts in a child process: one JSON answer per command line (see the fixture). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RedisBusStats } from '@kramers/redis-bus';
import type { FixtureArgs } from './fixtures/train-process.js';

const fixture = fileURLToPath(new URL('./fixtures/train-process.ts', import.meta.url));

/** What the fixture takes on its command line (a type-only import: the fixture's code does not run here). */
export type FixtureOptions = FixtureArgs;

export interface PhaseResult {
  readonly steps: number;
  readonly ms: number;
  /** CPU time of the training process over the phase (user + system). */
  readonly cpuMs: number;
  readonly stats: RedisBusStats;
}

export interface TrainingProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has built its model and published its run start event. */
  readonly ready: Promise<void>;
  train(steps: number): Promise<PhaseResult>;
  stats(): Promise<RedisBusStats>;
  /** Publishes the run end event, closes the bus (flushing to Redis) and waits for the process to exit. */
  end(): Promise<{ closed: RedisBusStats; code: number | null }>;
  stderr(): string;
}

export function startTrainingProcess(options: FixtureOptions): TrainingProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const answers: Array<(line: unknown) => void> = [];
  const early: unknown[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const parsed = JSON.parse(line) as unknown;
    const next = answers.shift();
    if (next) next(parsed);
    else early.push(parsed);
  });
  const answer = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (early.length > 0) return resolve(early.shift() as T);
      answers.push((line) => resolve(line as T));
      void exited.then((code) => reject(new Error(`training process ${options.runId} exited (${code}) without answering: ${err}`)));
    });
  const ready = answer<{ ready: true }>().then(() => undefined);
  return {
    child,
    ready,
    train: (steps) => {
      child.stdin.write(`train ${steps}\n`);
      return answer<PhaseResult>();
    },
    stats: async () => {
      child.stdin.write('stats\n');
      return (await answer<{ stats: RedisBusStats }>()).stats;
    },
    end: async () => {
      child.stdin.write('end\n');
      const { closed } = await answer<{ closed: RedisBusStats }>();
      return { closed, code: await exited };
    },
    stderr: () => err,
  };
}

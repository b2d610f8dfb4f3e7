import { fork, type ChildProcess } from 'node:child_process';
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, useBackend } from '@kramers/core';
import { DEFAULT_QUEUE_NAME, parseRedisUrl, QueueConnectionError, QueueUrlError, redact, startQueueWorker } from '@kramers/queue';
import { CliError } from '../cli-error.js';
import { CliFailure } from '../cli-failure.js';
import { catchStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from '../compare/signals.js';
import type { Io } from '../io.js';
import { oneOf, positiveInteger } from '../parse-flags.js';
import { workerEventLine } from './worker-event-line.js';

interface WorkerFlags {
  queue: string;
  concurrency: number;
  backend: string;
  lockDuration: number;
  stalledInterval: number;
  slot?: string;
}

/**
 * `kramers worker --queue redis://…`: runs the escape jobs that `kramers reproduce --queue` puts on the queue, until
 * SIGINT or SIGTERM, which release the job in hand back to the queue. `--concurrency N` runs N worker processes
 * (tfjs computes on one thread per process), each a `kramers worker` of its own.
 */
export function workerCommand(io: Io): Command {
  return new Command('worker')
    .description('Run escape jobs from a Redis queue (kramers reproduce … --queue) until Ctrl-C; the job in hand goes back to the queue')
    .requiredOption('--queue <url>', 'Redis to take jobs from: redis://host:port, redis://:password@host:port/db, rediss:// for TLS')
    .addOption(new Option('--concurrency <N>', 'jobs at a time, each in its own process').default(1).argParser(positiveInteger('--concurrency')))
    .addOption(new Option('--backend <name>', 'tfjs backend').default('auto').argParser(oneOf('--backend', BACKEND_CHOICES)))
    .addOption(
      new Option('--lock-duration <ms>', "a job's lock, renewed every half of it; a killed worker's job goes to another after this plus --stalled-interval")
        .default(10_000)
        .argParser(positiveInteger('--lock-duration')),
    )
    .addOption(new Option('--stalled-interval <ms>', 'how often to look for jobs of killed workers').default(5_000).argParser(positiveInteger('--stalled-interval')))
    .addOption(new Option('--slot <name>').hideHelp())
    .action(async (flags: WorkerFlags) => {
      try {
        parseRedisUrl(flags.queue);
      } catch (err) {
        if (err instanceof QueueUrlError) throw new CliError(`--queue: ${err.message}`);
        throw err;
      }
      if (flags.concurrency > 1) return supervise(flags, io);
      const slot = flags.slot === undefined ? '' : `[${flags.slot}]`;
      const say = (line: string): void => void io.stderr.write(`${line}\n`);
      const backend = await useBackend(flags.backend as never);
      let worker;
      try {
        worker = await startQueueWorker({
          url: flags.queue,
          lockDurationMs: flags.lockDuration,
          stalledIntervalMs: flags.stalledInterval,
          onEvent: (e) => say(workerEventLine(e, slot)),
        });
      } catch (err) {
        if (err instanceof QueueConnectionError) throw new CliFailure(`--queue: ${err.message}`);
        throw err;
      }
      say(`kramers worker${slot}: taking escape jobs from queue ${DEFAULT_QUEUE_NAME} at ${redact(flags.queue)} on ${backend} (pid ${process.pid}); Ctrl-C to stop`);
      const signal = await untilStopped(() => process.exit(1));
      say(`kramers worker${slot}: ${signal}: stopping; a job in hand goes back to the queue (again to exit at once)`);
      await worker.close();
      say(`kramers worker${slot}: stopped`);
      // A forked worker's open IPC channel would keep this process alive.
      if (process.connected) process.disconnect();
      throw new CliFailure(`worker stopped by ${signal}`, SIGNAL_EXIT_CODES[signal]);
    });
}

/**
 * Resolves with the first SIGINT/SIGTERM, or when the process that forked this one goes away (its IPC channel closes
 * even when it is SIGKILLed), so no worker outlives its supervisor.
 */
function untilStopped(onSecond: () => void): Promise<StopSignal> {
  return new Promise((resolve) => {
    catchStopSignals(resolve, onSecond);
    process.once('disconnect', () => resolve('SIGTERM'));
  });
}

/**
 * N single-job worker processes of this same command, stopped together; exits when all have. They run in their own
 * process group, so a terminal's Ctrl-C reaches them once, forwarded from here, not twice (the second would kill).
 */
async function supervise(flags: WorkerFlags, io: Io): Promise<void> {
  const script = process.argv[1];
  if (script === undefined) throw new CliFailure('--concurrency: cannot find the kramers script to start worker processes with');
  const args = (i: number): string[] => [
    'worker',
    '--queue', flags.queue,
    '--concurrency', '1',
    '--backend', flags.backend,
    '--lock-duration', String(flags.lockDuration),
    '--stalled-interval', String(flags.stalledInterval),
    '--slot', String(i + 1),
  ];
  const children: ChildProcess[] = Array.from({ length: flags.concurrency }, (_, i) => fork(script, args(i), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true }));
  io.stderr.write(`kramers worker: ${flags.concurrency} worker processes (pids ${children.map((c) => c.pid).join(', ')}) on ${redact(flags.queue)}\n`);
  const exits = children.map((c) => new Promise<number>((resolve) => c.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)))));
  let stoppedBy: StopSignal | undefined;
  const uncatch = catchStopSignals(
    (signal) => {
      stoppedBy = signal;
      for (const c of children) c.kill(signal);
    },
    () => {
      for (const c of children) c.kill('SIGKILL');
    },
  );
  try {
    const codes = await Promise.all(exits);
    if (stoppedBy !== undefined) throw new CliFailure(`workers stopped by ${stoppedBy}`, SIGNAL_EXIT_CODES[stoppedBy]);
    const bad = codes.filter((c) => c !== 0);
    if (bad.length > 0) throw new CliFailure(`${bad.length} of ${children.length} worker processes exited with an error`);
  } finally {
    uncatch();
  }
}

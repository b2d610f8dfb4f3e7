/**
 * What the distributed runner costs and buys, on this machine.
 *   (a) Scaling: the quick Styblinski–Tang sweep (`kramers reproduce styblinski-tang --quick`: 17 jobs × 100 replicas,
 *       the default job size) on the queue with 1 worker process, then with 2 (`kramers worker --concurrency N`, the
 *       built CLI), submitted from this process with queueRunner against a private redis-server. The workers are
 *       started and ready before the clock starts; the result store is emptied before each sweep, so nothing is
 *       reused. Target on 2 cores: 2 workers ≥ 1.7× faster than 1.
 *   (b) Queue overhead per job: with 1 worker, jobs run back to back, so the sweep's wall time minus the jobs' own
 *       compute time (elapsedMs, measured by the worker around the job alone) is what the queue adds — enqueueing,
 *       handing out, progress reports, storing and collecting the result — spread over the jobs. Target ≤ 5 % of the
 *       mean job's compute time.
 *   (c) Control: the same sweep on the worker-thread runner with 1 and with 2 threads, in this process. It has no
 *       queue at all, so its ratio is what this machine gives two tfjs threads right now (other load included); the
 *       queue's ratio should match it.
 * All sweeps must give the same results (escapes, censored, steps) as each other; the bench throws if not.
 * Rounds alternate which worker count goes first; medians are reported. Needs redis-server and a build:
 * `npx tsc -b && npx tsx bench/scale/run.ts [rounds]`. The last line is the summary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { figureJobs, styblinskiTangFigure, workerThreadRunner, type EscapeJobResult } from '@kramers/experiments';
import { parseRedisUrl, queueRunner } from '@kramers/queue';
import { redisServerAvailable, startTestRedis } from '../../test/support/redis-server.js';

const ROUNDS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1);
const bin = fileURLToPath(new URL('../../packages/cli/bin/kramers.js', import.meta.url));
if (!existsSync(bin)) throw new Error(`${bin} is missing; build first: npx tsc -b`);
if (!redisServerAvailable) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');

const median = (a: readonly number[]): number => {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const observed = (rs: readonly EscapeJobResult[]): string => JSON.stringify(rs.map((r) => [r.escapes, r.censored, r.stepsRun]));

const redis = await startTestRedis();
const client = new Redis(parseRedisUrl(redis.url));
const jobs = figureJobs(styblinskiTangFigure({ quick: true }));

/** `kramers worker --concurrency n`, resolved once it says it takes jobs. */
async function startWorkers(n: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', redis.url, '--concurrency', String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += String(d);
      if ((err.match(/taking escape jobs/g) ?? []).length >= n) resolve();
    });
    child.once('exit', (code) => reject(new Error(`kramers worker exited with ${code}: ${err}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Sweep {
  readonly wallMs: number;
  readonly computeMs: number;
  readonly results: EscapeJobResult[];
}

async function sweep(workers: number): Promise<Sweep> {
  await client.flushall();
  const child = await startWorkers(workers);
  try {
    const t0 = performance.now();
    const results = await queueRunner({ url: redis.url }).run(jobs);
    const wallMs = performance.now() - t0;
    return { wallMs, computeMs: results.reduce((s, r) => s + r.elapsedMs, 0), results };
  } finally {
    await stop(child);
  }
}

async function threads(workers: number): Promise<Sweep> {
  const t0 = performance.now();
  const results = await workerThreadRunner({ workers, backend: 'wasm' }).run(jobs);
  return { wallMs: performance.now() - t0, computeMs: results.reduce((s, r) => s + r.elapsedMs, 0), results };
}

// Other processes on the machine take cores from the workers: say how busy it was, since ratios depend on it.
const load = (): string => `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
console.log(`start: ${load()}`);
const one: Sweep[] = [];
const two: Sweep[] = [];
const threadOne: Sweep[] = [];
const threadTwo: Sweep[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of r % 2 === 0 ? [1, 2] : [2, 1]) {
      const s = await sweep(n);
      (n === 1 ? one : two).push(s);
      const overhead = n === 1 ? `; queue overhead ${((s.wallMs - s.computeMs) / jobs.length).toFixed(0)} ms a job` : '';
      console.log(`round ${r + 1}: queue, ${n} worker process${n > 1 ? 'es' : ''}: ${jobs.length} jobs in ${(s.wallMs / 1000).toFixed(1)} s (compute ${(s.computeMs / 1000).toFixed(1)} s)${overhead}`);
    }
    for (const n of r % 2 === 0 ? [2, 1] : [1, 2]) {
      const s = await threads(n);
      (n === 1 ? threadOne : threadTwo).push(s);
      console.log(`round ${r + 1}: worker threads ×${n} (control): ${jobs.length} jobs in ${(s.wallMs / 1000).toFixed(1)} s (compute ${(s.computeMs / 1000).toFixed(1)} s)`);
    }
  }
  console.log(`end: ${load()}`);
} finally {
  client.disconnect();
  await redis.stop();
}
for (const s of [...one, ...two, ...threadOne, ...threadTwo]) {
  if (observed(s.results) !== observed(one[0]!.results)) throw new Error('the sweeps gave different results; the comparison is void');
}
const ratio = median(one.map((s) => s.wallMs)) / median(two.map((s) => s.wallMs));
// The best 2 workers can do with these jobs in this order (each takes the next when free), from 1 worker's job times:
// what job granularity allows, apart from the queue and from the two workers slowing each other down.
const bound = (() => {
  const free = [0, 0];
  for (const r of one[0]!.results) {
    const k = free[0]! <= free[1]! ? 0 : 1;
    free[k]! += r.elapsedMs;
  }
  return one[0]!.computeMs / Math.max(...free);
})();
const control = median(threadOne.map((s) => s.wallMs)) / median(threadTwo.map((s) => s.wallMs));
const slowdown = median(two.map((s) => s.computeMs)) / median(one.map((s) => s.computeMs));
const overheadMs = median(one.map((s) => (s.wallMs - s.computeMs) / jobs.length));
const meanJobMs = median(one.map((s) => s.computeMs / jobs.length));
console.log(
  `scale: quick sweep (${jobs.length} jobs × 100 replicas) 1 worker ${(median(one.map((s) => s.wallMs)) / 1000).toFixed(1)} s, 2 workers ${(median(two.map((s) => s.wallMs)) / 1000).toFixed(1)} s: ` +
    `${ratio.toFixed(2)}× (target ≥ 1.7×; these jobs in this order allow ${bound.toFixed(2)}×, each job computed ${slowdown.toFixed(2)}× slower beside another, and worker threads without a queue got ${control.toFixed(2)}×); queue overhead ${overheadMs.toFixed(0)} ms a job = ${((100 * overheadMs) / meanJobMs).toFixed(1)} % of the mean job's ${(meanJobMs / 1000).toFixed(2)} s compute (target ≤ 5 %)`,
);

import type { EscapeJob } from '@kramers/experiments';

/** A job in a few words (optimizer, where, the knob that varies), for progress lines and worker logs. */
export function jobLabel(job: EscapeJob): string {
  if (job.kind === 'model') {
    const o = job.optimizer;
    const what = o.name === 'sgld' ? `D=${o.diffusion.toPrecision(3)} η=${o.learningRate}` : `η=${o.learningRate}`;
    return `${o.name} ${job.dataset} k=${job.k} B=${job.batchSize} ${what}${job.weightDecay === 0 ? ' no-wd' : ''}`;
  }
  const l = job.landscape;
  const o = job.optimizer;
  const where = l.name === 'styblinski-tang' ? `k=${l.k}` : l.name;
  const what = o.name === 'sgld' ? `D=${o.diffusion.toPrecision(3)}` : `η=${o.learningRate}${job.noise === 'none' ? '' : ` B=${job.batchSize}`}`;
  return `${o.name} ${where} ${what}${job.noise === 'state' ? ' state-noise' : ''}`;
}

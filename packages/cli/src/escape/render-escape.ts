import type { EscapeDocument } from '@kramers/experiments';

const g = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(digits));

function landscapeLine(d: EscapeDocument): string {
  const l = d.config.landscape;
  switch (l.name) {
    case 'styblinski-tang':
      return `${l.dim}-D Styblinski–Tang, k = ${l.k}, loss × ${l.scale}`;
    case 'double-well':
      return `double well, barrier ${l.barrier}, width ${l.width}, tilt ${l.tilt}`;
    case 'quadratic-valley':
      return `quadratic valley, curvatures ${l.curvatures.join(', ')}`;
  }
}

function optimizerLine(d: EscapeDocument): string {
  const o = d.config.optimizer;
  switch (o.name) {
    case 'sgd':
      return `SGD η = ${o.learningRate}`;
    case 'sgld':
      return `SGLD η = ${o.learningRate}, D = ${g(o.diffusion, 4)}`;
    case 'momentum':
      return `momentum η = ${o.learningRate}, β = ${o.momentum}`;
    case 'adam':
      return `Adam η = ${o.learningRate}`;
  }
}

/** The human-readable `kramers escape` report. */
export function renderEscape(d: EscapeDocument): string {
  const p = d.predicted;
  const lines = [
    `${landscapeLine(d)}; ${optimizerLine(d)}; noise ${d.config.noiseModel}${d.config.noise === 'none' ? '' : `, B = ${d.config.batchSize}`}`,
    `boundary: ${d.config.boundaryRule}`,
    `${d.replicas} replicas, seed ${d.config.seed}, ${d.config.stepsRun} iterations on ${d.config.backend} in ${(d.config.elapsedMs / 1000).toFixed(1)} s`,
    '',
    `escaped      ${d.escaped}/${d.replicas}${d.censored > 0 ? ` (${d.censored} still inside at ${d.config.stepsRun} iterations: censored)` : ''}`,
    `γ observed   ${g(d.gamma)} per iteration (95 % ${g(d.ci[0])} – ${g(d.ci[1])})`,
    `mean escape  ${g(d.meanEscapeTime)} iterations (η·T = ${g(d.meanEscapeTimeDynamical)})`,
    `CV           ${g(d.cv, 2)} (an exponential law gives ${g(d.cvExpected, 2)}; ≈ 1 means noise-driven, memoryless escapes)`,
  ];
  if (p.gamma === null) {
    lines.push(`γ predicted  – (${p.assumptions.boundary.note})`);
  } else {
    const t = p.temperature!;
    lines.push(
      `γ predicted  ${g(p.gamma)} per iteration (${p.formula}${p.s === null ? '' : `, s = ${p.s}`}, ${p.paths} path${p.paths === 1 ? '' : 's'}, T = ${g(t.atMinimum)}${t.atCol === t.atMinimum ? '' : ` at the minimum, ${g(t.atCol)} at the col`}); observed/predicted ${g(d.observedOverPredicted)}`,
    );
    if (p.exact !== null) lines.push(`γ exact      ${g(p.exact.gamma)} per iteration (first-passage quadrature); observed/exact ${g(d.observedOverExact)}`);
    if (p.theorem32 !== undefined) lines.push(`Theorem 3.2  ${g(p.theorem32.s0)} (s = 0) … ${g(p.theorem32.s1)} (s = 1) per iteration`);
    const lt = p.assumptions.lowTemperature;
    const st = p.assumptions.stability;
    lines.push(
      `assumptions  low temperature ΔL/T = ${g(lt?.ratio)} (${lt?.holds ? 'holds' : 'fails: < 5'}); stability η·H = ${g(st?.ratio)} (${st?.holds ? 'holds' : 'fails: ≥ 2'}); noise: ${p.assumptions.noise.note}; boundary: ${p.assumptions.boundary.holds ? 'as the theory' : p.assumptions.boundary.note}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

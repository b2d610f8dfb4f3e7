import { SVG_PALETTE, svgFigure, svgFigureGrid, type FigureSpec as SvgSpec, type Series } from '@kramers/reporters';
import type { FigureDocument, FigurePanel } from './run-figure.js';

const X_LABELS: Record<FigurePanel['x'], string> = {
  '1/k': '1/k',
  B: 'batch size B',
  '1/eta': '1/η',
  '1/D': '1/D',
  k: 'k',
  '1/sqrt(k)': '1/√k',
};

const fmt = (v: number | null, digits = 4): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
/** A slope of any size: fixed digits where they read well, 3 significant digits otherwise (e.g. 8.05e-6 per 1/D). */
const fmtSlope = (v: number): string => (Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? v.toFixed(3) : v.toPrecision(3));

/** One panel as a chart: observed points with their 95 % interval, the theory's points, the fitted line. */
export function panelChart(panel: FigurePanel): SvgSpec {
  const minusLog = panel.y === '-log(gamma)';
  const y = (g: number): number => (minusLog ? -Math.log(g) : g);
  const seen = panel.points.filter((p) => p.escaped > 0);
  const series: Series[] = [];
  if (seen.length > 0) {
    series.push({
      kind: 'points',
      name: 'observed (95 % interval)',
      marker: 'filled',
      color: SVG_PALETTE[0]!,
      // −log swaps the interval's ends.
      points: seen.map((p) => {
        const a = y(p.ci[0] > 0 ? p.ci[0] : Number.MIN_VALUE);
        const b = y(p.ci[1]);
        return { x: p.x, y: y(p.gamma), lo: Math.min(a, b), hi: Math.max(a, b) };
      }),
    });
  }
  const predicted = panel.points.filter((p) => p.predictedGamma !== null && p.predictedGamma > 0);
  if (predicted.length > 0) {
    series.push({ kind: 'points', name: 'theory', marker: 'open', color: SVG_PALETTE[1]!, points: predicted.map((p) => ({ x: p.x, y: y(p.predictedGamma!) })) });
  }
  const exact = panel.points.filter((p) => p.exactGamma !== null && p.exactGamma > 0);
  if (exact.length > 0) {
    series.push({ kind: 'line', name: 'exact first passage', dash: 'dotted', color: SVG_PALETTE[2]!, points: exact.map((p) => ({ x: p.x, y: y(p.exactGamma!) })) });
  }
  if (panel.fit !== null) {
    series.push({
      kind: 'fit',
      name: `fit: slope ${fmtSlope(panel.fit.slope)}, r = ${fmt(panel.fit.pearson)}`,
      slope: panel.fit.slope,
      intercept: panel.fit.intercept,
      dash: 'dashed',
      color: SVG_PALETTE[3]!,
    });
  }
  if (panel.expectedSlope !== undefined && seen.length > 0) {
    // The theory's slope through the points' centroid: the panel tests the law's slope, not an absolute rate.
    const mx = seen.reduce((acc, p) => acc + p.x, 0) / seen.length;
    const my = seen.reduce((acc, p) => acc + y(p.gamma), 0) / seen.length;
    series.push({
      kind: 'fit',
      name: `wall law: slope ${fmtSlope(panel.expectedSlope)} (through the points' centre)`,
      slope: panel.expectedSlope,
      intercept: my - panel.expectedSlope * mx,
      dash: 'dotted',
      color: SVG_PALETTE[2]!,
    });
  }
  const blockedPoints = panel.points.filter((p) => p.escaped === 0 && p.ci[1] > 0);
  if (blockedPoints.length > 0 && minusLog) {
    // Nothing escaped: the censored interval only bounds γ from above, so −log γ lies above its bar's lower end.
    series.push({
      kind: 'points',
      name: 'no escape: −log γ above the bar (95 %)',
      marker: 'filled',
      color: SVG_PALETTE[4]!,
      points: blockedPoints.map((p) => ({ x: p.x, y: -Math.log(p.ci[1]), lo: -Math.log(p.ci[1]), hi: Infinity })),
    });
  }
  return {
    title: panel.title,
    xLabel: X_LABELS[panel.x],
    yLabel: minusLog ? '−log γ (γ per iteration)' : 'γ (escapes per iteration)',
    series,
  };
}

/** Every panel's SVG, by panel id, and all panels in one grid. */
export function figureSvgs(doc: FigureDocument): { readonly panels: ReadonlyMap<string, string>; readonly grid: string } {
  const charts = doc.panels.map((p) => [p.id, panelChart(p)] as const);
  return {
    panels: new Map(charts.map(([id, chart]) => [id, svgFigure(chart)])),
    grid: svgFigureGrid(
      charts.map(([, chart]) => chart),
      { columns: 2, title: `kramers reproduce ${doc.figure}${doc.start ? ` — ${describeStart(doc.start)}` : ''}` },
    ),
  };
}

/** One line on the start of a model figure: whether it is a true minimum. */
export function describeStart(start: NonNullable<FigureDocument['start']>): string {
  const minimum = start.minEigenvalue > 0 ? 'a minimum' : 'NOT a minimum';
  const box = start.box ? `; box ±${start.box.radius}: lowest face ΔL = ${start.box.barrier.toExponential(2)} (${start.box.faces} faces within 10 %)` : '';
  return `start: λ = ${start.weightDecay}, ‖∇L‖ = ${start.gradientNorm.toExponential(1)}, Hessian eigenvalues ${start.minEigenvalue.toExponential(2)} … ${start.maxEigenvalue.toExponential(2)} (${minimum})${box}`;
}

import { describeStart, type FigureDocument } from '@kramers/experiments';
import { formatTable } from '@kramers/reporters';

const f = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(digits));

/** The summary a user reads after `kramers reproduce`: one row per panel, then where the files are. */
export function renderFigure(doc: FigureDocument, out: string, seconds: number): string {
  const rows = doc.panels.map((p) => {
    const ratios = p.points.filter((q) => q.escaped > 0 && q.predictedGamma !== null).map((q) => q.predictedGamma! / q.gamma);
    const cvs = p.points.filter((q) => q.cv !== null && q.escaped >= 0.9 * q.replicas).map((q) => q.cv!);
    const range = (xs: number[]): string => (xs.length === 0 ? '–' : `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`);
    return [
      p.title,
      f(p.fit?.pearson, 4),
      f(p.fit?.slope),
      f(p.chi2dof.exponential),
      f(p.chi2dof.powerLaw),
      p.preferred ?? '–',
      range(ratios),
      range(cvs),
      [
        p.expectedSlope !== undefined && p.fit ? `slope/theory = ${(p.fit.slope / p.expectedSlope).toFixed(2)}` : '',
        p.withoutEscapes > 0 ? `${p.withoutEscapes} point(s): no escape` : '',
      ]
        .filter((s) => s !== '')
        .join('; '),
    ];
  });
  const table = formatTable(
    ['panel', 'r', 'slope', 'χ²/dof exp', 'χ²/dof power', 'preferred', 'obs/pred τ', 'CV', 'note'],
    rows,
  );
  const start = doc.start ? `${describeStart(doc.start)}\n` : '';
  return `${start}${table}\nwrote ${out}/${doc.figure}.json, ${out}/${doc.figure}.svg and one SVG per panel (${doc.jobs} experiments in ${seconds.toFixed(0)} s, ${doc.runner})\n`;
}

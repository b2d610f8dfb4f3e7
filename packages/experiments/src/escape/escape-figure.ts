import type { EscapeJob } from './escape-job.js';

/** What a panel plots against: the knob the theory says −log γ (or γ) is linear in. */
export type PanelVariable = '1/k' | 'B' | '1/eta' | '1/D' | 'k' | '1/sqrt(k)';

/** One point of a panel: its x value and the job that measures it. */
export interface PanelPoint {
  readonly x: number;
  readonly job: EscapeJob;
}

export interface PanelSpec {
  readonly id: string;
  readonly title: string;
  readonly optimizer: EscapeJob['optimizer']['name'];
  readonly x: PanelVariable;
  /** What the panel's linear fit is of: −log γ (exponential laws) or γ itself (SGLD's γ ∝ k). */
  readonly y: '-log(gamma)' | 'gamma';
  /** The law the theory predicts for this panel, in words, for the report. */
  readonly expected: string;
  readonly points: readonly PanelPoint[];
}

/** A figure: panels whose points are escape jobs; jobs equal by configuration run once. */
export interface FigureSpec {
  readonly figure: string;
  readonly noiseModel: string;
  readonly panels: readonly PanelSpec[];
}

/** A panel from its parts, in the order a figure lists them. */
export function panel(
  id: string,
  title: string,
  optimizer: PanelSpec['optimizer'],
  x: PanelVariable,
  y: PanelSpec['y'],
  expected: string,
  points: readonly PanelPoint[],
): PanelSpec {
  return { id, title, optimizer, x, y, expected, points };
}

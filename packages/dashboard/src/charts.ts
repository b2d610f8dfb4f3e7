/**
 * The types of assets/charts.js, the charts library (`@kramers/dashboard/charts`). That file is served to the live page
 * as it is, with no build step, so its types are declared here by hand and the exports map points at both.
 */
import type { KramersEvent } from '@kramers/core';

/** One chart: the metric names it draws (the first solid, the rest dashed), its y scale, histogram or series. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly names: readonly string[];
  readonly log: boolean;
  /** Draws the latest `histogram` value per run (the spectral density) instead of a series over iterations. */
  readonly histogram?: boolean;
}

/** The uPlot constructor, as far as the charts use it (`import uPlot from 'uplot'` fits; its option types are uPlot's). */
// `any` for options and data: uPlot's own Options and AlignedData types must be assignable here.
export type UPlotConstructor = new (options: any, data: any, target: HTMLElement) => {
  setData(data: any): void;
  setSeries(index: number, options: { show: boolean }): void;
  setSize(size: { width: number; height: number }): void;
  destroy(): void;
  readonly series: ReadonlyArray<{ show?: boolean }>;
};

export interface ChartsOptions {
  /** The uPlot constructor; default the global `uPlot` (uPlot.iife.min.js). */
  readonly uPlot?: UPlotConstructor;
  /** Charts to draw (default CHARTS); each appears at once, saying it waits for data. */
  readonly charts?: readonly ChartSpec[];
  /** Points kept per series (stride-doubling thinning, always keeping the latest); default MAX_POINTS. */
  readonly maxPoints?: number;
  /** Existing elements to draw into instead of creating them inside the container. */
  readonly runsElement?: HTMLElement;
  /** A <table> with a <thead> and a <tbody>. */
  readonly tableElement?: HTMLTableElement;
  readonly chartsElement?: HTMLElement;
  readonly markersElement?: HTMLElement;
  readonly errorsElement?: HTMLElement;
  /** Frame scheduler; default requestAnimationFrame. */
  readonly requestFrame?: (draw: () => void) => void;
}

export interface RunState {
  readonly id: string;
  readonly color: string;
  readonly visible: boolean;
  /** 'running', or the run end event's status ('completed', 'diverged', …). */
  readonly status: string;
  /** Largest iteration seen in the run's events. */
  readonly iteration: number;
}

export interface Charts {
  /** Adds one event (or its JSON form, with NaN as null); drawing follows at the next frame. */
  push(event: KramersEvent): void;
  /** Lists a message of the page's own with the plugin errors. */
  addError(message: string): void;
  /** Forgets every run and clears the charts. */
  reset(): void;
  /** Shows or hides a run in every chart (flips it without `visible`); false for a run not seen yet. */
  toggleRun(runId: string, visible?: boolean): boolean;
  runs(): RunState[];
  /** The latest scalar value of a metric (by name, any plugin) for a run. */
  latest(runId: string, name: string): number | null | undefined;
  /** Draws what is pending now instead of at the next frame. */
  flush(): void;
  resize(): void;
  destroy(): void;
}

export declare const MAX_POINTS: number;
export declare const CHARTS: readonly ChartSpec[];
export declare const TABLE_COLUMNS: readonly string[];
/** A number as the CLI's table prints it. */
export declare function formatValue(value: unknown): string;
export declare function createCharts(container: HTMLElement, options?: ChartsOptions): Charts;

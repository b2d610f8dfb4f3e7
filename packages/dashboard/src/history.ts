/**
 * What a page that connects late is sent first: every run and plugin-error event, and per run and metric an evenly
 * thinned selection of its points plus always the latest one, so the page's cost does not grow with training length.
 */
import type { KramersEvent } from '@kramers/core';
import { seriesKey } from './series-key.js';

export interface HistoryLimits {
  readonly maxPointsPerSeries: number;
  readonly maxNonScalarPointsPerSeries: number;
}

/** One stored event: its arrival number (to restore the global order) and its already-encoded SSE frame. */
interface Entry {
  readonly seq: number;
  readonly index: number;
  readonly frame: string;
}

interface Series {
  readonly cap: number;
  /** Points seen so far; the next point's index within the series. */
  count: number;
  /** Keep every stride-th point (a power of two, doubled whenever the kept set outgrows cap − 1). */
  stride: number;
  kept: Entry[];
  latest: Entry | undefined;
}

export interface History {
  /** Stores `event` (encoded as `frame`), thinning its series if it outgrew its cap. */
  add(event: KramersEvent, frame: string): void;
  /** The stored frames in arrival order. */
  frames(): string[];
  /** How many events were ever added (not how many are kept). */
  added(): number;
}


export function createHistory(limits: HistoryLimits): History {
  const series = new Map<string, Series>();
  const others: Entry[] = [];
  let seq = 0;

  const addPoint = (s: Series, entry: Omit<Entry, 'index'>): void => {
    const index = s.count++;
    const e = { ...entry, index };
    s.latest = e;
    // A cap of one keeps only the latest; index 0 is never thinned away, so the loop below needs cap ≥ 2.
    if (s.cap < 2 || index % s.stride !== 0) return;
    s.kept.push(e);
    // One slot stays free for the latest point, so the series never sends more than cap.
    while (s.kept.length > s.cap - 1) {
      s.stride *= 2;
      s.kept = s.kept.filter((k) => k.index % s.stride === 0);
    }
  };

  return {
    add(event, frame) {
      const entry = { seq: seq++, frame };
      if (event.kind !== 'metric') {
        others.push({ ...entry, index: 0 });
        return;
      }
      const key = seriesKey(event);
      let s = series.get(key);
      if (s === undefined) {
        const cap = typeof event.value === 'number' ? limits.maxPointsPerSeries : limits.maxNonScalarPointsPerSeries;
        s = { cap, count: 0, stride: 1, kept: [], latest: undefined };
        series.set(key, s);
      }
      addPoint(s, entry);
    },
    frames() {
      const all: Entry[] = [...others];
      for (const s of series.values()) {
        all.push(...s.kept);
        const last = s.kept[s.kept.length - 1];
        if (s.latest !== undefined && s.latest !== last) all.push(s.latest);
      }
      all.sort((a, b) => a.seq - b.seq);
      return all.map((e) => e.frame);
    },
    added: () => seq,
  };
}

/**
 * Server-side decimation of the live stream: per series at most one point per interval goes out at once; later
 * points within the interval replace each other, and the latest is sent when the interval has passed. A page thus
 * receives a bounded rate whatever training emits (the cost of 50 pages is bytes × pages), always ends on each
 * series' latest value, and sees every run and plugin-error event at once. The JSONL log keeps every point.
 */
import type { KramersEvent } from '@kramers/core';
import { seriesKey } from './series-key.js';

interface SeriesState {
  lastSent: number;
  held: HeldFrame | undefined;
}

/** A point held back, with the publish number it had: pages that connected after it already have it in their history. */
export interface HeldFrame {
  readonly frame: string;
  readonly seq: number;
}

export interface LiveThrottle {
  /** The frame to send now, or undefined when it is held back (superseding any point held for its series). */
  offer(event: KramersEvent, frame: string, seq: number, now: number): string | undefined;
  /** Held-back frames whose interval has passed at `now` (every held frame when `all`), in series order. */
  release(now: number, all?: boolean): HeldFrame[];
  /** Earliest time a held frame becomes due, or undefined when nothing is held. */
  nextDue(): number | undefined;
  /** Points never sent live because a later point of their series replaced them. */
  superseded(): number;
}

export function createLiveThrottle(intervalMs: number): LiveThrottle {
  const series = new Map<string, SeriesState>();
  const held = new Set<SeriesState>();
  let supersededCount = 0;
  return {
    offer(event, frame, seq, now) {
      if (intervalMs <= 0 || event.kind !== 'metric') return frame;
      const key = seriesKey(event);
      let s = series.get(key);
      if (s === undefined) {
        s = { lastSent: -Infinity, held: undefined };
        series.set(key, s);
      }
      if (s.held === undefined && now - s.lastSent >= intervalMs) {
        s.lastSent = now;
        return frame;
      }
      if (s.held !== undefined) supersededCount++;
      s.held = { frame, seq };
      held.add(s);
      return undefined;
    },
    release(now, all = false) {
      const out: HeldFrame[] = [];
      for (const s of held) {
        if (!all && now - s.lastSent < intervalMs) continue;
        out.push(s.held!);
        s.held = undefined;
        s.lastSent = now;
        held.delete(s);
      }
      return out;
    },
    nextDue() {
      let due: number | undefined;
      for (const s of held) due = due === undefined ? s.lastSent + intervalMs : Math.min(due, s.lastSent + intervalMs);
      return due;
    },
    superseded: () => supersededCount,
  };
}

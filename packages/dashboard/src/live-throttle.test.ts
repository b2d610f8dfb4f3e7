import { describe, expect, it } from 'vitest';
import type { KramersEvent } from '@kramers/core';
import { createLiveThrottle } from './live-throttle.js';

const point = (runId: string, name: string, iteration: number): KramersEvent =>
  ({ kind: 'metric', runId, plugin: 'p', name, iteration, value: iteration, time: 0 }) as unknown as KramersEvent;

describe('live throttle', () => {
  it('sends a series at most once per interval and always ends on its latest point', () => {
    const t = createLiveThrottle(50);
    const sent: string[] = [];
    // 1000 points of one series at 1 ms spacing: due at 0, 50, 100, … plus the held latest.
    for (let ms = 0; ms < 1000; ms++) {
      const frame = t.offer(point('a', 'loss', ms), `a${ms}`, ms, ms);
      if (frame !== undefined) sent.push(frame);
      sent.push(...t.release(ms).map((h) => h.frame));
    }
    sent.push(...t.release(1000, true).map((h) => h.frame));
    expect(sent).toHaveLength(20 + 1);
    expect(sent.slice(0, 3)).toEqual(['a0', 'a50', 'a100']);
    expect(sent.at(-1)).toBe('a999');
    expect(t.superseded()).toBe(1000 - 21);
    expect(t.nextDue()).toBeUndefined();
  });

  it('keeps series independent, never holds run events, and streams everything at interval 0', () => {
    const t = createLiveThrottle(50);
    expect(t.offer(point('a', 'loss', 0), 'a0', 0, 0)).toBe('a0');
    expect(t.offer(point('b', 'loss', 0), 'b0', 1, 0)).toBe('b0');
    expect(t.offer(point('a', 'acc', 0), 'c0', 2, 0)).toBe('c0');
    expect(t.offer(point('a', 'loss', 1), 'a1', 3, 10)).toBeUndefined();
    expect(t.nextDue()).toBe(50);
    const run = { kind: 'run', runId: 'a', phase: 'end' } as unknown as KramersEvent;
    expect(t.offer(run, 'end', 4, 11)).toBe('end');
    expect(t.release(49)).toEqual([]);
    expect(t.release(50)).toEqual([{ frame: 'a1', seq: 3 }]);
    const all = createLiveThrottle(0);
    for (let i = 0; i < 5; i++) expect(all.offer(point('a', 'loss', i), `a${i}`, i, 0)).toBe(`a${i}`);
  });
});

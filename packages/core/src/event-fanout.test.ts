import { Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { eventFanout } from './event-fanout.js';

/** Runs one script of subscriptions and events against a stream; returns what every subscriber saw, in order. */
function script(stream: { observable: Observable<number>; next(v: number): void; complete(): void }): string[] {
  const log: string[] = [];
  const late: Array<{ unsubscribe(): void }> = [];
  const a = stream.observable.subscribe({
    next: (v) => {
      log.push(`a${v}`);
      // subscribing while an event is delivered: the newcomer sees the next event, not this one
      if (v === 1) late.push(stream.observable.subscribe({ next: (w) => log.push(`c${w}`), complete: () => log.push('c-done') }));
      // unsubscribing another subscriber during delivery: it gets nothing more, this event included
      if (v === 3) b.unsubscribe();
    },
    complete: () => log.push('a-done'),
  });
  const b = stream.observable.subscribe({ next: (v) => log.push(`b${v}`), complete: () => log.push('b-done') });
  for (const v of [1, 2, 3, 4]) stream.next(v);
  a.unsubscribe();
  stream.next(5);
  stream.complete();
  stream.next(6);
  stream.observable.subscribe({ next: (v) => log.push(`d${v}`), complete: () => log.push('d-done') });
  late.forEach((s) => s.unsubscribe());
  return log;
}

describe('eventFanout', () => {
  it('delivers, subscribes, unsubscribes and completes as an rxjs Subject does', () => {
    const subject = new Subject<number>();
    const expected = script({ observable: subject.asObservable(), next: (v) => subject.next(v), complete: () => subject.complete() });
    const fanout = eventFanout<number>();
    expect(script(fanout)).toEqual(expected);
    // the script itself exercises every case: a late subscriber, an unsubscribe mid-delivery, a subscriber after complete
    expect(expected).toEqual(['a1', 'b1', 'a2', 'b2', 'c2', 'a3', 'c3', 'a4', 'c4', 'c5', 'c-done', 'd-done']);
  });
});

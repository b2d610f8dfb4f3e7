/**
 * A session's own event stream without an rxjs Subject: an Observable whose subscribers are called directly. A step
 * with `basics` publishes five events; through a Subject each costs a closure, an iterator and two more dispatch
 * layers (≈ 0.09 µs against ≈ 0.015 µs direct, measured on Node 20), on every step. Semantics follow Subject's:
 * subscribers added or removed while an event is delivered take effect from the next event (copy-on-write list),
 * errors thrown by a subscriber are handled by rxjs's Subscriber as with a Subject, a subscriber arriving after
 * `complete()` is completed at once.
 */
import { Observable, type Subscriber } from 'rxjs';

export interface EventFanout<T> {
  readonly observable: Observable<T>;
  next(value: T): void;
  complete(): void;
}

export function eventFanout<T>(): EventFanout<T> {
  let subscribers: ReadonlyArray<Subscriber<T>> = [];
  let completed = false;
  const observable = new Observable<T>((subscriber) => {
    if (completed) {
      subscriber.complete();
      return undefined;
    }
    subscribers = [...subscribers, subscriber];
    return () => {
      subscribers = subscribers.filter((s) => s !== subscriber);
    };
  });
  return {
    observable,
    next(value) {
      if (completed) return;
      const list = subscribers;
      for (let i = 0; i < list.length; i++) list[i]!.next(value);
    },
    complete() {
      if (completed) return;
      completed = true;
      const list = subscribers;
      subscribers = [];
      for (const s of list) s.complete();
    },
  };
}

/**
 * The events a bus has accepted but Redis has not confirmed, oldest first, bounded in count and in bytes. A full
 * queue refuses new events (the caller counts them as dropped) rather than growing: the queue is all the memory a
 * slow or absent Redis can cost a training process.
 */
export interface PendingEvent {
  readonly json: string;
  readonly seq: number;
}

export interface QueueBounds {
  readonly maxEvents: number;
  readonly maxBytes: number;
  /** Extra room, in events and bytes, for offers made with `reserve`. */
  readonly reserveEvents: number;
  readonly reserveBytes: number;
}

export interface PendingQueue {
  /** Appends, or returns false when the queue is at its bound in count or bytes (the bound plus the reserve for `reserve`). */
  offer(event: PendingEvent, reserve: boolean): boolean;
  /** True when an ordinary offer would be refused now (checked before encoding an event at all). */
  full(): boolean;
  /**
   * Events from the head, still queued, for one stream entry: at most `n` and about `maxChars` characters (always at
   * least one), with consecutive sequence numbers (an entry's events are numbered from its first).
   */
  peekRun(n: number, maxChars: number): readonly PendingEvent[];
  /** Removes `n` events from the head (those Redis confirmed or refused). */
  remove(n: number): void;
  readonly length: number;
  /** UTF-16 code units held (JSON text), the bound's measure of size. */
  readonly bytes: number;
}

export function pendingQueue(bounds: QueueBounds): PendingQueue {
  let items: PendingEvent[] = [];
  let head = 0;
  let bytes = 0;
  return {
    offer(event, reserve) {
      const maxEvents = bounds.maxEvents + (reserve ? bounds.reserveEvents : 0);
      const maxBytes = bounds.maxBytes + (reserve ? bounds.reserveBytes : 0);
      if (items.length - head >= maxEvents || bytes + event.json.length > maxBytes) return false;
      items.push(event);
      bytes += event.json.length;
      return true;
    },
    full: () => items.length - head >= bounds.maxEvents || bytes >= bounds.maxBytes,
    peekRun(n, maxChars) {
      const out: PendingEvent[] = [];
      let chars = 0;
      for (let i = head; i < items.length && out.length < n; i++) {
        const e = items[i]!;
        if (out.length > 0 && (e.seq !== out[out.length - 1]!.seq + 1 || chars + e.json.length > maxChars)) break;
        out.push(e);
        chars += e.json.length;
      }
      return out;
    },
    remove(n) {
      const end = Math.min(head + n, items.length);
      for (let i = head; i < end; i++) bytes -= items[i]!.json.length;
      head = end;
      // Compact once the consumed prefix is most of the array, so removal stays O(1) amortised.
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
    },
    get length() {
      return items.length - head;
    },
    get bytes() {
      return bytes;
    },
  };
}

/**
 * One browser's server-sent-event stream. Frames are queued and written once per event-loop turn (one syscall for a
 * burst, not one per event); the history snapshot is written in chunks that wait for 'drain'. Nothing here ever
 * waits on the client: the caller asks `pendingBytes()` after enqueueing and drops clients over their bound.
 */
import type { ServerResponse } from 'node:http';

export interface SseClient {
  /** Queues frames for the next write; they count towards `pendingBytes()` until the socket accepts them. */
  enqueue(frame: string): void;
  /** Queued bytes plus what the response and socket hold in user space: what a stalled client costs us. */
  pendingBytes(): number;
  /** Writes what the socket will take now; the rest waits for 'drain'. */
  flush(): void;
  /** Ends the stream politely (server shutdown). */
  end(): void;
  /** Cuts the connection at once (a client over its bound). */
  destroy(): void;
}

/** History is written in pieces of about this size so one huge string is never built. */
const HISTORY_CHUNK_BYTES = 64 * 1024;

export function sseClient(res: ServerResponse, history: readonly string[]): SseClient {
  let historyIndex = 0;
  let queue: string[] = [];
  let queuedBytes = 0;
  let waitingForDrain = false;
  let done = false;

  const write = (text: string): void => {
    if (!res.write(text)) {
      waitingForDrain = true;
      res.once('drain', () => {
        waitingForDrain = false;
        flush();
      });
    }
  };

  const flush = (): void => {
    while (!done && !waitingForDrain) {
      if (historyIndex < history.length) {
        let bytes = 0;
        const start = historyIndex;
        while (historyIndex < history.length && bytes < HISTORY_CHUNK_BYTES) bytes += history[historyIndex++]!.length;
        write(history.slice(start, historyIndex).join(''));
      } else if (queue.length > 0) {
        const text = queue.join('');
        queue = [];
        queuedBytes = 0;
        write(text);
      } else {
        return;
      }
    }
  };

  return {
    enqueue(frame) {
      if (done) return;
      queue.push(frame);
      // Frames are ASCII-escaped JSON plus a few SSE bytes, so the string length is the byte count.
      queuedBytes += frame.length;
    },
    pendingBytes: () => queuedBytes + res.writableLength,
    flush,
    end() {
      if (done) return;
      done = true;
      res.end();
    },
    destroy() {
      if (done) return;
      done = true;
      queue = [];
      queuedBytes = 0;
      res.destroy();
    },
  };
}

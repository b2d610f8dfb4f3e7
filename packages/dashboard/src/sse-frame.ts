import type { KramersEvent } from '@kramers/core';

/** An event as one SSE message. Non-ASCII is \u-escaped so a frame's string length is its byte length. */
export function eventFrame(event: KramersEvent): string {
  return `data: ${asciiJson(event)}\n\n`;
}

/** A named control message (`reset`, `live`) the page tells apart from events by its `event:` field. */
export function controlFrame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${asciiJson(data)}\n\n`;
}

/** SSE comment: ignored by EventSource, keeps idle connections from timing out and stalled ones detectable. */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';

function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

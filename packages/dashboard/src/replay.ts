import { readJsonl } from '@kramers/reporters';
import type { Dashboard } from './dashboard.js';

/** Publishes a finished run's JSONL log into a dashboard (its history, thinned as usual); returns the events read. */
export function replayJsonl(path: string, dashboard: Pick<Dashboard, 'publish'>): number {
  const events = readJsonl(path);
  for (const e of events) dashboard.publish(e);
  return events.length;
}

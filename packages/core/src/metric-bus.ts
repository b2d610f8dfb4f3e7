import { Subject } from 'rxjs';
import type { KramersEvent } from './events.js';

/** One stream shared by several runs (SGD, SGLD, Adam from one initialisation), so sinks compare them live. */
export type MetricBus = Subject<KramersEvent>;

export function createMetricBus(): MetricBus {
  return new Subject<KramersEvent>();
}

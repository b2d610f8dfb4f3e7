export type { RedisBus, RedisBusOptions, RedisBusStats, RedisBusControls, CloseOptions } from './redis-bus.js';
export { redisBus, DEFAULT_STREAM } from './redis-bus.js';
export type { ReadRedisEventsOptions, ReaderStatus } from './read-redis-events.js';
export { readRedisEvents } from './read-redis-events.js';
export { checkRedisUrl, redactRedisUrl } from './redis-url.js';

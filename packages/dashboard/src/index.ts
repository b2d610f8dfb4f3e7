export type { Dashboard } from './dashboard.js';
export { startDashboard } from './dashboard.js';
export type { DashboardOptions, HistoryOptions } from './options.js';
export { replayJsonl } from './replay.js';
export { isLoopbackHost } from './loopback.js';
export type { TfvisLike, TfvisSurface, TfvisSurfaceOptions, TfvisPoint, TfvisSurfaceInfo, TfvisLinechartOptions } from './tfvis-surface.js';
export { tfvisSurface } from './tfvis-surface.js';

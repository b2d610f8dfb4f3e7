export type { BoundaryRule, BoxRule, BallRule, ColRule, MidwayRule } from './boundary-rule.js';
export { DEFAULT_BOUNDARY, parseBoundary, formatBoundary, describeBoundary } from './boundary-rule.js';
export type { ExitDirection, BoxExit, BallExit, ValleyExit } from './exit-direction.js';
export type { Boundary, StartContext, ValleyContext } from './boundary.js';
export { boundary } from './boundary.js';
export type { EscapeEvent, EscapeDetector } from './escape-detector.js';
export { escapeDetector } from './escape-detector.js';
export type { GradientFn, QuenchOptions, Quench, BasinTestOptions, BasinReference, BasinTest } from './basin-test.js';
export { quench, basinTest, QUENCH_DEFAULTS } from './basin-test.js';

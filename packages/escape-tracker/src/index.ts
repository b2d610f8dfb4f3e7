/**
 * @kramers/escape-tracker: escape-rate statistics from first-exit times (MLE, exact and censored χ² intervals, the
 * paper's estimator, CV, law comparison) and the theory they are compared with (temperatures, Kramers / Xie et al.
 * mean escape times, Rule 1, and the exact 1-D mean first-passage time by quadrature). Pure float64 math.
 */
export type { EscapeRateOptions, EscapeRate, EscapeRateMethod } from './escape-rate.js';
export { escapeRate, censorAt } from './escape-rate.js';
export type { PaperEscapeRate } from './paper-escape-rate.js';
export { paperEscapeRate } from './paper-escape-rate.js';
export type { EscapeStatisticsOptions, EscapeStatistics } from './escape-statistics.js';
export { escapeStatistics, truncatedExponentialCv } from './escape-statistics.js';
export { chiSquareQuantile, chiSquareCdf } from './chi-square.js';
export type { LinearFit } from './linear-fit.js';
export { linearFit } from './linear-fit.js';
export type { LawPoint, LawFit, LawComparison } from './compare-laws.js';
export { compareLaws } from './compare-laws.js';
export type {
  TemperatureInput,
  SgdTemperatureInput,
  SgldTemperatureInput,
  MomentumTemperatureInput,
  AdamTemperatureInput,
  OptimizerName,
} from './temperature.js';
export { temperature, effectiveLearningRate } from './temperature.js';
export type { StationaryVarianceInput, SgdStationaryInput, SgldStationaryInput } from './stationary-variance.js';
export { stationaryVariance } from './stationary-variance.js';
export type { EscapeFormula, AssumptionCheck, EscapeAssumptions, ExitGeometry, EscapePrediction } from './escape-prediction.js';
export { LOW_TEMPERATURE_THRESHOLD } from './escape-prediction.js';
export type { KramersInput } from './kramers-escape-time.js';
export { kramersEscapeTime, determinantRatio1D } from './kramers-escape-time.js';
export type { SgdEscapeInput, EscapeBracket } from './sgd-escape-time.js';
export { sgdEscapeTime, sgdEscapeTimeBracket } from './sgd-escape-time.js';
export type { AdamEscapeInput } from './adam-escape-time.js';
export { adamEscapeTime, adamEscapeTimeBracket } from './adam-escape-time.js';
export type { UnifiedEscapeInput } from './unified-escape-time.js';
export { unifiedEscapeTime } from './unified-escape-time.js';
export type { CombinedEscape } from './combine-paths.js';
export { combinePaths } from './combine-paths.js';
export type { FirstPassageInput, FirstPassageTime } from './first-passage-time.js';
export { firstPassageTime } from './first-passage-time.js';
export type { GaussLegendreRule } from './gauss-legendre.js';
export { gaussLegendre } from './gauss-legendre.js';
export type { Wall } from './wall-escape-rate.js';
export { wallEscapeRate } from './wall-escape-rate.js';
export type { LineScanOptions, ScanSide, LineScan } from './line-scan.js';
export { lineScanBarrier, LINE_SCAN_DEFAULTS } from './line-scan.js';
export type { OptimizerReading, Unreadable } from './optimizer-temperature.js';
export { readOptimizer, effectiveStep, preconditionerAlong, directionTemperature } from './optimizer-temperature.js';
export type {
  NoiseSource,
  DirectionTemperature,
  TemperatureSnapshot,
  TemperatureService,
  TemperatureConfig,
  TemperatureOptions,
} from './temperature-plugin.js';
export { temperaturePlugin, Temperature } from './temperature-plugin.js';
export type { TrappedInput, TrappedAdvice } from './trapped-advice.js';
export { trappedAdvice, formatCount } from './trapped-advice.js';
export type { EscapeConfig, EscapeOptions } from './escape-plugin.js';
export { escapePlugin, ESCAPE_DEFAULTS } from './escape-plugin.js';

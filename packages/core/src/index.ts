export type {
  OptimizerInfo,
  StepEvent,
  Histogram,
  Vector,
  Table,
  MetricValue,
  Uncertainty,
  Attributes,
  MetricEvent,
  PluginErrorEvent,
  RunEvent,
  KramersEvent,
  EmitOptions,
} from './events.js';
export type { Plugin, PluginHooks, SetupContext, StepContext, TrainEndContext, Need, JsonSchema } from './plugin.js';
export { definePlugin } from './plugin.js';
export { plannedUpdates } from './fit-callback.js';
export type { Schedule, CostState } from './schedule.js';
export { every, logSpaced, budget, defaultMeasurementSchedule, isDue } from './schedule.js';
export type { ServiceToken } from './service-token.js';
export { serviceToken } from './service-token.js';
export type { Rng } from './rng.js';
export { createRng, seedFor, permutation } from './rng.js';
export type { ProbeContext, ProbeData, ProbeLossInfo } from './probe-context.js';
export type { ProbeSpec, ProbeBatch, ProbeBatchSource } from './probe.js';
export { createProbeContext, trainableVariables } from './probe.js';
export type { DatasetProbe } from './probe-from-dataset.js';
export { probeFromDataset } from './probe-from-dataset.js';
export type { ProbeLoss, ProbeLossName, ProbeLossSource, LossFunction } from './probe-loss.js';
export { PROBE_LOSS_NAMES, probeLossName, namedLossFunction } from './probe-loss.js';
export { ConfigError, validateConfig } from './config-validation.js';
export type { FlatLayoutEntry } from './flat-params.js';
export { flatLayout, flatSize, readFlat, writeFlat } from './flat-params.js';
export type { MetricBus } from './metric-bus.js';
export { createMetricBus } from './metric-bus.js';
export type { RunSummary, LatestState, LatestCollector } from './latest.js';
export { emptyLatest, metricKey, latestReducer, collectLatest } from './latest.js';
export type { InstrumentOptions, KramersSession, Instrumented } from './instrument.js';
export { instrument } from './instrument.js';
export type { PluginStats } from './plugin-host.js';
export { orderPlugins } from './plugin-host.js';
export type { BasicsConfig } from './basics.js';
export { basics, layerOf } from './basics.js';
export { eventLoopYielder, nextMacrotask } from './yield.js';
export type { BackendName, BackendChoice } from './backend.js';
export { useBackend, BACKEND_CHOICES } from './backend.js';
export { optimizerInfo } from './optimizer-info.js';
export type { Uninstall } from './gradients/install.js';
export {
  installSecondOrderGradients,
  withSecondOrderGradients,
  secondOrderGradientsInstalled,
  secondOrderKernelNames,
} from './gradients/install.js';
export type { SecondOrderProbe } from './gradients/probe-second-order.js';
export { probeSecondOrderSupport } from './gradients/probe-second-order.js';
export { logSoftmax, softmaxCrossEntropy } from './gradients/log-softmax.js';

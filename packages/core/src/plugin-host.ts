/**
 * The plugin host: validates configs, orders plugins (enforce groups, then providers before their users), binds
 * their services in an inversify container, decides per step who is due, measures what each costs, and isolates
 * faults — a plugin that throws is reported as a plugin-error event and switched off; the others go on.
 */
import * as tf from '@tensorflow/tfjs';
import { Container } from 'inversify';
import { ConfigError, validateConfig } from './config-validation.js';
import type { EmitOptions, KramersEvent, MetricValue, PluginErrorEvent } from './events.js';
import type { Plugin, PluginHooks, StepContext, TrainEndContext } from './plugin.js';
import type { ProbeContext } from './probe-context.js';
import { every, isDue, type CostState, type Schedule } from './schedule.js';
import type { ServiceToken } from './service-token.js';

type MutableStepContext = { -readonly [K in keyof StepContext]: StepContext[K] };

interface ActivePlugin {
  readonly plugin: Plugin<unknown, unknown>;
  readonly emit: StepContext['emit'];
  /** The plugin's step context, refilled every step (valid during its onStep only). */
  readonly ctx: MutableStepContext;
  readonly schedule: Schedule;
  /** The plugin's `needs`, as flags read on every step. */
  readonly needsUpdate: boolean;
  readonly needsProbe: boolean;
  readonly needsLossFn: boolean;
  hooks: PluginHooks<unknown> | undefined;
  /** The schedule's input, refilled each step (no allocation on the step path). */
  readonly cost: { -readonly [K in keyof CostState]: CostState[K] };
  enabled: boolean;
  lastRun: number | undefined;
  /** The iteration of the last train-end call, so a fit end and a close at the same step make one. */
  lastEnd: number | undefined;
  pluginMs: number;
  firstMs: number;
  lastMs: number;
  runs: number;
}

export interface PluginHostOptions {
  readonly runId: string;
  readonly plugins: readonly Plugin<never, unknown>[];
  readonly probe: ProbeContext | undefined;
  readonly publish: (event: KramersEvent) => void;
}

/** Per-step values the instrumented optimizer hands to the host. */
export type StepInputs = Omit<StepContext, 'get' | 'has' | 'emit' | 'probe'>;

export interface PluginStats {
  readonly name: string;
  readonly enabled: boolean;
  readonly runs: number;
  readonly totalMs: number;
  /** The first run's milliseconds (the warm-up, which the budget schedule leaves out of its tally). */
  readonly firstMs: number;
}

export interface PluginHost {
  /** Plugins due at this iteration, and whether any of them needs the pre-update parameters. */
  due(iteration: number, trainMs: number): { readonly count: number; readonly needsUpdate: boolean };
  /** Runs the plugins found due by the last `due` call. */
  run(inputs: StepInputs, trainMs: number): void;
  /**
   * Training ended after step `iteration`: plugins with an `onTrainEnd` hook that have not run at that iteration
   * measure the final parameters. No-op before the first step.
   */
  trainEnd(iteration: number, reason: TrainEndContext['reason']): void;
  stats(): readonly PluginStats[];
  teardown(iteration: number): void;
}

const GROUP_RANK = { pre: 0, normal: 1, post: 2 } as const;

/** The name of the tidy scope each plugin hook runs in (tfjs shows it in its profiles and errors). */
const SCOPE_NAME = 'kramers plugin';

function refuseOutsideStep(): never {
  throw new Error('step values are only available inside onStep');
}

function refusePrevious(plugin: string): () => never {
  return () => {
    throw new Error(`plugin "${plugin}" reads previous parameters: declare needs: ['update']`);
  };
}

/** Enforce groups first; inside a group, a stable topological order over provides → dependsOn (and uses, if provided). */
export function orderPlugins<P extends Pick<Plugin, 'name' | 'enforce' | 'provides' | 'dependsOn' | 'uses'>>(
  plugins: readonly P[],
): P[] {
  const byToken = new Map<symbol, P>();
  for (const p of plugins) if (p.provides) byToken.set(p.provides.id, p);
  const ordered: P[] = [];
  const state = new Map<P, 'visiting' | 'done'>();
  const visit = (p: P, path: string[]): void => {
    const s = state.get(p);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new ConfigError('plugins', [`dependency cycle: ${[...path, p.name].join(' → ')}; remove one dependsOn`]);
    }
    state.set(p, 'visiting');
    for (const token of p.dependsOn ?? []) {
      const provider = byToken.get(token.id);
      if (!provider) {
        throw new ConfigError(`plugin "${p.name}"`, [
          `dependsOn: no plugin provides "${token.description}"; add the plugin that provides it`,
        ]);
      }
      visit(provider, [...path, p.name]);
    }
    for (const token of p.uses ?? []) {
      const provider = byToken.get(token.id);
      if (provider) visit(provider, [...path, p.name]);
    }
    state.set(p, 'done');
    ordered.push(p);
  };
  const rank = (p: P) => GROUP_RANK[p.enforce ?? 'normal'];
  [...plugins].sort((a, b) => rank(a) - rank(b)).forEach((p) => visit(p, []));
  // A dependency may sit in a later enforce group; the topological order wins over the group then.
  return ordered;
}

export function createPluginHost(options: PluginHostOptions): PluginHost {
  const { runId, probe, publish } = options;
  const plugins = options.plugins as unknown as readonly Plugin<unknown, unknown>[];
  const names = new Set<string>();
  for (const p of plugins) {
    if (names.has(p.name)) {
      throw new ConfigError('plugins', [`two plugins are named "${p.name}"; plugin names must be unique in a session`]);
    }
    names.add(p.name);
  }
  const configs = new Map(plugins.map((p) => [p, validateConfig(`plugin "${p.name}"`, p.configSchema, p.config)]));
  for (const p of plugins) {
    if (p.needs?.includes('probe') && !probe) {
      throw new ConfigError(`plugin "${p.name}"`, [
        'needs a probe batch: pass `probe: { model, x, y }` (or `{ lossFn, variables, rows }`) to instrument()',
      ]);
    }
  }

  const container = new Container();
  let iteration = -1;
  // One wall-clock reading per step for all of its events, the step event's own (a step's events share their moment).
  let wallTime = Date.now();
  const emitFor =
    (plugin: string) =>
    (name: string, value: MetricValue, opts?: EmitOptions): void => {
      publish(
        opts === undefined
          ? { kind: 'metric', runId, iteration, plugin, name, value, wallTime }
          : { kind: 'metric', runId, iteration, plugin, name, value, ...opts, wallTime },
      );
    };
  const has = (token: ServiceToken<unknown>): boolean => {
    if (!container.isBound(token.id)) return false;
    const provider = active.find((a) => a.plugin.provides?.id === token.id);
    return provider !== undefined && provider.enabled && provider.hooks !== undefined;
  };
  const get = <T>(token: ServiceToken<T>): T => {
    if (!container.isBound(token.id)) {
      throw new Error(`no plugin provides "${token.description}" in run ${runId}; add the plugin that provides it`);
    }
    return container.get<T>(token.id);
  };

  const active: ActivePlugin[] = orderPlugins(plugins).map((plugin) => {
    const emit = emitFor(plugin.name);
    return {
      plugin,
      emit,
      ctx: {
        step: undefined as unknown as StepContext['step'],
        iteration: -1,
        gradientValues: refuseOutsideStep,
        paramValues: refuseOutsideStep,
        previousParamValues: plugin.needs?.includes('update') ? refuseOutsideStep : refusePrevious(plugin.name),
        lossFn: undefined,
        probe: plugin.needs?.includes('probe') ? probe : undefined,
        optimizer: undefined as unknown as StepContext['optimizer'],
        plannedSteps: undefined,
        get,
        has,
        emit,
      },
      schedule: plugin.schedule ?? every(1),
      needsUpdate: plugin.needs?.includes('update') ?? false,
      needsProbe: plugin.needs?.includes('probe') ?? false,
      needsLossFn: plugin.needs?.includes('lossFn') ?? false,
      hooks: undefined,
      cost: { lastRun: undefined, runs: 0, pluginMs: 0, firstMs: 0, lastMs: 0, trainMs: 0 },
      enabled: true,
      lastRun: undefined,
      lastEnd: undefined,
      pluginMs: 0,
      firstMs: 0,
      lastMs: 0,
      runs: 0,
    };
  });

  const fail = (a: ActivePlugin, phase: PluginErrorEvent['phase'], err: unknown): void => {
    a.enabled = false;
    const e = err instanceof Error ? err : new Error(String(err));
    publish({
      kind: 'plugin-error',
      runId,
      iteration,
      plugin: a.plugin.name,
      phase,
      message: e.message,
      ...(e.stack ? { stack: e.stack } : {}),
      wallTime: Date.now(),
    });
    if (phase !== 'teardown') safeTeardown(a);
  };
  const safeTeardown = (a: ActivePlugin): void => {
    const hooks = a.hooks;
    a.hooks = undefined;
    try {
      hooks?.teardown?.();
    } catch (err) {
      fail(a, 'teardown', err);
    }
  };

  // Setup waits for the first step, so its errors reach subscribers that attach after instrument() returns.
  let setUp = false;
  const setupAll = (): void => {
    setUp = true;
    for (const a of active) {
      const token = a.plugin.provides;
      if (token) {
        container.bind(token.id).toDynamicValue(() => {
          if (!a.enabled || !a.hooks) {
            throw new Error(`plugin "${a.plugin.name}" (providing "${token.description}") is switched off after an error`);
          }
          return a.hooks.service;
        });
      }
      try {
        a.hooks = a.plugin.setup({ runId, config: configs.get(a.plugin), get, has, emit: a.emit, probe });
      } catch (err) {
        fail(a, 'setup', err);
      }
    }
  };

  /**
   * Runs one hook inside a tidy scope, isolating its faults and measuring what it costs (the budget schedule's input).
   * The scope is the engine's startScope/endScope pair, tf.tidy without its four closures per call (tfjs documents
   * the pair for this); the tensors the hook leaves behind are disposed as by tf.tidy, also when it throws.
   */
  const invoke = <C>(a: ActivePlugin, phase: 'step' | 'train-end', it: number, hook: (ctx: C) => void, ctx: C): void => {
    const hooks = a.hooks;
    const engine = tf.engine();
    const t0 = performance.now();
    try {
      engine.startScope(SCOPE_NAME);
      try {
        hook.call(hooks, ctx);
      } finally {
        engine.endScope();
      }
    } catch (err) {
      fail(a, phase, err);
    }
    const ms = performance.now() - t0;
    if (a.runs === 0) a.firstMs = ms;
    a.lastMs = ms;
    a.pluginMs += ms;
    a.lastRun = it;
    a.runs++;
  };

  // Reused every step: the host's per-step path allocates as little as it can (it runs on every update). The due
  // plugins are the first `dueResult.count` entries of `dueNow` (setting an array's length costs more than a count).
  const dueNow: ActivePlugin[] = [];
  const dueResult = { count: 0, needsUpdate: false };

  return {
    due(it, trainMs) {
      iteration = it;
      if (!setUp) {
        wallTime = Date.now();
        setupAll();
      }
      let count = 0;
      let needsUpdate = false;
      for (const a of active) {
        if (!a.enabled || a.hooks?.onStep === undefined) continue;
        // A probe batch still being collected: probe plugins wait (their schedule starts when it is there).
        if (a.needsProbe && probe && !probe.ready) continue;
        const cost = a.cost;
        // Only the budget schedule reads the cost; static schedules decide from the iteration.
        if (a.schedule.kind === 'budget') {
          cost.lastRun = a.lastRun;
          cost.runs = a.runs;
          cost.pluginMs = a.pluginMs;
          cost.firstMs = a.firstMs;
          cost.lastMs = a.lastMs;
          cost.trainMs = trainMs;
        }
        if (!isDue(a.schedule, it, cost)) continue;
        dueNow[count++] = a;
        needsUpdate ||= a.needsUpdate;
      }
      dueResult.count = count;
      dueResult.needsUpdate = needsUpdate;
      return dueResult;
    },
    run(inputs) {
      wallTime = inputs.step.wallTime;
      const count = dueResult.count;
      for (let i = 0; i < count; i++) {
        const a = dueNow[i]!;
        if (!a.enabled) continue;
        const ctx = a.ctx;
        ctx.step = inputs.step;
        ctx.iteration = inputs.iteration;
        ctx.gradientValues = inputs.gradientValues;
        ctx.paramValues = inputs.paramValues;
        if (a.needsUpdate) ctx.previousParamValues = inputs.previousParamValues;
        ctx.lossFn = a.needsLossFn ? inputs.lossFn : undefined;
        ctx.optimizer = inputs.optimizer;
        ctx.plannedSteps = inputs.plannedSteps;
        invoke(a, 'step', inputs.iteration, a.hooks!.onStep!, ctx);
      }
    },
    trainEnd(it, reason) {
      iteration = it;
      wallTime = Date.now();
      if (!setUp || it < 0) return;
      for (const a of active) {
        const onTrainEnd = a.hooks?.onTrainEnd;
        if (!a.enabled || onTrainEnd === undefined || a.lastEnd === it) continue;
        const ranAtStep = a.lastRun === it;
        a.lastEnd = it;
        if (a.needsProbe && probe && !probe.ready) continue;
        invoke(a, 'train-end', it, onTrainEnd, { iteration: it, reason, ranAtStep, probe: a.ctx.probe, get, has, emit: a.emit });
      }
    },
    stats: () =>
      active.map((a) => ({ name: a.plugin.name, enabled: a.enabled, runs: a.runs, totalMs: a.pluginMs, firstMs: a.firstMs })),
    teardown(it) {
      iteration = it;
      if (!setUp) return;
      for (const a of [...active].reverse()) safeTeardown(a);
      container.unbindAll();
    },
  };
}
